package verify_test

// Probes of a security review of artifact signatures and timestamps (rs). Each pins a
// behaviour no other test pins; the comment says what, and what a peer does.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
)

// A TSA whose certificate was not valid at the genTime it wrote (expired before it, or not
// yet valid) dates nothing: the TSA's chain is judged at genTime. The signer is the
// short-lived one, expired at the verification time, so a timestamp taken as valid would
// pass it.
func TestRSTimestampTSAOutsideValidityAtGenTime(t *testing.T) {
	content := []byte("a release\n")
	roots := mustCerts(t, "root-ca.pem")
	eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStampingEKU})
	for name, window := range map[string][2]time.Time{
		"expired":       {time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), genTime.Add(-time.Hour)},
		"not yet valid": {genTime.Add(time.Hour), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			tc, tk := issueUnderInt(t, &x509.Certificate{
				SerialNumber: big.NewInt(0x7a01), Subject: pkix.Name{CommonName: "Out-of-window TSA"},
				NotBefore: window[0], NotAfter: window[1], KeyUsage: x509.KeyUsageDigitalSignature,
				ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
			})
			tsa := &timestamp.Authority{Key: tk, Chain: []*x509.Certificate{tc, mustCerts(t, "int-ca.pem")[0]}, Now: func() time.Time { return genTime }}
			cert, key := shortLived(t, 0x7a10)
			s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
			res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: codeSigning(t), TSARoots: roots})
			if !errors.Is(err, verify.ErrTimestamp) || res.Reason != verify.ReasonTimestampInvalid {
				t.Fatalf("err = %v, reason %q; want a timestamp-invalid verdict", err, res.Reason)
			}
		})
	}
}

// A token whose imprint is the digest of the file rather than of the signature says when the
// file existed, not when it was signed: it must not date the signature (RFC 3161 appendix A:
// the imprint is of the SignerInfo's signature value).
func TestRSTimestampOverTheFileNotTheSignature(t *testing.T) {
	content := []byte("a release\n")
	tsa := tsaAuthority(t, true)
	cert, key := shortLived(t, 0x7b01)
	s := cmsWithTimestamp(t, content, cert, key, func([]byte) []byte { return stamp(t, tsa, content) })
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: codeSigning(t), TSARoots: mustCerts(t, "root-ca.pem")})
	if !errors.Is(err, verify.ErrTimestamp) || res.Reason != verify.ReasonTimestampInvalid {
		t.Fatalf("err = %v, reason %q; want a timestamp-invalid verdict", err, res.Reason)
	}
}

// ECDSA signatures are malleable: (r, n-s) verifies wherever (r, s) does. signet accepts the
// high-S form, as `openssl dgst -verify` does (neither enforces low S, which is a rule of some
// blockchains, not of X.509, CMS or Sigstore). What a malleated signature proves is the same:
// the key signed this digest. This pins the agreement with openssl.
func TestRSECDSAHighSAcceptedLikeOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	art := writeFile(t, dir, "art", "release contents\n")
	data, _ := os.ReadFile(art)
	k := mustSigner(t, "codesign.key")
	sig := rawSign(t, k, crypto.SHA256, false, data)
	var r, s big.Int
	in := cryptobyte.String(sig)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&r) || !seq.ReadASN1Integer(&s) {
		t.Fatal("not a DER ECDSA signature")
	}
	n := k.Public().(*ecdsa.PublicKey).Curve.Params().N
	half := new(big.Int).Rsh(n, 1)
	if s.Cmp(half) <= 0 {
		s.Sub(n, &s) // the high-S twin (a signature that is high-S already is kept)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1BigInt(&r); b.AddASN1BigInt(&s) })
	twin := b.BytesOrPanic()
	sigPath := filepath.Join(dir, "art.sig")
	if err := os.WriteFile(sigPath, twin, 0o644); err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, "pub.pem")
	testutil.Run(t, openssl, "pkey", "-in", filepath.Join(pki, "codesign.key"), "-pubout", "-out", pub)
	testutil.Run(t, openssl, "dgst", "-sha256", "-verify", pub, "-signature", sigPath, art)
	_, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: art, SignatureName: sigPath}, verify.ArtifactOptions{Key: k.Public()})
	if err != nil {
		t.Fatalf("signet refused the malleated signature openssl accepts: %v", err)
	}
}
