package tlsaudit

import (
	"context"
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// The raw probes: a ClientHello written byte by byte with cryptobyte, and the server's first
// answer read (a ServerHello or an alert), never a whole handshake. They say what a server
// accepts that crypto/tls would never offer (SSL 3.0, RC4, export and NULL suites, one
// version or group alone, TLS_FALLBACK_SCSV) and read what crypto/tls does not expose (the
// ServerHello random and extensions).

// Record content types and handshake message types.
const (
	recordAlert           = 21
	recordHandshake       = 22
	recordApplicationData = 23

	typeClientHello       = 1
	typeServerHello       = 2
	typeServerKeyExchange = 12
	typeServerHelloDone   = 14
)

// Extensions.
const (
	extServerName           = 0
	extStatusRequest        = 5
	extSupportedGroups      = 10
	extECPointFormats       = 11
	extSignatureAlgorithms  = 13
	extExtendedMasterSecret = 23
	extSessionTicket        = 35
	extSupportedVersions    = 43
	extKeyShare             = 51
	extRenegotiationInfo    = 0xff01
)

// helloRetryRandom is the ServerHello.random of a HelloRetryRequest (RFC 8446 4.1.3).
var helloRetryRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// The downgrade sentinels a TLS 1.3 server puts in the last 8 bytes of ServerHello.random when
// it negotiates TLS 1.2 (…01) or below (…00) (RFC 8446 4.1.3).
var (
	downgradeTLS12 = []byte("DOWNGRD\x01")
	downgradeTLS11 = []byte("DOWNGRD\x00")
)

// signatureSchemes are offered in every hello that carries signature_algorithms.
var signatureSchemes = []uint16{
	0x0403, 0x0503, 0x0603, // ecdsa_secp256r1_sha256, secp384r1_sha384, secp521r1_sha512
	0x0807, 0x0808, // ed25519, ed448
	0x0804, 0x0805, 0x0806, // rsa_pss_rsae_sha256/384/512
	0x0809, 0x080a, 0x080b, // rsa_pss_pss_sha256/384/512
	0x0401, 0x0501, 0x0601, // rsa_pkcs1_sha256/384/512
	0x0303, 0x0301, 0x0203, 0x0201, // sha224 and sha1 variants, for old servers
}

// hello is a ClientHello to send.
type hello struct {
	version    uint16   // legacy_version; for TLS 1.3, 0x0303 with versions holding 0x0304
	versions   []uint16 // supported_versions; nil: no extension
	suites     []uint16
	groups     []uint16 // supported_groups; nil: no extension
	keyShares  []uint16 // groups to send a key share for (TLS 1.3)
	serverName string
	sessionID  []byte
	renegInfo  bool   // an empty renegotiation_info extension
	renegData  []byte // renegotiation_info with the client's verify_data (a renegotiation)
	noExts     bool   // no extensions at all (SSL 3.0)
	wantSKE    bool   // read on to the ServerKeyExchange
}

// keyShare makes a public value for group g. Shares are thrown away after the ServerHello:
// they need only be well formed, not kept.
func keyShare(g uint16) ([]byte, error) {
	switch g {
	case groupX25519, groupP256, groupP384, groupP521:
		curve := map[uint16]ecdh.Curve{groupX25519: ecdh.X25519(), groupP256: ecdh.P256(), groupP384: ecdh.P384(), groupP521: ecdh.P521()}[g]
		k, err := curve.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return k.PublicKey().Bytes(), nil
	case groupX448:
		b := make([]byte, 56)
		_, err := rand.Read(b)
		return b, err
	case groupFFDHE2048, groupFFDHE3072, groupFFDHE4096:
		// 4 = 2², a quadratic residue, so in the prime-order subgroup servers check for.
		n := map[uint16]int{groupFFDHE2048: 256, groupFFDHE3072: 384, groupFFDHE4096: 512}[g]
		b := make([]byte, n)
		b[n-1] = 4
		return b, nil
	case groupX25519MLKEM768:
		dk, err := mlkem.GenerateKey768()
		if err != nil {
			return nil, err
		}
		x, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return append(dk.EncapsulationKey().Bytes(), x.PublicKey().Bytes()...), nil
	}
	return nil, fmt.Errorf("tlsaudit: no key share for group 0x%04x", g)
}

// marshal returns the ClientHello as one handshake record.
func (h *hello) marshal() ([]byte, error) {
	var random [32]byte
	if _, err := rand.Read(random[:]); err != nil {
		return nil, err
	}
	shares := map[uint16][]byte{}
	for _, g := range h.keyShares {
		s, err := keyShare(g)
		if err != nil {
			return nil, err
		}
		shares[g] = s
	}
	var b cryptobyte.Builder
	b.AddUint8(typeClientHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(h.version)
		b.AddBytes(random[:])
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(h.sessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range h.suites {
				b.AddUint16(s)
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) }) // null compression
		if h.noExts {
			return
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			ext := func(id uint16, body func(*cryptobyte.Builder)) {
				b.AddUint16(id)
				b.AddUint16LengthPrefixed(body)
			}
			if h.serverName != "" && net.ParseIP(h.serverName) == nil {
				ext(extServerName, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						b.AddUint8(0) // host_name
						b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(h.serverName)) })
					})
				})
			}
			if len(h.groups) > 0 {
				ext(extSupportedGroups, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						for _, g := range h.groups {
							b.AddUint16(g)
						}
					})
				})
				ext(extECPointFormats, func(b *cryptobyte.Builder) {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) }) // uncompressed
				})
			}
			if h.version >= VersionTLS12 {
				ext(extSignatureAlgorithms, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						for _, s := range signatureSchemes {
							b.AddUint16(s)
						}
					})
				})
			}
			ext(extSessionTicket, func(*cryptobyte.Builder) {})
			ext(extExtendedMasterSecret, func(*cryptobyte.Builder) {})
			if h.renegInfo || h.renegData != nil {
				ext(extRenegotiationInfo, func(b *cryptobyte.Builder) { renegotiationInfo(b, h.renegData) })
			}
			if len(h.versions) > 0 {
				ext(extSupportedVersions, func(b *cryptobyte.Builder) {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
						for _, v := range h.versions {
							b.AddUint16(v)
						}
					})
				})
			}
			if len(h.keyShares) > 0 {
				ext(extKeyShare, func(b *cryptobyte.Builder) {
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
						for _, g := range h.keyShares {
							b.AddUint16(g)
							b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(shares[g]) })
						}
					})
				})
			}
		})
	})
	msg, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	// Records carry at most 2^14 bytes; a hello with a post-quantum share stays under that.
	recVersion := VersionTLS10
	if h.version == VersionSSL30 {
		recVersion = VersionSSL30
	}
	rec := []byte{recordHandshake, byte(recVersion >> 8), byte(recVersion), byte(len(msg) >> 8), byte(len(msg))}
	return append(rec, msg...), nil
}

// serverHello is what the probes read of a ServerHello.
type serverHello struct {
	version    uint16 // negotiated: supported_versions when present, else legacy_version
	random     [32]byte
	sessionID  []byte
	suite      uint16
	retry      bool   // a HelloRetryRequest
	group      uint16 // the key_share group (TLS 1.3), 0 when none
	renegInfo  bool   // the server sent renegotiation_info (RFC 5746)
	skeGroup   uint16 // the named curve of a TLS 1.2 ServerKeyExchange, when asked for
	extensions []uint16
}

// AlertError is a probe answered by an alert instead of a ServerHello.
type AlertError struct{ Description uint8 }

func (e *AlertError) Error() string { return "alert " + alertName(e.Description) }

// Alert descriptions the audit tells apart.
const (
	alertHandshakeFailure     = 40
	alertProtocolVersion      = 70
	alertInsufficientSecurity = 71
	alertInappropriateFallbck = 86
	alertNoRenegotiation      = 100
)

func alertName(d uint8) string {
	switch d {
	case 0:
		return "close_notify"
	case 10:
		return "unexpected_message"
	case alertHandshakeFailure:
		return "handshake_failure"
	case 47:
		return "illegal_parameter"
	case 50:
		return "decode_error"
	case alertProtocolVersion:
		return "protocol_version"
	case alertInsufficientSecurity:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case alertInappropriateFallbck:
		return "inappropriate_fallback"
	case alertNoRenegotiation:
		return "no_renegotiation"
	case 109:
		return "missing_extension"
	case 112:
		return "unrecognized_name"
	}
	return fmt.Sprint(d)
}

// errRefused is a probe the server ended without a ServerHello or an alert (a closed or
// reset connection): the offer was refused all the same.
var errRefused = errors.New("tlsaudit: connection closed without a ServerHello")

// maxHandshakeRead bounds what a probe reads before it finds the ServerHello.
const maxHandshakeRead = 1 << 16

// probe sends h on a new connection and returns the ServerHello, or an *AlertError, or
// errRefused when the server closed the connection; other errors are the network's.
func probe(ctx context.Context, addr string, timeout time.Duration, h *hello) (*serverHello, error) {
	rec, err := h.marshal()
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := conn.Write(rec); err != nil {
		return nil, err
	}
	sh, err := readServerHello(conn, h.wantSKE)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return sh, err
}

// readServerHello reads records until a whole ServerHello or an alert; with wantSKE, on to
// the ServerKeyExchange (or ServerHelloDone) of a TLS 1.2 handshake, whose named curve it
// notes.
func readServerHello(r io.Reader, wantSKE bool) (*serverHello, error) {
	var hs []byte
	var sh *serverHello
	total := 0
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, closedOr(err)
		}
		n := int(hdr[3])<<8 | int(hdr[4])
		total += n
		if n > 1<<14+2048 || total > maxHandshakeRead {
			return nil, fmt.Errorf("tlsaudit: a record of %d bytes is not TLS", n)
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, closedOr(err)
		}
		switch hdr[0] {
		case recordAlert:
			if n >= 2 {
				return nil, &AlertError{Description: body[1]}
			}
			return nil, errors.New("tlsaudit: a malformed alert")
		case recordHandshake:
			hs = append(hs, body...)
		default:
			if sh != nil {
				return sh, nil // the handshake went on encrypted: there is no more to read
			}
			return nil, fmt.Errorf("tlsaudit: a record of type %d before the ServerHello", hdr[0])
		}
		for len(hs) >= 4 {
			mlen := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
			if len(hs) < 4+mlen {
				break
			}
			typ, msg := hs[0], hs[4:4+mlen]
			hs = hs[4+mlen:]
			switch {
			case sh == nil && typ != typeServerHello:
				return nil, fmt.Errorf("tlsaudit: handshake message %d before the ServerHello", typ)
			case sh == nil:
				var err error
				if sh, err = parseServerHello(msg); err != nil || !wantSKE || sh.retry || sh.version >= VersionTLS13 {
					return sh, err
				}
			case typ == typeServerKeyExchange:
				if len(msg) >= 3 && msg[0] == 3 { // named_curve
					sh.skeGroup = uint16(msg[1])<<8 | uint16(msg[2])
				}
				return sh, nil
			case typ == typeServerHelloDone:
				return sh, nil
			}
		}
	}
}

func closedOr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || isReset(err) {
		return errRefused
	}
	return err
}

// parseServerHello reads a ServerHello body (RFC 8446 4.1.3, RFC 5246 7.4.1.3).
func parseServerHello(body []byte) (*serverHello, error) {
	s := cryptobyte.String(body)
	sh := &serverHello{}
	var random, sid []byte
	var compression uint8
	if !s.ReadUint16(&sh.version) || !s.ReadBytes(&random, 32) || !s.ReadUint8LengthPrefixed((*cryptobyte.String)(&sid)) ||
		!s.ReadUint16(&sh.suite) || !s.ReadUint8(&compression) {
		return nil, errors.New("tlsaudit: a malformed ServerHello")
	}
	copy(sh.random[:], random)
	sh.sessionID = append([]byte(nil), sid...)
	sh.retry = sh.random == helloRetryRandom
	if s.Empty() {
		return sh, nil
	}
	var exts cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&exts) {
		return nil, errors.New("tlsaudit: malformed ServerHello extensions")
	}
	for !exts.Empty() {
		var id uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&id) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil, errors.New("tlsaudit: malformed ServerHello extensions")
		}
		sh.extensions = append(sh.extensions, id)
		switch id {
		case extSupportedVersions:
			if !data.ReadUint16(&sh.version) {
				return nil, errors.New("tlsaudit: a malformed supported_versions extension")
			}
		case extKeyShare:
			if !data.ReadUint16(&sh.group) {
				return nil, errors.New("tlsaudit: a malformed key_share extension")
			}
		case extRenegotiationInfo:
			sh.renegInfo = true
		}
	}
	return sh, nil
}
