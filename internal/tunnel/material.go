package tunnel

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// The material a tunnel serves with: its certificate, key, roots and CRLs, loaded at start
// and on SIGHUP, and the peer chains found valid with them.

// material is what a connection is served with; a reload makes a new one.
type material struct {
	cert    tls.Certificate
	key     keyref.Key
	policy  verify.Policy
	caNames *x509.CertPool // advertised in the CertificateRequest (Server mode)
	// valid remembers peer chains verify.Verify accepted under policy, by the SHA-256 of
	// their certificates, until the verdict may change: see remember.
	mu    sync.Mutex
	valid map[[32]byte]time.Time
}

// Verdicts are remembered at most this long, and for at most this many chains.
const (
	verdictTTL  = time.Minute
	maxVerdicts = 4096
)

func chainKey(certs []*x509.Certificate) [32]byte {
	h := sha256.New()
	for _, c := range certs {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(c.Raw)))
		h.Write(n[:])
		h.Write(c.Raw)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// known reports whether chain was found valid under m.policy and that verdict still holds.
func (m *material) known(k [32]byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	until, ok := m.valid[k]
	return ok && time.Now().Before(until)
}

// remember keeps a valid verdict until the first of: a minute from now, the notAfter of a
// certificate of the path, the nextUpdate of a CRL of the policy. The policy is fixed for the
// material's life (a reload makes new material), so nothing else can change the verdict.
func (m *material) remember(k [32]byte, res *verify.Result) {
	until := time.Now().Add(verdictTTL)
	for _, c := range res.Chain {
		if c.NotAfter.Before(until) {
			until = c.NotAfter
		}
	}
	for _, crl := range m.policy.CRLs {
		if !crl.NextUpdate.IsZero() && crl.NextUpdate.Before(until) {
			until = crl.NextUpdate
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.valid == nil || len(m.valid) >= maxVerdicts {
		m.valid = map[[32]byte]time.Time{}
	}
	m.valid[k] = until
}

func (t *tunnel) current() *material {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cur
}

func (t *tunnel) describe(m *material) string {
	mode := "client side: plain TCP in, mutual TLS to " + t.opts.Target
	if t.opts.Mode == Server {
		mode = "server side: mutual TLS in, plain TCP to " + t.opts.Target
	}
	return fmt.Sprintf("%s; certificate %s (until %s); %d CRLs", mode, x509util.FormatName(m.cert.Leaf.Subject),
		m.cert.Leaf.NotAfter.UTC().Format(time.RFC3339), len(m.policy.CRLs))
}

func (t *tunnel) reload() {
	m, err := t.load(t.current())
	if err != nil {
		t.log(Event{Event: "reload-failed", Detail: err.Error() + "; the previous certificate and CRLs stay in use"})
		return
	}
	t.mu.Lock()
	t.cur = m
	t.mu.Unlock()
	t.log(Event{Event: "reloaded", Detail: t.describe(m)})
}

// load reads the certificate chain, the key (kept from prev when the certificate is still
// for it), roots, intermediates and CRLs.
func (t *tunnel) load(prev *material) (*material, error) {
	o := t.opts
	var chain []*x509.Certificate
	var err error
	if o.Cert != "" {
		if chain, err = x509util.LoadCertificateFile(o.Cert); err != nil {
			return nil, err
		}
	}
	var key keyref.Key
	if prev != nil && len(chain) > 0 && x509util.PublicKeysEqual(chain[0].PublicKey, prev.key.Public()) {
		key = prev.key
	} else {
		if key, err = keyref.Open(o.Key, o.KeyOptions); err != nil {
			return nil, err
		}
		t.mu.Lock()
		t.keys = append(t.keys, key)
		t.mu.Unlock()
	}
	if len(chain) == 0 {
		if chain = key.Certificates(); len(chain) == 0 {
			return nil, configErrorf(nil, "no certificate given, and none is stored with the key")
		}
	}
	if !x509util.PublicKeysEqual(chain[0].PublicKey, key.Public()) {
		return nil, fmt.Errorf("%w: the key does not belong to the certificate \"%s\"", x509util.ErrKeyMismatch, x509util.FormatName(chain[0].Subject))
	}
	m := &material{key: key, policy: o.Policy}
	m.cert = tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		m.cert.Certificate = append(m.cert.Certificate, c.Raw)
	}
	p := &m.policy
	p.SystemRoots = o.SystemRoots
	if len(o.Roots) > 0 {
		if p.Roots, err = x509util.LoadCertificates(o.Roots...); err != nil {
			return nil, err
		}
	}
	if len(o.Intermediates) > 0 {
		if p.Intermediates, err = x509util.LoadCertificates(o.Intermediates...); err != nil {
			return nil, err
		}
	}
	if len(o.CRLs) > 0 {
		if p.CRLs, err = x509util.LoadCRLs(o.CRLs...); err != nil {
			return nil, err
		}
	}
	if len(p.Roots) == 0 && !p.SystemRoots {
		return nil, fmt.Errorf("%w: no trust anchors for the peer's certificate", verify.ErrPolicy)
	}
	if o.Mode == Server {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		// The client proves its key by signing the handshake: its certificate must allow
		// signatures when it restricts its key's usage (RFC 8446 4.4.2.2, RFC 5280 4.2.1.3).
		p.KeyUsage = x509.KeyUsageDigitalSignature
		m.caNames = x509.NewCertPool()
		for _, r := range p.Roots {
			m.caNames.AddCert(r)
		}
	} else {
		p.EKUs = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		// The server signs the handshake (only ECDHE suites are offered): its certificate
		// must allow signatures (RFC 8446 4.4.2.2, RFC 5246 7.4.2, RFC 8422 5.3).
		p.KeyUsage = x509.KeyUsageDigitalSignature
		if ip := net.ParseIP(t.opts.ServerName); ip != nil {
			p.IP = ip
		} else {
			p.DNSName = t.opts.ServerName
		}
	}
	return m, nil
}

// errPeer is a peer refused by the policy; it carries the verdict for the log.
type errPeer struct{ err error }

func (e *errPeer) Error() string { return e.err.Error() }
func (e *errPeer) Unwrap() error { return e.err }

// checkPeer judges the peer's chain with verify.Verify and, in Server mode, the client
// subjects allowed. It returns the leaf's subject for the log.
func (t *tunnel) checkPeer(m *material, cs tls.ConnectionState) (string, error) {
	if len(cs.PeerCertificates) == 0 {
		return "", &errPeer{errors.New("no certificate")}
	}
	if err := x509util.CheckPeerChainLength(len(cs.PeerCertificates)); err != nil {
		return x509util.FormatName(cs.PeerCertificates[0].Subject), &errPeer{err}
	}
	chain := make([]*x509.Certificate, 0, len(cs.PeerCertificates))
	for _, pc := range cs.PeerCertificates {
		c, err := x509util.ParseCertificate(pc.Raw)
		if err != nil {
			return "", &errPeer{fmt.Errorf("a certificate does not parse: %w", err)}
		}
		chain = append(chain, c)
	}
	subject := x509util.FormatName(chain[0].Subject)
	p := m.policy
	stapled := t.opts.Mode == Client && len(cs.OCSPResponse) > 0
	if stapled {
		p.OCSP = append(append([][]byte{}, p.OCSP...), cs.OCSPResponse)
	}
	// A chain found valid a moment ago under the same policy is not validated again: path
	// validation (an RSA-3072 signature in Go costs a millisecond) would otherwise bound the
	// connection rate. A stapled OCSP response varies per connection: never remembered.
	k := chainKey(chain)
	if stapled || !m.known(k) {
		res, err := verify.Verify(chain[0], chain[1:], p)
		if err != nil {
			return subject, &errPeer{err}
		}
		if !stapled {
			m.remember(k, res)
		}
	}
	if t.opts.Mode == Server && len(t.subjects) > 0 {
		ok := false
		for _, der := range t.subjects {
			if pkixname.EqualDER(der, chain[0].RawSubject) {
				ok = true
				break
			}
		}
		if !ok {
			return subject, &errPeer{fmt.Errorf("%w: client %s is not an allowed subject", verify.NameMismatch, subject)}
		}
	}
	return subject, nil
}
