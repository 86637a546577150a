package hsm

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/signet-pki/signet/x509util"
)

// The functions below each open a token, do one thing and close it again (logging out and
// finalising the module when nothing else in the process uses it). Code that does several
// things with one token keeps a *Token from Open instead.

// ListTokens lists the slots of a module and the tokens in them. uri may be "" (every slot of
// the module Options name) or a URI whose module and token attributes filter the list; unlike
// Open it also lists empty slots and uninitialised tokens.
func ListTokens(uri string, opts Options) (ModuleInfo, []TokenInfo, error) {
	if uri == "" {
		uri = "pkcs11:"
	}
	return listTokens(uri, opts)
}

// ListObjects lists the objects on the token a URI selects that match its object, id and
// type attributes, logging in first unless Options.NoLogin is set.
func ListObjects(uri string, opts Options) (objs []Object, err error) {
	t, err := Open(uri, opts)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	return t.Objects(nil)
}

// OpenSigner opens the token a URI selects and returns the private key it names as a
// crypto.Signer. Closing the Signer closes the token too.
func OpenSigner(uri string, opts Options) (*Signer, error) {
	t, err := Open(uri, opts)
	if err != nil {
		return nil, err
	}
	s, err := t.signer(nil, true)
	if err != nil {
		return nil, errors.Join(err, t.Close())
	}
	return s, nil
}

// PublicObject opens the token a URI with type=public or type=cert selects and returns the
// public key or certificate object it names (Object.Public, and Object.Certificate for a
// certificate), reading without a login when the token shows it; see Token.PublicObject.
// Public keys and certificates are what other tools (p11tool, pkcs11-tool) list with such
// URIs; a key reference that only needs the public half accepts them.
func PublicObject(uri string, opts Options) (obj Object, err error) {
	t, err := Open(uri, opts)
	if err != nil {
		return Object{}, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	return t.PublicObject(nil)
}

// GenerateKey generates a key pair of type kt on the token a URI selects, labelled with the
// URI's object attribute and identified by its id attribute (chosen when absent); see
// Token.GenerateKey.
func GenerateKey(uri string, kt KeyType, opts Options) (obj Object, err error) {
	t, err := Open(uri, opts)
	if err != nil {
		return Object{}, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	return t.GenerateKey(nil, kt)
}

// ImportCertificate writes cert onto the token next to the private key the URI selects, with
// the key's label and id, after checking that it certifies that key. The same certificate
// already there is not written again (the import can be run again); another certificate with
// the key's label or id is an error wrapping ErrExists.
func ImportCertificate(uri string, cert *x509.Certificate, opts Options) (obj Object, err error) {
	t, err := Open(uri, opts)
	if err != nil {
		return Object{}, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	return t.ImportKeyCertificate(nil, cert)
}

// ImportCertificateChain writes chain[0] next to the private key the URI selects (as
// ImportCertificate does) and each further certificate as a separate certificate object,
// labelled with its subject's common name (the whole subject when it has none) and identified
// by its subject key identifier. A chain certificate already on the token (the same DER) is
// skipped; another certificate with its label or id is an error wrapping ErrExists, and a nil
// or unparsed chain certificate one wrapping ErrObjectNotFound, both before anything is
// written. It returns the objects written. A failure after the first write leaves what was written.
func ImportCertificateChain(uri string, chain []*x509.Certificate, opts Options) (objs []Object, err error) {
	if len(chain) == 0 {
		return nil, newError(ErrObjectNotFound, nil, "no certificate to import")
	}
	t, err := Open(uri, opts)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	// A chain certificate that cannot be written stops the import before the key's
	// certificate is written: a key left with its certificate and without its chain looks
	// enrolled to the next run.
	if err := t.CheckChainImport(chain[1:]); err != nil {
		return nil, err
	}
	o, err := t.ImportKeyCertificate(nil, chain[0])
	if err != nil {
		return nil, err
	}
	objs = append(objs, o)
	if len(chain) == 1 {
		return objs, nil
	}
	have, err := t.Objects(&URI{Type: TypeCert})
	if err != nil {
		return objs, err
	}
	for _, c := range chain[1:] {
		if slices.ContainsFunc(have, func(h Object) bool { return h.Certificate != nil && h.Certificate.Equal(c) }) {
			continue
		}
		o, err := t.ImportCertificate(c, chainLabel(c), c.SubjectKeyId)
		if err != nil {
			return objs, err
		}
		objs = append(objs, o)
		have = append(have, o)
	}
	return objs, nil
}

// chainLabel is the label of a chain certificate on the token: its subject's common name.
// Labels are listed and printed ('signet token objects'): a common name that could disturb a
// terminal gives way to the whole subject, escaped as names are printed.
func chainLabel(c *x509.Certificate) string {
	label := c.Subject.CommonName
	if label == "" || !utf8.ValidString(label) || strings.ContainsFunc(label, func(r rune) bool { return !strconv.IsPrint(r) }) {
		label = x509util.FormatName(c.Subject)
	}
	return label
}

// CheckChainImport reports, before anything is written, whether ImportCertificateChain can
// write the chain certificates issuers onto the token: one already there (the same DER) is
// skipped; another certificate with the label or CKA_ID one would get (its subject key
// identifier), or two of issuers that would get one label or id, is an error wrapping
// ErrExists, as the import would fail on it; a nil or unparsed one wraps ErrObjectNotFound,
// as ImportCertificate refuses it.
func (t *Token) CheckChainImport(issuers []*x509.Certificate) error {
	if len(issuers) == 0 {
		return nil
	}
	if slices.ContainsFunc(issuers, func(c *x509.Certificate) bool { return c == nil || len(c.Raw) == 0 }) {
		return newError(ErrObjectNotFound, nil, "a chain certificate to write is nil or unparsed")
	}
	have, err := t.Objects(&URI{Type: TypeCert})
	if err != nil {
		return err
	}
	var written []*x509.Certificate // those before c that the import writes
	for _, c := range issuers {
		if slices.ContainsFunc(have, func(h Object) bool { return h.Certificate != nil && h.Certificate.Equal(c) }) ||
			slices.ContainsFunc(written, c.Equal) {
			continue
		}
		label := chainLabel(c)
		// Two of the chain that would get one label or id (an intermediate and a root of one
		// common name): the import would write the first and fail on the second.
		if i := slices.IndexFunc(written, func(w *x509.Certificate) bool {
			return chainLabel(w) == label || len(c.SubjectKeyId) > 0 && bytes.Equal(w.SubjectKeyId, c.SubjectKeyId)
		}); i >= 0 {
			return newError(ErrExists, nil, fmt.Sprintf("the chain certificates \"%s\" and \"%s\" would both get label %q or one id on token %q",
				x509util.FormatName(written[i].Subject), x509util.FormatName(c.Subject), label, t.Info().Label))
		}
		written = append(written, c)
		var clash []Object
		for _, h := range have {
			if h.Label == label || len(c.SubjectKeyId) > 0 && bytes.Equal(h.ID, c.SubjectKeyId) {
				clash = append(clash, h)
			}
		}
		if len(clash) > 0 {
			return newError(ErrExists, nil, fmt.Sprintf("token %q already has a certificate with label %q or that id, where the chain certificate \"%s\" would go: %s",
				t.Info().Label, label, x509util.FormatName(c.Subject), joinObjectURIs(clash)))
		}
	}
	return nil
}

// Delete destroys what the URI names (one key pair and its certificate, or with type= one
// object) and returns the objects destroyed; see Token.Delete.
func Delete(uri string, opts Options) (objs []Object, err error) {
	t, err := Open(uri, opts)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	return t.Delete(nil)
}

// Mechanisms reports which of the mechanisms signet uses the token a URI selects offers.
func Mechanisms(uri string, opts Options) (tok TokenInfo, mechs []Mechanism, err error) {
	t, err := Open(uri, opts)
	if err != nil {
		return TokenInfo{}, nil, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	mechs, err = t.Mechanisms()
	return t.Info(), mechs, err
}

// Both builds (with and without cgo) must offer the same API; these assertions make a
// difference a compile error in either.
var (
	_ crypto.Signer = (*Signer)(nil)
	_ interface {
		Object() Object
		Certificate() *x509.Certificate
		Token() *Token
		Close() error
	} = (*Signer)(nil)
	_ interface {
		Info() TokenInfo
		Module() ModuleInfo
		URI() string
		Close() error
		Objects(*URI) ([]Object, error)
		Signer(*URI) (*Signer, error)
		PublicObject(*URI) (Object, error)
		GenerateKey(*URI, KeyType) (Object, error)
		ImportCertificate(*x509.Certificate, string, []byte) (Object, error)
		ImportKeyCertificate(*URI, *x509.Certificate) (Object, error)
		Delete(*URI) ([]Object, error)
		Mechanisms() ([]Mechanism, error)
	} = (*Token)(nil)
)
