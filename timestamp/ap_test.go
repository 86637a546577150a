package timestamp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A careless or hostile library caller: an Authority missing its key or certificate, or
// given a key its certificate does not certify, or a certificate that is not a TSA's; nil
// certificates; the zero Token. Each fails closed with a sentinel, never a panic, and no
// token is granted that its own verifier would refuse.

func apRecover(t *testing.T) {
	t.Helper()
	if r := recover(); r != nil {
		t.Fatalf("panic: %v", r)
	}
}

func TestAPAuthorityMisuse(t *testing.T) {
	p := goodPKI(t)
	other := mustECKey(t)
	req, err := NewRequest([]byte("release"), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	reqDER, err := req.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		a    *Authority
		want error // nil: a token is granted
	}{
		{name: "good", a: p.authority()},
		{name: "zero", a: &Authority{}, want: ErrNoSigner},
		{name: "key without a certificate", a: &Authority{Key: p.tsaKey}, want: ErrNoSigner},
		{name: "nil certificate", a: &Authority{Key: p.tsaKey, Chain: []*x509.Certificate{nil}}, want: ErrNoSigner},
		{name: "certificate without a key", a: &Authority{Chain: []*x509.Certificate{p.tsa}}, want: ErrNoSigner},
		// The TSA signs with a key its certificate does not certify: every token is bogus.
		{name: "another key", a: &Authority{Key: other, Chain: []*x509.Certificate{p.tsa}}, want: ErrKeyMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer apRecover(t)
			resp, tok, err := tc.a.Respond(reqDER)
			if tc.want == nil {
				if err != nil || tok == nil {
					t.Fatalf("got %v, want a token", err)
				}
				if _, err := tok.Verify([]*x509.Certificate{nil}); err != nil {
					t.Fatalf("token does not verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || tok != nil {
				t.Fatalf("got %v (token %v), want %v", err, tok != nil, tc.want)
			}
			if err := tc.a.Check(); !errors.Is(err, tc.want) {
				t.Errorf("Check: %v, want %v", err, tc.want)
			}
			if _, err := ParseResponse(resp); !errors.Is(err, ErrRejected) {
				t.Errorf("the response is not a rejection: %v", err)
			}
			// The same authority as an http.Handler, without Serve's Check.
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/", bytes.NewReader(reqDER))
			r.Header.Set("Content-Type", contentTypeQuery)
			tc.a.ServeHTTP(w, r)
			if _, err := ParseResponse(w.Body.Bytes()); !errors.Is(err, ErrRejected) {
				t.Errorf("ServeHTTP granted or failed otherwise: %v", err)
			}
		})
	}
}

func TestAPTokenZeroAndNil(t *testing.T) {
	defer apRecover(t)
	if err := CheckTSACertificate(nil); !errors.Is(err, ErrNotTSACertificate) {
		t.Errorf("CheckTSACertificate(nil): %v", err)
	}
	var zero Token
	if err := zero.Covers(nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("zero token Covers: %v, want ErrUnsupported", err)
	}
	// The zero token has no imprint: it covers no digest, not even an empty one.
	if err := zero.CoversDigest(nil); err == nil {
		t.Errorf("zero token CoversDigest(nil) holds")
	}
	if _, err := zero.Verify([]*x509.Certificate{nil}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero token Verify: %v, want ErrInvalid", err)
	}
	if _, err := zero.Signer([]*x509.Certificate{nil}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero token Signer: %v, want ErrInvalid", err)
	}
}

// Check (which Serve runs) refuses a certificate that is not a TSA's; Respond signs with it,
// as signet's verifier tests need such tokens, and its verifier refuses them.
func TestAPAuthorityCheckNotTSA(t *testing.T) {
	p := goodPKI(t)
	a := &Authority{Key: p.rootKey, Chain: []*x509.Certificate{p.root}}
	if err := a.Check(); !errors.Is(err, ErrNotTSACertificate) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Check: %v, want ErrNotTSACertificate", err)
	}
}

// A nil context where one is taken: an error wrapping ErrNoContext, never a panic; no TSA is
// asked and no listener served (Serve closes it, as it does when Check fails).
func TestAPNilContext(t *testing.T) {
	defer apRecover(t)
	var nilCtx context.Context // a careless caller's
	p := goodPKI(t)
	asked := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = true
		p.authority().ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := &Client{URLs: []string{srv.URL}}
	if tok, err := c.Timestamp(nilCtx, []byte("data")); !errors.Is(err, ErrNoContext) || tok != nil {
		t.Errorf("Client.Timestamp: %v (token %v), want ErrNoContext", err, tok != nil)
	}
	if asked {
		t.Errorf("Client.Timestamp asked the TSA")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.authority().Serve(nilCtx, ln); !errors.Is(err, ErrNoContext) {
		t.Errorf("Authority.Serve: %v, want ErrNoContext", err)
	}
	if _, err := ln.Accept(); err == nil {
		t.Errorf("Authority.Serve left the listener open")
	}
}

// A Client with no URL fails as one whose TSAs did not answer (ErrUnavailable, which the CLI
// maps to its own exit code), and Serve with no listener is an error, not a panic.
func TestAPNoURLNoListener(t *testing.T) {
	defer apRecover(t)
	if tok, err := (&Client{}).Timestamp(context.Background(), []byte("data")); !errors.Is(err, ErrUnavailable) || tok != nil {
		t.Errorf("Client.Timestamp with no URL: %v (token %v), want ErrUnavailable", err, tok != nil)
	}
	if err := goodPKI(t).authority().Serve(context.Background(), nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Authority.Serve(nil listener): %v, want ErrUnsupported", err)
	}
}
