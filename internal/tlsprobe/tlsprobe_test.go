package tlsprobe

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-pki/signet/x509util"
)

type testPKI struct {
	root, foreignRoot   *x509.Certificate
	server, client, bad tls.Certificate
}

func newKey(t *testing.T) crypto.Signer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func issue(t *testing.T, req x509util.IssueRequest) *x509.Certificate {
	t.Helper()
	got, err := x509util.IssueCertificate(req)
	if err != nil {
		t.Fatal(err)
	}
	return got.Certificate
}

func makePKI(t *testing.T) *testPKI {
	t.Helper()
	rootKey, foreignKey := newKey(t), newKey(t)
	root := issue(t, x509util.IssueRequest{Profile: x509util.ProfileRootCA, Subject: pkix.Name{CommonName: "Probe Root"}, PublicKey: rootKey.Public(), IssuerKey: rootKey})
	foreign := issue(t, x509util.IssueRequest{Profile: x509util.ProfileRootCA, Subject: pkix.Name{CommonName: "Foreign Root"}, PublicKey: foreignKey.Public(), IssuerKey: foreignKey})
	leaf := func(profile x509util.Profile, cn string, issuer *x509.Certificate, issuerKey crypto.Signer) tls.Certificate {
		k := newKey(t)
		req := x509util.IssueRequest{Profile: profile, Subject: pkix.Name{CommonName: cn}, PublicKey: k.Public(), Issuer: issuer, IssuerKey: issuerKey}
		if profile == x509util.ProfileServer {
			req.DNSNames, req.IPAddresses = []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)}
		}
		c := issue(t, req)
		return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: k, Leaf: c}
	}
	return &testPKI{
		root: root, foreignRoot: foreign,
		server: leaf(x509util.ProfileServer, "localhost", root, rootKey),
		client: leaf(x509util.ProfileClient, "alice", root, rootKey),
		bad:    leaf(x509util.ProfileClient, "mallory", foreign, foreignKey),
	}
}

func verifierFor(roots ...*x509.Certificate) ServerVerifier {
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	return func(chain []*x509.Certificate, name string, _ []byte) error {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		_, err := chain[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, DNSName: name,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		return err
	}
}

func startServer(t *testing.T, p *testPKI, require bool, maxVersion uint16) (addr string, logs func() string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(p.root)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var b strings.Builder
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServeOptions{Listener: ln, Certificate: p.server, ClientCAs: pool, RequireClientCert: require, MaxVersion: maxVersion,
			Log: func(f string, a ...any) {
				mu.Lock()
				defer mu.Unlock()
				b.WriteString(strings.TrimSpace(fmt.Sprintf(f, a...)) + "\n")
			}})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String(), func() string { mu.Lock(); defer mu.Unlock(); return b.String() }
}

func TestCheckAgainstServe(t *testing.T) {
	p := makePKI(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		addr, logs := startServer(t, p, true, v)
		tests := []struct {
			name       string
			opts       Options
			wantReason string
		}{
			{"trusted client", Options{ClientCert: &p.client, VerifyServer: verifierFor(p.root)}, ""},
			{"no client certificate", Options{VerifyServer: verifierFor(p.root)}, ReasonClientCertRequired},
			{"foreign client certificate", Options{ClientCert: &p.bad, VerifyServer: verifierFor(p.root)}, ReasonClientCertRejected},
			{"untrusted server", Options{ClientCert: &p.client, VerifyServer: verifierFor(p.foreignRoot)}, ReasonUntrustedServer},
			{"name mismatch", Options{ClientCert: &p.client, ServerName: "other.example", VerifyServer: verifierFor(p.root)}, ReasonNameMismatch},
		}
		if v == tls.VersionTLS12 {
			tests = append(tests, struct {
				name       string
				opts       Options
				wantReason string
			}{"protocol version", Options{ClientCert: &p.client, MinVersion: tls.VersionTLS13, VerifyServer: verifierFor(p.root)}, ReasonProtocolVersion})
		}
		for _, tt := range tests {
			t.Run(tls.VersionName(v)+"/"+tt.name, func(t *testing.T) {
				tt.opts.Addr = addr
				rep, err := Check(context.Background(), tt.opts)
				if tt.wantReason == "" {
					if err != nil {
						t.Fatalf("Check: %v\nserver log:\n%s", err, logs())
					}
					if !rep.OK || !rep.ClientCertAccepted || !rep.ClientCertRequested || !rep.ServerTrusted || rep.Version != tls.VersionName(v) {
						t.Errorf("report %+v", rep)
					}
					if len(rep.AcceptableCAs) != 1 || !strings.Contains(rep.AcceptableCAs[0], "Probe Root") {
						t.Errorf("acceptable CAs %q", rep.AcceptableCAs)
					}
					return
				}
				if !errors.Is(err, ErrCheckFailed) || rep == nil || rep.Reason != tt.wantReason {
					t.Fatalf("Check = %+v, %v; want reason %q", rep, err, tt.wantReason)
				}
			})
		}
	}
}

func TestServeOptionalClientCert(t *testing.T) {
	p := makePKI(t)
	addr, logs := startServer(t, p, false, 0)
	rep, err := Check(context.Background(), Options{Addr: addr, VerifyServer: verifierFor(p.root)})
	if err != nil || !rep.OK || rep.ClientCertAccepted {
		t.Fatalf("anonymous client against optional client auth: %+v, %v", rep, err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(logs(), "no client certificate") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs(), "no client certificate") {
		t.Errorf("server log lacks the anonymous client:\n%s", logs())
	}
}
