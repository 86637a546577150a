package x509util

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/md5"
	"crypto/rc4"
	"crypto/sha1"
	"fmt"
	"hash"
	"sync"
	"unicode/utf16"

	"github.com/signet-pki/signet/x509util/internal/rc2"
)

// The encryptions of PKCS#8 keys that came before PBES2, which `openssl pkcs8 -topk8 -v1 ALG`
// still writes: the PKCS#12 PBE schemes (RFC 7292 appendix C: a SHA-1 based key derivation
// with 3DES, 2-key 3DES, RC2 or RC4) and PKCS#5 v1.5's PBES1 (RFC 8018 section 6.1: PBKDF1
// with MD5 or SHA-1, and DES or RC2 with a 64-bit key). They are read so that keys that exist
// can be used and re-encrypted; signet never writes them (MarshalPrivateKey writes PBES2).
// Their parameters are checked, and their iteration counts bounded as PBES2's are, before a
// passphrase is asked for.

// keyPBES1Scheme is one legacy scheme: how the key and IV are derived and which cipher uses
// them.
type keyPBES1Scheme struct {
	name   string
	pkcs12 bool             // PKCS#12 KDF over the UTF-16 passphrase; false: PBKDF1
	hash   func() hash.Hash // PBKDF1's hash
	keyLen int              // bytes of key the KDF derives
	// newBlock makes the block cipher from the derived key; nil for RC4, a stream cipher.
	newBlock func(key []byte) (cipher.Block, error)
}

// keyPBES1Schemes are the legacy schemes read, by OID.
var keyPBES1Schemes = sync.OnceValue(func() map[string]keyPBES1Scheme {
	return map[string]keyPBES1Scheme{
		"1.2.840.113549.1.12.1.1": {name: "pbeWithSHAAnd128BitRC4", pkcs12: true, keyLen: 16},
		"1.2.840.113549.1.12.1.2": {name: "pbeWithSHAAnd40BitRC4", pkcs12: true, keyLen: 5},
		"1.2.840.113549.1.12.1.3": {name: "pbeWithSHAAnd3-KeyTripleDES-CBC", pkcs12: true, keyLen: 24, newBlock: des.NewTripleDESCipher},
		"1.2.840.113549.1.12.1.4": {name: "pbeWithSHAAnd2-KeyTripleDES-CBC", pkcs12: true, keyLen: 16, newBlock: func(k []byte) (cipher.Block, error) {
			// Two-key 3DES is K1, K2, K1.
			return des.NewTripleDESCipher(append(append([]byte(nil), k...), k[:8]...))
		}},
		"1.2.840.113549.1.12.1.5": {name: "pbeWithSHAAnd128BitRC2-CBC", pkcs12: true, keyLen: 16, newBlock: func(k []byte) (cipher.Block, error) { return rc2.New(k, 128) }},
		"1.2.840.113549.1.12.1.6": {name: "pbeWithSHAAnd40BitRC2-CBC", pkcs12: true, keyLen: 5, newBlock: func(k []byte) (cipher.Block, error) { return rc2.New(k, 40) }},
		"1.2.840.113549.1.5.3":    {name: "pbeWithMD5AndDES-CBC", hash: md5.New, keyLen: 8, newBlock: des.NewCipher},
		"1.2.840.113549.1.5.6":    {name: "pbeWithMD5AndRC2-CBC", hash: md5.New, keyLen: 8, newBlock: func(k []byte) (cipher.Block, error) { return rc2.New(k, 64) }},
		"1.2.840.113549.1.5.10":   {name: "pbeWithSHA1AndDES-CBC", hash: sha1.New, keyLen: 8, newBlock: des.NewCipher},
		"1.2.840.113549.1.5.11":   {name: "pbeWithSHA1AndRC2-CBC", hash: sha1.New, keyLen: 8, newBlock: func(k []byte) (cipher.Block, error) { return rc2.New(k, 64) }},
	}
})

// keyPBES1Names names legacy schemes signet does not read (MD2 is gone from every library).
var keyPBES1Names = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"1.2.840.113549.1.5.1": "pbeWithMD2AndDES-CBC",
		"1.2.840.113549.1.5.4": "pbeWithMD2AndRC2-CBC",
	}
})

// keyPBEParams are the parameters of both families: PKCS#12's pkcs-12PbeParams and PKCS#5's
// PBEParameter have the same shape.
type keyPBEParams struct {
	Salt       []byte
	Iterations int
}

// keyDecryptPBES1 decrypts an EncryptedPrivateKeyInfo under a legacy scheme and returns the
// PKCS#8 DER inside. ok is false when alg is not one of keyPBES1Schemes.
func keyDecryptPBES1(info keyEncryptedPKCS8Outline, passphrase func() ([]byte, error)) (plain []byte, ok bool, err error) {
	scheme, ok := keyPBES1Schemes()[info.Algo.Algorithm.String()]
	if !ok {
		return nil, false, nil
	}
	var p keyPBEParams
	if !keyOutline(info.Algo.Parameters.FullBytes, &p) {
		return nil, true, fmt.Errorf("%w: encrypted key: bad %s parameters", ErrMalformed, scheme.name)
	}
	if p.Iterations < 1 || p.Iterations > keyMaxPBKDF2Iterations {
		return nil, true, fmt.Errorf("%w: encrypted key: %s iteration count %d is outside 1..%d", ErrUnsupported, scheme.name, p.Iterations, keyMaxPBKDF2Iterations)
	}
	if !scheme.pkcs12 && len(p.Salt) != 8 {
		return nil, true, fmt.Errorf("%w: encrypted key: %s salt is %d bytes, want 8", ErrMalformed, scheme.name, len(p.Salt))
	}
	// Check the ciphertext before asking for a passphrase.
	const bs = 8 // DES, 3DES and RC2 blocks
	if len(info.Data) == 0 || scheme.newBlock != nil && len(info.Data)%bs != 0 {
		return nil, true, fmt.Errorf("%w: encrypted key: ciphertext of %d bytes is not a whole number of %d-byte blocks", ErrMalformed, len(info.Data), bs)
	}

	pw, err := keyPassphrase(passphrase)
	if err != nil {
		return nil, true, err
	}
	var key, iv []byte
	if scheme.pkcs12 {
		// The PKCS#12 KDF takes the passphrase as big-endian UTF-16 with a 2-byte terminator,
		// as OpenSSL converts a UTF-8 one (surrogate pairs beyond the BMP).
		u := utf16.Encode([]rune(string(pw)))
		bmp := make([]byte, 0, 2*len(u)+2)
		for _, c := range u {
			bmp = append(bmp, byte(c>>8), byte(c))
		}
		bmp = append(bmp, 0, 0)
		key = p12KDF(bmp, p.Salt, p.Iterations, 1, scheme.keyLen)
		if scheme.newBlock != nil {
			iv = p12KDF(bmp, p.Salt, p.Iterations, 2, bs)
		}
		clear(bmp)
	} else {
		// PBKDF1: T = H^c(P || S); the key is its first 8 bytes, the IV the next 8.
		h := scheme.hash()
		h.Write(pw)
		h.Write(p.Salt)
		t := h.Sum(nil)
		for i := 1; i < p.Iterations; i++ {
			h.Reset()
			h.Write(t)
			t = h.Sum(t[:0])
		}
		key, iv = t[:8], t[8:16]
	}
	clear(pw)
	defer clear(key)

	plain = make([]byte, len(info.Data))
	if scheme.newBlock == nil {
		c, err := rc4.NewCipher(key)
		if err != nil {
			return nil, true, fmt.Errorf("x509util: encrypted key: %w", err)
		}
		c.XORKeyStream(plain, info.Data)
		// RC4 has no padding to check: a wrong passphrase shows up as a plaintext that is not
		// PKCS#8, which the caller reports as such.
		return plain, true, nil
	}
	block, err := scheme.newBlock(key)
	if err != nil {
		return nil, true, fmt.Errorf("x509util: encrypted key: %w", err)
	}
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > bs {
		clear(plain)
		return nil, true, ErrIncorrectPassphrase
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			clear(plain)
			return nil, true, ErrIncorrectPassphrase
		}
	}
	return plain[:len(plain)-pad], true, nil
}
