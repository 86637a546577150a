package tlsaudit

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// The certificate chain as served, judged by the policy engine of signet cert verify, and the
// stapled OCSP response.

func summarize(c *x509.Certificate) ChainCert {
	sum := sha256.Sum256(c.Raw)
	return ChainCert{
		Subject:            x509util.FormatName(c.Subject),
		Issuer:             x509util.FormatName(c.Issuer),
		SHA256:             hex.EncodeToString(sum[:]),
		NotAfter:           c.NotAfter.UTC().Format(time.RFC3339),
		Key:                describeKey(c.PublicKey),
		SignatureAlgorithm: c.SignatureAlgorithm.String(),
	}
}

func describeKey(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// chain makes a full handshake, and judges the chain served, the OCSP staple and the
// client certificate request.
func (a *auditor) chain(ctx context.Context) error {
	var served []*x509.Certificate
	var stapled []byte
	var parseErr, tooMany error
	cfg := &tls.Config{
		VerifyConnection: func(cs tls.ConnectionState) error {
			if err := x509util.CheckPeerChainLength(len(cs.PeerCertificates)); err != nil {
				// Not judged, as tls serve refuses such a client: path building over them
				// costs CPU, and the report would list every one. The leaf says who.
				if c, perr := x509util.ParseCertificate(cs.PeerCertificates[0].Raw); perr == nil {
					served = append(served, c)
				}
				tooMany = err
				return err
			}
			for _, pc := range cs.PeerCertificates {
				c, err := x509util.ParseCertificate(pc.Raw)
				if err != nil {
					parseErr = err
					return err
				}
				served = append(served, c)
			}
			stapled = cs.OCSPResponse
			return nil
		},
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			a.rep.ClientCertRequested = true
			for _, dn := range cri.AcceptableCAs {
				a.rep.AcceptableCAs = append(a.rep.AcceptableCAs, describeDN(dn))
			}
			return a.clientCert(cri)
		},
	}
	conn, _, err := a.handshake(ctx, cfg)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if conn != nil {
		conn.Close()
	}
	if a.rep.ClientCertRequested {
		cas := "any"
		if len(a.rep.AcceptableCAs) > 0 {
			cas = strings.Join(a.rep.AcceptableCAs, "; ")
		}
		a.add(Info, AreaClientAuth, "certificate request", "the server asks for a client certificate; acceptable CAs: %s", cas)
	} else if len(served) > 0 {
		a.add(Info, AreaClientAuth, "certificate request", "the server does not ask for a client certificate")
	}
	switch {
	case tooMany != nil:
		for _, c := range served {
			a.rep.Chain = append(a.rep.Chain, summarize(c))
		}
		a.add(Fail, AreaCertificate, "chain", "the served chain is not judged: %v", tooMany)
		return nil
	case parseErr != nil:
		a.add(Fail, AreaCertificate, "chain", "a served certificate does not parse: %v", parseErr)
		return nil
	case len(served) == 0 && err != nil:
		a.add(Fail, AreaCertificate, "chain", "no handshake completed to read the chain: %v", err)
		return nil
	case len(served) == 0:
		a.add(Fail, AreaCertificate, "chain", "the server sent no certificate")
		return nil
	}
	for _, c := range served {
		a.rep.Chain = append(a.rep.Chain, summarize(c))
	}
	if k, ok := served[0].PublicKey.(*ecdsa.PublicKey); ok {
		a.leafCurve = map[string]uint16{"P-256": groupP256, "P-384": groupP384, "P-521": groupP521}[k.Curve.Params().Name]
	}
	a.judgeChain(served)
	a.judgeOCSP(served, stapled)
	return nil
}

func (a *auditor) judgeChain(served []*x509.Certificate) {
	leaf := served[0]
	now := a.opts.Policy.At
	if now.IsZero() {
		now = time.Now()
	}
	// Order: each certificate is issued by the next one.
	inOrder := true
	for i := 0; i+1 < len(served); i++ {
		if !issuedBy(served[i], served[i+1]) {
			inOrder = false
			a.add(Fail, AreaCertificate, "order", "certificate %d (%s) is not issued by certificate %d (%s): the chain is out of order or holds a stranger",
				i, x509util.FormatName(served[i].Subject), i+1, x509util.FormatName(served[i+1].Subject))
			break
		}
	}
	if inOrder {
		a.add(OK, AreaCertificate, "order", "%d certificate(s), each issued by the next", len(served))
	}

	// The policy engine's verdict.
	p := a.opts.Policy
	if ip := net.ParseIP(a.opts.ServerName); ip != nil {
		p.IP = ip
	} else {
		p.DNSName = a.opts.ServerName
	}
	if len(p.EKUs) == 0 && len(p.UnknownEKUs) == 0 {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	res, err := verify.Verify(leaf, served[1:], p)
	a.rep.Verification = res
	var ve *verify.Error
	switch {
	case err == nil:
		a.add(OK, AreaCertificate, "trust", "valid for %s under the policy (%s profile): %s", a.opts.ServerName, profileName(p.Profile), pathString(res))
	case errors.As(err, &ve) && ve.Reason == verify.UnknownAuthority && res != nil && missingIssuer(res):
		a.add(Fail, AreaCertificate, "trust", "incomplete chain: the issuer of %s is neither served nor trusted (a missing intermediate?): %v", lastOf(res), err)
	case err != nil:
		a.add(Fail, AreaCertificate, "trust", "%v", err)
	}
	// The server signs the handshake in TLS 1.3 and in every ECDHE suite (CertificateVerify,
	// ServerKeyExchange): a leaf whose key usage leaves out digitalSignature forbids that
	// (RFC 8446 4.4.2.2, RFC 5246 7.4.2, RFC 8422 5.3), and tls check and the tunnel refuse
	// it. Only RSA key exchange, which has no forward secrecy, can use it.
	if leaf.KeyUsage != 0 && leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		a.add(Fail, AreaCertificate, "key usage", "%s has key usage %s, without digitalSignature: the server signs the handshake in TLS 1.3 and in every ECDHE suite, which that forbids (RFC 8446 4.4.2.2); signet tls check refuses it",
			x509util.FormatName(leaf.Subject), strings.Join(verify.KeyUsageNames(leaf.KeyUsage), ", "))
	}
	if res != nil && err == nil {
		inPath := map[string]bool{}
		for _, c := range res.Chain {
			inPath[c.SHA256] = true
			if c.TrustAnchor {
				for _, s := range served {
					if x509util.CertificateFingerprint(s) == c.SHA256 {
						a.add(Info, AreaCertificate, "extra", "the trust anchor %s is served: clients have it already", x509util.FormatName(s.Subject))
					}
				}
			}
		}
		for _, s := range served {
			if !inPath[x509util.CertificateFingerprint(s)] {
				a.add(Warn, AreaCertificate, "extra", "%s is served but not part of the path", x509util.FormatName(s.Subject))
			}
		}
	}

	// The leaf's names against the host, whatever the trust verdict. The server chose them:
	// escaped, so that no control character of theirs reaches the terminal.
	var names []string
	for _, n := range leaf.DNSNames {
		names = append(names, pkixname.EscapeText(n))
	}
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if err := leaf.VerifyHostname(a.opts.ServerName); err != nil {
		a.add(Fail, AreaCertificate, "names", "the leaf is not valid for %s (its names: %s)", a.opts.ServerName, orNone(names))
	} else {
		a.add(OK, AreaCertificate, "names", "the leaf is valid for %s (its names: %s)", a.opts.ServerName, strings.Join(names, ", "))
	}

	warnAt := a.opts.ExpiryWarning
	if warnAt == 0 {
		warnAt = 30 * 24 * time.Hour
	}
	for i, c := range served {
		who := x509util.FormatName(c.Subject)
		days := int(c.NotAfter.Sub(now).Hours() / 24)
		switch {
		case now.After(c.NotAfter):
			a.add(Fail, AreaCertificate, who, "expired %s", c.NotAfter.UTC().Format(time.RFC3339))
		case now.Before(c.NotBefore):
			a.add(Fail, AreaCertificate, who, "not valid before %s", c.NotBefore.UTC().Format(time.RFC3339))
		case c.NotAfter.Sub(now) < warnAt:
			a.add(Warn, AreaCertificate, who, "expires in %d days (%s)", days, c.NotAfter.UTC().Format("2006-01-02"))
		case i == 0:
			a.add(OK, AreaCertificate, who, "expires in %d days (%s)", days, c.NotAfter.UTC().Format("2006-01-02"))
		}
		key := describeKey(c.PublicKey)
		if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < 2048 {
			a.add(Fail, AreaCertificate, who, "key %s: under 2048 bits", key)
		} else if i == 0 {
			a.add(OK, AreaCertificate, who, "key %s", key)
		}
		selfSigned := c.CheckSignatureFrom(c) == nil
		switch c.SignatureAlgorithm {
		case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1, x509.MD2WithRSA:
			if selfSigned {
				a.add(Info, AreaCertificate, who, "self-signed with %s (a trust anchor's own signature is not relied on)", c.SignatureAlgorithm)
			} else {
				a.add(Fail, AreaCertificate, who, "signed with %s, a broken hash", c.SignatureAlgorithm)
			}
		default:
			if i == 0 {
				a.add(OK, AreaCertificate, who, "signed with %s", c.SignatureAlgorithm)
			}
		}
	}
}

func issuedBy(child, parent *x509.Certificate) bool {
	return string(child.RawIssuer) == string(parent.RawSubject) && child.CheckSignatureFrom(parent) == nil
}

func profileName(p verify.Profile) string {
	if p == "" {
		return string(verify.ProfileRFC5280)
	}
	return string(p)
}

func pathString(res *verify.Result) string {
	var parts []string
	for _, c := range res.Chain {
		parts = append(parts, c.Subject)
	}
	return strings.Join(parts, " → ")
}

// missingIssuer reports whether the longest path built ends in a certificate that is not
// self-issued: its issuer was never found.
func missingIssuer(res *verify.Result) bool {
	if len(res.Chain) == 0 {
		return false
	}
	last := res.Chain[len(res.Chain)-1]
	return !last.TrustAnchor && last.Certificate != nil && string(last.Certificate.RawIssuer) != string(last.Certificate.RawSubject)
}

func lastOf(res *verify.Result) string { return res.Chain[len(res.Chain)-1].Subject }

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// judgeOCSP checks a stapled OCSP response with the policy engine (RFC 6960: signed by the
// issuer or a responder it delegated, current at the validation time): the staple alone,
// without the CRLs given, must settle the leaf's status.
func (a *auditor) judgeOCSP(served []*x509.Certificate, stapled []byte) {
	a.rep.OCSPStapled = len(stapled) > 0
	if len(stapled) == 0 {
		a.add(Info, AreaOCSP, "staple", "no OCSP response stapled")
		return
	}
	leaf := served[0]
	p := a.opts.Policy
	if ip := net.ParseIP(a.opts.ServerName); ip != nil {
		p.IP = ip
	} else {
		p.DNSName = a.opts.ServerName
	}
	p.CRLs, p.RequireCRL = nil, true
	p.OCSP = append(append([][]byte{}, p.OCSP...), stapled)
	res, err := verify.Verify(leaf, served[1:], p)
	settled := false
	if res != nil {
		for _, c := range res.Checks {
			if c.Check == verify.CheckRevocation && c.Status == verify.Pass && c.Subject == verify.Name(leaf) {
				settled = true
			}
		}
	}
	when := ""
	if resp, perr := ocsp.ParseResponse(stapled, nil); perr == nil {
		when = " (thisUpdate " + resp.ThisUpdate.UTC().Format(time.RFC3339)
		if !resp.NextUpdate.IsZero() {
			when += ", nextUpdate " + resp.NextUpdate.UTC().Format(time.RFC3339)
		}
		when += ")"
	}
	var ve *verify.Error
	switch {
	case errors.As(err, &ve) && ve.Reason == verify.Revoked && ve.Cert != nil && ve.Cert.Equal(leaf):
		a.add(Fail, AreaOCSP, "staple", "the stapled OCSP response says the leaf is revoked: %v", err)
	case errors.As(err, &ve) && ve.Reason == verify.CRLInvalid:
		a.add(Fail, AreaOCSP, "staple", "the stapled OCSP response cannot be used (not signed by the issuer or its delegate, or not current)%s: %v", when, err)
	case settled:
		a.add(OK, AreaOCSP, "staple", "a good OCSP response is stapled, signed by the issuer or its delegate, current%s", when)
	case err != nil && (ve == nil || ve.Reason != verify.CRLMissing):
		a.add(Fail, AreaOCSP, "staple", "an OCSP response is stapled but cannot be checked: %v", err)
	default:
		a.add(Fail, AreaOCSP, "staple", "the stapled OCSP response does not settle the leaf's status (about another certificate, or status unknown)%s", when)
	}
}

// describeDN renders a DER distinguished name from a CertificateRequest, escaped: the server
// chose it, and it is printed.
func describeDN(der []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err == nil && len(rest) == 0 {
		var name pkix.Name
		name.FillFromRDNSequence(&seq)
		return x509util.FormatName(name)
	}
	return hex.EncodeToString(der)
}
