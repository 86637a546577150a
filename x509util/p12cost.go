package x509util

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"
	"sync"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/x509util/internal/rc2"
)

// Bounding the work a PKCS#12 file may ask for. go-pkcs12 runs every key derivation a file
// names with the iteration count the file gives, and a count of 2^31-1 keeps it busy for half
// an hour. p12CheckCost reads the PFX structure with cryptobyte, before go-pkcs12 sees it,
// and refuses any MAC or encryption iteration count outside 1..p12MaxIterations, and a file
// whose derivations add up to more than p12MaxTotalIterations (counting each container once
// per password tried, and its key and IV derivations apart), or with more than
// p12MaxContainers encrypted containers: otherwise many containers at the cap would multiply
// the work. The bounds are far above what any tool writes (OpenSSL 2048, Java 10,000, Windows
// 2000, signet 2048 for the MAC, 600,000 at most elsewhere); the PKCS#12 KDF with SHA-1 runs
// about half a million iterations a second here.
//
// It sees what is outside encryption: the MAC, each encrypted container's own parameters, and
// the key bags of the unencrypted containers (where OpenSSL, Windows, Java, macOS and signet
// put the private key). A key bag inside an encrypted container is only visible once the
// container is decrypted with the password go-pkcs12 will use: p12CheckHidden does that (at
// the cost, already bounded, of the container's own key derivation) for each password
// ParseP12 tries. Structures it does not understand are left for go-pkcs12 to refuse.

var (
	p12OIDData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	p12OIDEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	p12OIDShroudedKey   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	p12OIDSafeContents  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 6}
	p12OIDPBMAC1        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	p12OIDPBEPrefix     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1} // pbeWithSHAAnd...
)

const (
	p12MaxIterations      = 1_000_000
	p12MaxTotalIterations = 2_000_000
	p12MaxContainers      = 4
)

// p12Budget adds up the iterations of the key derivations a file asks for.
type p12Budget struct{ total int64 }

// spend checks one iteration count and adds it (times) to the file's total.
func (b *p12Budget) spend(n int64, times int, what string) error {
	if n < 1 || n > p12MaxIterations {
		return p12CostError(what, fmt.Sprint(n))
	}
	b.total += n * int64(times)
	if b.total > p12MaxTotalIterations {
		return fmt.Errorf("%w: PKCS#12: the key derivations of the file add up to more than %d iterations (at %s)",
			ErrUnsupported, p12MaxTotalIterations, what)
	}
	return nil
}

// p12Encrypted is an encrypted container of a PFX: its number, encryption algorithm and
// ciphertext.
type p12Encrypted struct {
	n    int
	alg  []byte // the AlgorithmIdentifier, DER
	data []byte
}

// p12CheckCost returns an error wrapping ErrUnsupported, naming where, for an iteration count
// signet will not run, and nil otherwise (including for input it cannot follow).
func p12CheckCost(der []byte) error {
	_, err := p12Walk(der, &p12Budget{})
	return err
}

// p12Walk checks every visible count, as p12CheckCost, and returns the encrypted containers.
func p12Walk(der []byte, budget *p12Budget) ([]p12Encrypted, error) {
	var encrypted []p12Encrypted
	in := cryptobyte.String(der)
	var pfx, authSafe cryptobyte.String
	var version int
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) {
		return nil, nil
	}
	if !pfx.Empty() {
		var mac cryptobyte.String
		if pfx.ReadASN1(&mac, cbasn1.SEQUENCE) {
			if err := p12CheckMAC(mac, budget); err != nil {
				return nil, err
			}
		}
	}
	content, ok := p12DataContent(authSafe)
	if !ok {
		return nil, nil
	}
	var safes cryptobyte.String
	if !content.ReadASN1(&safes, cbasn1.SEQUENCE) {
		return nil, nil
	}
	for n := 1; !safes.Empty(); n++ {
		var ci cryptobyte.String
		if !safes.ReadASN1(&ci, cbasn1.SEQUENCE) {
			return encrypted, nil
		}
		var typ asn1.ObjectIdentifier
		var explicit cryptobyte.String
		if !ci.ReadASN1ObjectIdentifier(&typ) || !ci.ReadASN1(&explicit, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			continue
		}
		switch {
		case typ.Equal(p12OIDData):
			var bags cryptobyte.String
			if explicit.ReadASN1(&bags, cbasn1.OCTET_STRING) {
				if err := p12CheckBags(bags, fmt.Sprintf("container %d", n), 0, budget); err != nil {
					return nil, err
				}
			}
		case typ.Equal(p12OIDEncryptedData):
			// EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::= SEQUENCE {
			// contentType, contentEncryptionAlgorithm, [0] IMPLICIT encryptedContent } }
			var ed, eci, alg, algDER, data cryptobyte.String
			var v int
			var ct asn1.ObjectIdentifier
			if explicit.ReadASN1(&ed, cbasn1.SEQUENCE) && ed.ReadASN1Integer(&v) &&
				ed.ReadASN1(&eci, cbasn1.SEQUENCE) && eci.ReadASN1ObjectIdentifier(&ct) && eci.ReadASN1Element(&algDER, cbasn1.SEQUENCE) {
				if whole := algDER; !whole.ReadASN1(&alg, cbasn1.SEQUENCE) {
					continue
				}
				if len(encrypted) >= p12MaxContainers {
					return nil, fmt.Errorf("%w: PKCS#12: more than %d encrypted containers", ErrUnsupported, p12MaxContainers)
				}
				if err := p12CheckAlgorithm(alg, fmt.Sprintf("the encryption of container %d", n), &p12Budget{}); err != nil {
					return nil, err
				}
				if eci.ReadASN1(&data, cbasn1.Tag(0).ContextSpecific()) {
					encrypted = append(encrypted, p12Encrypted{n: n, alg: algDER, data: data})
				}
			}
		}
	}
	return encrypted, nil
}

// p12DataContent returns the OCTET STRING content of a ContentInfo of type id-data.
func p12DataContent(ci cryptobyte.String) (cryptobyte.String, bool) {
	var typ asn1.ObjectIdentifier
	var explicit, content cryptobyte.String
	if !ci.ReadASN1ObjectIdentifier(&typ) || !typ.Equal(p12OIDData) ||
		!ci.ReadASN1(&explicit, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
		!explicit.ReadASN1(&content, cbasn1.OCTET_STRING) {
		return nil, false
	}
	return content, true
}

// p12CheckMAC checks MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING,
// iterations INTEGER DEFAULT 1 }, and the PBKDF2 parameters of a PBMAC1 MAC (RFC 9579).
func p12CheckMAC(mac cryptobyte.String, budget *p12Budget) error {
	var digestInfo, alg, salt cryptobyte.String
	if !mac.ReadASN1(&digestInfo, cbasn1.SEQUENCE) || !digestInfo.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!mac.ReadASN1(&salt, cbasn1.OCTET_STRING) {
		return nil
	}
	iterations := int64(1)
	if mac.PeekASN1Tag(cbasn1.INTEGER) {
		if !mac.ReadASN1Integer(&iterations) {
			return p12CostError("the MAC", "beyond 2^63")
		}
	}
	if err := budget.spend(iterations, 1, "the MAC"); err != nil {
		return err
	}
	var oid asn1.ObjectIdentifier
	if alg.ReadASN1ObjectIdentifier(&oid) && oid.Equal(p12OIDPBMAC1) {
		// PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, messageAuthScheme ... }
		var params, kdf cryptobyte.String
		if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&kdf, cbasn1.SEQUENCE) {
			return p12CheckKDF(kdf, "the MAC", budget)
		}
	}
	return nil
}

// p12CheckBags checks the shrouded key bags of a SafeContents, and nested SafeContents.
func p12CheckBags(der cryptobyte.String, where string, depth int, budget *p12Budget) error {
	var bags cryptobyte.String
	if depth > 4 || !der.ReadASN1(&bags, cbasn1.SEQUENCE) {
		return nil
	}
	for n := 1; !bags.Empty(); n++ {
		var bag, value cryptobyte.String
		var id asn1.ObjectIdentifier
		if !bags.ReadASN1(&bag, cbasn1.SEQUENCE) {
			return nil
		}
		if !bag.ReadASN1ObjectIdentifier(&id) || !bag.ReadASN1(&value, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			continue
		}
		here := fmt.Sprintf("%s, bag %d", where, n)
		switch {
		case id.Equal(p12OIDShroudedKey):
			// EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData }
			var epki, alg cryptobyte.String
			if value.ReadASN1(&epki, cbasn1.SEQUENCE) && epki.ReadASN1(&alg, cbasn1.SEQUENCE) {
				if err := p12CheckAlgorithm(alg, "the private key ("+here+")", budget); err != nil {
					return err
				}
			}
		case id.Equal(p12OIDSafeContents):
			if err := p12CheckBags(value, here, depth+1, budget); err != nil {
				return err
			}
		}
	}
	return nil
}

// p12CheckAlgorithm checks the iteration count of a password-based encryption algorithm:
// PKCS#12's pbeWithSHAAnd... (params SEQUENCE { salt, iterations }) or PBES2 with PBKDF2.
func p12CheckAlgorithm(alg cryptobyte.String, what string, budget *p12Budget) error {
	var oid asn1.ObjectIdentifier
	if !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil
	}
	var params cryptobyte.String
	switch {
	case len(oid) == len(p12OIDPBEPrefix)+1 && oid[:len(p12OIDPBEPrefix)].Equal(p12OIDPBEPrefix):
		var salt cryptobyte.String
		var n int64
		if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&salt, cbasn1.OCTET_STRING) {
			if !params.ReadASN1Integer(&n) {
				return p12CostError(what, "beyond 2^63")
			}
			return budget.spend(n, 2, what) // a key and an IV derivation
		}
	case oid.Equal(keyOIDPBES2):
		var kdf cryptobyte.String
		if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&kdf, cbasn1.SEQUENCE) {
			return p12CheckKDF(kdf, what, budget)
		}
	}
	return nil
}

// p12CheckKDF checks a PBKDF2 AlgorithmIdentifier: PBKDF2-params ::= SEQUENCE { salt CHOICE
// { OCTET STRING, AlgorithmIdentifier }, iterationCount INTEGER, ... }.
func p12CheckKDF(kdf cryptobyte.String, what string, budget *p12Budget) error {
	var oid asn1.ObjectIdentifier
	var params cryptobyte.String
	if !kdf.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(keyOIDPBKDF2) || !kdf.ReadASN1(&params, cbasn1.SEQUENCE) {
		return nil
	}
	var salt cryptobyte.String
	var tag cbasn1.Tag
	var n int64
	if !params.ReadAnyASN1(&salt, &tag) {
		return nil
	}
	if !params.ReadASN1Integer(&n) {
		return p12CostError(what, "beyond 2^63")
	}
	return budget.spend(n, 1, what)
}

// p12CostError says which count is out of bounds.
func p12CostError(what, count string) error {
	return fmt.Errorf("%w: PKCS#12: the iteration count of %s is %s, outside the 1 to %d signet runs",
		ErrUnsupported, what, count, p12MaxIterations)
}

// p12Passwords are the passwords go-pkcs12 may decrypt containers with when given pw: its
// UCS-2 encoding with a zero terminator and, for the empty password, also no bytes at all
// (go-pkcs12 retries a MAC with that). None when pw cannot be encoded: go-pkcs12 then stops.
func p12Passwords(pw []byte) [][]byte {
	var b []byte
	for _, r := range string(pw) {
		if r >= 0x10000 {
			return nil
		}
		b = append(b, byte(r>>8), byte(r))
	}
	b = append(b, 0, 0)
	if len(pw) == 0 {
		return [][]byte{b, nil}
	}
	return [][]byte{b}
}

// p12CheckHidden decrypts each encrypted container of der with each of the passwords (as
// p12Passwords gives them) and checks the key bags inside as p12CheckCost checks the visible
// ones. A container that does not decrypt to SafeContents with a password is one go-pkcs12
// cannot read with it either (it fails there, before any key bag).
func p12CheckHidden(der []byte, passwords [][]byte) error {
	budget := &p12Budget{}
	containers, err := p12Walk(der, budget)
	if err != nil {
		return err
	}
	// Every container's derivation, once per password, is counted before any runs.
	for _, c := range containers {
		alg := cryptobyte.String(c.alg)
		var inner cryptobyte.String
		if !alg.ReadASN1(&inner, cbasn1.SEQUENCE) {
			continue
		}
		for range passwords {
			if err := p12CheckAlgorithm(inner, fmt.Sprintf("the encryption of container %d", c.n), budget); err != nil {
				return err
			}
		}
	}
	for _, c := range containers {
		for _, pw := range passwords {
			plain, ok := p12Decrypt(c.alg, c.data, pw)
			if !ok {
				continue
			}
			err := p12CheckBags(cryptobyte.String(plain), fmt.Sprintf("encrypted container %d", c.n), 0, budget)
			clear(plain)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// PKCS#12 PBE algorithms go-pkcs12 decrypts (RFC 7292 appendix C), and what they need.
var p12PBECiphers = sync.OnceValue(func() map[string]struct {
	keyLen   int
	rc2Bits  int // 0 for 3DES
	newBlock func(key []byte, bits int) (cipher.Block, error)
} {
	return map[string]struct {
		keyLen   int
		rc2Bits  int // 0 for 3DES
		newBlock func(key []byte, bits int) (cipher.Block, error)
	}{
		"1.2.840.113549.1.12.1.3": {24, 0, func(k []byte, _ int) (cipher.Block, error) { return des.NewTripleDESCipher(k) }},
		"1.2.840.113549.1.12.1.5": {16, 128, rc2.New},
		"1.2.840.113549.1.12.1.6": {5, 40, rc2.New},
	}
})

// p12Decrypt decrypts a container as go-pkcs12 would, with the same structures and rules
// (encoding/asn1 for the parameters, PKCS#7 padding); ok is false where it would fail.
func p12Decrypt(algDER, data, pw []byte) ([]byte, bool) {
	var alg pkix.AlgorithmIdentifier
	if rest, err := asn1.Unmarshal(algDER, &alg); err != nil || len(rest) > 0 {
		return nil, false
	}
	var block cipher.Block
	var iv []byte
	if c, ok := p12PBECiphers()[alg.Algorithm.String()]; ok {
		var params struct {
			Salt       []byte
			Iterations int
		}
		if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params); err != nil || len(rest) > 0 ||
			params.Iterations < 1 || params.Iterations > p12MaxIterations {
			return nil, false
		}
		if len(data) == 0 || len(data)%8 != 0 {
			return nil, false // not a whole number of 3DES or RC2 blocks: nothing to derive for
		}
		key := p12KDF(pw, params.Salt, params.Iterations, 1, c.keyLen)
		iv = p12KDF(pw, params.Salt, params.Iterations, 2, 8)
		var err error
		if block, err = c.newBlock(key, c.rc2Bits); err != nil {
			return nil, false
		}
	} else if alg.Algorithm.Equal(keyOIDPBES2) {
		// PBES2 takes the password as UTF-8, without the terminator (go-pkcs12 decodes it).
		var utf8pw []byte
		if len(pw) >= 2 {
			u := make([]uint16, 0, len(pw)/2)
			for i := 0; i+1 < len(pw)-2; i += 2 {
				u = append(u, uint16(pw[i])<<8|uint16(pw[i+1]))
			}
			utf8pw = []byte(string(utf16.Decode(u)))
		}
		var params struct {
			KDF, Enc pkix.AlgorithmIdentifier
		}
		var kdf struct {
			Salt       asn1.RawValue
			Iterations int
			KeyLength  int                      `asn1:"optional"`
			PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
		}
		if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params); err != nil || len(rest) > 0 || !params.KDF.Algorithm.Equal(keyOIDPBKDF2) {
			return nil, false
		}
		if rest, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil || len(rest) > 0 ||
			kdf.Salt.Tag != asn1.TagOctetString || kdf.Iterations < 1 || kdf.Iterations > p12MaxIterations {
			return nil, false
		}
		if len(data) == 0 || len(data)%aes.BlockSize != 0 {
			return nil, false
		}
		prf := map[string]func() hash.Hash{"": sha1.New, "1.2.840.113549.2.7": sha1.New, "1.2.840.113549.2.9": sha256.New, "1.2.840.113549.2.11": sha512.New}[p12OIDString(kdf.PRF.Algorithm)]
		keyLen := map[string]int{"2.16.840.1.101.3.4.1.2": 16, "2.16.840.1.101.3.4.1.22": 24, "2.16.840.1.101.3.4.1.42": 32}[params.Enc.Algorithm.String()]
		if prf == nil || keyLen == 0 {
			return nil, false
		}
		key, err := pbkdf2.Key(prf, string(utf8pw), kdf.Salt.Bytes, kdf.Iterations, keyLen)
		if err != nil {
			return nil, false
		}
		if block, err = aes.NewCipher(key); err != nil {
			return nil, false
		}
		iv = params.Enc.Parameters.Bytes
	} else {
		return nil, false
	}
	bs := block.BlockSize()
	if len(iv) != bs || len(data) == 0 || len(data)%bs != 0 {
		return nil, false
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > bs {
		return nil, false
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, false
		}
	}
	return plain[:len(plain)-pad], true
}

func p12OIDString(oid asn1.ObjectIdentifier) string {
	if len(oid) == 0 {
		return ""
	}
	return oid.String()
}

// p12KDF is the PKCS#12 key derivation with SHA-1 (RFC 7292 appendix B.2): size bytes for the
// purpose id (1 key, 2 IV) from a UCS-2 password and a salt.
func p12KDF(password, salt []byte, iterations int, id byte, size int) []byte {
	const u, v = sha1.Size, 64
	fill := func(p []byte) []byte {
		if len(p) == 0 {
			return nil
		}
		n := v * ((len(p) + v - 1) / v)
		return bytes.Repeat(p, (n+len(p)-1)/len(p))[:n]
	}
	d := bytes.Repeat([]byte{id}, v)
	in := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < size {
		h := sha1.New()
		h.Write(d)
		h.Write(in)
		a := h.Sum(nil)
		for j := 1; j < iterations; j++ {
			s := sha1.Sum(a)
			a = s[:]
		}
		out = append(out, a...)
		if len(out) >= size {
			break
		}
		// I_j = (I_j + B + 1) mod 2^v for each v-byte block of I, B being a repeated to v bytes.
		b := fill(a)
		for j := 0; j < len(in); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	return out[:size]
}
