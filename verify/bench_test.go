package verify_test

import (
	"testing"

	"github.com/signet-pki/signet/verify"
)

// BenchmarkVerifyChain is one three-level chain (leaf, RSA-3072 intermediate, P-384 root)
// validated in process, as `signet cert verify` does once per run.
func BenchmarkVerifyChain(b *testing.B) {
	leaf := mustCerts(b, "server.pem")[0]
	p := verify.Policy{Roots: mustCerts(b, "root-ca.pem"), Intermediates: mustCerts(b, "int-ca.pem"), At: pinned, DNSName: "server.example.com"}
	for b.Loop() {
		if _, err := verify.Verify(leaf, nil, p); err != nil {
			b.Fatal(err)
		}
	}
}
