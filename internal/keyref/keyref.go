// Package keyref turns a key reference, as a user writes it after --key or as KEYREF, into a
// key. Every signet command that takes a key goes through Open (to sign) or OpenPublic and
// Describe (when the public half is enough), and `signet key gen` writes through Generate, so
// that every command accepts the same references and says the same things about them.
//
// A reference is a file path: a private key in any encoding x509util.DecodeKey reads (PKCS#8
// plain or encrypted, PKCS#1, SEC1, OpenSSL's traditional encrypted PEM; PEM or DER; OpenSSH's
// own format, as ssh-keygen writes it), a
// PKCS#12 file (recognised by its content, whatever its name; its certificate chain comes with
// the key), and for OpenPublic and Describe also a public key (SubjectPublicKeyInfo, PKCS#1,
// an OpenSSH .pub file) or a certificate. A reference
// that starts with "pkcs11:" is an RFC 7512 PKCS#11 URI naming a key on a token.
//
// A pkcs11: reference opens the key with hsm.OpenSigner (Options.Token says where the module
// and the PIN come from): the Key signs on the token, and its Certificates are the certificate
// stored with the key's CKA_ID followed by the issuers found among the token's other
// certificates. openToken is the one place that turns a reference into a token key. For
// OpenPublic and Describe, a URI with type=public or type=cert names a public key or
// certificate object instead, read with hsm.PublicObject (no PIN where the token shows it).
//
// # Limitations
//
// A build without cgo has no PKCS#11: pkcs11: references fail with an error wrapping
// hsm.ErrNotSupported (and hsm.ErrToken). A file literally named "pkcs11:..." must be written
// as "./pkcs11:...".
package keyref

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/x509util"
)

// ErrInvalidRef is returned for a key reference that cannot be used as asked, whatever the
// file or token holds: an empty one, or a private and a public key sent to the same file.
var ErrInvalidRef = errors.New("keyref: invalid key reference")

// MaxFileSize bounds what is read from a key file. Keys and certificate chains are a few
// kilobytes; a bound keeps a mistaken argument (a disk image, /dev/zero) from filling memory.
const MaxFileSize = 1 << 20

// Options says where the secrets that unlock a key come from. The zero value allows only a
// prompt on the terminal.
type Options struct {
	// Passphrase is the source of the passphrase of an encrypted key file. It is read only
	// when the file is encrypted, at most once per Open.
	Passphrase secret.Source
	// Token says how to reach a pkcs11: key: the module when the URI names none, the PIN
	// prompt, where warnings go.
	Token hsm.Options
	// Warn, when set, receives warnings about key files: an unencrypted private key in a file
	// that users other than its owner may read or write (as ssh warns, without refusing it).
	Warn func(msg string)
}

// Key is a private key ready to sign: a crypto.Signer that must be closed after use (a token
// key holds a session).
type Key interface {
	crypto.Signer
	io.Closer
	// Certificates returns the certificate chain stored with the key, leaf first (a PKCS#12
	// file, certificates on the token with the key's id), or nil when there is none.
	Certificates() []*x509.Certificate
}

// Redacted replaces the value of a pin-value attribute when a reference is printed.
const Redacted = "REDACTED"

// Redact returns ref fit to print or log: a pkcs11: URI as given except that the value of
// every pin-value attribute is replaced by Redacted (pin-source, a file name, is kept as
// given); a file path unchanged. It works on the text, not on a parse, so that a URI too
// malformed to parse cannot leak its PIN either: any attribute whose name, percent-decoded
// and in any case, mentions pin-value is redacted, wherever it is.
func Redact(ref string) string {
	if IsFileURI(ref) {
		return redactFileRef(ref)
	}
	if !IsPKCS11(ref) {
		return ref
	}
	// RFC 7512: path attributes are separated by ';', and the query, after the first '?', by
	// '&' alone; a query value may hold '?' and ';', so only '&' ends a pin-value.
	path, query, hasQuery := strings.Cut(ref[len("pkcs11:"):], "?")
	out := ref[:len("pkcs11:")] + redactList(path, ";")
	if hasQuery {
		out += "?" + redactList(query, "&")
	}
	return out
}

// redactFileRef keeps of a file: reference its path and a passphrase-source that names a
// file or a variable; any other attribute (which parseFileRef refuses) might be a passphrase
// typed there, and is replaced whole.
func redactFileRef(ref string) string {
	path, query, ok := strings.Cut(ref, "?")
	if !ok {
		return ref
	}
	attrs := strings.Split(query, "&")
	for i, a := range attrs {
		name, value, _ := strings.Cut(a, "=")
		v := strings.ToLower(percentDecode(value))
		if !strings.EqualFold(name, "passphrase-source") || !strings.HasPrefix(v, "file:") && !strings.HasPrefix(v, "env:") {
			attrs[i] = Redacted
		}
	}
	return path + "?" + strings.Join(attrs, "&")
}

// redactList redacts each attribute of a list separated by sep.
func redactList(list, sep string) string {
	attrs := strings.Split(list, sep)
	for i, a := range attrs {
		attrs[i] = redactAttr(a)
	}
	return strings.Join(attrs, sep)
}

func redactAttr(attr string) string {
	if !strings.Contains(strings.ToLower(percentDecode(attr)), "pin-value") {
		return attr
	}
	if name, _, ok := strings.Cut(attr, "="); ok && strings.ToLower(percentDecode(name)) == "pin-value" {
		return name + "=" + Redacted
	}
	return "pin-value=" + Redacted // a malformed attribute: not even its name is kept
}

// percentDecode undoes %XX escapes, leaving malformed ones as they are.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Files returns the files that opening ref reads: the key file, or for a pkcs11: URI the
// module-path and pin-source files it names (none when it does not parse: opening it fails
// anyway). Commands use it to refuse an output that would overwrite one of their inputs.
func Files(ref string) []string {
	if !IsPKCS11(ref) {
		if ref == "" {
			return nil
		}
		fr, err := parseFileRef(ref)
		if err != nil {
			return nil // opening it fails anyway
		}
		if fr.file != "" {
			return []string{fr.path, fr.file}
		}
		return []string{fr.path}
	}
	u, err := hsm.ParseURI(ref)
	if err != nil {
		return nil
	}
	var files []string
	if u.ModulePath != "" {
		files = append(files, u.ModulePath)
	}
	if p := pinSourceFile(u.PINSource); p != "" {
		files = append(files, p)
	}
	return files
}

// pinSourceFile is the file a pin-source value names: file:PATH, file:///PATH,
// file://localhost/PATH or a plain path (as hsm reads it).
func pinSourceFile(v string) string {
	p, ok := strings.CutPrefix(v, "file:")
	if !ok {
		return v
	}
	if rest, ok := strings.CutPrefix(p, "//"); ok {
		_, path, _ := strings.Cut(rest, "/")
		return "/" + path
	}
	return p
}

// IsPKCS11 reports whether ref is a PKCS#11 URI rather than a file path.
func IsPKCS11(ref string) bool {
	return len(ref) >= len("pkcs11:") && strings.EqualFold(ref[:len("pkcs11:")], "pkcs11:")
}

// Open resolves ref to a private key. Errors name the reference ("read signer.key: ...") and
// wrap x509util's sentinels (ErrMalformed, ErrUnsupported, ErrIncorrectPassphrase), the
// secret package's (no passphrase source) or fs errors (missing file), so callers map them
// to exit codes with errors.Is.
func Open(ref string, opts Options) (Key, error) {
	if IsPKCS11(ref) {
		return openToken(ref, opts)
	}
	f, err := openFile(ref, opts, true)
	if err != nil {
		return nil, err
	}
	return &fileKey{Signer: f.Signer, certs: f.certs}, nil
}

// EncodingPKCS11 is the Encoding of a key that lives on a PKCS#11 token.
const EncodingPKCS11 x509util.KeyEncoding = "PKCS#11 token"

// Public is the public half of a key reference, and what the reference turned out to be.
type Public struct {
	// Key is the public key.
	Key crypto.PublicKey
	// Certificates holds the certificate when the reference was one (later also the chain of a
	// PKCS#12 file or a token key), leaf first.
	Certificates []*x509.Certificate
	// Private is true when the reference holds a private key.
	Private bool
	// Encrypted is true for a passphrase-protected private key file.
	Encrypted bool
	// Encoding is the structure the key was stored in; PEM tells PEM from DER.
	Encoding x509util.KeyEncoding
	PEM      bool
	// Unproven, when not empty, says why the public key of a token's private key was not
	// proven its own by a signature (see OpenPublic); callers that print it say so.
	Unproven string
}

// OpenPublic resolves ref to a public key. ref may name a private key (an encrypted one needs
// its passphrase, as in Open), a public key or a certificate; a pkcs11: URI with type=public or
// type=cert names a public key or certificate object on a token (hsm.PublicObject), read
// without a PIN when the token shows it. A token's private key, once logged in to, signs a
// random challenge that must verify with the public key found for it (hsm.Signer.ProvePublic;
// ErrKeyMismatch otherwise), except a key that asks for the PIN for every signature or that
// the token does not let sign with the challenge's mechanism (Public.Unproven says why). Errors are as in Open.
func OpenPublic(ref string, opts Options) (*Public, error) {
	if IsPKCS11(ref) {
		if u, err := hsm.ParseURI(ref); err == nil && (u.Type == hsm.TypePublic || u.Type == hsm.TypeCert) {
			// A public key or certificate object, as p11tool and 'signet token objects' list
			// them: read without a PIN where the token shows it.
			o, err := hsm.PublicObject(ref, opts.Token)
			if err != nil {
				return nil, err
			}
			p := &Public{Key: o.Public, Encoding: EncodingPKCS11}
			if o.Certificate != nil {
				p.Certificates = []*x509.Certificate{o.Certificate}
			}
			return p, nil
		}
		k, err := openTokenKey(ref, opts)
		if err != nil {
			return nil, err
		}
		defer k.Close()
		// The token key's public key may come from a public key object or certificate that
		// only shares its id; the login is done, so the key proves it with a signature,
		// unless that signature would ask for the PIN again.
		p := &Public{Key: k.Public(), Certificates: k.Certificates(), Private: true, Encoding: EncodingPKCS11}
		unproven, err := k.ProvePublic()
		if err != nil {
			return nil, err
		}
		if unproven != "" {
			p.Unproven = unproven + "; it is the public key stored with the key (its public key object or certificate)"
		}
		return p, nil
	}
	f, err := openFile(ref, opts, false)
	if err != nil {
		return nil, err
	}
	return &Public{Key: f.Public, Certificates: f.certs, Private: f.Signer != nil, Encrypted: f.Encrypted, Encoding: f.Encoding, PEM: f.PEM}, nil
}

// Description is what `signet key inspect` shows about a key reference. Its JSON form is
// stable: fields are only ever added.
type Description struct {
	// Ref is the reference as given, with a pin-value redacted (Redact).
	Ref string `json:"ref"`
	x509util.KeyInfo
	// Kind is "private key", "public key" or "certificate" (a PKCS#12 file is a private key,
	// with Encoding "PKCS#12 DER").
	Kind string `json:"kind"`
	// Encoding is the stored form, such as "PKCS#8 PEM" or "SEC1 DER".
	Encoding string `json:"encoding"`
	// Encrypted is true for a passphrase-protected private key file.
	Encrypted bool `json:"encrypted"`
	// Unproven is Public.Unproven: why a token key's public key is not proven its own.
	Unproven string `json:"unproven,omitempty"`
}

// Describe resolves ref with OpenPublic and describes the key.
func Describe(ref string, opts Options) (*Description, error) {
	p, err := OpenPublic(ref, opts)
	if err != nil {
		return nil, err
	}
	info, err := x509util.Inspect(p.Key)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	d := &Description{Ref: Redact(ref), KeyInfo: info, Encrypted: p.Encrypted, Kind: "public key", Unproven: p.Unproven}
	switch {
	case p.Private:
		d.Kind = "private key"
	case len(p.Certificates) > 0 && (p.Encoding == x509util.EncodingCertificate || p.Encoding == EncodingPKCS11):
		d.Kind = "certificate"
	}
	switch {
	case p.Encoding == EncodingPKCS11, p.Encoding == x509util.EncodingAuthorizedKey, p.Encoding == x509util.EncodingRFC4716:
		// A token, or an OpenSSH public key's text, which is neither PEM nor DER.
		d.Encoding = string(p.Encoding)
	case p.PEM:
		d.Encoding = string(p.Encoding) + " PEM"
	default:
		d.Encoding = string(p.Encoding) + " DER"
	}
	return d, nil
}

// Software returns the in-memory private key behind k, for the few operations that must
// export it (writing a PKCS#12 file). ok is false for a key that cannot leave its token.
func Software(k Key) (crypto.Signer, bool) {
	fk, ok := k.(*fileKey)
	if !ok {
		return nil, false
	}
	return fk.Signer, true
}

// fileKey is a software key read from a file.
type fileKey struct {
	crypto.Signer
	certs []*x509.Certificate
}

func (k *fileKey) Close() error                      { return nil }
func (k *fileKey) Certificates() []*x509.Certificate { return k.certs }

// keyFile is what a key file held.
type keyFile struct {
	x509util.DecodedKey
	certs []*x509.Certificate
}

// openFile reads the key file ref: the first private key when private is true, else the
// first key or certificate. This is where the kinds of key file are told apart.
func openFile(ref string, opts Options, private bool) (*keyFile, error) {
	fr, err := parseFileRef(ref)
	if err != nil {
		return nil, err
	}
	ref = fr.path
	src := fr.source(opts.Passphrase)
	data, err := readFile(ref)
	if err != nil {
		return nil, err
	}
	asked := false
	passphrase := func() ([]byte, error) {
		asked = true
		return fr.read(src, "Enter passphrase for "+ref)
	}
	if isPKCS12(data) {
		p, err := x509util.ParseP12(data, passphrase)
		if err != nil {
			return nil, fr.wrongSource(fmt.Errorf("read %s: %w", ref, err))
		}
		f := &keyFile{certs: append([]*x509.Certificate{p.Certificate}, p.Chain...)}
		// A key in the clear (-keypbe NONE) is not encrypted, whatever keys the file's MAC.
		f.Signer, f.Public, f.Encoding, f.Encrypted = p.Key, p.Key.Public(), x509util.EncodingPKCS12, asked && !p.KeyInClear
		warnExposed(ref, f, opts.Warn)
		return f, nil
	}
	var k *x509util.DecodedKey
	if private {
		var s crypto.Signer
		if s, err = x509util.ParsePrivateKey(data, passphrase); err == nil {
			k = &x509util.DecodedKey{Signer: s, Public: s.Public(), Encrypted: asked}
		}
	} else {
		k, err = x509util.DecodeKey(data, passphrase)
	}
	if err != nil {
		return nil, fr.wrongSource(fmt.Errorf("read %s: %w", ref, err))
	}
	f := &keyFile{DecodedKey: *k}
	if k.Certificate != nil {
		f.certs = []*x509.Certificate{k.Certificate}
	}
	warnExposed(ref, f, opts.Warn)
	return f, nil
}

// warnExposed warns when path, a regular file, holds an unencrypted private key and its mode
// lets users other than its owner read or write it. Only the mode bits are looked at: an ACL
// or a directory nobody else can enter may still protect it, which is why this is a warning.
func warnExposed(path string, f *keyFile, warn func(string)) {
	if warn == nil || f.Signer == nil || f.Encrypted {
		return
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	warn(fmt.Sprintf("%s holds an unencrypted private key that users other than its owner can access (mode %04o); restrict it with: chmod 600 %s", path, fi.Mode().Perm(), path))
}

// isPKCS12 reports whether data is a DER PKCS#12 PFX: SEQUENCE { INTEGER 3, ContentInfo with
// id-data or id-signedData, ... }.
func isPKCS12(data []byte) bool {
	var pfx struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue `asn1:"explicit,optional,tag:0"`
		}
	}
	if _, err := asn1.Unmarshal(data, &pfx); err != nil || pfx.Version != 3 {
		return false
	}
	t := pfx.AuthSafe.ContentType
	return t.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}) || t.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})
}

// openToken is the single switch point for PKCS#11 references: the key is the hsm package's
// signer, and its certificates are the one stored with the key's id plus the issuers found
// among the token's other certificates.
func openToken(ref string, opts Options) (Key, error) {
	k, err := openTokenKey(ref, opts)
	if err != nil {
		return nil, err
	}
	return k, nil
}

func openTokenKey(ref string, opts Options) (*tokenKey, error) {
	s, err := hsm.OpenSigner(ref, opts.Token)
	if err != nil {
		return nil, err // hsm's errors never quote a pin-value
	}
	return &tokenKey{Signer: s, certs: tokenChain(s)}, nil
}

// tokenKey is a private key on a PKCS#11 token.
type tokenKey struct {
	*hsm.Signer
	certs []*x509.Certificate
}

func (k *tokenKey) Certificates() []*x509.Certificate { return k.certs }

// tokenChain returns the key's certificate followed by its issuers as far as the token holds
// them (signet token import-cert --chain stores them as separate objects).
func tokenChain(s *hsm.Signer) []*x509.Certificate {
	leaf := s.Certificate()
	if leaf == nil {
		return nil
	}
	chain := []*x509.Certificate{leaf}
	u, err := hsm.ParseURI(s.Token().URI())
	if err != nil {
		return chain
	}
	u.Object, u.ID, u.Type = "", nil, hsm.TypeCert
	objs, err := s.Token().Objects(u)
	if err != nil {
		return chain
	}
	for cur := leaf; len(chain) < 10; {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) {
			break // self-signed: the end of the chain
		}
		var next *x509.Certificate
		for _, o := range objs {
			c := o.Certificate
			if c != nil && !c.Equal(cur) && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	return chain
}

// readFile reads a key file, refusing directories and files too large to be keys. Errors
// name the file. It reads through readlimit: a device (/dev/zero) is refused unopened and a
// named pipe is opened without waiting for a writer (one without reads as empty, which is not
// a key), so no key reference reads without end or waits for ever; a pipe with a writer (a
// shell's <(...)) is read as a file.
func readFile(path string) ([]byte, error) {
	if path == "" {
		return nil, fmt.Errorf("read key: %w: no file name", x509util.ErrMalformed)
	}
	data, err := readlimit.ReadFile(path, MaxFileSize)
	switch {
	case errors.Is(err, readlimit.ErrTooLarge):
		return nil, fmt.Errorf("read %s: %w: larger than %d KiB, not a key file", path, x509util.ErrMalformed, MaxFileSize>>10)
	case errors.Is(err, readlimit.ErrNotFile):
		// "read /dev/zero: is a character device, not a file"
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	case err != nil:
		return nil, err // *fs.PathError: "open signer.key: no such file or directory"
	}
	return data, nil
}
