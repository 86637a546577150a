package sigformat

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2b"

	"github.com/signet-pki/signet/internal/testutil"
)

// minisignSeed is a signature the real minisign 0.11 made (minisign -S, key from minisign -G
// -W) over "hello\n", with its public key: the fuzz target's seeds and the parser's fixed
// reference.
const (
	minisignSeedPub = "untrusted comment: minisign public key CFB8C3B047AE30DD\n" +
		"RWTdMK5HsMO4z+sZFirILswZqCTr/QFnpV2sOldQBPJoLYNdgk62/kVj\n"
	minisignSeedSig = "untrusted comment: signature from minisign secret key\n" +
		"RUTdMK5HsMO4z3I2ORDxYXQ8LA+494ql38DgsoIyHukwp13tUdLcAIxvKmAooe62yPId0OWXhe+HbXRShsrz+5RQEtkZIDuSSgA=\n" +
		"trusted comment: timestamp:1796404144\tfile:f\thashed\n" +
		"CaoP+bOpASV+Z/4U3Yer/v0CYwK/LrFTwoaGzguKdQx5Kwet9JYBUscl1LnnOvmQMAIly2Vx+zTXdQLF+899DQ==\n"
	minisignSeedLegacy = "untrusted comment: signature from minisign secret key\n" +
		"RWTdMK5HsMO4z1khoPKGE3e/mVsIA///Wv/zc5vCQx8RFiJZxyhGo/rEJ2SdAP97/U4Yw2uJi8CkUc4pextddiMAFa9DPdnUgwA=\n" +
		"trusted comment: timestamp:1796404144\tfile:f\n" +
		"rhbMWE3Z18MUb1aOM5A65J90luG3+ARRV93QnY2lLIeqAMXswFjlzRRNGR1GOokF0tXUsKa4+VJDGx9R3/xHDA==\n"
)

// checkMinisignParsed holds what Parse returns for a minisign signature to its shape.
func checkMinisignParsed(t *testing.T, p *Signature) {
	t.Helper()
	m := p.Minisign
	switch {
	case m == nil:
		t.Fatal("minisign without its fields")
	case len(p.Raw) != ed25519.SignatureSize || len(m.GlobalSignature) != ed25519.SignatureSize:
		t.Fatalf("minisign signature of %d, global of %d bytes", len(p.Raw), len(m.GlobalSignature))
	case m.Algorithm != MinisignAlgHashed && m.Algorithm != MinisignAlgLegacy:
		t.Fatalf("minisign algorithm %q", m.Algorithm)
	case strings.ContainsAny(m.TrustedComment, "\r\n") || strings.ContainsAny(m.UntrustedComment, "\r\n"):
		t.Fatal("a comment holds a line break")
	case p.Hash != 0 || p.ContentDigest != nil || p.Certificates != nil:
		t.Fatal("minisign with a hash, digest or certificates")
	}
}

// verifyMinisign checks sig over content with pub as minisign -V does, for the tests.
func verifyMinisign(t *testing.T, pub ed25519.PublicKey, id MinisignKeyID, content []byte, s *Signature) {
	t.Helper()
	m := s.Minisign
	msg := content
	if m.Algorithm == MinisignAlgHashed {
		sum := blake2b.Sum512(content)
		msg = sum[:]
	}
	if m.KeyID != id {
		t.Fatalf("key id %s, want %s", m.KeyID, id)
	}
	if !ed25519.Verify(pub, msg, s.Raw) {
		t.Fatal("file signature does not verify")
	}
	if !ed25519.Verify(pub, m.GlobalMessage(s.Raw), m.GlobalSignature) {
		t.Fatal("global signature does not verify")
	}
}

// TestMinisignSeed reads the signatures and key minisign 0.11 wrote, byte for byte.
func TestMinisignSeed(t *testing.T) {
	pub, id, err := ParseMinisignPublicKey([]byte(minisignSeedPub))
	if err != nil {
		t.Fatal(err)
	}
	if id.String() != "CFB8C3B047AE30DD" {
		t.Fatalf("key id prints as %s, minisign printed CFB8C3B047AE30DD", id)
	}
	for _, c := range []struct{ sig, alg, comment string }{
		{minisignSeedSig, "ED", "timestamp:1796404144\tfile:f\thashed"},
		{minisignSeedLegacy, "Ed", "timestamp:1796404144\tfile:f"},
	} {
		s, err := Parse([]byte(c.sig))
		if err != nil {
			t.Fatal(err)
		}
		if s.Format != Minisign || s.Minisign.Algorithm != c.alg || s.Minisign.TrustedComment != c.comment ||
			s.Minisign.UntrustedComment != "signature from minisign secret key" {
			t.Fatalf("parsed %+v %+v", s, s.Minisign)
		}
		verifyMinisign(t, pub, id, []byte("hello\n"), s)
		// CRLF line ends read alike (a file that went through a Windows checkout).
		if s2, err := Parse([]byte(strings.ReplaceAll(c.sig, "\n", "\r\n"))); err != nil || s2.Minisign.TrustedComment != c.comment {
			t.Fatalf("CRLF: %v", err)
		}
	}
}

// TestMinisignRealTool reads what the real minisign makes now: a key without a password, a
// signature (ED) and a legacy one (-l), with comments of its own.
func TestMinisignRealTool(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	dir := t.TempDir()
	pubFile, keyFile, file := filepath.Join(dir, "k.pub"), filepath.Join(dir, "k.key"), filepath.Join(dir, "data")
	content := bytes.Repeat([]byte("minisign\x00\xff"), 1000)
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, minisign, "-G", "-W", "-p", pubFile, "-s", keyFile)
	pubData, _ := os.ReadFile(pubFile)
	pub, id, err := ParseMinisignPublicKey(pubData)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pubData), "untrusted comment: minisign public key "+id.String()+"\n") {
		t.Fatalf("minisign names its key otherwise than %s:\n%s", id, pubData)
	}
	for _, c := range []struct {
		args []string
		alg  string
	}{
		{nil, "ED"},
		{[]string{"-l"}, "Ed"},
		{[]string{"-t", "release 1.0 ✓", "-c", "made for the test"}, "ED"},
	} {
		sigFile := filepath.Join(dir, "data.minisig")
		testutil.Run(t, minisign, append([]string{"-S", "-s", keyFile, "-m", file, "-x", sigFile}, c.args...)...)
		data, _ := os.ReadFile(sigFile)
		s, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := DetectFile(sigFile); !ok || got != Minisign {
			t.Fatalf("DetectFile: %v %v", got, ok)
		}
		if s.Minisign.Algorithm != c.alg {
			t.Fatalf("%v: algorithm %s", c.args, s.Minisign.Algorithm)
		}
		verifyMinisign(t, pub, id, content, s)
	}
}

// TestMinisignMalformed: what minisign refuses to read is malformed, never another format.
func TestMinisignMalformed(t *testing.T) {
	lines := strings.SplitAfter(minisignSeedSig, "\n")
	swapAlg := strings.Replace(minisignSeedSig, "RUTd", "RVTd", 1) // "ET"
	for name, data := range map[string]string{
		"truncated":          minisignSeedSig[:100],
		"three lines":        lines[0] + lines[1] + lines[2],
		"no trusted comment": lines[0] + lines[1] + "comment: x\n" + lines[3],
		"algorithm":          swapAlg,
		"short signature":    lines[0] + "RUTdMK5HsMO4z3I2\n" + lines[2] + lines[3],
		"bad base64":         lines[0] + strings.Replace(lines[1], "R", "*", 1) + lines[2] + lines[3],
		"more lines":         minisignSeedSig + "x\n",
		"long comment":       lines[0] + lines[1] + "trusted comment: " + strings.Repeat("x", 8174) + "\n" + lines[3],
		"long untrusted":     "untrusted comment: " + strings.Repeat("x", 1004) + "\n" + lines[1] + lines[2] + lines[3],
		"key as signature":   minisignSeedPub,
	} {
		s, err := Parse([]byte(data))
		if !isMalformed(err) {
			t.Errorf("%s: Parse = %v, %v; want malformed", name, s, err)
		}
	}
	// The longest comment lines minisign reads (minisign -V, measured) are read.
	for _, data := range []string{
		"untrusted comment: " + strings.Repeat("x", 1003) + "\n" + lines[1] + lines[2] + lines[3],
		lines[0] + lines[1] + "trusted comment: " + strings.Repeat("x", 8173) + "\n" + lines[3],
	} {
		if _, err := Parse([]byte(data)); err != nil {
			t.Errorf("a comment line minisign reads: %v", err)
		}
	}
	if _, _, err := ParseMinisignPublicKey([]byte(minisignSeedSig)); !isMalformed(err) {
		t.Errorf("a signature read as a public key: %v", err)
	}
}

// FuzzParseMinisign: no input makes the minisign parser panic, and what it accepts has
// minisign's shape.
//
//	go test -run '^$' -fuzz FuzzParseMinisign -fuzztime 20s ./sigformat/
func FuzzParseMinisign(f *testing.F) {
	f.Add([]byte(minisignSeedSig))
	f.Add([]byte(minisignSeedLegacy))
	f.Add([]byte(minisignSeedPub))
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := Parse(data); err == nil && s.Format == Minisign {
			checkMinisignParsed(t, s)
		} else if err != nil && !isMalformed(err) {
			t.Fatalf("error %v does not wrap ErrMalformedSignature", err)
		}
		if _, _, err := ParseMinisignPublicKey(data); err != nil && !isMalformed(err) {
			t.Fatalf("key error %v does not wrap ErrMalformedSignature", err)
		}
	})
}

// TestMarshalMinisign: what signet writes is byte for byte what minisign wrote, given the
// same fields; its public key file reads back with the id signet derives.
func TestMarshalMinisign(t *testing.T) {
	s, err := Parse([]byte(minisignSeedSig))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Minisign
	got := MarshalMinisign(MinisignContent{KeyID: m.KeyID, Signature: s.Raw, UntrustedComment: m.UntrustedComment,
		TrustedComment: m.TrustedComment, GlobalSignature: m.GlobalSignature})
	if string(got) != minisignSeedSig {
		t.Fatalf("MarshalMinisign:\n%s\nminisign wrote:\n%s", got, minisignSeedSig)
	}
	pub, _, err := ParseMinisignPublicKey([]byte(minisignSeedPub))
	if err != nil {
		t.Fatal(err)
	}
	data := MarshalMinisignPublicKey(pub)
	pub2, id, err := ParseMinisignPublicKey(data)
	if err != nil || !pub2.Equal(pub) || id != MinisignKeyIDOf(pub) {
		t.Fatalf("%s: %v %v", data, err, id)
	}
	if !strings.HasPrefix(string(data), "untrusted comment: minisign public key "+id.String()+"\n") {
		t.Fatalf("%s", data)
	}
}

// TestMinisignKeyIDString: a key id is printed as minisign prints it, "%" PRIX64 of the bytes
// read little-endian, so an id whose last byte is below 0x10 has fewer than 16 digits (signet
// padded it to 16, and its public key files' comment then differed from minisign's for one
// key in 16, which TestMinisignRealTool met at random).
func TestMinisignKeyIDString(t *testing.T) {
	for _, c := range []struct {
		id   MinisignKeyID
		want string
	}{
		{MinisignKeyID{0xA5, 0x86, 0xBA, 0xEC, 0xC4, 0x53, 0xE6, 0x02}, "2E653C4ECBA86A5"},
		{MinisignKeyID{0xA5, 0x86, 0xBA, 0xEC, 0xC4, 0x53, 0xE6, 0x12}, "12E653C4ECBA86A5"},
		{MinisignKeyID{1}, "1"},
		{MinisignKeyID{}, "0"},
	} {
		if got := c.id.String(); got != c.want {
			t.Errorf("%x: %s, want %s", c.id[:], got, c.want)
		}
	}
}
