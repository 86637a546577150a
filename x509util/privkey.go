package x509util

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/youmark/pkcs8"
)

// KeyEncoding names the structure a key was stored in, independent of PEM or DER.
type KeyEncoding string

// The encodings DecodeKey reads.
const (
	EncodingPKCS8       KeyEncoding = "PKCS#8"               // PRIVATE KEY, ENCRYPTED PRIVATE KEY
	EncodingPKCS1       KeyEncoding = "PKCS#1"               // RSA PRIVATE KEY, RSA PUBLIC KEY
	EncodingSEC1        KeyEncoding = "SEC1"                 // EC PRIVATE KEY
	EncodingSPKI        KeyEncoding = "SubjectPublicKeyInfo" // PUBLIC KEY
	EncodingCertificate KeyEncoding = "X.509 certificate"    // CERTIFICATE
	EncodingPKCS12      KeyEncoding = "PKCS#12"              // a .p12 or .pfx file (see ParseP12)
	EncodingOpenSSH     KeyEncoding = "OpenSSH"              // OPENSSH PRIVATE KEY (ssh-keygen's private key file)
	// The text forms of OpenSSH public keys, which are neither PEM nor DER.
	EncodingAuthorizedKey KeyEncoding = "OpenSSH authorized_keys line" // ssh-ed25519 AAAA... comment (a .pub file)
	EncodingRFC4716       KeyEncoding = "RFC 4716 SSH2 public key"     // ---- BEGIN SSH2 PUBLIC KEY ---- (ssh-keygen -e)
)

// DecodedKey is a key as DecodeKey found it in a file: a private key, or only a public key
// (from a public key or a certificate), and how it was stored.
type DecodedKey struct {
	// Signer is the private key; nil when the input held only a public key or a certificate.
	Signer crypto.Signer
	// Public is the public key, Signer.Public() for a private key.
	Public crypto.PublicKey
	// Certificate is set when the input was a certificate.
	Certificate *x509.Certificate
	// Encoding is the structure the key was stored in.
	Encoding KeyEncoding
	// PEM is true for PEM input and false for DER.
	PEM bool
	// Encrypted is true for a private key protected by a passphrase (encrypted PKCS#8 or
	// OpenSSL's traditional Proc-Type/DEK-Info PEM encryption).
	Encrypted bool
}

// The encryption parameters MarshalPrivateKey uses. PBKDF2-HMAC-SHA256 with 600,000
// iterations is OWASP's 2023 recommendation for PBKDF2; on a current x86 core one derivation
// takes about 0.1 s in Go and 0.15 s in OpenSSL 3, so opening a key stays well under a second
// while a guess costs an attacker the same. PBKDF2 rather than scrypt because every PKCS#8
// reader (OpenSSL 1.1 and 3, Java, .NET, Go) supports it, and OpenSSL 3.0 refuses scrypt
// parameters above its default 32 MiB memory limit.
const (
	PBKDF2Iterations = 600_000
	pbkdf2SaltSize   = 16
)

// MarshalPrivateKey encodes key as PKCS#8 PEM. With a non-empty passphrase the key is
// encrypted with PBES2: PBKDF2-HMAC-SHA256 (PBKDF2Iterations rounds, 16-byte random salt) and
// AES-256-CBC, the structure `openssl pkey -in KEY -passin ...` reads; with an empty one it is
// written in the clear ("PRIVATE KEY"). key must be a software key (*ecdsa.PrivateKey,
// ed25519.PrivateKey or *rsa.PrivateKey); others wrap ErrUnsupported.
func MarshalPrivateKey(key crypto.Signer, passphrase []byte) ([]byte, error) {
	switch key.(type) {
	case *ecdsa.PrivateKey, ed25519.PrivateKey, *rsa.PrivateKey:
	default:
		return nil, fmt.Errorf("%w: cannot export a private key of type %T", ErrUnsupported, key)
	}
	if len(passphrase) == 0 {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	der, err := pkcs8.MarshalPrivateKey(key, passphrase, &pkcs8.Opts{
		Cipher: pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{
			SaltSize:       pbkdf2SaltSize,
			IterationCount: PBKDF2Iterations,
			HMACHash:       crypto.SHA256,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("x509util: encrypt private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), nil
}

// ParsePrivateKey reads a private key in any encoding DecodeKey knows. The first private key
// in the input is used; other PEM blocks (the EC PARAMETERS block `openssl ecparam -genkey`
// writes first, certificates) are skipped. Input with no private key wraps ErrMalformed.
//
// passphrase is called only for an encrypted key, at most once; ParsePrivateKey zeroes the
// slice it returns after use. A nil passphrase makes an encrypted key fail with
// ErrIncorrectPassphrase. An error from passphrase is returned wrapped as it is.
//
// An RSA key under MinRSABits wraps ErrUnsupported here, where a key is read to sign, rather
// than failing later inside crypto/rsa (DecodeKey still reads it, to describe it).
func ParsePrivateKey(data []byte, passphrase func() ([]byte, error)) (crypto.Signer, error) {
	k, err := decodeKey(data, passphrase, keyWantPrivate)
	if err != nil {
		return nil, err
	}
	if err := checkSigningKey(k.Signer); err != nil {
		return nil, err
	}
	return k.Signer, nil
}

// MinRSABits is the smallest RSA key signet signs with: crypto/rsa refuses smaller ones as
// insecure.
const MinRSABits = 1024

// checkSigningKey refuses a private key crypto/rsa would refuse to sign with, before it is
// asked to.
func checkSigningKey(k crypto.Signer) error {
	if r, ok := k.(*rsa.PrivateKey); ok && r.N.BitLen() < MinRSABits {
		return fmt.Errorf("%w: an RSA key of %d bits is too small to sign with (at least %d)", ErrUnsupported, r.N.BitLen(), MinRSABits)
	}
	return nil
}

// ParsePublicKey reads a public key (SubjectPublicKeyInfo "PUBLIC KEY" or PKCS#1
// "RSA PUBLIC KEY") or a certificate's public key, PEM or DER. The first public key or
// certificate in the input is used. Private keys are not read here (see DecodeKey).
func ParsePublicKey(data []byte) (crypto.PublicKey, error) {
	k, err := decodeKey(data, nil, keyWantPublic)
	if err != nil {
		return nil, err
	}
	return k.Public, nil
}

// DecodeKey reads the first key or certificate in data, whichever kind it is. It reads, as PEM
// or DER:
//   - PKCS#8 private keys, in the clear or encrypted with PBES2 (PBKDF2 with HMAC-SHA1 or
//     SHA-2, SHA-512/224 and SHA-512/256 included, or scrypt; AES-128/192/256-CBC or
//     DES-EDE3-CBC): what `openssl genpkey` and `openssl pkcs8 -topk8` write; and encrypted
//     with the older schemes of `openssl pkcs8 -topk8 -v1` (PKCS#12 PBE, PKCS#5 v1.5 PBES1);
//   - PKCS#1 RSA private keys ("RSA PRIVATE KEY", `openssl genrsa -traditional`) and SEC1 EC
//     private keys ("EC PRIVATE KEY", `openssl ecparam -genkey`, with or without its EC
//     PARAMETERS block), in the clear or with OpenSSL's traditional PEM encryption
//     (Proc-Type and DEK-Info headers);
//   - SubjectPublicKeyInfo and PKCS#1 RSA public keys, and X.509 certificates;
//   - OpenSSH private keys ("OPENSSH PRIVATE KEY", ssh-keygen's format, in the clear or
//     encrypted), and OpenSSH public keys: an authorized_keys line (a .pub file) or RFC 4716
//     ("---- BEGIN SSH2 PUBLIC KEY ----", ssh-keygen -e).
//
// Key algorithms: RSA, ECDSA on P-224, P-256, P-384 and P-521, and Ed25519. Errors wrap
// ErrMalformed (not a key, truncated, damaged), ErrUnsupported (another algorithm or curve, or
// an encryption signet does not implement, named in the message) or ErrIncorrectPassphrase.
// passphrase is used as in ParsePrivateKey.
func DecodeKey(data []byte, passphrase func() ([]byte, error)) (*DecodedKey, error) {
	return decodeKey(data, passphrase, keyWantAny)
}

type keyWant int

const (
	keyWantAny keyWant = iota
	keyWantPrivate
	keyWantPublic
)

// keyBlockKinds says which PEM block types hold a private key (true) or a public key or
// certificate (false).
var keyBlockKinds = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"PRIVATE KEY":           true,
		"ENCRYPTED PRIVATE KEY": true,
		"RSA PRIVATE KEY":       true,
		"EC PRIVATE KEY":        true,
		"OPENSSH PRIVATE KEY":   true,
		"PUBLIC KEY":            false,
		"RSA PUBLIC KEY":        false,
		"CERTIFICATE":           false,
	}
})

// keyUnsupportedBlocks names PEM blocks that hold keys signet does not read, with what to do.
var keyUnsupportedBlocks = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"DSA PRIVATE KEY":       "a DSA key; signet signs with RSA, ECDSA or Ed25519",
		"ENCRYPTED KEY":         "an unknown encrypted key format",
		"PGP PRIVATE KEY BLOCK": "an OpenPGP key",
	}
})

func decodeKey(data []byte, passphrase func() ([]byte, error), want keyWant) (*DecodedKey, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrMalformed)
	}
	if !bytes.Contains(data, []byte("-----BEGIN ")) {
		decode := func() (*DecodedKey, error) { return keyDecodeDER(data, passphrase, "", want) }
		if keyLooksOpenSSHPublic(data) {
			decode = func() (*DecodedKey, error) { return keyDecodeOpenSSHPublic(data) }
		}
		k, err := decode()
		if err != nil {
			return nil, err
		}
		return keyCheckWant(k, want)
	}
	var seen []string
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		private, known := keyBlockKinds()[block.Type]
		switch {
		case !known:
			if why, ok := keyUnsupportedBlocks()[block.Type]; ok && want != keyWantPublic {
				return nil, fmt.Errorf("%w: %s", ErrUnsupported, why)
			}
			seen = append(seen, block.Type)
			continue
		case want == keyWantPrivate && !private, want == keyWantPublic && private:
			seen = append(seen, block.Type)
			continue
		}
		k, err := keyDecodePEMBlock(block, passphrase, want)
		if err != nil {
			return nil, err
		}
		k.PEM = true
		return k, nil
	}
	if t, ok := keyDamagedPEM(data, seen); ok {
		return nil, fmt.Errorf("%w: PEM block %q is truncated or damaged (no END line or bad base64)", ErrMalformed, t)
	}
	what := "key or certificate"
	switch want {
	case keyWantPrivate:
		what = "private key"
	case keyWantPublic:
		what = "public key or certificate"
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("%w: no %s found", ErrMalformed, what)
	}
	return nil, fmt.Errorf("%w: no %s found (the input has %s)", ErrMalformed, what, strings.Join(seen, ", "))
}

// keyDamagedPEM reports the type of a PEM block whose BEGIN line pem.Decode could not turn
// into a block (it skips such blocks silently), given the types of the blocks it decoded.
func keyDamagedPEM(data []byte, decoded []string) (string, bool) {
	left := map[string]int{}
	for _, t := range decoded {
		left[t]++
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		t, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("-----BEGIN "))
		if !ok {
			continue
		}
		typ := string(bytes.TrimSuffix(t, []byte("-----")))
		if left[typ] == 0 {
			return typ, true
		}
		left[typ]--
	}
	return "", false
}

func keyCheckWant(k *DecodedKey, want keyWant) (*DecodedKey, error) {
	switch {
	case want == keyWantPrivate && k.Signer == nil:
		return nil, fmt.Errorf("%w: no private key found (the input is %s)", ErrMalformed, keyDescribe(k))
	case want == keyWantPublic && k.Signer != nil:
		return nil, fmt.Errorf("%w: no public key or certificate found (the input is a private key)", ErrMalformed)
	}
	return k, nil
}

func keyDescribe(k *DecodedKey) string {
	switch {
	case k.Certificate != nil:
		return "a certificate"
	case k.Encoding == EncodingAuthorizedKey:
		return "an OpenSSH public key (a .pub file; the private key is the file without .pub)"
	case k.Encoding == EncodingRFC4716:
		return "an OpenSSH public key in RFC 4716 form"
	}
	return "a " + string(k.Encoding) + " public key"
}

func keyDecodePEMBlock(block *pem.Block, passphrase func() ([]byte, error), want keyWant) (*DecodedKey, error) {
	if block.Type == "OPENSSH PRIVATE KEY" {
		return keyDecodeOpenSSH(block, passphrase)
	}
	der := block.Bytes
	legacyEncrypted := strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED")
	if legacyEncrypted {
		var err error
		der, err = keyDecryptLegacyPEM(block, passphrase)
		if err != nil {
			return nil, err
		}
	}
	k, err := keyDecodeDER(der, passphrase, block.Type, want)
	if legacyEncrypted {
		defer clear(der)
		switch {
		case errors.Is(err, ErrMalformed):
			// A wrong passphrase passes the padding check about one time in 256 and leaves
			// garbage; the right one leaves a well-formed key.
			return nil, fmt.Errorf("%w (or the key is damaged)", ErrIncorrectPassphrase)
		case err != nil:
			return nil, err
		}
		k.Encrypted = true
	}
	return k, err
}

// keyDecryptLegacyPEM undoes OpenSSL's traditional PEM encryption (`openssl genrsa
// -traditional -aes256`, `openssl ec -aes256`). x509.DecryptPEMBlock is deprecated because
// the format has no integrity check and a weak key derivation (one MD5 round), which is why
// signet never writes it; it remains the right tool to read the keys that exist.
func keyDecryptLegacyPEM(block *pem.Block, passphrase func() ([]byte, error)) ([]byte, error) {
	dek, ok := block.Headers["DEK-Info"]
	if !ok {
		return nil, fmt.Errorf("%w: PEM block %q is marked encrypted but has no DEK-Info header", ErrMalformed, block.Type)
	}
	// The cipher is checked here, before the passphrase is asked for, rather than recognised
	// afterwards in the wording of DecryptPEMBlock's error.
	if mode, _, _ := strings.Cut(dek, ","); !keyLegacyPEMCiphers()[strings.TrimSpace(mode)] {
		return nil, fmt.Errorf("%w: PEM encryption %q (signet reads DES, 3DES and AES in CBC mode)", ErrUnsupported, mode)
	}
	pw, err := keyPassphrase(passphrase)
	if err != nil {
		return nil, err
	}
	defer clear(pw)
	//lint:ignore SA1019 reading existing traditional-encrypted keys, see the doc comment.
	der, err := x509.DecryptPEMBlock(block, pw) //nolint:staticcheck
	switch {
	case errors.Is(err, x509.IncorrectPasswordError):
		return nil, ErrIncorrectPassphrase
	case err != nil:
		return nil, fmt.Errorf("%w: encrypted PEM block %q: %v", ErrMalformed, block.Type, err)
	}
	return der, nil
}

// keyLegacyPEMCiphers are the DEK-Info ciphers x509.DecryptPEMBlock implements.
var keyLegacyPEMCiphers = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"DES-CBC": true, "DES-EDE3-CBC": true, "AES-128-CBC": true, "AES-192-CBC": true, "AES-256-CBC": true,
	}
})

func keyPassphrase(passphrase func() ([]byte, error)) ([]byte, error) {
	if passphrase == nil {
		return nil, fmt.Errorf("%w: the key is encrypted and no passphrase was given", ErrIncorrectPassphrase)
	}
	pw, err := passphrase()
	if err != nil {
		return nil, err
	}
	return pw, nil
}
