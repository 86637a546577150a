package verify_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
)

var (
	oidTimeStampingEKU = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	// genTime is when the timestamps of these tests are made: the short-lived signer is
	// valid then and expired at the pinned verification time.
	genTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
)

// issueUnderInt makes a certificate under the fixture intermediate.
func issueUnderInt(t *testing.T, tmpl *x509.Certificate) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SubjectKeyId = []byte{byte(tmpl.SerialNumber.Int64()), 1, 2, 3}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, mustCerts(t, "int-ca.pem")[0], key.Public(), mustSigner(t, "int-ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

// tsaAuthority is a TSA under the fixture intermediate whose clock says genTime.
func tsaAuthority(t *testing.T, critical bool) *timestamp.Authority {
	t.Helper()
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStampingEKU})
	cert, key := issueUnderInt(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x7501), Subject: pkix.Name{CommonName: "Test TSA", Organization: []string{"Signet Test"}},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: critical, Value: eku}},
	})
	return &timestamp.Authority{Key: key, Chain: []*x509.Certificate{cert, mustCerts(t, "int-ca.pem")[0]}, Now: func() time.Time { return genTime }}
}

// stamp asks a for a token over sig, as signet sign --tsa does.
func stamp(t *testing.T, a *timestamp.Authority, sig []byte) []byte {
	t.Helper()
	req, err := timestamp.NewRequest(sig, 0)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := req.Marshal()
	resp, _, err := a.Respond(der)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := timestamp.ParseResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Raw
}

// shortLived is a code-signing certificate valid in 2025 only: expired at the pinned time.
func shortLived(t *testing.T, serial int64) (*x509.Certificate, crypto.Signer) {
	return issueUnderInt(t, &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "Short-lived Signer", Organization: []string{"Signet Test"}},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
}

// cmsWithTimestamp signs content in CMS with key and cert, the token made by tsa (nil: none).
func cmsWithTimestamp(t *testing.T, content []byte, cert *x509.Certificate, key crypto.Signer, tsa func([]byte) []byte) *sigformat.Signature {
	t.Helper()
	h := digest.SHA256.New()
	h.Write(content)
	opts := sigformat.CMSOptions{Algorithm: digest.SHA256, Certificates: []*x509.Certificate{cert, mustCerts(t, "int-ca.pem")[0]}, SigningTime: genTime}
	if tsa != nil {
		opts.Timestamp = func(sig []byte) ([]byte, error) { return tsa(sig), nil }
	}
	der, err := sigformat.MarshalCMS(h.Sum(nil), opts, func(signed []byte) ([]byte, error) {
		d := digest.SHA256.New()
		d.Write(signed)
		return key.Sign(rand.Reader, d.Sum(nil), crypto.SHA256)
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigformat.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTimestampValidatesAtGenTime: a signer expired at the verification time verifies when a
// trusted timestamp says it signed while valid, and fails without one; every way the
// timestamp can fail fails the artifact with its own reason.
func TestTimestampValidatesAtGenTime(t *testing.T) {
	content := []byte("a release\n")
	cert, key := shortLived(t, 0x5101)
	tsa := tsaAuthority(t, true)
	good := func(sig []byte) []byte { return stamp(t, tsa, sig) }
	roots := mustCerts(t, "root-ca.pem")
	run := func(t *testing.T, s *sigformat.Signature, opts verify.ArtifactOptions) (*verify.ArtifactResult, error) {
		t.Helper()
		if opts.Policy.Roots == nil {
			opts.Policy = codeSigning(t)
		}
		return verify.VerifyArtifact(context.Background(), verify.Artifact{Name: "app", Content: content, Signature: s}, opts)
	}

	t.Run("without", func(t *testing.T) {
		res, err := run(t, cmsWithTimestamp(t, content, cert, key, nil), verify.ArtifactOptions{})
		var ve *verify.Error
		if !errors.As(err, &ve) || ve.Reason != verify.Expired {
			t.Fatalf("err = %v, want expired", err)
		}
		if checkStatus(res, verify.CheckTimestamp) != "" || res.Timestamps != nil {
			t.Error("no timestamp, but a timestamp check is reported")
		}
	})
	t.Run("with", func(t *testing.T) {
		res, err := run(t, cmsWithTimestamp(t, content, cert, key, good), verify.ArtifactOptions{TSARoots: roots})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Timestamps) != 1 || !res.Timestamps[0].Valid || !res.Timestamps[0].GenTime.Equal(genTime) ||
			res.Timestamps[0].TSA != "CN=Test TSA,O=Signet Test" || res.Timestamps[0].Policy != timestamp.DefaultPolicy().String() {
			t.Fatalf("report %+v", res.Timestamps)
		}
		if !res.Chain.Policy.At.Equal(genTime) {
			t.Errorf("chain validated at %v, want genTime", res.Chain.Policy.At)
		}
	})
	t.Run("signer-roots-are-not-tsa-roots", func(t *testing.T) {
		// The TSA chains to the signer's root, but no TSA anchor is given: the timestamp does
		// not date the signature, so the expired signer fails.
		res, err := run(t, cmsWithTimestamp(t, content, cert, key, good), verify.ArtifactOptions{})
		var ve *verify.Error
		if !errors.As(err, &ve) || ve.Reason != verify.Expired || checkStatus(res, verify.CheckTimestamp) != verify.Skip {
			t.Fatalf("err = %v, timestamp check %q: the signer's roots were taken as TSA anchors", err, checkStatus(res, verify.CheckTimestamp))
		}
	})
	t.Run("require-missing", func(t *testing.T) {
		res, err := run(t, cmsWithTimestamp(t, content, cert, key, nil), verify.ArtifactOptions{TSARoots: roots, RequireTimestamp: true})
		if !errors.Is(err, verify.ErrTimestamp) || res.Reason != verify.ReasonTimestampMissing {
			t.Fatalf("err = %v reason %q", err, res.Reason)
		}
	})
	t.Run("another-signature", func(t *testing.T) {
		other := func([]byte) []byte { return stamp(t, tsa, []byte("another signature")) }
		res, err := run(t, cmsWithTimestamp(t, content, cert, key, other), verify.ArtifactOptions{TSARoots: roots})
		if !errors.Is(err, verify.ErrTimestamp) || res.Reason != verify.ReasonTimestampInvalid || res.Timestamps[0].Valid {
			t.Fatalf("err = %v reason %q", err, res.Reason)
		}
	})
	t.Run("untrusted-tsa", func(t *testing.T) {
		res, err := run(t, cmsWithTimestamp(t, content, cert, key, good), verify.ArtifactOptions{TSARoots: mustCerts(t, "impostor-root.pem")})
		if !errors.Is(err, verify.ErrTimestamp) || res.Reason != verify.ReasonTimestampInvalid {
			t.Fatalf("err = %v reason %q", err, res.Reason)
		}
	})
	t.Run("eku-not-critical", func(t *testing.T) {
		lax := tsaAuthority(t, false)
		res, err := run(t, cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, lax, sig) }), verify.ArtifactOptions{TSARoots: roots})
		if !errors.Is(err, verify.ErrTimestamp) || !errors.Is(err, timestamp.ErrNotTSACertificate) || res.Reason != verify.ReasonTimestampInvalid {
			t.Fatalf("err = %v reason %q", err, res.Reason)
		}
	})
	t.Run("bundle", func(t *testing.T) {
		h := digest.SHA256.New()
		h.Write(content)
		d := h.Sum(nil)
		sig, _ := key.Sign(rand.Reader, d, crypto.SHA256)
		out, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA256, Digest: d, Signature: sig,
			Certificates: []*x509.Certificate{cert, mustCerts(t, "int-ca.pem")[0]}, Timestamps: [][]byte{good(sig)}})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := sigformat.Parse(out)
		// A v0.3 bundle carries the leaf alone: the intermediate comes from the policy.
		pol := codeSigning(t)
		pol.Intermediates = mustCerts(t, "int-ca.pem")
		if _, err := run(t, s, verify.ArtifactOptions{TSARoots: roots, Policy: pol}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTimestampRevokedAfter: a signer revoked after the timestamp's genTime still verifies
// unless the reason is a compromise (of its key or a CA's); revoked before genTime it fails.
func TestTimestampRevokedAfter(t *testing.T) {
	content := []byte("a release\n")
	tsa := tsaAuthority(t, true)
	roots := mustCerts(t, "root-ca.pem")
	for _, tc := range []struct {
		name    string
		at      time.Time
		reason  int
		wantErr bool
	}{
		{"superseded-after", genTime.Add(24 * time.Hour), 4, false},
		{"cessation-after", genTime.Add(24 * time.Hour), 5, false},
		{"keyCompromise-after", genTime.Add(24 * time.Hour), 1, true},
		{"no-reason-after", genTime.Add(24 * time.Hour), 0, false},
		{"cACompromise-after", genTime.Add(24 * time.Hour), 2, true},
		{"superseded-before", genTime.Add(-24 * time.Hour), 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert, key := shortLived(t, 0x5200+int64(tc.reason))
			s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
			crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
				Number: big.NewInt(9), ThisUpdate: pinned.Add(-time.Hour), NextUpdate: pinned.Add(24 * time.Hour),
				RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: cert.SerialNumber, RevocationTime: tc.at, ReasonCode: tc.reason}},
			}, mustCerts(t, "int-ca.pem")[0], mustSigner(t, "int-ca.key"))
			if err != nil {
				t.Fatal(err)
			}
			crl, _ := x509.ParseRevocationList(crlDER)
			pol := codeSigning(t)
			pol.CRLs = []*x509.RevocationList{crl}
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: "app", Content: content, Signature: s},
				verify.ArtifactOptions{Policy: pol, TSARoots: roots})
			var ve *verify.Error
			switch {
			case tc.wantErr && (!errors.As(err, &ve) || ve.Reason != verify.Revoked):
				t.Fatalf("err = %v, want revoked", err)
			case !tc.wantErr && err != nil:
				t.Fatalf("err = %v", err)
			case !tc.wantErr && !revokedAfterReported(res):
				t.Fatalf("the revocation after the timestamp is not reported: %+v", res.Checks)
			}
		})
	}
}

func revokedAfterReported(res *verify.ArtifactResult) bool {
	for _, c := range res.Checks {
		if c.Check == verify.CheckRevocation && c.Status == verify.Pass && strings.Contains(c.Detail, "after the signature's timestamp") {
			return true
		}
	}
	return false
}

// TestTimestampTSARevoked: the signer's CRLs apply to the TSA's certificate too: a TSA whose
// key was compromised before the token was made gives no trusted time.
func TestTimestampTSARevoked(t *testing.T) {
	content := []byte("a release\n")
	tsa := tsaAuthority(t, true)
	cert, key := shortLived(t, 0x5301)
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(10), ThisUpdate: pinned.Add(-time.Hour), NextUpdate: pinned.Add(24 * time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: tsa.Chain[0].SerialNumber, RevocationTime: genTime.Add(-time.Hour), ReasonCode: 1}},
	}, mustCerts(t, "int-ca.pem")[0], mustSigner(t, "int-ca.key"))
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := x509.ParseRevocationList(crlDER)
	pol := codeSigning(t)
	pol.CRLs = []*x509.RevocationList{crl}
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: "app", Content: content, Signature: s},
		verify.ArtifactOptions{Policy: pol, TSARoots: mustCerts(t, "root-ca.pem")})
	if !errors.Is(err, verify.ErrTimestamp) || res.Reason != verify.ReasonTimestampInvalid || !strings.Contains(res.Error, "revoked") {
		t.Fatalf("err = %v reason %q", err, res.Reason)
	}
}
