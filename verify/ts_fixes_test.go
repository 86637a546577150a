package verify_test

// The signet faults the time-stamp campaign (ts_diff_test.go) found, each a case that was
// accepted and must be refused.

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
)

// tsFixTSA is a root and a good TSA certificate under it (dNSName tsa.example.com).
func tsFixTSA(t *testing.T) (root, tsa *x509.Certificate, key crypto.Signer) {
	t.Helper()
	now := tsNow()
	rk, k := rxKey("p256", 911), rxKey("p256", 912)
	rt := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: tsName("TS Fix Root"), NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	root = tsMust(x509.ParseCertificate(tsMust(x509.CreateCertificate(rand.Reader, rt, rt, rk.Public(), rk))))
	tt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: tsName("TS Fix Authority"), NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, DNSNames: []string{"tsa.example.com"},
		ExtraExtensions: []pkix.Extension{tsExt(oidTSEKU, true, []asn1.ObjectIdentifier{oidTSTimeStamp})}}
	tsa = tsMust(x509.ParseCertificate(tsMust(x509.CreateCertificate(rand.Reader, tt, root, k.Public(), rk))))
	return root, tsa, k
}

// tsFixToken is a good token of tsa over data, with the tsa name given (nil: none) and the
// imprint hash h.
func tsFixToken(tsa *x509.Certificate, key crypto.Signer, data []byte, h crypto.Hash, tsaName []byte) []byte {
	d := h.New()
	d.Write(data)
	certHash := sha256.Sum256(tsa.Raw)
	ess := tsAttr(oidTSESSv2, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1OctetString(certHash[:]) })
			})
		})
	})
	p := tsTokenPlan{imprintHash: h, imprint: d.Sum(nil), policy: tsPolicyA, tsaName: tsaName, digestHash: crypto.SHA256,
		contentType: "ok", msgDigest: "ok", attrs: [][]byte{ess}, certs: [][]byte{tsa.Raw}, signer: key}
	return p.build(tsNow().Add(-time.Hour), tsa)
}

func tsGeneralName(tag int, constructed bool, content []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	t := cbasn1.Tag(tag).ContextSpecific()
	if constructed {
		t = t.Constructed()
	}
	b.AddASN1(t, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return b.BytesOrPanic()
}

// The TSTInfo's tsa field names the TSA; RFC 3161 2.4.2: "If present, it MUST correspond to
// one of the subject names included in the certificate that is to be used to verify the
// token". signet accepted a token naming any TSA at all, and printed that name (tsa_name in
// --json) beside the real signer's: a token signed by one TSA could claim another's name.
// openssl ts -verify refuses it (TS_R_TSA_NAME_MISMATCH).
func TestTSTokenNameIsNotTheSigners(t *testing.T) {
	root, tsa, key := tsFixTSA(t)
	data := []byte("a signature\n")
	for _, tc := range []struct {
		name    string
		tsaName []byte
		ok      bool
	}{
		{"none", nil, true},
		{"the subject", tsGeneralName(4, true, tsa.RawSubject), true},
		{"the dNSName of its subjectAltName", tsGeneralName(2, false, []byte("tsa.example.com")), true},
		{"the dNSName in another case", tsGeneralName(2, false, []byte("TSA.Example.COM")), true},
		{"another directory name", tsGeneralName(4, true, root.RawSubject), false},
		{"another dNSName", tsGeneralName(2, false, []byte("tsa.example.net")), false},
		{"a URI", tsGeneralName(6, false, []byte("https://tsa.example.com/")), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := tsFixToken(tsa, key, data, crypto.SHA256, tc.tsaName)
			r, err := verify.VerifyTimestamp(tok, data, nil, []*x509.Certificate{root})
			switch {
			case tc.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tc.ok && err == nil:
				t.Fatalf("accepted a token whose tsa name (%q) is not its signer's, %s", r.TSAName, r.TSA)
			case !tc.ok && !errors.Is(err, timestamp.ErrInvalid):
				t.Fatalf("err = %v, want timestamp.ErrInvalid", err)
			}
		})
	}
}

// A SHA-1 message imprint is refused with --data (Token.Covers: a chosen-prefix collision
// makes it cover two files), but `ts verify --digest` compared the imprint's bytes alone and
// accepted it: the same token, over the same colliding files, passed when the user gave
// their SHA-1 digest instead of the file.
func TestTSDigestSHA1Imprint(t *testing.T) {
	root, tsa, key := tsFixTSA(t)
	data := []byte("a signature\n")
	tok := tsFixToken(tsa, key, data, crypto.SHA1, nil)
	roots := []*x509.Certificate{root}
	if _, err := verify.VerifyTimestamp(tok, data, nil, roots); !errors.Is(err, timestamp.ErrUnsupported) {
		t.Fatalf("--data: err = %v, want timestamp.ErrUnsupported", err)
	}
	if _, err := verify.VerifyTimestamp(tok, nil, tsSHA1(data), roots); !errors.Is(err, timestamp.ErrUnsupported) {
		t.Fatalf("--digest: err = %v, want timestamp.ErrUnsupported", err)
	}
	// A SHA-256 imprint given as a digest still passes.
	if _, err := verify.VerifyTimestamp(tsFixToken(tsa, key, data, crypto.SHA256, nil), nil, tsSHA256(data), roots); err != nil {
		t.Fatalf("--digest, SHA-256: %v", err)
	}
}
