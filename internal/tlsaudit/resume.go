package tlsaudit

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// watchCache is a client session cache that notes when the server gave a session to resume.
type watchCache struct {
	tls.ClientSessionCache
	puts atomic.Int32
}

func newWatchCache() *watchCache {
	return &watchCache{ClientSessionCache: tls.NewLRUClientSessionCache(4)}
}

func (w *watchCache) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil {
		w.puts.Add(1)
	}
	w.ClientSessionCache.Put(key, cs)
}

// clientCert answers a certificate request with Options.ClientCert, or with none.
func (a *auditor) clientCert(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	if a.opts.ClientCert != nil {
		return a.opts.ClientCert, nil
	}
	return &tls.Certificate{}, nil
}

const maxTLS13Lifetime = 7 * 24 * 3600 // RFC 8446 4.6.1

func (a *auditor) resumption(ctx context.Context) error {
	if a.accepted(VersionTLS12) {
		if err := a.resume12(ctx); err != nil {
			return err
		}
	}
	if a.accepted(VersionTLS13) {
		if err := a.resume13(ctx); err != nil {
			return err
		}
	}
	return nil
}

func yes(b bool) *bool { return &b }

func (a *auditor) resume12(ctx context.Context) error {
	r := &a.rep.Resumption
	// By session ID: a full handshake without tickets, then a hello offering its session ID.
	conn, sc, err := a.handshake(ctx, &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
		SessionTicketsDisabled: true, GetClientCertificate: a.clientCert})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		a.add(Info, AreaResumption, "TLS 1.2", "not tested: no TLS 1.2 handshake completed (%v)%s", err, a.certHint())
		return nil
	}
	conn.Close()
	var sid []byte
	for _, m := range tls12Plain(sc.received()) {
		if m.typ == typeServerHello {
			if sh, err := parseServerHello(m.body); err == nil {
				sid = sh.sessionID
			}
		}
	}
	resumed := false
	if len(sid) > 0 {
		h := versionHello(VersionTLS12, suitesFor(VersionTLS12))
		h.sessionID = sid
		sh, err := a.probe(ctx, h)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		resumed = err == nil && bytes.Equal(sh.sessionID, sid)
	}
	r.SessionID12 = yes(resumed)
	switch {
	case resumed:
		a.add(Info, AreaResumption, "TLS 1.2 session ID", "a second connection resumes the session by its ID")
	case len(sid) == 0:
		a.add(Info, AreaResumption, "TLS 1.2 session ID", "the server gives no session ID: no resumption by ID")
	default:
		a.add(Info, AreaResumption, "TLS 1.2 session ID", "a second connection offering the session's ID gets a full handshake")
	}

	// By ticket (RFC 5077).
	cache := newWatchCache()
	cfg := func() *tls.Config {
		return &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, ClientSessionCache: cache, GetClientCertificate: a.clientCert}
	}
	conn, sc, err = a.handshake(ctx, cfg())
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return nil
	}
	conn.Close()
	var hint *uint32
	for _, m := range tls12Plain(sc.received()) {
		if m.typ == typeNewSessionTicket && len(m.body) >= 4 {
			v := binary.BigEndian.Uint32(m.body)
			hint = &v
		}
	}
	if hint == nil {
		r.Ticket12 = yes(false)
		a.add(Info, AreaResumption, "TLS 1.2 ticket", "the server issues no session ticket")
		return nil
	}
	r.Ticket12Lifetime = hint
	conn, _, err = a.handshake(ctx, cfg())
	if ctx.Err() != nil {
		return ctx.Err()
	}
	did := err == nil && conn.ConnectionState().DidResume
	if conn != nil {
		conn.Close()
	}
	r.Ticket12 = yes(did)
	if did {
		a.add(Info, AreaResumption, "TLS 1.2 ticket", "a second connection resumes with the session ticket")
	} else {
		a.add(Info, AreaResumption, "TLS 1.2 ticket", "a ticket is issued, but a second connection presenting it gets a full handshake")
	}
	a.judgeLifetime("TLS 1.2 ticket", int64(*hint), false)
	return nil
}

func (a *auditor) judgeLifetime(subject string, secs int64, tls13 bool) {
	max := a.opts.MaxTicketLifetime
	if max == 0 {
		max = 24 * time.Hour
	}
	d := time.Duration(secs) * time.Second
	switch {
	case secs == 0 && !tls13:
		a.add(Info, AreaResumption, subject, "no lifetime hint (0: unspecified)")
	case secs == 0:
		a.add(Info, AreaResumption, subject, "lifetime 0: the ticket is not to be used")
	case secs > maxTLS13Lifetime && tls13:
		a.add(Fail, AreaResumption, subject, "lifetime %s, beyond the 7 days RFC 8446 4.6.1 allows", d)
	case d > max:
		a.add(Warn, AreaResumption, subject, "lifetime %s: a stolen ticket key decrypts sessions that long (the limit here is %s)", d, max)
	default:
		a.add(OK, AreaResumption, subject, "lifetime %s", d)
	}
}

func (a *auditor) resume13(ctx context.Context) error {
	r := &a.rep.Resumption
	cache := newWatchCache()
	kl := &keyLog{}
	conn, sc, err := a.handshake(ctx, &tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13,
		ClientSessionCache: cache, KeyLogWriter: kl, GetClientCertificate: a.clientCert})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		a.add(Info, AreaResumption, "TLS 1.3", "not tested: no TLS 1.3 handshake completed (%v)%s", err, a.certHint())
		return nil
	}
	// Tickets come after the handshake: read until one arrives or a short while passes.
	deadline := time.Now().Add(min(a.timeout, 2*time.Second))
	buf := make([]byte, 512)
	var ended error
	for cache.puts.Load() == 0 && time.Now().Before(deadline) {
		conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := conn.Read(buf); err != nil && !isTimeout(err) {
			ended = err
			break
		}
	}
	suite := conn.ConnectionState().CipherSuite
	conn.Close()
	if cache.puts.Load() == 0 && isRemoteAlert(ended) {
		// The client's side of a TLS 1.3 handshake ends before the server has judged its
		// certificate: a server that wants one it did not get answers with an alert
		// (certificate_required), not tickets. Nothing was learnt of its tickets.
		a.add(Info, AreaResumption, "TLS 1.3", "not tested: the server ended the connection after the handshake (%v)%s", ended, a.certHint())
		return nil
	}
	if cache.puts.Load() == 0 {
		r.PSK13 = yes(false)
		a.add(Info, AreaResumption, "TLS 1.3 ticket", "the server issues no session ticket%s", a.certHint())
		return nil
	}
	for _, l := range tls13Tickets(sc.received(), suite, kl.get("SERVER_TRAFFIC_SECRET_0")) {
		r.Ticket13Lifetimes = append(r.Ticket13Lifetimes, int64(l))
	}
	conn, _, err = a.handshake(ctx, &tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13,
		ClientSessionCache: cache, GetClientCertificate: a.clientCert})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	did := err == nil && conn.ConnectionState().DidResume
	if conn != nil {
		conn.Close()
	}
	r.PSK13 = yes(did)
	if did {
		a.add(Info, AreaResumption, "TLS 1.3 ticket", "a second connection resumes with a PSK ticket")
	} else {
		a.add(Info, AreaResumption, "TLS 1.3 ticket", "tickets are issued, but a second connection presenting one gets a full handshake")
	}
	if len(r.Ticket13Lifetimes) == 0 {
		a.add(Info, AreaResumption, "TLS 1.3 ticket", "the ticket lifetime could not be read (cipher suite %s)", tls.CipherSuiteName(suite))
	}
	for _, l := range r.Ticket13Lifetimes {
		a.judgeLifetime("TLS 1.3 ticket", l, true)
		break // the first ticket speaks for the others, which servers issue alike
	}
	return nil
}

// certHint explains a handshake that may have failed for want of a client certificate.
func (a *auditor) certHint() string {
	if a.rep.ClientCertRequested && a.opts.ClientCert == nil {
		return "; the server asks for a client certificate: give one to test this"
	}
	return ""
}

// isRemoteAlert reports whether err is an alert the peer sent, as crypto/tls returns it.
func isRemoteAlert(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "remote error"
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// renegotiation checks the RFC 5746 indication and whether a renegotiation the client starts
// is accepted, over the highest version below TLS 1.3 the server accepts.
func (a *auditor) renegotiation(ctx context.Context) error {
	var v uint16
	for _, x := range []uint16{VersionTLS12, VersionTLS11, VersionTLS10, VersionSSL30} {
		if a.accepted(x) {
			v = x
			break
		}
	}
	if v == 0 {
		a.add(OK, AreaRenegotiation, "renegotiation", "not applicable: TLS 1.3 has no renegotiation")
		return nil
	}
	rn := &a.rep.Renegotiation
	h := versionHello(v, append(suitesFor(v), scsvRenegotiation))
	sh, err := a.probe(ctx, h)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err == nil {
		rn.Secure = yes(sh.renegInfo)
	}
	if v != VersionTLS12 {
		a.add(Info, AreaRenegotiation, "client-initiated", "not tested below TLS 1.2")
	} else if err := a.clientRenegotiation(ctx); err != nil {
		return err
	}
	secure := rn.Secure != nil && *rn.Secure
	switch {
	case rn.Secure == nil:
		a.add(Info, AreaRenegotiation, "RFC 5746", "not tested: the probe was refused (%s)", answer(err))
	case secure:
		a.add(OK, AreaRenegotiation, "RFC 5746", "the server indicates secure renegotiation")
	case rn.ClientInitiated != nil && *rn.ClientInitiated:
		a.add(Fail, AreaRenegotiation, "RFC 5746", "the server renegotiates without indicating secure renegotiation (CVE-2009-3555)")
	default:
		a.add(Warn, AreaRenegotiation, "RFC 5746", "the server does not indicate secure renegotiation")
	}
	return nil
}

// gcmSuites are the TLS 1.2 AES-GCM suites whose records clientRenegotiation can protect.
var gcmSuites = map[uint16]struct {
	keyLen int
	prf    func() hash.Hash
}{
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:   {16, sha256.New},
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: {16, sha256.New},
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:   {32, sha512.New384},
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: {32, sha512.New384},
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256:         {16, sha256.New},
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384:         {32, sha512.New384},
}

// clientRenegotiation completes a TLS 1.2 handshake over an AES-GCM suite with crypto/tls,
// then sends, encrypted with that connection's keys (from its key log), a second ClientHello
// carrying the client's Finished in renegotiation_info, and reads the server's answer: a
// ServerHello accepts the renegotiation; a no_renegotiation alert, another alert or a close
// refuses it.
func (a *auditor) clientRenegotiation(ctx context.Context) error {
	rn := &a.rep.Renegotiation
	var ids []uint16
	for id := range gcmSuites {
		ids = append(ids, id)
	}
	kl := &keyLog{}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, SessionTicketsDisabled: true,
		KeyLogWriter: kl, GetClientCertificate: a.clientCert}
	cfg.ServerName = a.opts.ServerName
	cfg.InsecureSkipVerify = true
	cfg.CipherSuites = ids
	if a.gone != nil {
		return nil
	}
	d := net.Dialer{Timeout: a.timeout}
	raw, err := d.DialContext(ctx, "tcp", a.opts.Addr)
	if err != nil {
		a.dialFailed(err)
		return nil
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(a.timeout))
	sc := &sniffConn{Conn: raw}
	wc := &writeSniff{sniffConn: sc}
	conn := tls.Client(wc, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		a.add(Info, AreaRenegotiation, "client-initiated", "not tested: no TLS 1.2 AES-GCM handshake completed (%v)%s", err, a.certHint())
		return nil
	}
	st := conn.ConnectionState()
	keys, err := tls12Keys(kl, gcmSuites[st.CipherSuite].keyLen, gcmSuites[st.CipherSuite].prf, sc.received())
	if err != nil {
		a.add(Info, AreaRenegotiation, "client-initiated", "not tested: %v", err)
		return nil
	}
	// The client's Finished, the first record it protected.
	fin, err := keys.client.open(afterCCS(wc.written()), 0)
	if err != nil || len(fin) != 16 || fin[0] != 20 {
		a.add(Info, AreaRenegotiation, "client-initiated", "not tested: the client's Finished could not be read back")
		return nil
	}
	h := versionHello(VersionTLS12, suitesFor(VersionTLS12))
	h.serverName = a.opts.ServerName
	h.renegData = fin[4:]
	rec, err := h.marshal()
	if err != nil {
		return err
	}
	if _, err := raw.Write(keys.client.seal(recordHandshake, rec[5:], 1)); err != nil {
		rn.ClientInitiated = yes(false)
		a.add(OK, AreaRenegotiation, "client-initiated", "refused: the server closed the connection")
		return nil
	}
	// The server's answer, protected with its keys. Its Finished was record 0; a server
	// that speaks first (a greeting, as signet's tls serve sends) has sent application data
	// since, part of which crypto/tls may already have read from the socket: count what was
	// received after its ChangeCipherSpec, then skip application data until the answer.
	seq := uint64(protectedRecords(sc.received()))
	typ, plain, err := readProtected(sc, keys.server, seq)
	for skipped := 0; err == nil && typ == recordApplicationData && skipped < maxSkippedRecords; skipped++ {
		seq++
		typ, plain, err = readProtected(sc, keys.server, seq)
	}
	switch {
	case err == nil && typ == recordHandshake && len(plain) > 0 && plain[0] == typeServerHello:
		rn.ClientInitiated = yes(true)
		a.add(Warn, AreaRenegotiation, "client-initiated", "accepted: any client can make the server redo its handshake's costly work at will")
	case err == nil && typ == recordAlert && len(plain) == 2:
		rn.ClientInitiated = yes(false)
		a.add(OK, AreaRenegotiation, "client-initiated", "refused with alert %s", alertName(plain[1]))
	case err == nil:
		a.add(Info, AreaRenegotiation, "client-initiated", "unclear: the server answered with a record of type %d", typ)
	case errors.Is(err, errRefused):
		rn.ClientInitiated = yes(false)
		a.add(OK, AreaRenegotiation, "client-initiated", "refused: the server closed the connection")
	case isTimeout(err):
		rn.ClientInitiated = yes(false)
		a.add(OK, AreaRenegotiation, "client-initiated", "refused: the server ignored the ClientHello")
	default:
		a.add(Info, AreaRenegotiation, "client-initiated", "unclear: %v", err)
	}
	return nil
}

// maxSkippedRecords bounds the application data skipped while waiting for the answer to a
// renegotiation.
const maxSkippedRecords = 16

// protectedRecords counts the complete records after the first ChangeCipherSpec in a stream.
func protectedRecords(stream []byte) int {
	n, seen := 0, false
	for _, r := range records(stream) {
		if seen {
			n++
		}
		seen = seen || r.typ == 20
	}
	return n
}

// writeSniff also keeps what the client wrote.
type writeSniff struct {
	*sniffConn
	w bytes.Buffer
}

func (c *writeSniff) Write(b []byte) (int, error) {
	c.mu.Lock()
	if c.w.Len()+len(b) <= maxSniff {
		c.w.Write(b)
	}
	c.mu.Unlock()
	return c.sniffConn.Conn.Write(b)
}

func (c *writeSniff) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.w.Bytes())
}

// afterCCS returns the first record after the ChangeCipherSpec in a stream.
func afterCCS(stream []byte) record {
	seen := false
	for _, r := range records(stream) {
		if seen {
			return r
		}
		seen = r.typ == 20
	}
	return record{}
}

type gcmKey struct {
	aead cipher.AEAD
	salt []byte // the 4-byte implicit part of the nonce
}

// open decrypts a TLS 1.2 AES-GCM record (RFC 5288) with sequence number seq.
func (k gcmKey) open(r record, seq uint64) ([]byte, error) {
	if len(r.body) < 8+16 {
		return nil, errors.New("tlsaudit: a short protected record")
	}
	nonce := append(bytes.Clone(k.salt), r.body[:8]...)
	ad := make([]byte, 13)
	binary.BigEndian.PutUint64(ad, seq)
	ad[8], ad[9], ad[10] = r.typ, byte(r.vers>>8), byte(r.vers)
	binary.BigEndian.PutUint16(ad[11:], uint16(len(r.body)-8-16))
	return k.aead.Open(nil, nonce, r.body[8:], ad)
}

// seal protects plaintext as a TLS 1.2 record of type typ with sequence number seq.
func (k gcmKey) seal(typ uint8, plain []byte, seq uint64) []byte {
	explicit := make([]byte, 8)
	binary.BigEndian.PutUint64(explicit, seq)
	nonce := append(bytes.Clone(k.salt), explicit...)
	ad := make([]byte, 13)
	binary.BigEndian.PutUint64(ad, seq)
	ad[8], ad[9], ad[10] = typ, 3, 3
	binary.BigEndian.PutUint16(ad[11:], uint16(len(plain)))
	body := append(explicit, k.aead.Seal(nil, nonce, plain, ad)...)
	return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
}

type tls12KeySet struct{ client, server gcmKey }

// tls12Keys derives the AES-GCM keys of a TLS 1.2 connection (RFC 5246 6.3) from the master
// secret in the key log and the randoms of the hellos.
func tls12Keys(kl *keyLog, keyLen int, h func() hash.Hash, received []byte) (*tls12KeySet, error) {
	kl.mu.Lock()
	master, clientRandom := kl.secrets["CLIENT_RANDOM"], kl.clientRandom
	kl.mu.Unlock()
	var serverRandom []byte
	for _, m := range tls12Plain(received) {
		if m.typ == typeServerHello && len(m.body) >= 34 {
			serverRandom = m.body[2:34]
		}
	}
	if len(master) != 48 || len(clientRandom) != 32 || serverRandom == nil {
		return nil, errors.New("the connection's keys are not known")
	}
	block := prf12(h, master, "key expansion", append(bytes.Clone(serverRandom), clientRandom...), 2*keyLen+8)
	mk := func(key, salt []byte) (gcmKey, error) {
		b, err := aes.NewCipher(key)
		if err != nil {
			return gcmKey{}, err
		}
		g, err := cipher.NewGCM(b)
		return gcmKey{aead: g, salt: salt}, err
	}
	c, err := mk(block[:keyLen], block[2*keyLen:2*keyLen+4])
	if err != nil {
		return nil, err
	}
	s, err := mk(block[keyLen:2*keyLen], block[2*keyLen+4:2*keyLen+8])
	if err != nil {
		return nil, err
	}
	return &tls12KeySet{client: c, server: s}, nil
}

// prf12 is the TLS 1.2 PRF, P_hash of RFC 5246 5.
func prf12(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	seed = append([]byte(label), seed...)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	ai := mac.Sum(nil)
	var out []byte
	for len(out) < n {
		mac.Reset()
		mac.Write(ai)
		mac.Write(seed)
		out = append(out, mac.Sum(nil)...)
		mac.Reset()
		mac.Write(ai)
		ai = mac.Sum(nil)
	}
	return out[:n]
}

// readProtected reads the next record from r and opens it with k at sequence number seq; a
// plaintext alert (sent before the server switched keys) is returned as it is.
func readProtected(r io.Reader, k gcmKey, seq uint64) (uint8, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, closedOr(err)
	}
	n := int(hdr[3])<<8 | int(hdr[4])
	if n > 1<<14+2048 {
		return 0, nil, fmt.Errorf("tlsaudit: a record of %d bytes is not TLS", n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, closedOr(err)
	}
	rec := record{typ: hdr[0], vers: uint16(hdr[1])<<8 | uint16(hdr[2]), body: body}
	if rec.typ == recordAlert && n == 2 {
		return rec.typ, body, nil
	}
	plain, err := k.open(rec, seq)
	if err != nil {
		return 0, nil, fmt.Errorf("tlsaudit: the server's record does not decrypt: %w", err)
	}
	return rec.typ, plain, nil
}

// renegotiationInfo is the body of a renegotiation_info extension carrying data.
func renegotiationInfo(b *cryptobyte.Builder, data []byte) {
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(data) })
}
