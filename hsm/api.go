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
// by its subject key identifier; see Token.ImportKeyChain. It writes all or nothing: whatever
// would be refused (another certificate with the label or id one would get, the key's
// included; a nil or unparsed certificate) is refused before anything is written. It returns
// the objects written.
func ImportCertificateChain(uri string, chain []*x509.Certificate, opts Options) (objs []Object, err error) {
	t, err := Open(uri, opts)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, t.Close()) }()
	return t.ImportKeyChain(nil, chain, ChainOptions{})
}

// ChainOptions say how Token.ImportKeyChain treats what a token already holds.
type ChainOptions struct {
	// Replace is the key's certificate being renewed (nil: the key has none to replace); see
	// ReplaceKeyCertificate.
	Replace *x509.Certificate
	// RenewChain lets a chain certificate take the place of the certificates at its label or
	// id that hold the same subject and public key (its CA renewed its certificate under the
	// same key): the new one is written, then they are deleted. Without it they are an error
	// wrapping ErrChainRenewal (and so ErrExists).
	RenewChain bool
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
// as ImportCertificate refuses it. It does not know the key whose certificate goes with
// them: CheckKeyChainImport does.
func (t *Token) CheckChainImport(issuers []*x509.Certificate) error {
	return t.CheckKeyChainImport("", nil, issuers, ChainOptions{})
}

// CheckKeyChainImport is CheckChainImport for the chain of a key labelled keyLabel with the
// CKA_ID keyID (nil when it is not chosen yet: a key to be generated), whose certificate goes
// with the chain under that label and id: a chain certificate that would get the key's label
// or id is an error wrapping ErrExists too, as the import would write the key's certificate and
// fail on it. With o.RenewChain, a certificate of the same subject and public key where a
// chain certificate goes is to be replaced, not an error.
func (t *Token) CheckKeyChainImport(keyLabel string, keyID []byte, issuers []*x509.Certificate, o ChainOptions) error {
	if len(issuers) == 0 {
		return nil
	}
	if err := checkChainCerts(issuers); err != nil {
		return err
	}
	have, err := t.Objects(&URI{Type: TypeCert})
	if err != nil {
		return err
	}
	var key *Object
	if keyLabel != "" || len(keyID) > 0 {
		key = &Object{Label: keyLabel, ID: keyID}
	}
	_, err = planChain(have, t.Info().Label, key, issuers, o.RenewChain)
	return err
}

// checkChainCerts refuses a nil or unparsed certificate (ErrObjectNotFound).
func checkChainCerts(certs []*x509.Certificate) error {
	if slices.ContainsFunc(certs, func(c *x509.Certificate) bool { return c == nil || len(c.Raw) == 0 }) {
		return newError(ErrObjectNotFound, nil, "a chain certificate to write is nil or unparsed")
	}
	return nil
}

// chainStep is a chain certificate an import writes: under label, with its subject key
// identifier as CKA_ID, and then deleting replaces (earlier certificates of its subject and
// key at that label or id).
type chainStep struct {
	cert     *x509.Certificate
	label    string
	replaces []Object
}

// planChain decides, before anything is written, what writing issuers onto a token that holds
// the certificates have writes: one already there (the same DER) is skipped, the others each
// get a chainStep. key, when not nil, gives the label and id of the key whose certificate is
// written with them (an empty id: not chosen yet). Refused, before anything is written: a
// certificate that would get the key's label or id, the label or id of another of issuers, or
// that of a certificate on the token (ErrExists); with renew, certificates of the same subject
// and public key there are replaced instead, without it they are refused with ErrChainRenewal.
// token is the token's label, for messages.
func planChain(have []Object, token string, key *Object, issuers []*x509.Certificate, renew bool) ([]chainStep, error) {
	var steps []chainStep
	for _, c := range issuers {
		if slices.ContainsFunc(have, func(h Object) bool { return h.Certificate != nil && h.Certificate.Equal(c) }) ||
			slices.ContainsFunc(steps, func(s chainStep) bool { return s.cert.Equal(c) }) {
			continue
		}
		label := chainLabel(c)
		sameID := func(id []byte) bool { return len(c.SubjectKeyId) > 0 && bytes.Equal(id, c.SubjectKeyId) }
		// The key's certificate goes under the key's label and id: the import would write it
		// and then fail on this one.
		if key != nil && (label == key.Label || sameID(key.ID)) {
			return nil, newError(ErrExists, nil, fmt.Sprintf("the chain certificate \"%s\" would get label %q or id %s on token %q, those of the key %q and its certificate; give the key another label and id",
				x509util.FormatName(c.Subject), label, hexID(c.SubjectKeyId), token, key.Label))
		}
		// Two of the chain that would get one label or id (an intermediate and a root of one
		// common name): the import would write the first and fail on the second.
		if i := slices.IndexFunc(steps, func(s chainStep) bool { return s.label == label || sameID(s.cert.SubjectKeyId) }); i >= 0 {
			return nil, newError(ErrExists, nil, fmt.Sprintf("the chain certificates \"%s\" and \"%s\" would both get label %q or one id on token %q",
				x509util.FormatName(steps[i].cert.Subject), x509util.FormatName(c.Subject), label, token))
		}
		var clash []Object
		for _, h := range have {
			if h.Label == label || sameID(h.ID) {
				clash = append(clash, h)
			}
		}
		renewal := len(clash) > 0 && !slices.ContainsFunc(clash, func(h Object) bool {
			return h.Certificate == nil || !bytes.Equal(h.Certificate.RawSubject, c.RawSubject) || !x509util.PublicKeysEqual(h.Certificate.PublicKey, c.PublicKey)
		})
		switch {
		case renewal && !renew:
			return nil, newError(ErrChainRenewal, nil, fmt.Sprintf("token %q already has another certificate of \"%s\" (the same subject and key) where the chain certificate would go: %s",
				token, x509util.FormatName(c.Subject), joinObjectURIs(clash)))
		case len(clash) > 0 && !renewal:
			return nil, newError(ErrExists, nil, fmt.Sprintf("token %q already has a certificate with label %q or that id, where the chain certificate \"%s\" would go: %s",
				token, label, x509util.FormatName(c.Subject), joinObjectURIs(clash)))
		}
		steps = append(steps, chainStep{cert: c, label: label, replaces: clash})
	}
	return steps, nil
}

// hexID writes a CKA_ID for messages.
func hexID(id []byte) string {
	if len(id) == 0 {
		return "(none)"
	}
	return fmt.Sprintf("%X", id)
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
		ProvePublic() (string, error)
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
		ImportKeyChain(*URI, []*x509.Certificate, ChainOptions) ([]Object, error)
		CheckKeyChainImport(string, []byte, []*x509.Certificate, ChainOptions) error
		Delete(*URI) ([]Object, error)
		Mechanisms() ([]Mechanism, error)
	} = (*Token)(nil)
)
