package x509util

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"software.sslmate.com/src/go-pkcs12"
)

// P12Options chooses how a PKCS#12 file is protected.
type P12Options struct {
	// Legacy selects 3DES and SHA-1 (PBE-SHA1-3DES, the strongest encoding that Windows before
	// Server 2019 and old Java and macOS releases import). The zero value is AES-256-CBC with
	// PBKDF2-HMAC-SHA256 and a SHA-256 MAC.
	Legacy bool
	// NoPassphrase writes the file under the empty password (as openssl pkcs12 -export
	// -passout pass: does), which anyone reads: the key is as good as in the clear. It is a
	// choice, never a default: without it an empty passphrase is refused.
	NoPassphrase bool
}

// EncodeP12 bundles a private key, its certificate and the issuer chain into a PKCS#12 file
// protected by passphrase. Errors wrap ErrKeyMismatch (no key or certificate, a nil
// certificate in chain, a key the certificate does not certify), ErrUnsupported (a
// passphrase a BMPString cannot hold) or ErrEmptyPassphrase (an empty passphrase without
// opts.NoPassphrase, or a passphrase with it).
func EncodeP12(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, passphrase []byte, opts P12Options) ([]byte, error) {
	if key == nil || cert == nil || slices.Contains(chain, nil) {
		return nil, fmt.Errorf("%w: PKCS#12 needs a key and its certificate, and no nil certificate in the chain", ErrKeyMismatch)
	}
	if !PublicKeysEqual(cert.PublicKey, key.Public()) {
		return nil, fmt.Errorf("%w: the key does not belong to the certificate %q", ErrKeyMismatch, FormatName(cert.Subject))
	}
	switch {
	case len(passphrase) == 0 && !opts.NoPassphrase:
		return nil, fmt.Errorf("%w: a PKCS#12 file under the empty passphrase holds its key for anyone to read; choose that explicitly (NoPassphrase) or give a passphrase", ErrEmptyPassphrase)
	case len(passphrase) > 0 && opts.NoPassphrase:
		return nil, fmt.Errorf("%w: PKCS#12: a passphrase was given with the choice of none (NoPassphrase)", ErrEmptyPassphrase)
	}
	if err := p12CheckPassphrase(passphrase); err != nil {
		return nil, err
	}
	enc := pkcs12.Modern2023
	if opts.Legacy {
		enc = pkcs12.LegacyDES
	}
	der, err := enc.Encode(key, cert, chain, string(passphrase))
	if err != nil {
		return nil, fmt.Errorf("x509util: encode PKCS#12: %w", err)
	}
	return der, nil
}

// p12CheckPassphrase refuses a passphrase with a character beyond U+FFFF: RFC 7292 takes the
// password as a BMPString, which cannot hold it, and go-pkcs12 refuses to encode it (openssl
// writes it in UTF-16, with a surrogate pair).
func p12CheckPassphrase(pw []byte) error {
	for _, r := range string(pw) {
		if r > 0xFFFF {
			return fmt.Errorf("%w: PKCS#12: the passphrase has a character beyond U+FFFF, which signet cannot use in a PKCS#12 file (a BMPString, RFC 7292 appendix B.1)", ErrUnsupported)
		}
	}
	return nil
}

// p12NeedsPassword reports whether der has something encrypted: an encrypted container or a
// shrouded key bag.
func p12NeedsPassword(der []byte) bool {
	containers, err := p12Walk(der, &p12Budget{})
	return err == nil && len(containers) > 0 || len(p12ShroudedKeys(der)) > 0
}

// p12Skeleton says what is wrong with the outside of der's PFX, "" when nothing is or it is
// not id-data (go-pkcs12 then says what it does not read). go-pkcs12 reads the authSafe's
// content into an asn1.RawValue, whatever its tag, and encoding/asn1 ignores elements after
// those it expects; the MAC covers only the content's octets. A file with another tag there,
// or with more elements (a MAC moved inside the authSafe, so that the file seems to have none),
// which openssl refuses, would be read.
func p12Skeleton(der []byte) string {
	in := cryptobyte.String(der)
	var pfx, authSafe, explicit, content cryptobyte.String
	var version int
	var typ asn1.ObjectIdentifier
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) ||
		!authSafe.ReadASN1ObjectIdentifier(&typ) || !typ.Equal(p12OIDData) ||
		!authSafe.ReadASN1(&explicit, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return ""
	}
	switch {
	case !explicit.ReadASN1(&content, cbasn1.OCTET_STRING):
		return "the authenticated safe (id-data) does not hold an OCTET STRING"
	case !explicit.Empty() || !authSafe.Empty():
		return "the authenticated safe has more than its content"
	case !pfx.Empty() && (!pfx.SkipASN1(cbasn1.SEQUENCE) || !pfx.Empty()):
		return "the PFX has more than its authenticated safe and MAC"
	}
	return ""
}

// p12HasMAC reports whether der's PFX has macData after its authSafe.
func p12HasMAC(der []byte) bool {
	in := cryptobyte.String(der)
	var pfx cryptobyte.String
	var version int
	return in.ReadASN1(&pfx, cbasn1.SEQUENCE) && pfx.ReadASN1Integer(&version) &&
		pfx.SkipASN1(cbasn1.SEQUENCE) && pfx.PeekASN1Tag(cbasn1.SEQUENCE)
}

// p12Unimplemented returns the algorithm of a password-based encryption (an
// AlgorithmIdentifier, DER) that go-pkcs12 does not implement, named, and "" when it implements
// them all or the structure is not one it could read anyway (it then says so itself).
func p12Unimplemented(algDER []byte) string {
	name := func(oid asn1.ObjectIdentifier) string {
		if c, ok := keyPBECiphers()[oid.String()]; ok {
			return c.name + " (" + oid.String() + ")"
		}
		if s, ok := keyPBES1Schemes()[oid.String()]; ok {
			return s.name + " (" + oid.String() + ")"
		}
		return oid.String()
	}
	var alg pkix.AlgorithmIdentifier
	if rest, err := asn1.Unmarshal(algDER, &alg); err != nil || len(rest) > 0 {
		return ""
	}
	if _, ok := p12PBECiphers()[alg.Algorithm.String()]; ok {
		return ""
	}
	if !alg.Algorithm.Equal(keyOIDPBES2) {
		return name(alg.Algorithm)
	}
	var params struct{ KDF, Enc pkix.AlgorithmIdentifier }
	if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &params); err != nil || len(rest) > 0 {
		return ""
	}
	if !params.KDF.Algorithm.Equal(keyOIDPBKDF2) {
		return "PBES2 with " + name(params.KDF.Algorithm)
	}
	var kdf struct {
		Salt       asn1.RawValue
		Iterations int
		KeyLength  int                      `asn1:"optional"`
		PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
	}
	if rest, err := asn1.Unmarshal(params.KDF.Parameters.FullBytes, &kdf); err != nil || len(rest) > 0 {
		return ""
	}
	switch p12OIDString(kdf.PRF.Algorithm) {
	case "", "1.2.840.113549.2.7", "1.2.840.113549.2.9", "1.2.840.113549.2.11": // none (SHA-1), SHA-1, SHA-256, SHA-512
	default:
		return "PBES2 with the PBKDF2 PRF " + kdf.PRF.Algorithm.String()
	}
	switch params.Enc.Algorithm.String() {
	case "2.16.840.1.101.3.4.1.2", "2.16.840.1.101.3.4.1.22", "2.16.840.1.101.3.4.1.42": // AES-128/192/256-CBC
		return ""
	}
	return "PBES2 with " + name(params.Enc.Algorithm)
}

// errP12MAC stands for a MAC that fails with a passphrase that decrypts the file.
var errP12MAC = errors.New("PKCS#12 MAC")

// p12PassphraseOpens reports whether pw decrypts one of der's encrypted containers to
// SafeContents, or one of the shrouded key bags of its plain containers to a PKCS#8
// structure: whole, well-formed DER behind valid padding, which a wrong passphrase all but
// never gives. It is asked only after the MAC failed; the derivations it runs are those
// p12CheckHidden already held to signet's bounds.
func p12PassphraseOpens(der, pw []byte) bool {
	containers, err := p12Walk(der, &p12Budget{})
	if err != nil {
		return false
	}
	wellFormed := func(plain []byte, first cbasn1.Tag) bool {
		s := cryptobyte.String(plain)
		var inner cryptobyte.String
		return s.ReadASN1(&inner, cbasn1.SEQUENCE) && s.Empty() && inner.PeekASN1Tag(first)
	}
	for _, pwv := range p12Passwords(pw) {
		for _, c := range containers {
			if plain, ok := p12Decrypt(c.alg, c.data, pwv); ok {
				good := wellFormed(plain, cbasn1.SEQUENCE)
				clear(plain)
				if good {
					return true
				}
			}
		}
		for _, k := range p12ShroudedKeys(der) {
			if plain, ok := p12Decrypt(k.alg, k.data, pwv); ok {
				good := wellFormed(plain, cbasn1.INTEGER)
				clear(plain)
				if good {
					return true
				}
			}
		}
	}
	return false
}

// p12ShroudedKeys returns the shrouded key bags (EncryptedPrivateKeyInfo) of der's plain
// containers, at most p12MaxContainers of them.
func p12ShroudedKeys(der []byte) []p12Encrypted {
	var keys []p12Encrypted
	in := cryptobyte.String(der)
	var pfx, authSafe, safes cryptobyte.String
	var version int
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) {
		return nil
	}
	content, ok := p12DataContent(authSafe)
	if !ok || !content.ReadASN1(&safes, cbasn1.SEQUENCE) {
		return nil
	}
	for !safes.Empty() && len(keys) < p12MaxContainers {
		var ci cryptobyte.String
		if !safes.ReadASN1(&ci, cbasn1.SEQUENCE) {
			break
		}
		bagsDER, ok := p12DataContent(ci)
		var bags cryptobyte.String
		if !ok || !bagsDER.ReadASN1(&bags, cbasn1.SEQUENCE) {
			continue
		}
		for !bags.Empty() && len(keys) < p12MaxContainers {
			var bag, value, epki, alg, data cryptobyte.String
			var id asn1.ObjectIdentifier
			if !bags.ReadASN1(&bag, cbasn1.SEQUENCE) {
				break
			}
			if bag.ReadASN1ObjectIdentifier(&id) && id.Equal(p12OIDShroudedKey) &&
				bag.ReadASN1(&value, cbasn1.Tag(0).ContextSpecific().Constructed()) &&
				value.ReadASN1(&epki, cbasn1.SEQUENCE) && epki.ReadASN1Element(&alg, cbasn1.SEQUENCE) &&
				epki.ReadASN1(&data, cbasn1.OCTET_STRING) {
				keys = append(keys, p12Encrypted{alg: alg, data: data})
			}
		}
	}
	return keys
}

// P12 is what a PKCS#12 file holds: a key, its certificate and the rest of the chain.
type P12 struct {
	Key         crypto.Signer
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	// KeyInClear is true when the key is in a plain key bag of a container that is not
	// encrypted (openssl pkcs12 -export -keypbe NONE): a password, if the file has one, only
	// keys its MAC, and whoever reads the file reads the key.
	KeyInClear bool
}

// p12OIDKeyBag is the plain (unencrypted) PKCS#8 key bag of RFC 7292 section 4.2.1.
var p12OIDKeyBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}

// p12KeyInClear reports whether one of der's unencrypted containers holds a plain key bag:
// the only place go-pkcs12 finds a key that no password decrypts.
func p12KeyInClear(der []byte) bool {
	in := cryptobyte.String(der)
	var pfx, authSafe, safes cryptobyte.String
	var version int
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1(&authSafe, cbasn1.SEQUENCE) {
		return false
	}
	content, ok := p12DataContent(authSafe)
	if !ok || !content.ReadASN1(&safes, cbasn1.SEQUENCE) {
		return false
	}
	for !safes.Empty() {
		var ci, bags cryptobyte.String
		if !safes.ReadASN1(&ci, cbasn1.SEQUENCE) {
			return false
		}
		bagsDER, ok := p12DataContent(ci)
		if !ok || !bagsDER.ReadASN1(&bags, cbasn1.SEQUENCE) {
			continue
		}
		for !bags.Empty() {
			var bag cryptobyte.String
			var id asn1.ObjectIdentifier
			if !bags.ReadASN1(&bag, cbasn1.SEQUENCE) {
				break
			}
			if bag.ReadASN1ObjectIdentifier(&id) && id.Equal(p12OIDKeyBag) {
				return true
			}
		}
	}
	return false
}

// ParseP12 reads a PKCS#12 file as openssl and signet write them. The passphrase callback is
// called once; a file without a password is tried first with the empty password, so callers
// are not prompted for nothing. A wrong passphrase wraps ErrIncorrectPassphrase; a MAC that
// fails although the passphrase (or, without asking for one, the empty password) decrypts
// the file's contents (a damaged or altered file) wraps ErrMalformed.
//
// Before any key derivation, the MAC's and every visible encryption's iteration count must lie
// within 1..1,000,000, the derivations of the whole file must add up to at most 2,000,000
// iterations, and there may be at most 4 encrypted containers; a file asking for more wraps
// ErrUnsupported and says which count, without asking for the passphrase. A private key
// hidden inside an encrypted container is held to the same bound, once the container is
// decrypted with the password about to be tried.
//
// Also ErrUnsupported: a passphrase with a character beyond U+FFFF (RFC 7292's BMPString cannot
// hold it), and a file without a MAC that the empty password does not decrypt (go-pkcs12 reads
// a file without a MAC only without a password).
func ParseP12(data []byte, passphrase func() ([]byte, error)) (*P12, error) {
	if err := p12CheckHidden(data, p12Passwords(nil)); err != nil {
		return nil, err
	}
	if what := p12Skeleton(data); what != "" {
		return nil, fmt.Errorf("%w: PKCS#12: %s", ErrMalformed, what)
	}
	for _, k := range p12ShroudedKeys(data) {
		// go-pkcs12 would say so only once the passphrase is known, and without its kind.
		if alg := p12Unimplemented(k.alg); alg != "" {
			return nil, fmt.Errorf("%w: PKCS#12: the private key is encrypted with %s, which signet does not read", ErrUnsupported, alg)
		}
	}
	key, cert, chain, err := pkcs12.DecodeChain(data, "")
	if err != nil && !p12HasMAC(data) && p12NeedsPassword(data) && !p12PassphraseOpens(data, nil) {
		// go-pkcs12 reads a file without a MAC only with the empty password, which does not
		// decrypt this one: it has another, and nothing checks the file's integrity.
		return nil, fmt.Errorf("%w: PKCS#12: the file has no MAC (integrity check) and is encrypted with a password: signet reads such a file only without a password (re-export it with a MAC)", ErrUnsupported)
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) && p12PassphraseOpens(data, nil) {
		// The file has no password, and its MAC fails: no passphrase would help.
		err = errP12MAC
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		if passphrase == nil {
			return nil, fmt.Errorf("%w: the PKCS#12 file is protected and no passphrase was given", ErrIncorrectPassphrase)
		}
		pw, perr := passphrase()
		if perr != nil {
			return nil, perr
		}
		if err := p12CheckPassphrase(pw); err != nil {
			clear(pw)
			return nil, err
		}
		if err := p12CheckHidden(data, p12Passwords(pw)); err != nil {
			clear(pw)
			return nil, err
		}
		key, cert, chain, err = pkcs12.DecodeChain(data, string(pw))
		if errors.Is(err, pkcs12.ErrIncorrectPassword) && p12PassphraseOpens(data, pw) {
			// The MAC failed, yet the passphrase decrypts the file's contents: the file
			// was damaged or altered. A wrong passphrase decrypts nothing, so this says
			// nothing to whoever does not know it that the MAC would not have said.
			err = errP12MAC
		}
		clear(pw)
	}
	switch {
	case err == errP12MAC:
		return nil, fmt.Errorf("%w: PKCS#12: the passphrase decrypts the file (or it has none), but its integrity check (MAC) fails: the file is damaged or was altered", ErrMalformed)
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return nil, ErrIncorrectPassphrase
	case errors.As(err, new(pkcs12.NotImplementedError)):
		// A MAC digest or a container's encryption go-pkcs12 does not implement.
		return nil, fmt.Errorf("%w: PKCS#12: %v", ErrUnsupported, err)
	case err != nil:
		return nil, fmt.Errorf("%w: PKCS#12: %v", ErrMalformed, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: PKCS#12 key of type %T", ErrUnsupported, key)
	}
	// go-pkcs12 takes the first certificate for the key's; other tools may put CA
	// certificates first. The key's is the first whose public key is the key's, as openssl's
	// PKCS12_parse finds it; the others are the chain, in the file's order.
	all := append([]*x509.Certificate{cert}, chain...)
	i := slices.IndexFunc(all, func(c *x509.Certificate) bool { return PublicKeysEqual(c.PublicKey, signer.Public()) })
	if i < 0 {
		return nil, fmt.Errorf("%w: the PKCS#12 key does not belong to any of its certificates", ErrKeyMismatch)
	}
	cert = all[i]
	chain = slices.Delete(all, i, i+1)
	if err := checkSigningKey(signer); err != nil {
		return nil, err
	}
	return &P12{Key: signer, Certificate: cert, Chain: chain, KeyInClear: p12KeyInClear(data)}, nil
}
