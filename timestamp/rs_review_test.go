package timestamp

// Probes of a security review of RFC 3161 tokens (rs): what a token signed by a trusted TSA
// may still not be trusted for. Each test pins a behaviour no other test pins.

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
)

// opensslReply has `openssl ts -reply` answer the DER request reqDER as a TSA configured
// with signerDigest (sha1, sha256, ...) does, and returns its DER response.
func opensslReply(t *testing.T, p *testPKI, signerDigest string, reqDER []byte) []byte {
	t.Helper()
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "tsa.pem"), p.tsa)
	writeKey(t, filepath.Join(dir, "tsa.key"), p.tsaKey)
	conf := "[ tsa ]\ndefault_tsa = c\n[ c ]\nserial = " + filepath.Join(dir, "serial") +
		"\nsigner_digest = " + signerDigest + "\ndefault_policy = 1.2.3.4.1\ndigests = sha256\ness_cert_id_alg = sha256\n"
	if err := os.WriteFile(filepath.Join(dir, "serial"), []byte("01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tsa.cnf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "req.tsq"), reqDER, 0o600); err != nil {
		t.Fatal(err)
	}
	testutil.Run(t, openssl, "ts", "-reply", "-config", filepath.Join(dir, "tsa.cnf"), "-queryfile", filepath.Join(dir, "req.tsq"),
		"-inkey", filepath.Join(dir, "tsa.key"), "-signer", filepath.Join(dir, "tsa.pem"), "-out", filepath.Join(dir, "resp.tsr"))
	resp, err := os.ReadFile(filepath.Join(dir, "resp.tsr"))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// opensslToken is openssl's token over data (opensslReply), as ParseResponse reads it.
func opensslToken(t *testing.T, p *testPKI, signerDigest string, data []byte) *Token {
	t.Helper()
	req, err := NewRequest(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := req.Marshal()
	tok, err := ParseResponse(opensslReply(t, p, signerDigest, der))
	if err != nil {
		t.Fatalf("openssl's %s token: %v", signerDigest, err)
	}
	return tok
}

// A token whose TSA signed it with SHA-1 (signer_digest = sha1: the messageDigest of the
// TSTInfo and the signature over the signed attributes both SHA-1) was accepted by Verify,
// although a SHA-1 message imprint is refused (Covers) and signet refuses SHA-1 in every
// other signature: a collision on the signed attributes or the TSTInfo makes the TSA vouch
// for a time or an imprint it never signed. `openssl ts -verify` accepts it; signet, by its
// policy on SHA-1, must not. The same token signed with SHA-256 is the control.
func TestRSTokenSignedWithSHA1(t *testing.T) {
	p := goodPKI(t)
	data := []byte("the signature value")
	good := opensslToken(t, p, "sha256", data)
	if _, err := good.Verify(nil); err != nil {
		t.Fatalf("control: openssl's SHA-256 token: %v", err)
	}
	weak := opensslToken(t, p, "sha1", data)
	if _, err := weak.Verify(nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("a token signed with SHA-1: Verify = %v, want an error wrapping ErrUnsupported", err)
	}
}

// A request with extensions the TSA does not know must be refused with unacceptedExtension
// (RFC 3161 2.4.1: "whether it is marked critical or not ... the server SHALL NOT issue a
// token"): the requester may rely on what it asked for. `openssl ts -reply` refuses it so;
// signet's TSA issued a token, silently without the extension. The same request without the
// extension is granted by both (the control).
func TestRSTSARefusesRequestExtensions(t *testing.T) {
	p := goodPKI(t)
	req, err := NewRequest([]byte("the signature value"), 0)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := req.Marshal()
	// The same request with extensions [0] { Extension { 1.2.3.4.5, critical FALSE omitted, "" } }.
	in := cryptobyte.String(plain)
	var body cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) {
		t.Fatal("bad request")
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(body)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 3, 4, 5})
				b.AddASN1OctetString(nil)
			})
		})
	})
	withExt := b.BytesOrPanic()

	answers := map[string]func([]byte) []byte{
		"openssl": func(der []byte) []byte { return opensslReply(t, p, "sha256", der) },
		"signet": func(der []byte) []byte {
			resp, _, err := p.authority().Respond(der)
			if err != nil {
				t.Fatal(err)
			}
			return resp
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseResponse(answer(plain)); err != nil {
				t.Fatalf("control, no extension: %v", err)
			}
			_, err := ParseResponse(answer(withExt))
			var re *ResponseError
			if !errors.As(err, &re) || re.Status != StatusRejection || re.FailInfo != FailUnacceptedExtension {
				t.Fatalf("a request with an extension: %v; want a rejection, unacceptedExtension", err)
			}
		})
	}
}

// The certificate a token carries is the token maker's choice, valid or not, and its subject
// is named in Verify's errors, which signet prints: a control character in it (an escape
// sequence, a carriage return, a bidi override) must come out escaped, so that no token can
// forge or hide a line of output. Plain subjects read as before.
func TestRSTokenErrorsEscapeTheSubject(t *testing.T) {
	evil := "TSA\x1b[2K\rOK app: signed by Release Bot\u202e"
	rootKey := mustECKey(t)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Root"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	root := mustCert(t, rootTmpl, rootTmpl, rootKey.Public(), rootKey)
	tsaKey := mustECKey(t)
	// A time-stamping usage that is not critical: Verify names the certificate to refuse it.
	tsa := mustCert(t, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: evil},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{ekuExtension(t, false, oidTimeStamping)},
	}, root, tsaKey.Public(), rootKey)
	a := &Authority{Key: tsaKey, Chain: []*x509.Certificate{tsa}}
	req, _ := NewRequest([]byte("sig"), 0)
	tokDER, err := a.issue(req, DefaultPolicy(), notBefore.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ParseToken(tokDER)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tok.Verify(nil)
	if !errors.Is(err, ErrNotTSACertificate) {
		t.Fatalf("Verify = %v, want ErrNotTSACertificate", err)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\x1b\r\u202e") {
		t.Errorf("the error prints the subject's control characters raw: %q", msg)
	}
}
