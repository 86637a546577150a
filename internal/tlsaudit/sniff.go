package tlsaudit

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"net"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/cryptobyte"
)

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// sniffConn keeps a copy of what the server sent, so that the audit can read the handshake
// messages crypto/tls does not expose (the TLS 1.2 session ID and ticket lifetime hint, and,
// with the key log, the TLS 1.3 NewSessionTicket).
type sniffConn struct {
	net.Conn
	mu   sync.Mutex
	read bytes.Buffer
}

const maxSniff = 1 << 20

func (c *sniffConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	if c.read.Len()+n <= maxSniff {
		c.read.Write(b[:n])
	}
	c.mu.Unlock()
	return n, err
}

func (c *sniffConn) received() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.read.Bytes())
}

type record struct {
	typ  uint8
	vers uint16
	body []byte
	hdr  []byte
}

// records splits a byte stream into TLS records; a trailing partial record is dropped.
func records(b []byte) []record {
	var out []record
	for len(b) >= 5 {
		n := int(b[3])<<8 | int(b[4])
		if len(b) < 5+n {
			break
		}
		out = append(out, record{typ: b[0], vers: uint16(b[1])<<8 | uint16(b[2]), body: b[5 : 5+n], hdr: b[:5]})
		b = b[5+n:]
	}
	return out
}

// tls12Plain returns the handshake messages the server sent in the clear in a TLS 1.2
// handshake: everything before its ChangeCipherSpec.
func tls12Plain(stream []byte) []handshakeMsg {
	var hs []byte
	for _, r := range records(stream) {
		if r.typ == 20 { // change_cipher_spec: what follows is encrypted
			break
		}
		if r.typ == recordHandshake {
			hs = append(hs, r.body...)
		}
	}
	return splitHandshake(hs)
}

type handshakeMsg struct {
	typ  uint8
	body []byte
}

func splitHandshake(hs []byte) []handshakeMsg {
	var out []handshakeMsg
	for len(hs) >= 4 {
		n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
		if len(hs) < 4+n {
			break
		}
		out = append(out, handshakeMsg{typ: hs[0], body: hs[4 : 4+n]})
		hs = hs[4+n:]
	}
	return out
}

const typeNewSessionTicket = 4

// keyLog collects the secrets crypto/tls writes to Config.KeyLogWriter (NSS key log format).
type keyLog struct {
	mu      sync.Mutex
	secrets map[string][]byte // label -> secret, for the one connection it serves
	// clientRandom is the client random of the CLIENT_RANDOM line (TLS 1.2).
	clientRandom []byte
}

func (k *keyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.secrets == nil {
		k.secrets = map[string][]byte{}
	}
	for _, line := range strings.Split(string(p), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			if v, err := hex.DecodeString(f[2]); err == nil {
				k.secrets[f[0]] = v
			}
			if r, err := hex.DecodeString(f[1]); err == nil && f[0] == "CLIENT_RANDOM" {
				k.clientRandom = r
			}
		}
	}
	return len(p), nil
}

func (k *keyLog) get(label string) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.secrets[label]
}

// tls13Tickets decrypts the server's application-traffic records of a TLS 1.3 connection with
// its first traffic secret and returns the ticket_lifetime of every NewSessionTicket found
// (RFC 8446 4.6.1). Records protected by the handshake keys do not authenticate under the
// traffic key and are skipped.
func tls13Tickets(stream []byte, suite uint16, secret []byte) []uint32 {
	var h func() hash.Hash
	var keyLen int
	switch suite {
	case 0x1301:
		h, keyLen = sha256.New, 16
	case 0x1302:
		h, keyLen = sha512.New384, 32
	case 0x1303:
		h, keyLen = sha256.New, 32
	default:
		return nil
	}
	key, err1 := expandLabel(h, secret, "key", keyLen)
	iv, err2 := expandLabel(h, secret, "iv", 12)
	if err1 != nil || err2 != nil {
		return nil
	}
	var aead cipher.AEAD
	if suite == 0x1303 {
		aead, err1 = chacha20poly1305.New(key)
	} else {
		var block cipher.Block
		if block, err1 = aes.NewCipher(key); err1 == nil {
			aead, err1 = cipher.NewGCM(block)
		}
	}
	if err1 != nil {
		return nil
	}
	var lifetimes []uint32
	var hs []byte
	seq := uint64(0)
	for _, r := range records(stream) {
		if r.typ != 23 {
			continue
		}
		nonce := bytes.Clone(iv)
		for i := 0; i < 8; i++ {
			nonce[len(nonce)-1-i] ^= byte(seq >> (8 * i))
		}
		plain, err := aead.Open(nil, nonce, r.body, r.hdr)
		if err != nil {
			if seq == 0 {
				continue // still under the handshake keys
			}
			break
		}
		seq++
		// TLSInnerPlaintext: content, the real type, then zero padding.
		i := len(plain) - 1
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 || plain[i] != recordHandshake {
			continue
		}
		hs = append(hs, plain[:i]...)
	}
	for _, m := range splitHandshake(hs) {
		if m.typ != typeNewSessionTicket {
			continue
		}
		s := cryptobyte.String(m.body)
		var lifetime uint32
		if s.ReadUint32(&lifetime) {
			lifetimes = append(lifetimes, lifetime)
		}
	}
	return lifetimes
}

// expandLabel is HKDF-Expand-Label of RFC 8446 7.1 with an empty context.
func expandLabel(h func() hash.Hash, secret []byte, label string, n int) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint16(uint16(n))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("tls13 " + label)) })
	b.AddUint8LengthPrefixed(func(*cryptobyte.Builder) {})
	info, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return hkdf.Expand(h, secret, string(info), n)
}
