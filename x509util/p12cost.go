package x509util

import (
	"encoding/asn1"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Bounding the work a PKCS#12 file may ask for. go-pkcs12 runs every key derivation a file
// names with the iteration count the file gives, and a count of 2^31-1 keeps it busy for half
// an hour. p12CheckCost reads the PFX structure with cryptobyte, before go-pkcs12 sees it,
// and refuses any MAC or encryption iteration count outside 1..keyMaxPBKDF2Iterations, the
// bound of the PKCS#8 reader (pbes2.go): far above what any tool writes (OpenSSL 2048, Java
// 10,000, Windows 2000, signet 2048 for the MAC, 600,000 at most elsewhere).
//
// It sees what is outside encryption: the MAC, each encrypted container's own parameters, and
// the key bags of the unencrypted containers (where OpenSSL, Windows, Java, macOS and signet
// put the private key). Structures it does not understand are left for go-pkcs12 to refuse.

var (
	p12OIDData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	p12OIDEncryptedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	p12OIDShroudedKey   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	p12OIDSafeContents  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 6}
	p12OIDPBMAC1        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
	p12OIDPBEPrefix     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1} // pbeWithSHAAnd...
)

// p12CheckCost returns an error wrapping ErrUnsupported, naming where, for an iteration count
// signet will not run, and nil otherwise (including for input it cannot follow).
func p12CheckCost(der []byte) error {
	in := cryptobyte.String(der)
	var pfx, authSafe cryptobyte.String
	var version int
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) {
		return nil
	}
	if !pfx.Empty() {
		var mac cryptobyte.String
		if pfx.ReadASN1(&mac, cbasn1.SEQUENCE) {
			if err := p12CheckMAC(mac); err != nil {
				return err
			}
		}
	}
	content, ok := p12DataContent(authSafe)
	if !ok {
		return nil
	}
	var safes cryptobyte.String
	if !content.ReadASN1(&safes, cbasn1.SEQUENCE) {
		return nil
	}
	for n := 1; !safes.Empty(); n++ {
		var ci cryptobyte.String
		if !safes.ReadASN1(&ci, cbasn1.SEQUENCE) {
			return nil
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
				if err := p12CheckBags(bags, fmt.Sprintf("container %d", n), 0); err != nil {
					return err
				}
			}
		case typ.Equal(p12OIDEncryptedData):
			// EncryptedData ::= SEQUENCE { version, EncryptedContentInfo ::= SEQUENCE {
			// contentType, contentEncryptionAlgorithm, [0] IMPLICIT encryptedContent } }
			var ed, eci, alg cryptobyte.String
			var v int
			var ct asn1.ObjectIdentifier
			if explicit.ReadASN1(&ed, cbasn1.SEQUENCE) && ed.ReadASN1Integer(&v) &&
				ed.ReadASN1(&eci, cbasn1.SEQUENCE) && eci.ReadASN1ObjectIdentifier(&ct) && eci.ReadASN1(&alg, cbasn1.SEQUENCE) {
				if err := p12CheckAlgorithm(alg, fmt.Sprintf("the encryption of container %d", n)); err != nil {
					return err
				}
			}
		}
	}
	return nil
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
func p12CheckMAC(mac cryptobyte.String) error {
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
	if err := p12CheckCount(iterations, "the MAC"); err != nil {
		return err
	}
	var oid asn1.ObjectIdentifier
	if alg.ReadASN1ObjectIdentifier(&oid) && oid.Equal(p12OIDPBMAC1) {
		// PBMAC1-params ::= SEQUENCE { keyDerivationFunc AlgorithmIdentifier, messageAuthScheme ... }
		var params, kdf cryptobyte.String
		if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&kdf, cbasn1.SEQUENCE) {
			return p12CheckKDF(kdf, "the MAC")
		}
	}
	return nil
}

// p12CheckBags checks the shrouded key bags of a SafeContents, and nested SafeContents.
func p12CheckBags(der cryptobyte.String, where string, depth int) error {
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
				if err := p12CheckAlgorithm(alg, "the private key ("+here+")"); err != nil {
					return err
				}
			}
		case id.Equal(p12OIDSafeContents):
			if err := p12CheckBags(value, here, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// p12CheckAlgorithm checks the iteration count of a password-based encryption algorithm:
// PKCS#12's pbeWithSHAAnd... (params SEQUENCE { salt, iterations }) or PBES2 with PBKDF2.
func p12CheckAlgorithm(alg cryptobyte.String, what string) error {
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
			return p12CheckCount(n, what)
		}
	case oid.Equal(keyOIDPBES2):
		var kdf cryptobyte.String
		if alg.ReadASN1(&params, cbasn1.SEQUENCE) && params.ReadASN1(&kdf, cbasn1.SEQUENCE) {
			return p12CheckKDF(kdf, what)
		}
	}
	return nil
}

// p12CheckKDF checks a PBKDF2 AlgorithmIdentifier: PBKDF2-params ::= SEQUENCE { salt CHOICE
// { OCTET STRING, AlgorithmIdentifier }, iterationCount INTEGER, ... }.
func p12CheckKDF(kdf cryptobyte.String, what string) error {
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
	return p12CheckCount(n, what)
}

func p12CheckCount(n int64, what string) error {
	if n < 1 || n > keyMaxPBKDF2Iterations {
		return p12CostError(what, fmt.Sprint(n))
	}
	return nil
}

// p12CostError says which count is out of bounds.
func p12CostError(what, count string) error {
	return fmt.Errorf("%w: PKCS#12: the iteration count of %s is %s, outside the 1 to %d signet runs",
		ErrUnsupported, what, count, keyMaxPBKDF2Iterations)
}
