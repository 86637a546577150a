package timestamp

import (
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Request is an RFC 3161 TimeStampReq.
type Request struct {
	// Hash and HashedMessage are the message imprint: the digest of the data to timestamp.
	Hash          crypto.Hash
	HashedMessage []byte
	// Policy is the TSA policy asked for; nil asks for none (the TSA's default).
	Policy asn1.ObjectIdentifier
	// Nonce, if not nil, must come back in the token: it ties the answer to this request.
	Nonce *big.Int
	// CertReq asks the TSA to put its certificate in the token.
	CertReq bool
	// Extensions are the request's extensions, nil for none. signet's TSA knows none, and
	// refuses a request with any (unacceptedExtension, RFC 3161 2.4.1), as openssl ts does.
	Extensions []pkix.Extension
}

// NewRequest returns a request for a token over data, hashed with h (zero means SHA-256),
// with a random 64-bit nonce and certReq set, as `signet sign --tsa` sends it.
func NewRequest(data []byte, h crypto.Hash) (*Request, error) {
	if h == 0 {
		h = crypto.SHA256
	}
	if _, ok := oidByHash(h); !ok || !h.Available() || h == crypto.SHA1 {
		return nil, fmt.Errorf("%w: %v in a time-stamp request", ErrUnsupported, h)
	}
	nonce, err := randomNonce(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("timestamp: nonce: %w", err)
	}
	d := h.New()
	d.Write(data)
	return &Request{Hash: h, HashedMessage: d.Sum(nil), Nonce: nonce, CertReq: true}, nil
}

// randomNonce is a positive random integer of 64 bits, as openssl ts -query makes.
func randomNonce(r io.Reader) (*big.Int, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return nil, err
	}
	b[0] |= 0x80 // a full 64 bits, so that nonces all have one length
	return new(big.Int).SetBytes(b[:]), nil
}

// Marshal returns the DER TimeStampReq.
func (r *Request) Marshal() ([]byte, error) {
	hashOID, ok := oidByHash(r.Hash)
	if !ok {
		return nil, fmt.Errorf("%w: %v in a time-stamp request", ErrUnsupported, r.Hash)
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		addImprint(b, hashOID, r.HashedMessage)
		if r.Policy != nil {
			b.AddASN1ObjectIdentifier(r.Policy)
		}
		if r.Nonce != nil {
			b.AddASN1BigInt(r.Nonce)
		}
		if r.CertReq {
			b.AddASN1Boolean(true)
		}
		if len(r.Extensions) > 0 {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				for _, e := range r.Extensions {
					der, err := asn1.Marshal(e)
					if err != nil {
						b.SetError(err)
						return
					}
					b.AddBytes(der)
				}
			})
		}
	})
	return b.Bytes()
}

func addImprint(b *cryptobyte.Builder, hashOID asn1.ObjectIdentifier, hashed []byte) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		addAlgorithm(b, hashOID)
		b.AddASN1OctetString(hashed)
	})
}

// readImprint reads a MessageImprint and checks that the digest has its hash's length.
func readImprint(s *cryptobyte.String, h *crypto.Hash, hashed *[]byte) error {
	var mi cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1(&mi, cbasn1.SEQUENCE) || !readAlgorithm(&mi, &oid) ||
		!mi.ReadASN1Bytes(hashed, cbasn1.OCTET_STRING) || !mi.Empty() {
		return malformed("bad messageImprint")
	}
	hash, ok := hashByOID(oid)
	if !ok {
		return fmt.Errorf("%w: message imprint hash %v", ErrUnsupported, oid)
	}
	if len(*hashed) != hash.Size() {
		return malformed("the message imprint is %d bytes, not the %d of %v", len(*hashed), hash.Size(), hash)
	}
	*h = hash
	return nil
}

// ParseRequest reads a DER TimeStampReq, as `openssl ts -query` writes it. Errors wrap
// ErrMalformed, or ErrUnsupported for a hash signet does not know.
func ParseRequest(der []byte) (*Request, error) {
	in := cryptobyte.String(der)
	var req cryptobyte.String
	var version int64
	if !in.ReadASN1(&req, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, malformed("not a DER time-stamp request")
	}
	if !req.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) || version != 1 {
		return nil, malformed("time-stamp request version is not 1")
	}
	r := &Request{}
	if err := readImprint(&req, &r.Hash, &r.HashedMessage); err != nil {
		return nil, err
	}
	if req.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) && !req.ReadASN1ObjectIdentifier(&r.Policy) {
		return nil, malformed("bad reqPolicy")
	}
	if req.PeekASN1Tag(cbasn1.INTEGER) && !readBigInt(&req, &r.Nonce) {
		return nil, malformed("bad nonce")
	}
	if req.PeekASN1Tag(cbasn1.BOOLEAN) && !req.ReadASN1Boolean(&r.CertReq) {
		return nil, malformed("bad certReq")
	}
	var exts cryptobyte.String
	var hasExts bool
	if !req.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(0).Constructed().ContextSpecific()) || !req.Empty() ||
		hasExts && exts.Empty() {
		return nil, malformed("bad time-stamp request")
	}
	for !exts.Empty() {
		var der cryptobyte.String
		var e pkix.Extension
		if !exts.ReadASN1Element(&der, cbasn1.SEQUENCE) {
			return nil, malformed("bad request extension")
		}
		if rest, err := asn1.Unmarshal(der, &e); err != nil || len(rest) != 0 {
			return nil, malformed("bad request extension")
		}
		r.Extensions = append(r.Extensions, e)
	}
	return r, nil
}
