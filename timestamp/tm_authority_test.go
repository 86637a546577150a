package timestamp

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// tmOpenSSLRequest is a request `openssl ts -query` writes for data, with certReq.
func tmOpenSSLRequest(t *testing.T, openssl, dir string) []byte {
	t.Helper()
	data := filepath.Join(dir, "data")
	if err := os.WriteFile(data, []byte("a signature value\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	req := filepath.Join(dir, "req.tsq")
	testutil.Run(t, openssl, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", req)
	der, err := os.ReadFile(req)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestTMAuthorityCertificateValidity: an Authority whose certificate is not valid at its
// clock (expired, or not yet valid) issued tokens all the same, each one a token no verifier
// accepts (RFC 3161 4.1: the TSA's certificate is checked at genTime), and Serve, as `signet
// tsa serve`, started with it. Check (and so Serve) now refuses it, and Respond answers every
// request with a rejection, failInfo systemFailure (the TSA's failure, not the request's),
// which `openssl ts -reply` reads; at either end of the validity it still grants.
func TestTMAuthorityCertificateValidity(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	p := goodPKI(t)
	dir := t.TempDir()
	reqDER := tmOpenSSLRequest(t, openssl, dir)
	for _, tc := range []struct {
		name  string
		now   time.Time
		grant bool
	}{
		{"at notBefore", notBefore, true},
		{"at notAfter", notAfter, true},
		{"a second before notBefore", notBefore.Add(-time.Second), false},
		{"a microsecond after notAfter", notAfter.Add(time.Microsecond), false},
		{"a year after notAfter", notAfter.AddDate(1, 0, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := p.authority()
			a.Now = func() time.Time { return tc.now }
			resp, tok, err := a.Respond(reqDER)
			if tc.grant {
				if err != nil || tok == nil {
					t.Fatalf("Respond: %v, want a token", err)
				}
				if _, err := tok.Verify(nil); err != nil {
					t.Errorf("the token does not verify: %v", err)
				}
				if err := a.Check(); err != nil {
					t.Errorf("Check: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrOutsideValidity) || tok != nil || !strings.Contains(err.Error(), "CN=Test TSA") {
				t.Fatalf("Respond: %v (token %v), want ErrOutsideValidity", err, tok != nil)
			}
			var re *ResponseError
			if _, perr := ParseResponse(resp); !errors.As(perr, &re) || re.Status != StatusRejection || re.FailInfo != FailSystemFailure {
				t.Errorf("the answer: %v, want a rejection with systemFailure", perr)
			}
			f := filepath.Join(dir, "resp.tsr")
			if err := os.WriteFile(f, resp, 0o644); err != nil {
				t.Fatal(err)
			}
			text := string(testutil.Run(t, openssl, "ts", "-reply", "-in", f, "-text"))
			if !strings.Contains(text, "Status: Rejected") || !strings.Contains(text, "system failure") ||
				!strings.Contains(text, "TST info:\nNot included") {
				t.Errorf("openssl ts -reply -text:\n%s", text)
			}
			if err := a.Check(); !errors.Is(err, ErrOutsideValidity) {
				t.Errorf("Check: %v, want ErrOutsideValidity", err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := a.Serve(ctx, ln); !errors.Is(err, ErrOutsideValidity) {
				t.Errorf("Serve: %v, want ErrOutsideValidity before serving", err)
			}
			// The same authority as an http.Handler, without Serve's Check.
			w := httptest.NewRecorder()
			r := httptest.NewRequest("POST", "/", bytes.NewReader(reqDER))
			r.Header.Set("Content-Type", contentTypeQuery)
			a.ServeHTTP(w, r)
			if _, err := ParseResponse(w.Body.Bytes()); !errors.As(err, &re) || re.FailInfo != FailSystemFailure {
				t.Errorf("ServeHTTP: %v, want a rejection with systemFailure", err)
			}
		})
	}
}
