//go:build !cgo

package hsm

import (
	"crypto"
	"crypto/x509"
	"io"
)

// Without cgo there is no way to load a PKCS#11 module: URIs still parse, and every token
// operation returns an error wrapping ErrNotSupported (and so ErrToken).

func errNoCgo() error {
	return newError(ErrNotSupported, nil, "built without PKCS#11 support (cgo is off); rebuild with CGO_ENABLED=1 to use tokens")
}

// Token is an open session with one token; see the cgo build.
type Token struct{}

// Open returns an error wrapping ErrNotSupported in a build without cgo.
func Open(uri string, opts Options) (*Token, error) {
	if _, err := ParseURI(uri); err != nil {
		return nil, err
	}
	return nil, errNoCgo()
}

func listTokens(uri string, opts Options) (ModuleInfo, []TokenInfo, error) {
	if _, err := ParseURI(uri); err != nil {
		return ModuleInfo{}, nil, err
	}
	return ModuleInfo{}, nil, errNoCgo()
}

func (t *Token) Info() TokenInfo                           { return TokenInfo{} }
func (t *Token) Module() ModuleInfo                        { return ModuleInfo{} }
func (t *Token) URI() string                               { return "" }
func (t *Token) Close() error                              { return nil }
func (t *Token) Objects(*URI) ([]Object, error)            { return nil, errNoCgo() }
func (t *Token) Signer(*URI) (*Signer, error)              { return nil, errNoCgo() }
func (t *Token) PublicObject(*URI) (Object, error)         { return Object{}, errNoCgo() }
func (t *Token) signer(*URI, bool) (*Signer, error)        { return nil, errNoCgo() }
func (t *Token) GenerateKey(*URI, KeyType) (Object, error) { return Object{}, errNoCgo() }
func (t *Token) Delete(*URI) ([]Object, error)             { return nil, errNoCgo() }
func (t *Token) Mechanisms() ([]Mechanism, error)          { return nil, errNoCgo() }
func (t *Token) ImportKeyCertificate(*URI, *x509.Certificate) (Object, error) {
	return Object{}, errNoCgo()
}
func (t *Token) ImportCertificate(*x509.Certificate, string, []byte) (Object, error) {
	return Object{}, errNoCgo()
}
func (t *Token) ReplaceKeyCertificate(*URI, *x509.Certificate, *x509.Certificate) (Object, error) {
	return Object{}, errNoCgo()
}
func (t *Token) ImportKeyChain(*URI, []*x509.Certificate, ChainOptions) ([]Object, error) {
	return nil, errNoCgo()
}

// HoldSignals runs fn; see the cgo build.
func HoldSignals(fn func() error) error { return fn() }

// Signer is a private key on a token; see the cgo build.
type Signer struct{}

func (s *Signer) Public() crypto.PublicKey       { return nil }
func (s *Signer) Object() Object                 { return Object{} }
func (s *Signer) Certificate() *x509.Certificate { return nil }
func (s *Signer) Token() *Token                  { return nil }
func (s *Signer) Close() error                   { return nil }
func (s *Signer) ProvePublic() (string, error)   { return "", errNoCgo() }
func (s *Signer) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errNoCgo()
}
