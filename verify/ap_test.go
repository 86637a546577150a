package verify_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/verify"
)

// A hostile or careless library caller: the zero value of every options struct, nil slices
// and elements, nil context, callback and iterator, and options that contradict each other.
// Each call must fail closed with an error errors.Is can tell apart, or do what its doc says
// the zero value means; none may panic, and none may pass a signature or a chain it did not
// check.

// apCall runs f, turning a panic into a test failure.
func apCall(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return f()
}

func TestAPVerifyZeroAndNil(t *testing.T) {
	leaf := mustCerts(t, "codesign.pem")[0]
	roots, inters := mustCerts(t, "root-ca.pem"), mustCerts(t, "int-ca.pem")
	good := func() verify.Policy { return verify.Policy{Roots: roots, Intermediates: inters, At: pinned} }
	with := func(f func(*verify.Policy)) verify.Policy { p := good(); f(&p); return p }
	tests := []struct {
		name   string
		leaf   *x509.Certificate
		extra  []*x509.Certificate
		policy verify.Policy
		want   error // nil: valid
		reason verify.Reason
	}{
		{name: "good", leaf: leaf, policy: good()},
		{name: "nil leaf", policy: good(), want: verify.ErrUnchecked},
		{name: "unparsed leaf", leaf: &x509.Certificate{}, policy: good(), want: verify.ErrUnchecked},
		{name: "zero policy trusts nothing", leaf: leaf, want: verify.ErrPolicy},
		{name: "empty roots trust nothing", leaf: leaf, policy: verify.Policy{Roots: []*x509.Certificate{}, Intermediates: inters}, want: verify.ErrPolicy},
		{name: "nil root", leaf: leaf, policy: with(func(p *verify.Policy) { p.Roots = append(p.Roots, nil) }), want: verify.ErrPolicy},
		{name: "unparsed root", leaf: leaf, policy: with(func(p *verify.Policy) { p.Roots = []*x509.Certificate{{}} }), want: verify.ErrPolicy},
		{name: "root with Raw only anchors nothing", leaf: leaf, policy: with(func(p *verify.Policy) { p.Roots = []*x509.Certificate{{Raw: roots[0].Raw}} }),
			want: verify.ErrInvalid, reason: verify.UnknownAuthority},
		{name: "nil intermediates and extra chain are skipped", leaf: leaf, extra: []*x509.Certificate{nil, {}},
			policy: with(func(p *verify.Policy) { p.Intermediates = []*x509.Certificate{nil} }), want: verify.ErrInvalid, reason: verify.UnknownAuthority},
		{name: "nil CRL", leaf: leaf, policy: with(func(p *verify.Policy) { p.CRLs = []*x509.RevocationList{nil} }), want: verify.ErrPolicy},
		{name: "unparsed CRL", leaf: leaf, policy: with(func(p *verify.Policy) { p.CRLs = []*x509.RevocationList{{}} }), want: verify.ErrPolicy},
		{name: "nil OCSP response", leaf: leaf, policy: with(func(p *verify.Policy) { p.OCSP = [][]byte{nil} }), want: verify.ErrInvalid, reason: verify.CRLInvalid},
		{name: "unknown profile", leaf: leaf, policy: with(func(p *verify.Policy) { p.Profile = "strict" }), want: verify.ErrPolicy},
		{name: "unknown EKU", leaf: leaf, policy: with(func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{-1} }), want: verify.ErrPolicy},
		{name: "empty EKU list is no constraint", leaf: leaf, policy: with(func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{} })},
		{name: "EKU not asserted", leaf: leaf, policy: with(func(p *verify.Policy) { p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth} }),
			want: verify.ErrInvalid, reason: verify.EKU},
		{name: "empty policy OID", leaf: leaf, policy: with(func(p *verify.Policy) { p.Policies = []asn1.ObjectIdentifier{nil} }), want: verify.ErrPolicy},
		{name: "negative depth", leaf: leaf, policy: with(func(p *verify.Policy) { d := -1; p.MaxDepth = &d }), want: verify.ErrPolicy},
		{name: "empty IP matches nothing", leaf: leaf, policy: with(func(p *verify.Policy) { p.IP = net.IP{} }), want: verify.ErrInvalid, reason: verify.NameMismatch},
		{name: "zero time is now", leaf: leaf, policy: verify.Policy{Roots: roots, Intermediates: inters}},
		{name: "zero time is now, not a skip", leaf: mustCerts(t, "expired.pem")[0], policy: verify.Policy{Roots: roots, Intermediates: inters},
			want: verify.ErrInvalid, reason: verify.Expired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var res *verify.Result
			err := apCall(t, func() (err error) { res, err = verify.Verify(tc.leaf, tc.extra, tc.policy); return err })
			if tc.want == nil {
				if err != nil || res == nil || !res.Valid {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if tc.reason != "" && !errors.Is(err, tc.reason) {
				t.Errorf("got %v, want reason %s", err, tc.reason)
			}
			if res != nil && res.Valid {
				t.Errorf("a failed verification has a valid result")
			}
		})
	}
}

func TestAPVerifyArtifactMisuse(t *testing.T) {
	dir := t.TempDir()
	art := filepath.Join(dir, "a.bin")
	if err := os.WriteFile(art, []byte("release\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signer := mustSigner(t, "codesign.key")
	sig := rawSignature(t, rawSign(t, signer, crypto.SHA256, false, []byte("release\n")))
	a := verify.Artifact{Name: art, Signature: sig}
	key := signer.Public()
	impostor := verify.CodeSigningPolicy(verify.Policy{Roots: mustCerts(t, "impostor-root.pem"), At: pinned})
	ctx := context.Background()
	tests := []struct {
		name string
		ctx  context.Context
		opts verify.ArtifactOptions
		want error // nil: valid
	}{
		{name: "key", ctx: ctx, opts: verify.ArtifactOptions{Key: key}},
		{name: "zero options trust nothing", ctx: ctx, want: verify.ErrPolicy},
		{name: "unknown hash", ctx: ctx, opts: verify.ArtifactOptions{Key: key, Hash: 99}, want: verify.ErrPolicy},
		{name: "key with an identity", ctx: ctx, opts: verify.ArtifactOptions{Key: key, Identity: verify.Identity{Email: "release@example.com"}}, want: verify.ErrPolicy},
		// A key with roots: the caller thinks the chain is checked, and no chain is.
		{name: "key with roots", ctx: ctx, opts: verify.ArtifactOptions{Key: key, Policy: impostor}, want: verify.ErrPolicy},
		{name: "key with system roots", ctx: ctx, opts: verify.ArtifactOptions{Key: key, Policy: verify.Policy{SystemRoots: true}}, want: verify.ErrPolicy},
		{name: "key with usages", ctx: ctx, opts: verify.ArtifactOptions{Key: key, Policy: verify.CodeSigningPolicy(verify.Policy{})}, want: verify.ErrPolicy},
		{name: "key with a host", ctx: ctx, opts: verify.ArtifactOptions{Key: key, Policy: verify.Policy{DNSName: "example.com"}}, want: verify.ErrPolicy},
		{name: "key with a profile", ctx: ctx, opts: verify.ArtifactOptions{Key: key, Policy: verify.Policy{Profile: verify.ProfileWebPKI}}, want: verify.ErrPolicy},
		{name: "key with trusted CAs", ctx: ctx, opts: verify.ArtifactOptions{Key: key, TrustedCAs: []verify.TrustedCA{{}}}, want: verify.ErrPolicy},
		// What serves the timestamps' TSA chains stays allowed beside a key.
		{name: "key with the TSA chain's inputs", ctx: ctx, opts: verify.ArtifactOptions{Key: key,
			Policy: verify.Policy{At: pinned, Intermediates: mustCerts(t, "int-ca.pem"), CRLs: mustCRLs(t, "int-ca.crl"), RequireCRL: true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var res *verify.ArtifactResult
			err := apCall(t, func() (err error) { res, err = verify.VerifyArtifact(tc.ctx, a, tc.opts); return err })
			if tc.want == nil {
				if err != nil || res == nil || !res.Valid {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if res != nil && res.Valid {
				t.Errorf("a refused verification has a valid result")
			}
		})
	}

}
