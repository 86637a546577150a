package verify_test

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// tmToken is a token over data at the genTime written raw, signed by key for the TSA
// certificate tsa, carrying tsa and the chain given: a TSA that signs whatever its
// certificate's validity (signet's Authority refuses to sign outside it).
func tmToken(tsa *x509.Certificate, key crypto.Signer, data []byte, raw string, chain ...*x509.Certificate) []byte {
	d := sha256.Sum256(data)
	certHash := sha256.Sum256(tsa.Raw)
	ess := tsAttr(oidTSESSv2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1OctetString(certHash[:]) })
			})
		})
	})
	certs := [][]byte{tsa.Raw}
	for _, c := range chain {
		certs = append(certs, c.Raw)
	}
	p := tsTokenPlan{imprintHash: crypto.SHA256, imprint: d[:], policy: tsPolicyA, digestHash: crypto.SHA256,
		contentType: "ok", msgDigest: "ok", attrs: [][]byte{ess}, certs: certs, signer: key, genTimeRaw: raw}
	return p.build(tsNow(), tsa)
}
