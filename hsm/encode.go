package hsm

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"github.com/miekg/pkcs11"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/x509util"
)

// PKCS#11 3.0 values that github.com/miekg/pkcs11 v1.1.2 predates.
const (
	CKK_EC_EDWARDS              = 0x40
	CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055
	CKM_EDDSA                   = 0x1057
)

// keyKind is a signing algorithm family.
type keyKind int

const (
	kindUnknown keyKind = iota
	kindRSA
	kindEC
	kindEd25519
)

// Curve OIDs and the CKA_EC_PARAMS encodings signet writes.
var (
	oidP256    = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384    = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521    = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidEd448   = asn1.ObjectIdentifier{1, 3, 101, 113}
)

// curveInfo describes the curve named by CKA_EC_PARAMS.
type curveInfo struct {
	name  string         // "P-256", "Ed25519"
	bits  int            // field size
	curve elliptic.Curve // nil for Edwards curves
	kind  keyKind
}

// parseECParams reads CKA_EC_PARAMS: a DER OID (namedCurve) or, for Edwards curves, the
// PrintableString curve name that PKCS#11 3.0 also allows and pkcs11-tool writes.
func parseECParams(b []byte) (curveInfo, error) {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(b, &oid); err == nil && len(rest) == 0 {
		switch {
		case oid.Equal(oidP256):
			return curveInfo{"P-256", 256, elliptic.P256(), kindEC}, nil
		case oid.Equal(oidP384):
			return curveInfo{"P-384", 384, elliptic.P384(), kindEC}, nil
		case oid.Equal(oidP521):
			return curveInfo{"P-521", 521, elliptic.P521(), kindEC}, nil
		case oid.Equal(oidEd25519):
			return curveInfo{"Ed25519", 255, nil, kindEd25519}, nil
		case oid.Equal(oidEd448):
			return curveInfo{"Ed448", 448, nil, kindUnknown}, nil
		}
		return curveInfo{name: "OID " + oid.String()}, fmt.Errorf("curve %s is not supported", oid)
	}
	var name string
	if rest, err := asn1.UnmarshalWithParams(b, &name, "printable"); err == nil && len(rest) == 0 {
		switch name {
		case "edwards25519":
			return curveInfo{"Ed25519", 255, nil, kindEd25519}, nil
		case "edwards448":
			return curveInfo{"Ed448", 448, nil, kindUnknown}, nil
		}
		return curveInfo{name: name}, fmt.Errorf("curve %q is not supported", name)
	}
	return curveInfo{}, fmt.Errorf("CKA_EC_PARAMS is neither a curve OID nor a curve name")
}

// ecParams returns the CKA_EC_PARAMS signet writes for a key type: the namedCurve OID (RFC
// 8410's id-Ed25519 for Ed25519, which SoftHSM, OpenSC and p11-kit read).
func ecParams(kt KeyType) []byte {
	var oid asn1.ObjectIdentifier
	switch kt {
	case ECP256:
		oid = oidP256
	case ECP384:
		oid = oidP384
	case ECP521:
		oid = oidP521
	case Ed25519:
		oid = oidEd25519
	default:
		return nil
	}
	b, _ := asn1.Marshal(oid)
	return b
}

// unwrapECPoint returns the point of CKA_EC_POINT, which PKCS#11 specifies as a DER OCTET
// STRING around the point but some modules return bare. size is the length of the bare point.
func unwrapECPoint(b []byte, size int) ([]byte, error) {
	if len(b) == size && (size == ed25519.PublicKeySize || b[0] == 4) {
		return b, nil
	}
	var inner []byte
	if rest, err := asn1.Unmarshal(b, &inner); err == nil && len(rest) == 0 && len(inner) == size {
		return inner, nil
	}
	return nil, fmt.Errorf("CKA_EC_POINT has %d bytes, neither a %d-byte point nor an OCTET STRING around one", len(b), size)
}

// ecPublicKey builds an ECDSA or Ed25519 public key from CKA_EC_PARAMS and CKA_EC_POINT.
func ecPublicKey(params, point []byte) (crypto.PublicKey, error) {
	ci, err := parseECParams(params)
	if err != nil {
		return nil, err
	}
	switch ci.kind {
	case kindEd25519:
		p, err := unwrapECPoint(point, ed25519.PublicKeySize)
		if err != nil {
			return nil, err
		}
		return ed25519.PublicKey(bytes.Clone(p)), nil
	case kindEC:
		size := 1 + 2*((ci.bits+7)/8)
		p, err := unwrapECPoint(point, size)
		if err != nil {
			return nil, err
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(ci.curve, p)
		if err != nil {
			return nil, fmt.Errorf("CKA_EC_POINT: %v", err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("curve %s is not supported", ci.name)
}

// rsaPublicKey builds an RSA public key from CKA_MODULUS and CKA_PUBLIC_EXPONENT.
func rsaPublicKey(modulus, exponent []byte) (*rsa.PublicKey, error) {
	n := new(big.Int).SetBytes(modulus)
	e := new(big.Int).SetBytes(exponent)
	if n.Sign() == 0 || n.BitLen() < 1024 {
		return nil, fmt.Errorf("RSA modulus of %d bits", n.BitLen())
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, errors.New("RSA public exponent out of range")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// ulong decodes a CK_ULONG attribute (native byte order, 4 or 8 bytes).
func ulong(b []byte) (uint, bool) {
	switch len(b) {
	case 8:
		return uint(binary.NativeEndian.Uint64(b)), true
	case 4:
		return uint(binary.NativeEndian.Uint32(b)), true
	}
	return 0, false
}

// boolAttr decodes a CK_BBOOL attribute.
func boolAttr(b []byte) bool { return len(b) == 1 && b[0] != 0 }

// describePublic returns the key type, size and curve of a public key.
func describePublic(pub crypto.PublicKey) (keyType string, bits int, curve string) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "EC", k.Curve.Params().BitSize, k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519", 255, "Ed25519"
	}
	return "", 0, ""
}

// digestInfoPrefix is the DER DigestInfo header before the digest in a PKCS#1 v1.5 signature
// (RFC 8017, section 9.2, note 1). CKM_RSA_PKCS pads and signs exactly what it is given.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA224:   {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256:   {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384:   {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512:   {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
	crypto.SHA3_256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x08, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA3_384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x09, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA3_512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x0a, 0x05, 0x00, 0x04, 0x40},
}

// pssHash maps a hash to the CKM_ hash mechanism and CKG_MGF1_ generator of
// CK_RSA_PKCS_PSS_PARAMS.
var pssHash = map[crypto.Hash]struct{ mech, mgf uint }{
	crypto.SHA224: {pkcs11.CKM_SHA224, pkcs11.CKG_MGF1_SHA224},
	crypto.SHA256: {pkcs11.CKM_SHA256, pkcs11.CKG_MGF1_SHA256},
	crypto.SHA384: {pkcs11.CKM_SHA384, pkcs11.CKG_MGF1_SHA384},
	crypto.SHA512: {pkcs11.CKM_SHA512, pkcs11.CKG_MGF1_SHA512},
}

// signPlan is what to ask the token for one signature.
type signPlan struct {
	mech  uint
	input []byte
	// PSS parameters, when mech is CKM_RSA_PKCS_PSS.
	pssHashMech, pssMGF, pssSalt uint
	// ecdsaSize is the byte length of r and of s, when the token returns r||s to re-encode.
	ecdsaSize int
	// ed25519ph: CKM_EDDSA with CK_EDDSA_PARAMS{phFlag: CK_TRUE} over a SHA-512 digest, whose
	// result is checked (checkEd25519ph) before it is returned.
	ed25519ph bool
	// hash and digest are what the caller asked to sign, for verifies.
	hash   crypto.Hash
	digest []byte
}

// planSignature checks a crypto.Signer call against the key and works out the mechanism and
// its input. It never touches the token, so it is testable without one.
func planSignature(pub crypto.PublicKey, digest []byte, opts crypto.SignerOpts) (signPlan, error) {
	if opts == nil {
		return signPlan{}, newError(ErrUnsupportedKey, nil, "crypto.SignerOpts is nil")
	}
	h := opts.HashFunc()
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if h == 0 {
			return signPlan{}, newError(ErrUnsupportedKey, nil, "RSA signatures need a hash function (opts.HashFunc() is 0)")
		}
		if len(digest) != h.Size() {
			return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("digest is %d bytes, %v makes %d", len(digest), h, h.Size()))
		}
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			ph, ok := pssHash[h]
			if !ok {
				return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("RSA-PSS with %v is not supported", h))
			}
			salt := pss.SaltLength
			emLen := (k.N.BitLen() - 1 + 7) / 8
			switch {
			case salt == rsa.PSSSaltLengthEqualsHash, salt == rsa.PSSSaltLengthAuto:
				// Auto means "whatever the verifier detects"; the hash length is the
				// choice every verifier accepts (TLS 1.3 and X.509 profiles require it).
				salt = h.Size()
			case salt < 0:
				return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("RSA-PSS salt length %d", salt))
			}
			if emLen < h.Size()+salt+2 {
				return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("RSA-PSS salt of %d bytes does not fit a %d-bit key with %v", salt, k.N.BitLen(), h))
			}
			return signPlan{mech: pkcs11.CKM_RSA_PKCS_PSS, input: digest, pssHashMech: ph.mech, pssMGF: ph.mgf, pssSalt: uint(salt), hash: h, digest: digest}, nil
		}
		prefix, ok := digestInfoPrefix[h]
		if !ok {
			return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("RSA PKCS#1 v1.5 with %v is not supported", h))
		}
		return signPlan{mech: pkcs11.CKM_RSA_PKCS, input: append(bytes.Clone(prefix), digest...), hash: h, digest: digest}, nil
	case *ecdsa.PublicKey:
		if h != 0 && len(digest) != h.Size() {
			return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("digest is %d bytes, %v makes %d", len(digest), h, h.Size()))
		}
		if len(digest) == 0 {
			return signPlan{}, newError(ErrUnsupportedKey, nil, "empty digest")
		}
		return signPlan{mech: pkcs11.CKM_ECDSA, input: digest, ecdsaSize: (k.Curve.Params().BitSize + 7) / 8, hash: h, digest: digest}, nil
	case ed25519.PublicKey:
		// As crypto/ed25519 reads opts: a hash of 0 is pure Ed25519 over the message, SHA-512
		// Ed25519ph over its digest (PKCS#11 3.0: CKM_EDDSA with CK_EDDSA_PARAMS.phFlag).
		if o, ok := opts.(*ed25519.Options); ok && o.Context != "" {
			return signPlan{}, newError(ErrUnsupportedKey, nil, "Ed25519 with a context (Ed25519ctx, or Ed25519ph with one) is not supported")
		}
		switch h {
		case 0:
			return signPlan{mech: CKM_EDDSA, input: digest, digest: digest}, nil
		case crypto.SHA512:
			if len(digest) != h.Size() {
				return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("Ed25519ph: digest is %d bytes, %v makes %d", len(digest), h, h.Size()))
			}
			return signPlan{mech: CKM_EDDSA, input: digest, ed25519ph: true, hash: h, digest: digest}, nil
		}
		return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("Ed25519 signs the message itself (hash 0) or, as Ed25519ph, its SHA-512 digest, not a %v digest", h))
	}
	return signPlan{}, newError(ErrUnsupportedKey, nil, fmt.Sprintf("public key of type %T", pub))
}

// verifies reports whether sig, as Sign returns it (DER for ECDSA), is a valid signature of
// the plan's digest (Ed25519: message) under pub. Sign checks every signature a token returns
// with it: a token whose public key object or certificate belongs to another key signs with a
// key that is not the one signet reports, and an RSA signature computed with a fault (a
// glitch in a CRT half) gives away the key's factors to whoever sees it. The cost, one
// verification, is small beside the token's signature.
func (p signPlan) verifies(pub crypto.PublicKey, sig []byte) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if p.mech == pkcs11.CKM_RSA_PKCS_PSS {
			return rsa.VerifyPSS(k, p.hash, p.digest, sig, &rsa.PSSOptions{SaltLength: int(p.pssSalt), Hash: p.hash}) == nil
		}
		// Hash 0: the token signed the DigestInfo as it is, which is what is checked.
		return rsa.VerifyPKCS1v15(k, 0, p.input, sig) == nil
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(k, p.digest, sig)
	case ed25519.PublicKey:
		if p.ed25519ph {
			return ed25519.VerifyWithOptions(k, p.digest, sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
		}
		return ed25519.Verify(k, p.digest, sig)
	}
	return false
}

// checkEd25519ph checks the signature a token returned for an Ed25519ph plan over digest.
// A token may accept CK_EDDSA_PARAMS and ignore phFlag (SoftHSM 2.6.1 does: it signs the
// digest as a message, pure Ed25519), which would pass for Ed25519ph until a verifier
// refuses it; such a signature is an error wrapping ErrUnsupportedKey that names the
// limitation, any other that does not verify one wrapping ErrToken.
func checkEd25519ph(pub ed25519.PublicKey, label string, digest, sig []byte) error {
	if ed25519.VerifyWithOptions(pub, digest, sig, &ed25519.Options{Hash: crypto.SHA512}) == nil {
		return nil
	}
	if ed25519.Verify(pub, digest, sig) {
		return newError(ErrUnsupportedKey, nil, fmt.Sprintf("token %q cannot make Ed25519ph: it ignores CKM_EDDSA's phFlag (CK_EDDSA_PARAMS, PKCS#11 3.0) and signs pure Ed25519", label))
	}
	return newError(ErrToken, nil, fmt.Sprintf("token %q returned an Ed25519ph signature that does not verify with the key's public key", label))
}

// ecdsaDER re-encodes the r||s an ECDSA token returns as the ASN.1 DER
// SEQUENCE { r INTEGER, s INTEGER } that Go, X.509 and openssl use.
func ecdsaDER(raw []byte, size int) ([]byte, error) {
	if len(raw) != 2*size {
		return nil, newError(ErrToken, nil, fmt.Sprintf("the token returned a %d-byte ECDSA signature, expected %d", len(raw), 2*size))
	}
	r := new(big.Int).SetBytes(raw[:size])
	s := new(big.Int).SetBytes(raw[size:])
	if r.Sign() == 0 || s.Sign() == 0 {
		return nil, newError(ErrToken, nil, "the token returned an ECDSA signature with r or s zero")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(r)
		b.AddASN1BigInt(s)
	})
	return b.Bytes()
}

// CheckCertificateKey returns an error wrapping ErrKeyMismatch unless cert certifies pub.
func CheckCertificateKey(cert *x509.Certificate, pub crypto.PublicKey) error {
	k, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || cert == nil || !k.Equal(cert.PublicKey) {
		subject := "(none)"
		if cert != nil {
			subject = x509util.FormatName(cert.Subject)
		}
		return newError(ErrKeyMismatch, nil, fmt.Sprintf("the certificate for \"%s\" does not certify the token key", subject))
	}
	return nil
}

// certSerial returns CKA_SERIAL_NUMBER for a certificate: the DER INTEGER of its serial.
func certSerial(cert *x509.Certificate) []byte {
	b, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return nil
	}
	return b
}
