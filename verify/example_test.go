package verify_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// A code-signing policy applied to an expired signer, and the reason turned into an exit code
// with a table, as a command would do.
func ExampleVerify() {
	leaf, err := x509util.LoadCertificateFile("../testdata/pki/expired.pem")
	if err != nil {
		panic(err)
	}
	roots, _ := x509util.LoadCertificates("../testdata/pki/root-ca.pem")
	inters, _ := x509util.LoadCertificates("../testdata/pki/int-ca.pem")
	policy := verify.Policy{
		Roots:         roots,
		Intermediates: inters,
		At:            time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
		EKUs:          []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		KeyUsage:      x509.KeyUsageDigitalSignature,
	}
	res, err := verify.Verify(leaf[0], leaf[1:], policy)
	if res == nil {
		panic(err) // not checked: a bad policy or no certificate
	}
	fmt.Println(res.Valid, res.Reason, len(res.Chain))
	fmt.Println(err)

	exitCodes := []struct {
		reason verify.Reason
		code   int
	}{{verify.Revoked, 13}, {verify.Expired, 12}, {verify.NotYetValid, 12}}
	for _, row := range exitCodes {
		if errors.Is(err, row.reason) {
			fmt.Println("exit", row.code)
		}
	}
	// Output:
	// false expired 3
	// verify: certificate CN=Signet Test Expired Signer,O=Signet Test expired at 2021-01-01T00:00:00Z [rfc5280.validity]
	// exit 12
}
