package verify_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// msSmallOrder are the encodings of the points of small order (1, 2, 4 and 8) that libsodium
// 1.0.18 refuses as an Ed25519 public key or as a signature's R (ge25519_has_small_order,
// which ignores the sign bit): minisign verifies with libsodium.
var msSmallOrder = [][]byte{
	msHex("0000000000000000000000000000000000000000000000000000000000000000"),
	msHex("0100000000000000000000000000000000000000000000000000000000000000"),
	msHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
	msHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
	msHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
	msHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
	msHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
}

func msHex(s string) []byte {
	var b []byte
	if _, err := fmt.Sscanf(s, "%x", &b); err != nil {
		panic(err)
	}
	return b
}

// msForgeSmallOrder finds, for a public key A of small order, a signature (R, 0) that
// crypto/ed25519 accepts over a message of the form prefix || n: with S = 0 the equation is
// R = -[k]A, which holds for one of A's few multiples R as k changes with the message. It
// needs no private key: any one can make it. ok is false when none is found.
func msForgeSmallOrder(a []byte, msg func(n int) []byte) (sig []byte, n int, ok bool) {
	for n = range 256 {
		m := msg(n)
		for _, r := range msSmallOrder {
			for _, sign := range []byte{0, 0x80} {
				sig = make([]byte, 64)
				copy(sig, r)
				sig[31] |= sign
				if ed25519.Verify(a, m, sig) {
					return sig, n, true
				}
			}
		}
	}
	return nil, 0, false
}

// TestMinisignSmallOrderKey: a public key of small order (a minisign public key file of the
// all-zero key "RWQ...AAAA", or the identity) verifies signatures that no private key made:
// (R, 0) with R a small multiple of the key holds for about one message in eight, whatever
// the message. crypto/ed25519 accepted them and signet reported the file signed and the
// trusted comment verified; minisign (libsodium) refuses such a key and such an R. Both are
// refused now, exit 10 as minisign's "Signature verification failed".
func TestMinisignSmallOrderKey(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	dir := t.TempDir()
	id := sigformat.MinisignKeyID{1, 2, 3, 4, 5, 6, 7, 8}
	forged := 0
	for i, a := range msSmallOrder {
		for _, sign := range []byte{0, 0x80} {
			a := ed25519.PublicKey(append([]byte(nil), a...))
			a[31] |= sign
			var content []byte
			fileSig, n, ok := msForgeSmallOrder(a, func(n int) []byte {
				content = fmt.Appendf(nil, "release %d\n", n)
				return blake2bSum(content)
			})
			if !ok {
				continue // crypto/ed25519 refuses this encoding itself
			}
			_ = n
			comment := ""
			global, _, ok := msForgeSmallOrder(a, func(n int) []byte {
				comment = fmt.Sprintf("forged %d", n)
				return append(append([]byte(nil), fileSig...), comment...)
			})
			if !ok {
				continue
			}
			forged++
			name := fmt.Sprintf("k%d-%x", i, sign)
			file := filepath.Join(dir, name)
			pubFile := filepath.Join(dir, name+".pub")
			sigData := sigformat.MarshalMinisign(sigformat.MinisignContent{KeyID: id, Signature: fileSig,
				UntrustedComment: "forged", TrustedComment: comment, GlobalSignature: global})
			pubData := fmt.Sprintf("untrusted comment: small order\n%s\n", base64.StdEncoding.EncodeToString(append(append([]byte("Ed"), id[:]...), a...)))
			for f, d := range map[string][]byte{file: content, file + ".minisig": sigData, pubFile: []byte(pubData)} {
				if err := os.WriteFile(f, d, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if out, _, err := testutil.RunErr(minisign, "-V", "-p", pubFile, "-m", file); err == nil {
				t.Fatalf("%s: minisign accepts the key of small order %x: %s", name, a, out)
			}
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file},
				verify.ArtifactOptions{Key: a, MinisignKeyID: &id})
			if res == nil {
				t.Fatalf("%s: %v", name, err)
			}
			if res.Valid || res.TrustedComment != "" || res.Reason != verify.ReasonSignatureMismatch || !errors.Is(res.Err(), verify.ErrSignatureMismatch) || !errors.Is(res.Err(), verify.ErrForgeableKey) {
				t.Errorf("%s: a key of small order %x: valid %v, trusted comment %q, reason %q, %v", name, a, res.Valid, res.TrustedComment, res.Reason, res.Err())
			}
		}
	}
	if forged == 0 {
		t.Fatal("no signature under a key of small order was made: the test tests nothing")
	}
	t.Logf("%d keys of small order forged", forged)
}

// TestMinisignUntrustedCommentNotUTF8: the untrusted comment is signed by nothing and read by
// nothing, and minisign reads any bytes there (minisign -S -c in Latin-1 writes them); signet
// refused such a signature file, or such a public key file, as malformed (exit 3) where
// minisign -V verifies it. Both verify now, with the trusted comment.
func TestMinisignUntrustedCommentNotUTF8(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	dir := t.TempDir()
	pubFile, keyFile := filepath.Join(dir, "k.pub"), filepath.Join(dir, "k.key")
	testutil.Run(t, minisign, "-G", "-W", "-p", pubFile, "-s", keyFile)
	file := filepath.Join(dir, "release.tar")
	if err := os.WriteFile(file, []byte("release\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, minisign, "-S", "-s", keyFile, "-m", file, "-c", "sign\xe9 par l'\xe9quipe", "-t", "release 1.0")
	pubData, _ := os.ReadFile(pubFile)
	pubData = append([]byte("untrusted comment: cl\xe9 publique"), pubData[bytes.IndexByte(pubData, '\n'):]...)
	if err := os.WriteFile(pubFile, pubData, 0o644); err != nil {
		t.Fatal(err)
	}
	out := testutil.Run(t, minisign, "-V", "-p", pubFile, "-m", file)
	if !bytes.Contains(out, []byte("Trusted comment: release 1.0\n")) {
		t.Fatalf("minisign -V: %s", out)
	}
	key, id, err := sigformat.ParseMinisignPublicKey(pubData)
	if err != nil {
		t.Fatalf("the public key file minisign reads: %v", err)
	}
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file},
		verify.ArtifactOptions{Key: key, MinisignKeyID: &id})
	if res == nil || !res.Valid || res.TrustedComment != "release 1.0" {
		t.Fatalf("the signature minisign verifies: %+v, %v", res, err)
	}
}

// TestMinisignLongestLineCRLF: minisign reads a comment line with fgets into a buffer that
// must hold its line end too, so in a file with CRLF line ends the longest trusted comment it
// reads is one byte shorter (8172 bytes, not 8173), and the longest untrusted one 1002, not
// 1003: the "\r" takes the place. signet counted the line without its "\r" and accepted the
// longest comments with CRLF ends, which minisign -V refuses ("Trusted comment too long");
// it refuses them now as malformed, as minisign does, and still reads one byte shorter.
func TestMinisignLongestLineCRLF(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	dir := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(nil)
	id := sigformat.MinisignKeyIDOf(pub)
	pubFile := filepath.Join(dir, "k.pub")
	if err := os.WriteFile(pubFile, sigformat.MarshalMinisignPublicKey(pub), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "release.tar")
	content := []byte("release\n")
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	fileSig := ed25519.Sign(priv, blake2bSum(content))
	for _, c := range []struct{ trusted, untrusted int }{{8173, 10}, {8172, 10}, {10, 1003}, {10, 1002}} {
		comment := string(bytes.Repeat([]byte("t"), c.trusted))
		sig := sigformat.MarshalMinisign(sigformat.MinisignContent{KeyID: id, Signature: fileSig,
			UntrustedComment: string(bytes.Repeat([]byte("u"), c.untrusted)), TrustedComment: comment,
			GlobalSignature: ed25519.Sign(priv, append(bytes.Clone(fileSig), comment...))})
		for _, crlf := range []bool{false, true} {
			data := sig
			if crlf {
				data = bytes.ReplaceAll(sig, []byte("\n"), []byte("\r\n"))
			}
			sigFile := filepath.Join(dir, fmt.Sprintf("%d-%d-%v.minisig", c.trusted, c.untrusted, crlf))
			if err := os.WriteFile(sigFile, data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := testutil.RunErr(minisign, "-V", "-p", pubFile, "-m", file, "-x", sigFile)
			minisignOK := err == nil
			res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, SignatureName: sigFile},
				verify.ArtifactOptions{Key: pub, MinisignKeyID: &id})
			if res == nil {
				t.Fatal(err)
			}
			if res.Valid != minisignOK || !res.Valid && !errors.Is(res.Err(), sigformat.ErrMalformedSignature) {
				t.Errorf("trusted comment of %d bytes, untrusted of %d, CRLF %v: minisign accepts: %v; signet: valid %v, %v",
					c.trusted, c.untrusted, crlf, minisignOK, res.Valid, res.Err())
			}
		}
	}
}

// TestMinisignSmallOrderR: the holder of an ordinary key can make a signature whose R is the
// identity (S = k·a mod L), which crypto/ed25519 accepts and libsodium, so minisign -V,
// refuses ("Signature verification failed"): no signer draws such an R. signet reported it
// valid; it refuses it now, for the file signature and the global one.
func TestMinisignSmallOrderR(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	dir := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(nil)
	id := sigformat.MinisignKeyIDOf(pub)
	h := sha512.Sum512(priv.Seed())
	h[0] &= 248
	h[31] &= 127
	h[31] |= 64
	a := new(big.Int).SetBytes(msReverse(h[:32]))
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	identityR := make([]byte, 32)
	identityR[0] = 1
	// signR is the signature (identity, k·a mod L) of msg.
	signR := func(msg []byte) []byte {
		d := sha512.New()
		d.Write(identityR)
		d.Write(pub)
		d.Write(msg)
		k := new(big.Int).SetBytes(msReverse(d.Sum(nil)))
		s := new(big.Int).Mod(new(big.Int).Mul(k, a), l).FillBytes(make([]byte, 32))
		return append(bytes.Clone(identityR), msReverse(s)...)
	}
	content := []byte("release\n")
	file, pubFile := filepath.Join(dir, "release.tar"), filepath.Join(dir, "k.pub")
	for f, d := range map[string][]byte{file: content, pubFile: sigformat.MarshalMinisignPublicKey(pub)} {
		if err := os.WriteFile(f, d, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	normal := ed25519.Sign(priv, blake2bSum(content))
	for name, fileSig := range map[string][]byte{"file signature": signR(blake2bSum(content)), "global signature": normal} {
		const comment = "release 1.0"
		global := ed25519.Sign(priv, append(bytes.Clone(fileSig), comment...))
		if name == "global signature" {
			global = signR(append(bytes.Clone(fileSig), comment...))
		}
		if !ed25519.Verify(pub, blake2bSum(content), fileSig) || !ed25519.Verify(pub, append(bytes.Clone(fileSig), comment...), global) {
			t.Fatalf("%s: crypto/ed25519 refuses the signature with R the identity", name)
		}
		sigFile := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".minisig")
		if err := os.WriteFile(sigFile, sigformat.MarshalMinisign(sigformat.MinisignContent{KeyID: id, Signature: fileSig,
			UntrustedComment: "R of small order", TrustedComment: comment, GlobalSignature: global}), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, _, err := testutil.RunErr(minisign, "-V", "-p", pubFile, "-m", file, "-x", sigFile); err == nil {
			t.Fatalf("%s: minisign accepts R of small order: %s", name, out)
		}
		res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, SignatureName: sigFile},
			verify.ArtifactOptions{Key: pub, MinisignKeyID: &id})
		if res == nil {
			t.Fatal(err)
		}
		if res.Valid || res.TrustedComment != "" || !errors.Is(res.Err(), verify.ErrSignatureMismatch) {
			t.Errorf("%s with R of small order: valid %v, trusted comment %q, %v", name, res.Valid, res.TrustedComment, res.Err())
		}
	}
}

func msReverse(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}
