package x509util

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"fmt"
	"hash"
	"sync"

	"golang.org/x/crypto/scrypt"
)

// Reading encrypted PKCS#8 (RFC 8018 PBES2) is done here rather than by
// github.com/youmark/pkcs8, which signet uses to write it. Its reader trusts its input in ways
// a reader of files from elsewhere cannot: a ciphertext that is not a whole number of blocks or
// an IV of the wrong size panics in crypto/cipher, the AES-GCM OIDs are decrypted as CBC, the
// CBC padding is never checked (so a wrong passphrase shows up only as an ASN.1 error), a
// keyLength field makes it skip the PRF and fall back to SHA-1, and the KDF cost is unbounded.
// The structures are small and fully checked below.

var (
	keyOIDPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	keyOIDPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	keyOIDScrypt = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
)

// keyPRFs are the PBKDF2 pseudo-random functions, by OID (RFC 8018 appendix B.1).
var keyPRFs = sync.OnceValue(func() map[string]func() hash.Hash {
	return map[string]func() hash.Hash{
		"1.2.840.113549.2.7":  sha1.New,
		"1.2.840.113549.2.8":  sha256.New224,
		"1.2.840.113549.2.9":  sha256.New,
		"1.2.840.113549.2.10": sha512.New384,
		"1.2.840.113549.2.11": sha512.New,
		"1.2.840.113549.2.12": sha512.New512_224,
		"1.2.840.113549.2.13": sha512.New512_256,
	}
})

type keyPBECipher struct {
	name     string
	keySize  int
	newBlock func([]byte) (cipher.Block, error)
}

// keyPBECiphers are the PBES2 encryption schemes read, by OID.
var keyPBECiphers = sync.OnceValue(func() map[string]keyPBECipher {
	return map[string]keyPBECipher{
		"2.16.840.1.101.3.4.1.2":  {"AES-128-CBC", 16, aes.NewCipher},
		"2.16.840.1.101.3.4.1.22": {"AES-192-CBC", 24, aes.NewCipher},
		"2.16.840.1.101.3.4.1.42": {"AES-256-CBC", 32, aes.NewCipher},
		"1.2.840.113549.3.7":      {"DES-EDE3-CBC", 24, des.NewTripleDESCipher},
	}
})

// Bounds on the work an encrypted key may ask for, so that a hostile file cannot make signet
// compute for minutes or allocate gigabytes. They are far above what any tool writes
// (OpenSSL 3: 2048 PBKDF2 rounds, scrypt N=16384 r=8 p=1; signet: PBKDF2Iterations).
// scrypt's is on its whole work, N·r·p: p mixes of 128·r·N bytes each, and p·128·r bytes of
// PBKDF2 output besides; 2^21 is one mix of 256 MiB (under a second), 16 times OpenSSL's
// (a bound on N·r alone let p=16 ask for 28 s, and r=2^20 with N=2 for 2.5 GiB).
const (
	keyMaxPBKDF2Iterations = 10_000_000
	keyMaxScryptWork       = 1 << 21 // N·r·p
)

type keyPBES2Params struct {
	KeyDerivationFunc keyAlgorithmIdentifier
	EncryptionScheme  keyAlgorithmIdentifier
}

// keyAlgorithmIdentifier is pkix.AlgorithmIdentifier with parameters kept raw.
type keyAlgorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type keyPBKDF2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                    `asn1:"optional"`
	PRF            keyAlgorithmIdentifier `asn1:"optional"`
}

type keyScryptParams struct {
	Salt            []byte
	CostParameter   int
	BlockSize       int
	Parallelization int
	KeyLength       int `asn1:"optional"`
}

// keyDecryptPKCS8 decrypts an EncryptedPrivateKeyInfo and returns the PKCS#8 DER inside.
func keyDecryptPKCS8(info keyEncryptedPKCS8Outline, passphrase func() ([]byte, error)) ([]byte, error) {
	alg := info.Algo.Algorithm
	if !alg.Equal(keyOIDPBES2) {
		if plain, ok, err := keyDecryptPBES1(info, passphrase); ok {
			return plain, err
		}
		if name, ok := keyPBES1Names()[alg.String()]; ok {
			return nil, fmt.Errorf("%w: legacy key encryption %s; re-encrypt the key with: openssl pkcs8 -topk8 -v2 aes-256-cbc", ErrUnsupported, name)
		}
		return nil, fmt.Errorf("%w: key encryption OID %s (signet reads PBES2, PKCS#12 PBE and PKCS#5 v1.5 PBES1)", ErrUnsupported, alg)
	}
	var params keyPBES2Params
	if !keyOutline(info.Algo.Parameters.FullBytes, &params) {
		return nil, fmt.Errorf("%w: encrypted key: bad PBES2 parameters", ErrMalformed)
	}
	ciph, ok := keyPBECiphers()[params.EncryptionScheme.Algorithm.String()]
	if !ok {
		return nil, fmt.Errorf("%w: key encryption cipher OID %s (signet reads AES-CBC and DES-EDE3-CBC)", ErrUnsupported, params.EncryptionScheme.Algorithm)
	}
	var iv []byte
	if !keyOutline(params.EncryptionScheme.Parameters.FullBytes, &iv) {
		return nil, fmt.Errorf("%w: encrypted key: bad %s parameters", ErrMalformed, ciph.name)
	}
	derive, err := keyPBEKDF(params.KeyDerivationFunc, ciph.keySize)
	if err != nil {
		return nil, err
	}
	// Check everything about the ciphertext before asking for a passphrase.
	probe, _ := ciph.newBlock(make([]byte, ciph.keySize))
	bs := probe.BlockSize()
	if len(iv) != bs {
		return nil, fmt.Errorf("%w: encrypted key: %s IV is %d bytes, want %d", ErrMalformed, ciph.name, len(iv), bs)
	}
	if len(info.Data) == 0 || len(info.Data)%bs != 0 {
		return nil, fmt.Errorf("%w: encrypted key: ciphertext of %d bytes is not a whole number of %d-byte blocks", ErrMalformed, len(info.Data), bs)
	}

	pw, err := keyPassphrase(passphrase)
	if err != nil {
		return nil, err
	}
	key, err := derive(pw)
	clear(pw)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	block, err := ciph.newBlock(key)
	if err != nil {
		return nil, fmt.Errorf("x509util: encrypted key: %w", err)
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	// PKCS#7 padding: a wrong key leaves a valid pad with probability about 1/256.
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > bs {
		clear(plain)
		return nil, ErrIncorrectPassphrase
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			clear(plain)
			return nil, ErrIncorrectPassphrase
		}
	}
	return plain[:len(plain)-pad], nil
}

// keyPBEKDF checks the key derivation function's parameters and returns the derivation.
func keyPBEKDF(kdf keyAlgorithmIdentifier, keySize int) (func(pw []byte) ([]byte, error), error) {
	switch {
	case kdf.Algorithm.Equal(keyOIDPBKDF2):
		var p keyPBKDF2Params
		if !keyOutline(kdf.Parameters.FullBytes, &p) {
			return nil, fmt.Errorf("%w: encrypted key: bad PBKDF2 parameters", ErrMalformed)
		}
		if p.IterationCount < 1 || p.IterationCount > keyMaxPBKDF2Iterations {
			return nil, fmt.Errorf("%w: encrypted key: PBKDF2 iteration count %d is outside 1..%d", ErrUnsupported, p.IterationCount, keyMaxPBKDF2Iterations)
		}
		if p.KeyLength != 0 && p.KeyLength != keySize {
			return nil, fmt.Errorf("%w: encrypted key: PBKDF2 key length %d does not fit the cipher (%d)", ErrMalformed, p.KeyLength, keySize)
		}
		prf := sha1.New // RFC 8018: the default PRF is HMAC-SHA1
		if len(p.PRF.Algorithm) > 0 {
			var ok bool
			if prf, ok = keyPRFs()[p.PRF.Algorithm.String()]; !ok {
				return nil, fmt.Errorf("%w: encrypted key: PBKDF2 PRF OID %s", ErrUnsupported, p.PRF.Algorithm)
			}
		}
		return func(pw []byte) ([]byte, error) {
			k, err := pbkdf2.Key(prf, string(pw), p.Salt, p.IterationCount, keySize)
			if err != nil {
				return nil, fmt.Errorf("x509util: encrypted key: PBKDF2: %w", err)
			}
			return k, nil
		}, nil
	case kdf.Algorithm.Equal(keyOIDScrypt):
		var p keyScryptParams
		if !keyOutline(kdf.Parameters.FullBytes, &p) {
			return nil, fmt.Errorf("%w: encrypted key: bad scrypt parameters", ErrMalformed)
		}
		n, r := p.CostParameter, p.BlockSize
		if n < 2 || n&(n-1) != 0 || r < 1 || p.Parallelization < 1 ||
			n > keyMaxScryptWork || r > keyMaxScryptWork || p.Parallelization > keyMaxScryptWork ||
			uint64(n)*uint64(r)*uint64(p.Parallelization) > keyMaxScryptWork {
			return nil, fmt.Errorf("%w: encrypted key: scrypt parameters N=%d r=%d p=%d are outside signet's limits (N a power of 2, N·r·p up to 2^21: %d MiB of memory)",
				ErrUnsupported, n, r, p.Parallelization, keyMaxScryptWork*128>>20)
		}
		if p.KeyLength != 0 && p.KeyLength != keySize {
			return nil, fmt.Errorf("%w: encrypted key: scrypt key length %d does not fit the cipher (%d)", ErrMalformed, p.KeyLength, keySize)
		}
		return func(pw []byte) ([]byte, error) {
			k, err := scrypt.Key(pw, p.Salt, n, r, p.Parallelization, keySize)
			if err != nil {
				return nil, fmt.Errorf("%w: encrypted key: scrypt: %v", ErrUnsupported, err)
			}
			return k, nil
		}, nil
	}
	return nil, fmt.Errorf("%w: encrypted key: key derivation OID %s (signet reads PBKDF2 and scrypt)", ErrUnsupported, kdf.Algorithm)
}
