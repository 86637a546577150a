//go:build cgo

package hsm

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// p11toolObject is one object as `p11tool --list-all` prints it.
type p11toolObject struct {
	url, label string
	id         []byte
	typ        ObjectType
}

// p11toolList runs p11tool --list-all (with --login when login is set) on a token URI and
// returns the objects it prints, their URLs exactly as printed.
func p11toolList(t *testing.T, tt *testToken, login bool, token string) []p11toolObject {
	t.Helper()
	args := []string{"--provider", tt.module, "--list-all", token}
	var env []string
	if login {
		args = append([]string{"--login"}, args...)
		env = []string{"GNUTLS_PIN=" + testPIN}
	}
	out := string(run(t, env, "p11tool", args...))
	var objs []p11toolObject
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "URL: "):
			o := p11toolObject{url: strings.TrimPrefix(line, "URL: ")}
			_, typ, _ := strings.Cut(o.url, ";type=")
			o.typ = ObjectType(typ)
			objs = append(objs, o)
		case strings.HasPrefix(line, "Label: ") && len(objs) > 0:
			objs[len(objs)-1].label = strings.TrimPrefix(line, "Label: ")
		case strings.HasPrefix(line, "ID: ") && len(objs) > 0:
			id, err := hex.DecodeString(strings.ReplaceAll(strings.TrimPrefix(line, "ID: "), ":", ""))
			if err != nil {
				t.Fatalf("p11tool ID line %q: %v", line, err)
			}
			objs[len(objs)-1].id = id
		}
	}
	return objs
}

// TestP11toolURIs takes every URI p11tool prints for a token, its private keys, public keys
// and certificates, byte for byte (manufacturer=SoftHSM%20project, model=SoftHSM%20v2,
// serial=, a label with a space, a label with ";" and "/" percent-encoded, id=%01%02, type=),
// and checks that signet selects exactly the object p11tool described: the token, a signing
// key that signs and verifies, the public key and the certificate.
func TestP11toolURIs(t *testing.T) {
	tt := mustSoftHSM(t, "my token", "other token")
	tt.tool("--token-label", "my token", "--login", "--pin", "env:SIGNET_TEST_PIN",
		"--keypairgen", "--key-type", "EC:prime256v1", "--id", "0102", "--label", "ec key")
	tt.tool("--token-label", "my token", "--login", "--pin", "env:SIGNET_TEST_PIN",
		"--keypairgen", "--key-type", "rsa:2048", "--id", "03", "--label", "rsa;key/x")
	// The same label and id on the other token: only the token attributes tell them apart.
	tt.tool("--token-label", "other token", "--login", "--pin", "env:SIGNET_TEST_PIN",
		"--keypairgen", "--key-type", "EC:prime256v1", "--id", "0102", "--label", "ec key")
	opts := tt.opts(testPIN)

	// A certificate for the EC key, signed by it, stored beside it.
	s, err := OpenSigner("pkcs11:token=my%20token;id=%01%02", opts)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "ec key"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.Public(), s)
	if err == nil {
		_, err = s.Token().ImportKeyCertificate(mustParse(t, "pkcs11:id=%01%02"), mustCert(t, der))
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	// The token URIs p11tool prints (model, manufacturer, serial, token).
	toks := strings.Fields(string(run(t, nil, "p11tool", "--provider", tt.module, "--list-token-urls")))
	seen := map[string]bool{}
	for _, u := range toks {
		if !strings.Contains(u, ";token=") {
			continue // the blank token SoftHSM always offers has an empty label
		}
		tok, err := Open(u, opts)
		if err != nil {
			t.Errorf("Open(%s) as p11tool prints it: %v", u, err)
			continue
		}
		if !strings.HasSuffix(u, ";token="+map[string]string{"my token": "my%20token", "other token": "other%20token"}[tok.Info().Label]) ||
			!strings.Contains(u, "serial="+tok.Info().Serial+";") {
			t.Errorf("Open(%s) selected %+v", u, tok.Info())
		}
		seen[tok.Info().Label] = true
		tok.Close()
	}
	if !seen["my token"] || !seen["other token"] {
		t.Fatalf("p11tool --list-token-urls printed %q; opened %v", toks, seen)
	}

	objs := p11toolList(t, tt, true, "pkcs11:token=my%20token")
	count := map[ObjectType]int{}
	for _, o := range objs {
		count[o.typ]++
	}
	if count[TypePrivate] != 2 || count[TypePublic] != 2 || count[TypeCert] != 1 {
		t.Fatalf("p11tool listed %+v", objs)
	}
	msg := sha256.Sum256([]byte("signed through a URI p11tool printed"))
	for _, o := range objs {
		t.Run(string(o.typ)+" "+o.label, func(t *testing.T) {
			// Listing the URI gives exactly the one object p11tool described.
			got, err := ListObjects(o.url, opts)
			if err != nil || len(got) != 1 || got[0].Label != o.label || string(got[0].ID) != string(o.id) || got[0].Type != o.typ {
				t.Fatalf("ListObjects(%s) = %+v, %v; want %+v", o.url, got, err, o)
			}
			var pub crypto.PublicKey
			switch o.typ {
			case TypePrivate:
				s, err := OpenSigner(o.url, opts)
				if err != nil {
					t.Fatalf("OpenSigner(%s): %v", o.url, err)
				}
				defer s.Close()
				if s.Object().Label != o.label || string(s.Object().ID) != string(o.id) {
					t.Fatalf("OpenSigner(%s) chose %s", o.url, s.Object().URI)
				}
				if _, err := s.Sign(nil, msg[:], crypto.SHA256); err != nil {
					t.Fatalf("Sign through %s: %v", o.url, err)
				}
				pub = s.Public()
			default:
				got, err := PublicObject(o.url, opts)
				if err != nil {
					t.Fatalf("PublicObject(%s): %v", o.url, err)
				}
				if got.Label != o.label || string(got.ID) != string(o.id) || got.Type != o.typ || got.Public == nil {
					t.Fatalf("PublicObject(%s) = %+v", o.url, got)
				}
				if (o.typ == TypeCert) != (got.Certificate != nil) {
					t.Errorf("PublicObject(%s): certificate %v", o.url, got.Certificate)
				}
				pub = got.Public
			}
			// The object's public key is the one of its pair on this token, not the other
			// token's key with the same label and id.
			s, err := OpenSigner("pkcs11:token=my%20token;id="+pctID(o.id), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if !s.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
				t.Errorf("%s: the public key is not that of the key with id %x", o.url, o.id)
			}
		})
	}

	// A signing key is a private key: p11tool's URI of a public key or certificate is refused
	// by OpenSigner, saying which type it names; PublicObject refuses a private key's URI.
	for _, o := range objs {
		switch o.typ {
		case TypePrivate:
			if _, err := PublicObject(o.url, opts); !errors.Is(err, ErrInvalidURI) || !strings.Contains(err.Error(), "type=private") {
				t.Errorf("PublicObject(%s) = %v, want ErrInvalidURI naming type=private", o.url, err)
			}
		default:
			if _, err := OpenSigner(o.url, opts); !errors.Is(err, ErrInvalidURI) || !strings.Contains(err.Error(), "type="+string(o.typ)) {
				t.Errorf("OpenSigner(%s) = %v, want ErrInvalidURI naming type=%s", o.url, err, o.typ)
			}
		}
	}
}

func pctID(id []byte) string {
	var b strings.Builder
	for _, c := range id {
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

func mustCert(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
