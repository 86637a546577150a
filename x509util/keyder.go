package x509util

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Reading keys from DER: the structure is told from its shape (an outline of each), then
// parsed, and its algorithm and curve checked against what signet supports.

// Outlines of the DER structures, just enough to tell them apart and name what is wrong
// before the full parse.
type (
	keyPKCS8Outline struct {
		Version int
		Algo    pkix.AlgorithmIdentifier
		Key     []byte
	}
	keyEncryptedPKCS8Outline struct {
		Algo pkix.AlgorithmIdentifier
		Data []byte
	}
	keyPKCS1Outline struct {
		Version int
		N, E, D *big.Int
	}
	keySEC1Outline struct {
		Version int
		Key     []byte
		Params  asn1.RawValue `asn1:"optional,explicit,tag:0"`
	}
	keySPKIOutline struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}
	keyCertOutline struct {
		TBS  asn1.RawValue
		Algo pkix.AlgorithmIdentifier
		Sig  asn1.BitString
	}
	keyPKCS1PublicOutline struct {
		N, E *big.Int
	}
)

// keyOutline unmarshals der into v and reports whether it matched with nothing left over.
func keyOutline(der []byte, v any) bool {
	rest, err := asn1.Unmarshal(der, v)
	return err == nil && len(rest) == 0
}

// keyDecodeDER reads one DER structure. pemType is the PEM block type it came from, or "" for
// DER input, where the structure is recognised from its shape.
func keyDecodeDER(der []byte, passphrase func() ([]byte, error), pemType string, want keyWant) (*DecodedKey, error) {
	var (
		p8   keyPKCS8Outline
		ep8  keyEncryptedPKCS8Outline
		p1   keyPKCS1Outline
		sec1 keySEC1Outline
		spki keySPKIOutline
		cert keyCertOutline
		p1p  keyPKCS1PublicOutline
	)
	is := func(t string, v any) bool { return (pemType == "" || pemType == t) && keyOutline(der, v) }
	switch {
	case is("PRIVATE KEY", &p8):
		return keyParsePKCS8(der, p8)
	case is("ENCRYPTED PRIVATE KEY", &ep8):
		if want == keyWantPublic {
			return nil, fmt.Errorf("%w: no public key or certificate found (the input is an encrypted private key)", ErrMalformed)
		}
		plain, err := keyDecryptPKCS8(ep8, passphrase)
		if err != nil {
			return nil, err
		}
		defer clear(plain)
		if !keyOutline(plain, &p8) {
			return nil, fmt.Errorf("%w (or the key is damaged)", ErrIncorrectPassphrase)
		}
		k, err := keyParsePKCS8(plain, p8)
		if err != nil {
			return nil, err
		}
		k.Encrypted = true
		return k, nil
	case pemType == "" && keyIsDSAPrivate(der):
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, keyUnsupportedBlocks()["DSA PRIVATE KEY"])
	case is("RSA PRIVATE KEY", &p1):
		key, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, keyParseError("PKCS#1 RSA private key", err)
		}
		if err := keyCheckMultiPrime(key); err != nil {
			return nil, fmt.Errorf("%w: PKCS#1 RSA private key: %v", ErrMalformed, err)
		}
		return keyFromSigner(key, EncodingPKCS1), nil
	case is("EC PRIVATE KEY", &sec1):
		if len(sec1.Params.Bytes) > 0 {
			// An explicit [0] tag leaves the parameters themselves inside Bytes.
			var inner asn1.RawValue
			if keyOutline(sec1.Params.Bytes, &inner) {
				if err := keyCheckCurveParams(inner); err != nil {
					return nil, err
				}
			}
		}
		key, err := x509.ParseECPrivateKey(der)
		if err != nil {
			return nil, keyParseError("SEC1 EC private key", err)
		}
		if err := keyCheckECPublic(der, key); err != nil {
			return nil, fmt.Errorf("%w: SEC1 EC private key: %v", ErrMalformed, err)
		}
		return keyFromSigner(key, EncodingSEC1), nil
	case is("PUBLIC KEY", &spki):
		if err := keyCheckAlgorithm(spki.Algo); err != nil {
			return nil, err
		}
		if form := keyPointForm(spki); form != "" {
			return nil, fmt.Errorf("%w: EC public key with a %s point (signet reads the uncompressed form, RFC 5480 section 2.2); write it with: openssl ec -pubin -in FILE -pubout -conv_form uncompressed", ErrUnsupported, form)
		}
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, keyParseError("public key", err)
		}
		if err := keyCheckRSAPublicDER(pub, der, x509.MarshalPKIXPublicKey); err != nil {
			return nil, err
		}
		return keyFromPublic(pub, EncodingSPKI)
	case is("CERTIFICATE", &cert):
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, keyParseError("certificate", err)
		}
		if c.PublicKeyAlgorithm == x509.UnknownPublicKeyAlgorithm {
			var tbs struct {
				Version asn1.RawValue `asn1:"optional,explicit,tag:0"`
				Serial  asn1.RawValue
				SigAlg  asn1.RawValue
				Issuer  asn1.RawValue
				Valid   asn1.RawValue
				Subject asn1.RawValue
				SPKI    keySPKIOutline
			}
			if _, err := asn1.Unmarshal(c.RawTBSCertificate, &tbs); err == nil {
				if err := keyCheckAlgorithm(tbs.SPKI.Algo); err != nil {
					return nil, err
				}
			}
			return nil, fmt.Errorf("%w: the certificate's public key algorithm", ErrUnsupported)
		}
		k, err := keyFromPublic(c.PublicKey, EncodingCertificate)
		if err != nil {
			return nil, err
		}
		k.Certificate = c
		return k, nil
	case is("RSA PUBLIC KEY", &p1p):
		pub, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return nil, keyParseError("PKCS#1 RSA public key", err)
		}
		if err := keyCheckRSAPublicDER(pub, der, func(any) ([]byte, error) { return x509.MarshalPKCS1PublicKey(pub), nil }); err != nil {
			return nil, err
		}
		return keyFromPublic(pub, EncodingPKCS1)
	case pemType != "":
		return nil, fmt.Errorf("%w: PEM block %q does not hold a well-formed %s", ErrMalformed, pemType, strings.ToLower(pemType))
	}
	return nil, fmt.Errorf("%w: not a key or certificate in PEM or DER (PKCS#8, PKCS#1, SEC1, SubjectPublicKeyInfo or X.509)", ErrMalformed)
}

func keyFromSigner(s crypto.Signer, enc KeyEncoding) *DecodedKey {
	return &DecodedKey{Signer: s, Public: s.Public(), Encoding: enc}
}

func keyFromPublic(pub crypto.PublicKey, enc KeyEncoding) (*DecodedKey, error) {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return &DecodedKey{Public: pub, Encoding: enc}, nil
	case *ecdh.PublicKey:
		return nil, fmt.Errorf("%w: an X25519 key cannot sign", ErrUnsupported)
	}
	return nil, fmt.Errorf("%w: public key of type %T", ErrUnsupported, pub)
}

// keyParseError wraps an error of crypto/x509's parsers for a structure that had the right
// shape: ErrMalformed, whatever the parser's wording (key sizes are checked by
// checkSigningKey, not read from the message).
func keyParseError(what string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
}

func keyParsePKCS8(der []byte, outline keyPKCS8Outline) (*DecodedKey, error) {
	if err := keyCheckAlgorithm(outline.Algo); err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, keyParseError("PKCS#8 private key", err)
	}
	if k, ok := key.(*rsa.PrivateKey); ok {
		if err := keyCheckMultiPrime(k); err != nil {
			return nil, fmt.Errorf("%w: PKCS#8 private key: %v", ErrMalformed, err)
		}
	}
	if err := keyCheckPKCS8Public(der, outline, key); err != nil {
		return nil, fmt.Errorf("%w: PKCS#8 private key: %v", ErrMalformed, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return keyFromSigner(k.(crypto.Signer), EncodingPKCS8), nil
	case *ecdh.PrivateKey:
		return nil, fmt.Errorf("%w: an X25519 key cannot sign", ErrUnsupported)
	}
	return nil, fmt.Errorf("%w: private key of type %T", ErrUnsupported, key)
}

var (
	keyOIDRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	keyOIDEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	keyOIDEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// keyAlgorithmNames names key algorithms signet does not handle, for error messages.
var keyAlgorithmNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"1.2.840.113549.1.1.10": "RSASSA-PSS (an RSA key restricted to PSS)",
		"1.2.840.10040.4.1":     "DSA",
		"1.3.101.110":           "X25519",
		"1.3.101.111":           "X448",
		"1.3.101.113":           "Ed448",
		"1.2.840.113549.1.3.1":  "DH",
		"1.2.840.10046.2.1":     "X9.42 DH",
		"1.2.156.10197.1.301":   "SM2",
	}
})

// keyCurves maps the named curves crypto/x509 supports to their names, and keyCurveNames
// names others for error messages.
var (
	keyCurves = sync.OnceValue(func() map[string]string {
		return map[string]string{
			"1.3.132.0.33":        "P-224",
			"1.2.840.10045.3.1.7": "P-256",
			"1.3.132.0.34":        "P-384",
			"1.3.132.0.35":        "P-521",
		}
	})
	keyCurveNames = sync.OnceValue(func() map[string]string {
		return map[string]string{
			"1.3.132.0.10":          "secp256k1",
			"1.2.840.10045.3.1.1":   "P-192",
			"1.3.36.3.3.2.8.1.1.7":  "brainpoolP256r1",
			"1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
			"1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
			"1.2.156.10197.1.301":   "SM2",
		}
	})
)

// keyCheckAlgorithm returns ErrUnsupported, naming the algorithm or curve, for a key
// algorithm crypto/x509 cannot read.
func keyCheckAlgorithm(ai pkix.AlgorithmIdentifier) error {
	switch {
	case ai.Algorithm.Equal(keyOIDRSA), ai.Algorithm.Equal(keyOIDEd25519):
		return nil
	case ai.Algorithm.Equal(keyOIDEC):
		return keyCheckCurveParams(ai.Parameters)
	}
	name := keyAlgorithmNames()[ai.Algorithm.String()]
	if name == "" {
		name = "OID " + ai.Algorithm.String()
	}
	return fmt.Errorf("%w: key algorithm %s (signet reads RSA, ECDSA and Ed25519 keys)", ErrUnsupported, name)
}

// keyCheckCurveParams checks an EC key's parameters: absent (SEC1 inside PKCS#8) or a named
// curve that crypto/x509 supports.
func keyCheckCurveParams(params asn1.RawValue) error {
	if len(params.FullBytes) == 0 {
		return nil
	}
	if params.Class == asn1.ClassUniversal && params.Tag == asn1.TagSequence {
		return fmt.Errorf("%w: EC key with explicit curve parameters; write it with a named curve (openssl ec -param_enc named_curve)", ErrUnsupported)
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(params.FullBytes, &oid); err != nil || len(rest) > 0 {
		return nil // let crypto/x509 describe what is wrong
	}
	if _, ok := keyCurves()[oid.String()]; ok {
		return nil
	}
	name := keyCurveNames()[oid.String()]
	if name == "" {
		name = "OID " + oid.String()
	}
	return fmt.Errorf("%w: elliptic curve %s (signet reads P-224, P-256, P-384 and P-521)", ErrUnsupported, name)
}

// The public key a private key's encoding may carry beside it: SEC1's publicKey [1] (RFC 5915),
// inside PKCS#8 or alone, and PKCS#8 v2's publicKey [1] (RFC 5958, for Ed25519 RFC 8410).
// crypto/x509 ignores it and derives the public key from the private one; OpenSSL prints it
// (openssl pkey -pubout) and checks neither against the other. A file whose two halves differ
// is damaged (or a ciphertext byte of an encrypted key was changed: CBC garbles one block of
// the private key and leaves the structure whole) and is refused, so that signet never signs
// with a key that is not the one the file, and openssl, name. The structures are read
// strictly here, the fields in their order and nothing after them: encoding/asn1 takes an
// optional field whose tag is wrong for an absent one, so a publicKey whose BIT STRING tag
// was changed went unchecked.

// keyCheckPKCS8Public checks the public keys a PKCS#8 key carries against key, the private
// key crypto/x509 read from der.
func keyCheckPKCS8Public(der []byte, outline keyPKCS8Outline, key any) error {
	s := cryptobyte.String(der)
	var seq, algo, inner cryptobyte.String
	var version int
	var pub cryptobyte.String
	var hasPub bool
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1(&algo, cbasn1.SEQUENCE) || !seq.ReadASN1(&inner, cbasn1.OCTET_STRING) ||
		!seq.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!seq.ReadOptionalASN1(&pub, &hasPub, cbasn1.Tag(1).ContextSpecific()) || !seq.Empty() {
		return errors.New("malformed: fields out of order, or after its public key")
	}
	// [1] IMPLICIT BIT STRING: a count of unused bits, 0 here, then the key.
	if hasPub && (len(pub) == 0 || pub[0] != 0) {
		return errors.New("malformed public key field")
	}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		if err := keyCheckECPublic(outline.Key, k); err != nil {
			return err
		}
		if hasPub && !keyPointIs(pub[1:], &k.PublicKey) {
			return errors.New("its public key is not its private key's")
		}
	case ed25519.PrivateKey:
		if hasPub && !bytes.Equal(pub[1:], k.Public().(ed25519.PublicKey)) {
			return errors.New("its public key is not its private key's")
		}
	}
	return nil
}

// keyCheckECPublic checks the publicKey of a SEC1 ECPrivateKey, if it has one, against key.
func keyCheckECPublic(sec1 []byte, key *ecdsa.PrivateKey) error {
	s := cryptobyte.String(sec1)
	var seq, priv, field cryptobyte.String
	var version int
	var hasPub bool
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() || !seq.ReadASN1Integer(&version) ||
		!seq.ReadASN1(&priv, cbasn1.OCTET_STRING) ||
		!seq.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!seq.ReadOptionalASN1(&field, &hasPub, cbasn1.Tag(1).Constructed().ContextSpecific()) || !seq.Empty() {
		return errors.New("malformed: fields out of order, or after its public key")
	}
	if !hasPub {
		return nil
	}
	var bits asn1.BitString
	if !field.ReadASN1BitString(&bits) || !field.Empty() || bits.BitLength%8 != 0 {
		return errors.New("malformed public key field")
	}
	if !keyPointIs(bits.Bytes, &key.PublicKey) {
		return errors.New("its public key is not its private key's")
	}
	return nil
}

// keyPointIs reports whether enc encodes pub's point, in any of the forms of SEC 1 section
// 2.3.3 that OpenSSL writes (openssl ec -conv_form): uncompressed (04 X Y), compressed
// (02 or 03 by Y's parity, X) or hybrid (06 or 07, X Y).
func keyPointIs(enc []byte, pub *ecdsa.PublicKey) bool {
	u, err := pub.Bytes()
	if err != nil || len(enc) == 0 {
		return false
	}
	odd := u[len(u)-1] & 1
	var want []byte
	switch enc[0] &^ 1 {
	case 4:
		want = u
	case 2:
		want = append([]byte{2 | odd}, u[1:1+len(u)/2]...)
	case 6:
		want = append([]byte{6 | odd}, u[1:]...)
	default:
		return false
	}
	return bytes.Equal(enc, want)
}

// keyCheckMultiPrime checks an RSA key of more than two primes (openssl genpkey -pkeyopt
// rsa_keygen_primes:3) as crypto/x509 checks a two-prime key and does not check this one: its
// primes multiply to its modulus, its private exponent inverts e modulo each prime less one,
// and a signature it makes verifies under its public key. Without this a file with a byte of
// its modulus changed was read as a key whose public half its private half does not match.
func keyCheckMultiPrime(k *rsa.PrivateKey) error {
	if len(k.Primes) <= 2 {
		return nil
	}
	if k.N.BitLen() > 16384 {
		// The signature below costs time cubic in the modulus; openssl makes none this large.
		return errors.New("a modulus of more than 16384 bits")
	}
	one := big.NewInt(1)
	n := big.NewInt(1)
	for _, p := range k.Primes {
		if p.Cmp(one) <= 0 {
			return errors.New("a prime below 2")
		}
		n.Mul(n, p)
	}
	if n.Cmp(k.N) != 0 {
		return errors.New("its primes do not multiply to its modulus")
	}
	de := new(big.Int).Mul(k.D, big.NewInt(int64(k.E)))
	for _, p := range k.Primes {
		if new(big.Int).Mod(de, new(big.Int).Sub(p, one)).Cmp(one) != 0 {
			return errors.New("its private exponent is not its public exponent's inverse")
		}
	}
	digest := sha256.Sum256([]byte("signet: RSA key pairwise check"))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, digest[:])
	if err == nil {
		err = rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, digest[:], sig)
	}
	if err != nil {
		return errors.New("a signature it makes does not verify under its public key")
	}
	return nil
}

// keyCheckRSAPublicDER refuses an RSA public key whose encoding der is not the DER of the key
// read from it. crypto/x509 ignores what follows the exponent in an RSAPublicKey's SEQUENCE,
// and what follows that SEQUENCE in an SPKI's BIT STRING: a PKCS#1 public key whose
// exponent's length byte was changed from 3 to 1 was read as a key of exponent 1, where
// openssl refuses the file.
func keyCheckRSAPublicDER(pub any, der []byte, marshal func(any) ([]byte, error)) error {
	if _, ok := pub.(*rsa.PublicKey); !ok {
		return nil
	}
	if again, err := marshal(pub); err != nil || !bytes.Equal(again, der) {
		return fmt.Errorf("%w: RSA public key: bytes after its exponent (not the DER of the key it holds)", ErrMalformed)
	}
	return nil
}

// keyPointForm names the form of an EC SubjectPublicKeyInfo's point that crypto/x509 does not
// read, "compressed" or "hybrid" (SEC 1 section 2.3.3, openssl ec -conv_form), and "" for
// any other key or form.
func keyPointForm(spki keySPKIOutline) string {
	if !spki.Algo.Algorithm.Equal(keyOIDEC) || len(spki.Key.Bytes) == 0 {
		return ""
	}
	switch spki.Key.Bytes[0] {
	case 2, 3:
		return "compressed"
	case 6, 7:
		return "hybrid"
	}
	return ""
}

// keyIsDSAPrivate reports OpenSSL's traditional DSA private key (openssl pkey -outform DER):
// a SEQUENCE of six INTEGERs, version 0, p, q, g, y and x. It has the first four fields of a
// PKCS#1 RSA key's outline, so without this it was refused as a malformed RSA key.
func keyIsDSAPrivate(der []byte) bool {
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return false
	}
	var version int
	if !seq.ReadASN1Integer(&version) || version != 0 {
		return false
	}
	for range 5 {
		if !seq.ReadASN1Integer(new(big.Int)) {
			return false
		}
	}
	return seq.Empty()
}
