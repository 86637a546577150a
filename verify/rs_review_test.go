package verify_test

// Probes of a security review of artifact signatures and timestamps (rs). Each pins a
// behaviour no other test pins; the comment says what, and what a peer does.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
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
			cert, key := shortLived(t, 0x7a10)
			// signet's Authority refuses to sign outside its certificate's validity: the
			// token is written here, as such a TSA would.
			s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte {
				return tmToken(tc, tk, sig, genTime.Format("20060102150405Z"), mustCerts(t, "int-ca.pem")[0])
			})
			res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: codeSigning(t), TSARoots: roots})
			if !errors.Is(err, verify.ErrTimestamp) || res.Reason != verify.ReasonTimestampInvalid {
				t.Fatalf("err = %v, reason %q; want a timestamp-invalid verdict", err, res.Reason)
			}
			if !strings.Contains(err.Error(), "[rfc5280.validity]") {
				t.Errorf("err = %v; want the TSA certificate's validity refused", err)
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

// A v0.1/v0.2 bundle's x509CertificateChain may carry the root: it is an untrusted
// certificate like the others, and the chain is trusted only when a root given in the policy
// (--roots) anchors it. Here the bundle carries the fixture root itself, and the policy's only
// anchor is the impostor (same subject, another key): the carried root must not be taken as
// the anchor. With the real root given, the same bundle verifies (the control).
func TestRSBundleCarriedRootIsNotAnAnchor(t *testing.T) {
	content := []byte("a release\n")
	k := mustSigner(t, "codesign.key")
	d := sha256.Sum256(content)
	sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	var chain []map[string]string
	for _, c := range mustCerts(t, "codesign.pem", "int-ca.pem", "root-ca.pem") {
		chain = append(chain, map[string]string{"rawBytes": base64.StdEncoding.EncodeToString(c.Raw)})
	}
	js, err := json.Marshal(map[string]any{
		"mediaType":            "application/vnd.dev.sigstore.bundle+json;version=0.2",
		"verificationMaterial": map[string]any{"x509CertificateChain": map[string]any{"certificates": chain}},
		"messageSignature": map[string]any{
			"messageDigest": map[string]string{"algorithm": "SHA2_256", "digest": base64.StdEncoding.EncodeToString(d[:])},
			"signature":     base64.StdEncoding.EncodeToString(sig),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigformat.Parse(js)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Certificates) != 3 {
		t.Fatalf("%d certificates carried, want 3", len(s.Certificates))
	}
	if _, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: codeSigning(t)}); err != nil {
		t.Fatalf("control, the real root given: %v", err)
	}
	pol := verify.CodeSigningPolicy(verify.Policy{Roots: mustCerts(t, "impostor-root.pem"), At: pinned})
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol})
	var ve *verify.Error
	if !errors.As(err, &ve) || res.Valid {
		t.Fatalf("err = %v (valid %v): the root the bundle carries was trusted", err, res.Valid)
	}
}

// A timestamp dates the signature no later than the verification time: the signature exists
// then, whatever the TSA's clock says. genTime plus the accuracy may lie after it, by up to
// the clock skew allowed plus twice the accuracy allowed (2h05m): the signer's chain was
// validated at that future time, so a signer not yet valid at the verification time passed.
// Here the signer is valid from 1h30m after the verification time, and the TSA says 1h ±59m.
func TestRSTimestampNeverDatesAfterVerification(t *testing.T) {
	content := []byte("a release\n")
	tsa := tsaAuthority(t, true)
	tsa.Now = func() time.Time { return pinned.Add(time.Hour) }
	tsa.Accuracy = 59 * time.Minute
	cert, key := issueUnderInt(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x7c01), Subject: pkix.Name{CommonName: "Valid in 90 minutes"},
		NotBefore: pinned.Add(90 * time.Minute), NotAfter: pinned.Add(365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
	s := cmsWithTimestamp(t, content, cert, key, func(sig []byte) []byte { return stamp(t, tsa, sig) })
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: codeSigning(t), TSARoots: mustCerts(t, "root-ca.pem")})
	var ve *verify.Error
	if !errors.As(err, &ve) || ve.Reason != verify.NotYetValid {
		at := time.Time{}
		if res.Chain != nil {
			at = res.Chain.Policy.At
		}
		t.Fatalf("err = %v (chain judged at %v); want the signer not yet valid at the verification time %v", err, at, pinned)
	}
}

// A signature file that is no signature: a directory, an empty file, a file over
// MaxSignatureSize (read no further than the bound). Each is bad input, named as such
// (ErrUnchecked or ErrMalformedSignature), never a verdict about the file.
func TestRSSignatureFileNotASignature(t *testing.T) {
	dir := t.TempDir()
	art := writeFile(t, dir, "art", "release contents\n")
	empty := writeFile(t, dir, "empty.sig", "")
	huge := filepath.Join(dir, "huge.sig")
	if err := os.WriteFile(huge, make([]byte, verify.MaxSignatureSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "d.sig")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		path string
		want error
	}{
		"directory": {sub, verify.ErrUnchecked},
		"empty":     {empty, sigformat.ErrMalformedSignature},
		"too large": {huge, sigformat.ErrMalformedSignature},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: art, SignatureName: tc.path},
				verify.ArtifactOptions{Key: mustSigner(t, "codesign.key").Public()})
			if !errors.Is(err, tc.want) || res == nil || res.Valid || res.Reason != verify.ReasonUnchecked {
				t.Fatalf("err = %v, result %+v; want %v, unchecked", err, res, tc.want)
			}
		})
	}
}

// A signed list that names a file twice with two digests vouches for two contents: one of the
// two lines cannot match, and the verdict fails (sha256sum -c reports the one that fails), in
// whichever order the lines come, also when only that file is asked for.
func TestRSManifestNameTwiceTwoDigests(t *testing.T) {
	for _, order := range []string{"good first", "bad first"} {
		t.Run(order, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "a", "a")
			good, bad := sum("a")+"  a\n", sum("not a")+"  ./a\n"
			list := good + bad
			if order == "bad first" {
				list = bad + good
			}
			art, opts := signedList(t, dir, list)
			for _, only := range [][]string{nil, {filepath.Join(dir, "a")}} {
				res, err := verify.VerifyManifest(context.Background(), art, opts, verify.ManifestOptions{Only: only})
				if err != nil {
					t.Fatal(err)
				}
				if res.Valid || !errors.Is(res.Err(), verify.ErrSignatureMismatch) || res.Reason != verify.ReasonDigestMismatch {
					t.Fatalf("only %v: valid %v, err %v, files %s", only, res.Valid, res.Err(), statuses(res))
				}
			}
		})
	}
}

// A CMS signature over an MD5 digest (openssl cms -sign -md md5) is refused as weak, as one
// over SHA-1 is: reason weak-algorithm (exit 14), not a malformed signature (exit 3) because
// the parser knew no MD5. SHA-1 is the control.
func TestRSCMSMD5IsWeakNotMalformed(t *testing.T) {
	dir := t.TempDir()
	art := writeFile(t, dir, "art", "release contents\n")
	for _, md := range []string{"sha1", "md5"} {
		t.Run(md, func(t *testing.T) {
			s := opensslCMS(t, art, "codesign-rsa", "-md", md)
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: art, Signature: s},
				verify.ArtifactOptions{Policy: codeSigning(t)})
			if !errors.Is(err, verify.ErrWeakAlgorithm) || res.Reason != verify.ReasonWeakAlgorithm {
				t.Fatalf("err = %v, reason %q; want weak-algorithm", err, res.Reason)
			}
		})
	}
}

// A bundle's transparency-log entries are not read: a bundle claiming one (an inclusion
// promise no one checks) verifies as the same bundle without it, and no check of the report
// is about a log; signet's verdict never rests on, nor says anything of, a log entry.
func TestRSBundleTlogEntryNotReportedAsChecked(t *testing.T) {
	content := []byte("a release\n")
	k := mustSigner(t, "codesign.key")
	d := sha256.Sum256(content)
	sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	leaf := mustCerts(t, "codesign.pem")[0]
	js, err := json.Marshal(map[string]any{
		"mediaType": sigformat.BundleMediaType,
		"verificationMaterial": map[string]any{
			"certificate": map[string]string{"rawBytes": base64.StdEncoding.EncodeToString(leaf.Raw)},
			"tlogEntries": []any{map[string]any{"logIndex": "1", "logId": map[string]string{"keyId": "AAAA"}, "integratedTime": "1700000000",
				"inclusionPromise": map[string]string{"signedEntryTimestamp": "AAAA"}, "kindVersion": map[string]string{"kind": "hashedrekord", "version": "0.0.1"}}},
		},
		"messageSignature": map[string]any{
			"messageDigest": map[string]string{"algorithm": "SHA2_256", "digest": base64.StdEncoding.EncodeToString(d[:])},
			"signature":     base64.StdEncoding.EncodeToString(sig),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigformat.Parse(js)
	if err != nil {
		t.Fatal(err)
	}
	pol := codeSigning(t)
	pol.Intermediates = mustCerts(t, "int-ca.pem")
	res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(res)
	for _, word := range []string{"tlog", "log entry", "transparency", "rekor", "integrated"} {
		if bytes.Contains(bytes.ToLower(out), []byte(word)) {
			t.Errorf("the report mentions %q: %s", word, out)
		}
	}
}

// A bundle's messageDigest is compared with the file even though the signature covers the
// file's digest itself: a bundle whose signature verifies over the file but whose recorded
// digest is another file's is inconsistent, and fails (digest-mismatch) rather than passing on
// the signature alone. The consistent bundle is the control.
func TestRSBundleRecordedDigestOfAnotherFile(t *testing.T) {
	content := []byte("a release\n")
	k := mustSigner(t, "codesign.key")
	d := sha256.Sum256(content)
	other := sha256.Sum256([]byte("another file\n"))
	sig, err := k.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	leaf := mustCerts(t, "codesign.pem")[0]
	pol := codeSigning(t)
	pol.Intermediates = mustCerts(t, "int-ca.pem")
	for _, tc := range []struct {
		name     string
		recorded []byte
		want     string
	}{{"control", d[:], ""}, {"another file's digest", other[:], verify.ReasonDigestMismatch}} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA256, Digest: tc.recorded, Signature: sig, Certificates: []*x509.Certificate{leaf}})
			if err != nil {
				t.Fatal(err)
			}
			s, err := sigformat.Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol})
			if res.Reason != tc.want || (tc.want == "") != (err == nil) {
				t.Fatalf("err = %v, reason %q; want %q", err, res.Reason, tc.want)
			}
		})
	}
}

// A raw signature is pure Ed25519 over the file (openssl pkeyutl -sign -rawin): an Ed25519ph
// signature over the file's SHA-512 digest, or a pure one over that digest, is another
// statement and does not verify, whatever --hash says. Only bundles read Ed25519ph (the
// Sigstore registry's PKIX_ED25519_PH); the pure signature is the control.
func TestRSRawEd25519IsPureOnly(t *testing.T) {
	dir := t.TempDir()
	content := []byte("release contents\n")
	art := writeFile(t, dir, "art", string(content))
	k := mustSigner(t, "codesign-ed25519.key")
	d := sha512Sum(content)
	pure, _ := k.Sign(rand.Reader, content, crypto.Hash(0))
	ph, _ := k.Sign(rand.Reader, d, &ed25519.Options{Hash: crypto.SHA512})
	overDigest, _ := k.Sign(rand.Reader, d, crypto.Hash(0))
	for _, tc := range []struct {
		name string
		sig  []byte
		ok   bool
	}{{"pure over the file", pure, true}, {"Ed25519ph over its SHA-512", ph, false}, {"pure over its SHA-512", overDigest, false}} {
		for _, h := range []digest.Algorithm{0, digest.SHA512} {
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: art, Signature: rawSignature(t, tc.sig)},
				verify.ArtifactOptions{Key: k.Public(), Hash: h})
			if tc.ok != (err == nil) || !tc.ok && (!errors.Is(err, verify.ErrSignatureMismatch) || res.Reason != verify.ReasonSignatureMismatch) {
				t.Errorf("%s, hash %v: err = %v", tc.name, h, err)
			}
		}
	}
}

func sha512Sum(b []byte) []byte { s := sha512.Sum512(b); return s[:] }

// With several timestamps, the signature was made before the earliest of their latest
// times (genTime plus accuracy): the signer is judged then, whatever their order in the
// signature, which no one signed. The first token's time was taken: here the signer's
// certificate (valid March to December 2025, expired at the verification time) begins after the
// earlier token, so the signature provably predates it; with the later token first it passed,
// with the earlier first it failed.
func TestRSTimestampsEarliestDatesTheSignature(t *testing.T) {
	content := []byte("a release\n")
	cert, key := issueUnderInt(t, &x509.Certificate{
		SerialNumber: big.NewInt(0x7d01), Subject: pkix.Name{CommonName: "Valid from March 2025"},
		NotBefore: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	})
	early, late := tsaAuthority(t, true), tsaAuthority(t, true) // late's clock says genTime, June 2025
	early.Now = func() time.Time { return time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC) }
	d := sha256.Sum256(content)
	sig, err := key.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	tEarly, tLate := stamp(t, early, sig), stamp(t, late, sig)
	pol := codeSigning(t)
	pol.Intermediates = mustCerts(t, "int-ca.pem")
	for name, toks := range map[string][][]byte{"late first": {tLate, tEarly}, "early first": {tEarly, tLate}} {
		t.Run(name, func(t *testing.T) {
			out, err := sigformat.MarshalBundle(sigformat.BundleContent{Algorithm: digest.SHA256, Digest: d[:], Signature: sig,
				Certificates: []*x509.Certificate{cert}, Timestamps: toks})
			if err != nil {
				t.Fatal(err)
			}
			s, err := sigformat.Parse(out)
			if err != nil {
				t.Fatal(err)
			}
			res, err := revVerify(t, s, content, verify.ArtifactOptions{Policy: pol, TSARoots: mustCerts(t, "root-ca.pem")})
			var ve *verify.Error
			if !errors.As(err, &ve) || ve.Reason != verify.NotYetValid {
				t.Fatalf("err = %v (chain judged at %v); want not yet valid at the earlier token's time", err, res.Chain.Policy.At)
			}
			for _, r := range res.Timestamps {
				if r.DatesSignature != r.GenTime.Equal(early.Now()) {
					t.Errorf("timestamp of %v: dates_signature %v", r.GenTime, r.DatesSignature)
				}
			}
		})
	}
}
