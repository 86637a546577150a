package x509util

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// Probes of the CA review (rc): an attacker's and a demanding operator's view of issuing.
// Each test says what it proves; a probe that found nothing says so too.

// rcChain issues root → i1 (path length pathLen1) with fresh-per-type keys.
func rcIssueCA(t *testing.T, cn string, issuer *x509.Certificate, issuerKeyKind, keyKind string, pathLen *int) *x509.Certificate {
	t.Helper()
	req := IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: cn},
		PublicKey: issueTestKey(t, keyKind).Public(), Issuer: issuer, IssuerKey: issueTestKey(t, issuerKeyKind), MaxPathLen: pathLen}
	if issuer == nil {
		req.Profile = ProfileRootCA
	}
	return mustIssue(t, req)
}

func rcInt(n int) *int { return &n }

// TestRCIssuePathLenConstraint: signet never mints a CA certificate that a pathLenConstraint
// above it forbids (RFC 5280 4.2.1.9: the CA could issue nothing a verifier accepts), nor one
// whose own path length is wider than the CAs above it allow, nor anything at all under an
// issuer that the constraints of the CAs above it already put out of reach. Before, all three
// were signed.
func TestRCIssuePathLenConstraint(t *testing.T) {
	root := rcIssueCA(t, "rc root", nil, "p256", "p256", nil)
	i0 := rcIssueCA(t, "rc i0", root, "p256", "p384", rcInt(0)) // may issue only leaves
	i1 := rcIssueCA(t, "rc i1", root, "p256", "p384", rcInt(1)) // one CA below it
	rootPL1 := rcIssueCA(t, "rc root pl1", nil, "rsa", "rsa", rcInt(1))
	// A path length wider than its root allows, as another CA could have made it (signet
	// now refuses to).
	midTmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "rc mid"}, IsCA: true,
		BasicConstraintsValid: true, MaxPathLen: 5, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		NotBefore: issueNow.Add(-time.Hour), NotAfter: issueNow.Add(1000 * time.Hour)}
	midDER, err := x509.CreateCertificate(rand.Reader, midTmpl, rootPL1, issueTestKey(t, "p384").Public(), issueTestKey(t, "rsa"))
	if err != nil {
		t.Fatal(err)
	}
	mid, err := x509.ParseCertificate(midDER)
	if err != nil {
		t.Fatal(err)
	}

	keyOf := func(c *x509.Certificate) string {
		switch c {
		case root:
			return "p256"
		case rootPL1:
			return "rsa"
		}
		return "p384"
	}
	ca := func(issuer *x509.Certificate, chain []*x509.Certificate, pathLen *int) IssueRequest {
		return IssueRequest{Profile: ProfileIntermediateCA, Subject: pkix.Name{CommonName: "new CA"}, Now: issueNow,
			PublicKey: issueTestKey(t, "ed25519").Public(), Issuer: issuer, IssuerChain: chain, IssuerKey: issueTestKey(t, keyOf(issuer)), MaxPathLen: pathLen}
	}
	leaf := func(issuer *x509.Certificate, chain []*x509.Certificate) IssueRequest {
		return IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "leaf"}, Now: issueNow,
			PublicKey: issueTestKey(t, "ed25519").Public(), Issuer: issuer, IssuerChain: chain, IssuerKey: issueTestKey(t, keyOf(issuer))}
	}
	refused := []struct {
		name, want string
		req        IssueRequest
	}{
		{"CA under a path length 0 CA", "rc i0", ca(i0, []*x509.Certificate{root}, nil)},
		{"path length 1 under a path length 1 CA", "rc i1", ca(i1, []*x509.Certificate{root}, rcInt(1))},
		{"CA two below a path length 1 root", "rc root pl1", ca(mid, []*x509.Certificate{rootPL1}, nil)},
	}
	for _, tt := range refused {
		_, err := IssueCertificate(tt.req)
		var pe *PathLenError
		if !errors.Is(err, ErrIssuer) || !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v; want ErrIssuer naming %q", tt.name, err, tt.want)
		}
	}
	// What the constraints allow is still issued: a leaf under i0, a path length 0 CA under
	// i1, a leaf under mid (one CA below the root), a CA under a root without a constraint.
	for _, req := range []IssueRequest{leaf(i0, []*x509.Certificate{root}), ca(i1, []*x509.Certificate{root}, nil),
		leaf(mid, []*x509.Certificate{rootPL1}), ca(root, nil, rcInt(3))} {
		mustIssue(t, req)
	}
	// A root's own path length is not bounded by anything.
	mustIssue(t, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "r"}, PublicKey: issueTestKey(t, "p256").Public(),
		IssuerKey: issueTestKey(t, "p256"), MaxPathLen: rcInt(9)})
	// Nor is the path length of a CA wider than its issuer allows issued.
	if _, err := IssueCertificate(ca(rootPL1, nil, rcInt(5))); !errors.Is(err, ErrIssuer) {
		t.Errorf("path length 5 under a path length 1 root: %v", err)
	}
}
