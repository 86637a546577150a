// Package sshkey reads the keys of OpenSSH's own formats that signet signs with: public key
// blobs (RFC 4253 section 6.6, RFC 5656 section 3.1, RFC 8709 section 4) and the private
// section of an "openssh-key-v1" file (OpenSSH's PROTOCOL.key), decrypted with bcrypt-pbkdf
// and AES-256 in CTR or CBC mode.
//
// Why not golang.org/x/crypto/ssh, which signet used before (measured, issue 15): linking it
// runs its package initialisation at every start of signet, whatever the command: 0.12-0.2 ms
// and 218 allocations (17.7 KB) building its tables of key exchanges, ciphers and MACs, which
// signet never uses. Without it `signet --version` took 0.95× the time and 0.96× the CPU
// time of the build with it (401 alternating pairs, both binaries written to disk the same
// way), with 25 fewer page faults in a run (490 against 515). What signet needs of it is
// this package: three key types, one container and its KDF, read with cryptobyte;
// x/crypto/ssh stays in the tests, which hold this package to it.
//
// bcrypt-pbkdf (OpenBSD's bcrypt_pbkdf(3)) is x/crypto/ssh's internal package of the same
// name, which cannot be imported, rewritten over golang.org/x/crypto/blowfish; keys made by
// ssh-keygen, and the known answers of the tests, check it.
package sshkey

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha512"
	"errors"
	"fmt"
	"math/big"
	"strings"

	//lint:ignore SA1019 bcrypt-pbkdf is defined over Blowfish: OpenSSH's key files use it
	"golang.org/x/crypto/blowfish"
	"golang.org/x/crypto/cryptobyte"
)

// The key types this package reads (their names in blobs and in authorized_keys lines).
const (
	TypeRSA       = "ssh-rsa"
	TypeEd25519   = "ssh-ed25519"
	TypeECDSAP256 = "ecdsa-sha2-nistp256"
	TypeECDSAP384 = "ecdsa-sha2-nistp384"
	TypeECDSAP521 = "ecdsa-sha2-nistp521"
)

// ErrIncorrectPassphrase: the check integers of a decrypted private section differ, which is
// what a wrong passphrase gives (all but once in 2^32).
var ErrIncorrectPassphrase = errors.New("sshkey: incorrect passphrase")

// UnsupportedTypeError is a key of a type this package does not read; Certificate is set for
// an OpenSSH certificate ("...-cert-v01@openssh.com").
type UnsupportedTypeError struct {
	Type        string
	Certificate bool
}

func (e *UnsupportedTypeError) Error() string {
	if e.Certificate {
		return "an OpenSSH certificate (" + e.Type + ")"
	}
	return "key type " + e.Type
}

// ReadString reads an SSH string (RFC 4251 section 5: a uint32 length, then the bytes).
func ReadString(s *cryptobyte.String, out *[]byte) bool {
	var n uint32
	if !s.ReadUint32(&n) || int64(n) > int64(len(*s)) {
		return false
	}
	return s.ReadBytes(out, int(n))
}

// readMPInt reads an SSH mpint that must not be negative (RFC 4251 section 5).
func readMPInt(s *cryptobyte.String) (*big.Int, bool) {
	var b []byte
	if !ReadString(s, &b) || (len(b) > 0 && b[0]&0x80 != 0) {
		return nil, false
	}
	return new(big.Int).SetBytes(b), true
}

// curve is the curve of an ECDSA key type and its name in the blob.
func curve(typ string) (id string, c elliptic.Curve) {
	switch typ {
	case TypeECDSAP256:
		return "nistp256", elliptic.P256()
	case TypeECDSAP384:
		return "nistp384", elliptic.P384()
	case TypeECDSAP521:
		return "nistp521", elliptic.P521()
	}
	return "", nil
}

// maxRSABits is the largest RSA modulus read: ssh-keygen makes none larger (-b caps at 16384),
// and x/crypto/ssh refuses larger ones too.
const maxRSABits = 16384

// ParsePublicKey reads a public key blob, all of it: an *rsa.PublicKey, an *ecdsa.PublicKey
// or an ed25519.PublicKey, and the blob's type. A type it does not read is an
// *UnsupportedTypeError; anything else wrong, an error that says what.
func ParsePublicKey(blob []byte) (crypto.PublicKey, string, error) {
	s := cryptobyte.String(blob)
	var t []byte
	if !ReadString(&s, &t) {
		return nil, "", errors.New("truncated key blob")
	}
	typ := string(t)
	pub, err := readPublic(&s, typ)
	if err != nil {
		return nil, typ, err
	}
	if !s.Empty() {
		return nil, typ, fmt.Errorf("%s key blob: %d bytes after the key", typ, len(s))
	}
	return pub, typ, nil
}

// readPublic reads the fields of a public key of type typ (after its name), as the same
// fields stand in a blob and at the start of a private section.
func readPublic(s *cryptobyte.String, typ string) (crypto.PublicKey, error) {
	switch typ {
	case TypeRSA:
		e, ok1 := readMPInt(s)
		n, ok2 := readMPInt(s)
		if !ok1 || !ok2 {
			return nil, errors.New("ssh-rsa key: malformed exponent or modulus")
		}
		return rsaPublic(n, e)
	case TypeEd25519:
		var k []byte
		if !ReadString(s, &k) || len(k) != ed25519.PublicKeySize {
			return nil, errors.New("ssh-ed25519 key: not 32 bytes")
		}
		return ed25519.PublicKey(bytes.Clone(k)), nil
	case TypeECDSAP256, TypeECDSAP384, TypeECDSAP521:
		cid, c := curve(typ)
		var id, q []byte
		if !ReadString(s, &id) || !ReadString(s, &q) {
			return nil, fmt.Errorf("%s key: truncated", typ)
		}
		if string(id) != cid {
			return nil, fmt.Errorf("%s key on curve %q", typ, id)
		}
		k, err := ecdsa.ParseUncompressedPublicKey(c, q)
		if err != nil {
			return nil, fmt.Errorf("%s key: not a point of the curve", typ)
		}
		return k, nil
	}
	return nil, &UnsupportedTypeError{Type: typ, Certificate: strings.HasSuffix(typ, "-cert-v01@openssh.com")}
}

// rsaPublic checks an RSA public key as x/crypto/ssh does: a modulus of at most 16384 bits,
// an odd exponent from 3 to 2^24.
func rsaPublic(n, e *big.Int) (*rsa.PublicKey, error) {
	if n.Sign() == 0 || n.BitLen() > maxRSABits {
		return nil, fmt.Errorf("ssh-rsa key: a modulus of %d bits", n.BitLen())
	}
	if e.BitLen() > 24 || e.Int64() < 3 || e.Bit(0) == 0 {
		return nil, errors.New("ssh-rsa key: an exponent that is not odd, 3 to 2^24")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// Decrypt decrypts the private section of an openssh-key-v1 file in place with the key and
// IV that bcrypt-pbkdf derived (32 + 16 bytes), for cipherName "aes256-ctr" or "aes256-cbc".
func Decrypt(cipherName string, keyIV, section []byte) error {
	if len(keyIV) != 32+aes.BlockSize {
		return errors.New("sshkey: key and IV of the wrong length")
	}
	block, err := aes.NewCipher(keyIV[:32])
	if err != nil {
		return err
	}
	iv := keyIV[32:]
	switch cipherName {
	case "aes256-ctr":
		cipher.NewCTR(block, iv).XORKeyStream(section, section)
	case "aes256-cbc":
		if len(section)%aes.BlockSize != 0 {
			return errors.New("encrypted section not a whole number of AES blocks")
		}
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(section, section)
	default:
		return fmt.Errorf("cipher %q", cipherName)
	}
	return nil
}

// ParsePrivate reads the private section of an openssh-key-v1 file (decrypted): its two
// check integers, one key of a type ParsePublicKey reads, its comment and the padding
// (1, 2, 3, ...). Check integers that differ are ErrIncorrectPassphrase when encrypted is set.
// The key is checked for consistency (an RSA key's primes, an Ed25519 key's public half, an
// ECDSA key's point); the caller compares it with the file's public key.
func ParsePrivate(section []byte, encrypted bool) (crypto.Signer, error) {
	s := cryptobyte.String(section)
	var check1, check2 uint32
	if !s.ReadUint32(&check1) || !s.ReadUint32(&check2) {
		return nil, errors.New("truncated private section")
	}
	if check1 != check2 {
		if encrypted {
			return nil, ErrIncorrectPassphrase
		}
		return nil, errors.New("check integers differ")
	}
	var t []byte
	if !ReadString(&s, &t) {
		return nil, errors.New("truncated private section")
	}
	typ := string(t)
	var signer crypto.Signer
	switch typ {
	case TypeRSA:
		// n, e, d, iqmp, p, q (PROTOCOL.key; not the order of the public blob)
		var v [6]*big.Int
		for i := range v {
			var ok bool
			if v[i], ok = readMPInt(&s); !ok {
				return nil, errors.New("ssh-rsa private key: malformed integer")
			}
		}
		pub, err := rsaPublic(v[0], v[1])
		if err != nil {
			return nil, err
		}
		// crypto/rsa computes q⁻¹ mod p by exponentiation before it checks p·q = n, in time
		// cubic in p's length (87 s for a p of 32768 bits): the primes are bounded, as
		// x/crypto/ssh bounds them, and checked against n first.
		p, q := v[4], v[5]
		if p.BitLen() > maxRSABits/2 || q.BitLen() > maxRSABits/2 || new(big.Int).Mul(p, q).Cmp(pub.N) != 0 {
			return nil, errors.New("ssh-rsa private key: its primes are not its modulus's factors")
		}
		k := &rsa.PrivateKey{PublicKey: *pub, D: v[2], Primes: []*big.Int{p, q}}
		// Precompute first: Validate then checks the values it computed, not its own again.
		k.Precompute()
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("ssh-rsa private key: %v", err)
		}
		signer = k
	case TypeEd25519:
		var pub, priv []byte
		if !ReadString(&s, &pub) || !ReadString(&s, &priv) || len(pub) != ed25519.PublicKeySize || len(priv) != ed25519.PrivateKeySize {
			return nil, errors.New("ssh-ed25519 private key: malformed")
		}
		k := ed25519.NewKeyFromSeed(priv[:ed25519.SeedSize])
		if !bytes.Equal(k, priv) || !bytes.Equal(k[ed25519.SeedSize:], pub) {
			return nil, errors.New("ssh-ed25519 private key: its halves disagree")
		}
		signer = k
	case TypeECDSAP256, TypeECDSAP384, TypeECDSAP521:
		pub, err := readPublic(&s, typ)
		if err != nil {
			return nil, err
		}
		d, ok := readMPInt(&s)
		_, c := curve(typ)
		size := (c.Params().N.BitLen() + 7) / 8
		if !ok || d.BitLen() > 8*size {
			return nil, fmt.Errorf("%s private key: malformed scalar", typ)
		}
		k, err := ecdsa.ParseRawPrivateKey(c, d.FillBytes(make([]byte, size)))
		if err != nil {
			return nil, fmt.Errorf("%s private key: %v", typ, err)
		}
		if !k.PublicKey.Equal(pub) {
			return nil, fmt.Errorf("%s private key: its point is not its scalar's", typ)
		}
		signer = k
	default:
		return nil, &UnsupportedTypeError{Type: typ}
	}
	var comment []byte
	if !ReadString(&s, &comment) {
		return nil, errors.New("truncated private section")
	}
	for i, b := range s {
		if int(b) != i+1 {
			return nil, errors.New("private section: its padding is not the bytes 1, 2, 3 and so on")
		}
	}
	return signer, nil
}

// BcryptPBKDF derives keyLen bytes from password and salt with rounds rounds, as OpenBSD's
// bcrypt_pbkdf(3) (and x/crypto/ssh/internal/bcrypt_pbkdf, its Go form) does. rounds must
// be at least 1 and the salt 1 byte to 1 MiB long; keyLen at most 1024.
func BcryptPBKDF(password, salt []byte, rounds, keyLen int) ([]byte, error) {
	if rounds < 1 || len(salt) == 0 || len(salt) > 1<<20 || keyLen < 1 || keyLen > 1024 {
		return nil, errors.New("bcrypt-pbkdf: rounds, salt or key length out of range")
	}
	const blockSize = 32
	numBlocks := (keyLen + blockSize - 1) / blockSize
	key := make([]byte, numBlocks*blockSize)
	h := sha512.New()
	h.Write(password)
	shapass := h.Sum(nil)
	shasalt := make([]byte, 0, sha512.Size)
	tmp := make([]byte, blockSize)
	out := make([]byte, blockSize)
	for block := 1; block <= numBlocks; block++ {
		h.Reset()
		h.Write(salt)
		h.Write([]byte{byte(block >> 24), byte(block >> 16), byte(block >> 8), byte(block)})
		bcryptHash(tmp, shapass, h.Sum(shasalt))
		copy(out, tmp)
		for i := 2; i <= rounds; i++ {
			h.Reset()
			h.Write(tmp)
			bcryptHash(tmp, shapass, h.Sum(shasalt))
			for j := range out {
				out[j] ^= tmp[j]
			}
		}
		// The output is spread: byte i of block b goes to i*numBlocks + b - 1.
		for i, v := range out {
			key[i*numBlocks+block-1] = v
		}
	}
	clear(shapass)
	clear(tmp)
	clear(out) // the last block of key material, as the caller clears the key
	return key[:keyLen], nil
}

// bcryptHash is bcrypt_pbkdf's inner hash: a Blowfish state keyed by the hashed password
// and salt (64 rounds of the expensive key schedule), encrypting the 32-byte magic 64 times.
func bcryptHash(out, shapass, shasalt []byte) {
	c, err := blowfish.NewSaltedCipher(shapass, shasalt)
	if err != nil {
		panic(err) // shapass is 64 bytes, never empty
	}
	for range 64 {
		blowfish.ExpandKey(shasalt, c)
		blowfish.ExpandKey(shapass, c)
	}
	copy(out, "OxychromaticBlowfishSwatDynamite")
	for i := 0; i < 32; i += 8 {
		for range 64 {
			c.Encrypt(out[i:i+8], out[i:i+8])
		}
	}
	// OpenBSD's bcrypt_pbkdf reads the words little-endian.
	for i := 0; i < 32; i += 4 {
		out[i], out[i+1], out[i+2], out[i+3] = out[i+3], out[i+2], out[i+1], out[i]
	}
}
