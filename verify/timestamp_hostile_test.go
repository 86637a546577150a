package verify_test

// Hostile timestamps from a security review: each was accepted before, and must be refused:
// a revoked TSA, a coarse accuracy, --require-crl for the TSA's chain, a SHA-1 imprint, a
// genTime in the future, thousands of tokens on one signature, a TSA key usage that allows
// no signature.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
)

func revCRL(t *testing.T, entries ...x509.RevocationListEntry) *x509.RevocationList {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(77), ThisUpdate: pinned.Add(-time.Hour), NextUpdate: pinned.Add(24 * time.Hour),
		RevokedCertificateEntries: entries,
	}, mustCerts(t, "int-ca.pem")[0], mustSigner(t, "int-ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}

func revVerify(t *testing.T, s *sigformat.Signature, content []byte, opts verify.ArtifactOptions) (*verify.ArtifactResult, error) {
	t.Helper()
	return verify.VerifyArtifact(context.Background(), verify.Artifact{Name: "app", Content: content, Signature: s}, opts)
}

// F1: the TSA's own certificate, revoked WITHOUT a reason code (openssl ca -revoke default),
// is excused because the TSA's own (self-asserted) genTime is before the revocation. Whoever
// holds the retired TSA key can mint tokens with any genTime before the revocation, forever.
func TestTimestampHostileTSARevokedNoReasonStillTrusted(t *testing.T) {
	content := []byte("a release\n")
	tsa := tsaAuthority(t, true) // its clock says genTime: a backdated token
	cert, key := shortLived(t, 0x6101)
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	crl := revCRL(t, x509.RevocationListEntry{SerialNumber: tsa.Chain[0].SerialNumber, RevocationTime: genTime.Add(time.Hour)}) // no reason code
	pol := codeSigning(t)
	pol.CRLs = []*x509.RevocationList{crl}
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol, TSARoots: mustCerts(t, "root-ca.pem")})
	if err != nil {
		return // refused, as it must be
	}
	t.Errorf("accepted; timestamps=%+v", res.Timestamps[0].Valid)
	for _, c := range res.Checks {
		t.Logf("  %s %s %s", c.Check, c.Status, c.Detail)
	}
}

// F2: accuracy is ignored: genTime ±2h, signer revoked (superseded) 1h after genTime, passes.
func TestTimestampHostileAccuracyIgnored(t *testing.T) {
	content := []byte("a release\n")
	tsa := tsaAuthority(t, true)
	tsa.Accuracy = 2 * time.Hour
	cert, key := shortLived(t, 0x6201)
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	crl := revCRL(t, x509.RevocationListEntry{SerialNumber: cert.SerialNumber, RevocationTime: genTime.Add(time.Hour), ReasonCode: 4})
	pol := codeSigning(t)
	pol.CRLs = []*x509.RevocationList{crl}
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol, TSARoots: mustCerts(t, "root-ca.pem")})
	if err != nil {
		return // refused, as it must be
	}
	t.Errorf("accepted with accuracy %s although revoked 1h after genTime", res.Timestamps[0].Accuracy)
}

// F3: Policy.RequireCRL is not applied to the TSA's chain.
func TestTimestampHostileRequireCRLDroppedForTSA(t *testing.T) {
	content := []byte("a release\n")
	// A TSA issued directly by the root: its status needs a root CRL under RequireCRL.
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStampingEKU})
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(0x7777), Subject: pkix.Name{CommonName: "Root TSA"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, SubjectKeyId: []byte{7, 7, 7},
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}, mustCerts(t, "root-ca.pem")[0], k.Public(), mustSigner(t, "root-ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	tc, _ := x509.ParseCertificate(der)
	tsa := &timestamp.Authority{Key: k, Chain: []*x509.Certificate{tc}, Now: func() time.Time { return genTime }}
	cert, key := shortLived(t, 0x6301)
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	pol := codeSigning(t)
	pol.CRLs = []*x509.RevocationList{revCRL(t)} // int-ca's CRL: the signer's status is settled
	pol.RequireCRL = true
	// Control: the TSA certificate itself under the same policy fails for want of a CRL.
	p2 := pol
	p2.EKUs, p2.At = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}, genTime
	if _, err := verify.Verify(tc, nil, p2); err != nil {
		t.Logf("control: the TSA cert under the user's policy fails: %v", err)
	}
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol, TSARoots: mustCerts(t, "root-ca.pem")})
	if err != nil {
		return // refused, as it must be
	}
	t.Errorf("accepted under RequireCRL with no CRL for the TSA's certificate; TSA chain %d certs", len(res.Timestamps[0].Chain))
}

// F4: a SHA-1 message imprint is accepted (ts verify --data: a chosen-prefix SHA-1 collision
// moves a token from one file to another).
func TestTimestampHostileSHA1Imprint(t *testing.T) {
	tsa := tsaAuthority(t, true)
	data := []byte("file A")
	d := sha1.Sum(data)
	req := &timestamp.Request{Hash: crypto.SHA1, HashedMessage: d[:], CertReq: true}
	rd, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	resp, _, err := tsa.Respond(rd)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.VerifyTimestamp(resp, data, nil, mustCerts(t, "root-ca.pem"))
	if err != nil {
		return // refused, as it must be
	}
	t.Errorf("SHA-1 imprint accepted: hash=%s valid=%v", rep.Hash, rep.Valid)
}

// F5: genTime in the future (TSA clock, or after Policy.At) moves the signer's validation to
// a time after the verification time: a not-yet-valid signer is accepted.
func TestTimestampHostileFutureGenTime(t *testing.T) {
	content := []byte("a release\n")
	future := pinned.Add(60 * 24 * time.Hour)
	tsa := tsaAuthority(t, true)
	tsa.Now = func() time.Time { return future }
	cert, key := issueUnderInt(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x6501), Subject: pkix.Name{CommonName: "Not yet valid"},
		NotBefore: pinned.Add(30 * 24 * time.Hour), NotAfter: pinned.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: codeSigning(t), TSARoots: mustCerts(t, "root-ca.pem")})
	if err != nil {
		return // refused, as it must be
	}
	t.Errorf("verification at %v accepted a signer valid from %v (genTime %v), chain At %v", pinned, cert.NotBefore, res.Timestamps[0].GenTime, res.Chain.Policy.At)
}

// F6: no cap on the number of timestamps: the same valid token repeated N times is verified N
// times (token signature + TSA chain building each).
func TestTimestampHostileManyTokens(t *testing.T) {
	t.Parallel()
	content := []byte("a release\n")
	tsa := tsaAuthority(t, true)
	cert, key := shortLived(t, 0x6601)
	h := sha256Sum(content)
	sig, _ := key.Sign(rand.Reader, h, crypto.SHA256)
	tok := stamp(t, tsa, sig)
	n := 16 << 20 / ((len(tok)*4)/3 + 40) // what fits in MaxSignatureSize as JSON base64
	toks := make([][]byte, n)
	for i := range toks {
		toks[i] = tok
	}
	out, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA256, Digest: h, Signature: sig,
		Certificates: []*x509.Certificate{cert}, Timestamps: toks})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigformat.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	pol := codeSigning(t)
	pol.Intermediates = mustCerts(t, "int-ca.pem")
	start := time.Now()
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol, TSARoots: mustCerts(t, "root-ca.pem")})
	t.Logf("bundle %d bytes, %d tokens (each %d bytes): verified in %v, err=%v, reports=%d", len(out), n, len(tok), time.Since(start), err, len(res.Timestamps))
	if !errors.Is(err, verify.ErrTimestamp) {
		t.Errorf("%d timestamps on one signature: %v, want a timestamp failure", n, err)
	}
}

func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

// F7: a TSA certificate whose key usage excludes digitalSignature (keyEncipherment only) is
// accepted as the signer of tokens.
func TestTimestampHostileTSAKeyUsageIgnored(t *testing.T) {
	content := []byte("a release\n")
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStampingEKU})
	tc, k := issueUnderInt(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x7601), Subject: pkix.Name{CommonName: "KU TSA"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:        x509.KeyUsageKeyAgreement,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	})
	tsa := &timestamp.Authority{Key: k, Chain: []*x509.Certificate{tc, mustCerts(t, "int-ca.pem")[0]}, Now: func() time.Time { return genTime }}
	cert, key := shortLived(t, 0x6701)
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	_, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: codeSigning(t), TSARoots: mustCerts(t, "root-ca.pem")})
	if err != nil {
		return // refused, as it must be
	}
	t.Errorf("keyAgreement-only TSA certificate accepted")
}
