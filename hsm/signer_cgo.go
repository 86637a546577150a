//go:build cgo

package hsm

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/miekg/pkcs11"
)

// Signer is a private key on a token as a crypto.Signer. It signs with CKM_RSA_PKCS (the
// DigestInfo is added here), CKM_RSA_PKCS_PSS, CKM_ECDSA (over the digest; the token's r||s
// is returned as ASN.1 DER) or CKM_EDDSA (pure Ed25519 over the message; Ed25519ph over a
// SHA-512 digest with CK_EDDSA_PARAMS.phFlag, checked before it is returned, since a token
// may ignore the flag: SoftHSM 2.6.1 does, and then Sign fails with ErrUnsupportedKey). Every
// signature is verified with Public() before it is returned. A key with
// CKA_ALWAYS_AUTHENTICATE logs in to each signature (CKU_CONTEXT_SPECIFIC). rand is ignored:
// the token draws its own randomness. It is safe for concurrent use: concurrent signatures
// run on a pool of sessions (up to GOMAXPROCS) where the token allows it.
type Signer struct {
	tok       *Token
	ownsToken bool
	handle    pkcs11.ObjectHandle
	pub       crypto.PublicKey
	obj       Object
	cert      *x509.Certificate

	// alwaysAuth is set for a key with CKA_ALWAYS_AUTHENTICATE: each signature logs in to
	// its operation. authErr, guarded by the token's login mutex, is the first such login
	// that failed: later signatures return it without trying a PIN again.
	alwaysAuth bool
	authErr    error
	authWarn   sync.Once
}

// Signer returns the private key the URI's object, id and type attributes select (nil: the
// URI the token was opened with). It logs in when the token needs it. The public key comes
// from the private key's own modulus and exponent (RSA), else from the public key objects
// with the same CKA_ID, else from the certificates with that CKA_ID; where several share the
// id, those with the key's label, and they must agree (ErrAmbiguous otherwise; see pair).
// Its certificate is one that certifies that key (keyCertificate). Closing the Signer does
// not close the Token.
func (t *Token) Signer(u *URI) (*Signer, error) { return t.signer(u, false) }

func (t *Token) signer(u *URI, owns bool) (*Signer, error) {
	if u == nil {
		u = t.uri
	}
	// A type=public or type=cert URI (as p11tool lists them) is refused before the login:
	// no PIN is asked for, or tried, for a reference that cannot sign.
	if err := checkKeyType(u); err != nil {
		return nil, err
	}
	unlock, err := t.session(true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	key, partners, err := t.findPrivateKey(u)
	if err != nil {
		return nil, err
	}
	h := pkcs11.ObjectHandle(key.handle)
	a := t.attrs(h, pkcs11.CKA_SIGN, pkcs11.CKA_ALWAYS_AUTHENTICATE)
	if v, ok := a[pkcs11.CKA_SIGN]; ok && !boolAttr(v) {
		return nil, newError(ErrUnsupportedKey, nil, fmt.Sprintf("key %s cannot sign (CKA_SIGN is false)", key.URI))
	}
	alwaysAuth := boolAttr(a[pkcs11.CKA_ALWAYS_AUTHENTICATE])
	if key.Public == nil {
		return nil, noPublicKey(key, partners)
	}
	s := &Signer{tok: t, ownsToken: owns, handle: h, pub: key.Public, obj: key, alwaysAuth: alwaysAuth}
	s.cert = keyCertificate(partners, key.Public, time.Now())
	return s, nil
}

// Public returns the key's public key: *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// ProvePublic has the key sign a random challenge and checks the signature with Public(), which
// for an EC or Ed25519 key comes from a public key object or certificate that only shares the
// key's CKA_ID and may belong to another key: it returns "" when the signature verifies, and
// an error wrapping ErrKeyMismatch when it does not. A key that cannot be asked is not, and
// ProvePublic says why (the public key is then as the token's objects claim it): one that asks
// for the PIN for every signature (CKA_ALWAYS_AUTHENTICATE), since the caller only reads the
// public key and a PIN prompt for it would surprise, and one the token does not let sign with
// the challenge's mechanism (CKM_RSA_PKCS, CKM_ECDSA or CKM_EDDSA: a key whose
// CKA_ALLOWED_MECHANISMS leaves it out), whose public key could be read before it was proven.
func (s *Signer) ProvePublic() (unproven string, err error) {
	if s.alwaysAuth {
		return "the key asks for the PIN for every signature, so it was not asked to sign for it", nil
	}
	t := s.tok
	unlock, err := t.session(true)
	if err != nil {
		return "", err
	}
	defer unlock()
	ok, err := t.proveKey(s.handle, s.pub)
	var ckr pkcs11.Error
	if errors.Is(err, ErrUnsupportedKey) && errors.As(err, &ckr) && ckr != pkcs11.CKR_KEY_TYPE_INCONSISTENT {
		// Not a key of another type (the public key's type is the key's, findPrivateKey
		// sees to that): the mechanism, refused for this key.
		return fmt.Sprintf("the key could not be asked to sign for it (%v)", err), nil
	}
	if err != nil {
		return "", err
	}
	if !ok {
		return "", newError(ErrKeyMismatch, nil, fmt.Sprintf("key %s does not sign for the public key stored with it: the public key object or certificate that shares its id belongs to another key", s.obj.URI))
	}
	return "", nil
}

// Object describes the private key object (its URI, label, id, type and size).
func (s *Signer) Object() Object { return s.obj }

// Certificate returns the certificate on the token with the key's CKA_ID that certifies
// the key (of several, one valid now, the one valid longest), or nil.
func (s *Signer) Certificate() *x509.Certificate { return s.cert }

// Token returns the token the key is on.
func (s *Signer) Token() *Token { return s.tok }

// Sign signs digest (for Ed25519: the message) as crypto.Signer specifies: opts.HashFunc()
// names the hash that made digest (0 for pure Ed25519; crypto.SHA512 for Ed25519ph, as
// crypto/ed25519 reads it); *rsa.PSSOptions selects RSA-PSS, where PSSSaltLengthAuto and
// PSSSaltLengthEqualsHash both mean a salt as long as the hash.
func (s *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	plan, err := planSignature(s.pub, digest, opts)
	if err != nil {
		return nil, err
	}
	mech := plan.mechanism()
	t := s.tok
	sess, err := t.signSession()
	if err != nil {
		return nil, err
	}
	drop := false // an operation left active on the session: close it rather than reuse it
	defer func() {
		if drop {
			t.dropSignSession(sess)
		} else {
			t.putSignSession(sess)
		}
	}()
	ctx := t.mod.ctx
	if err := ctx.SignInit(sess, []*pkcs11.Mechanism{mech}, s.handle); err != nil {
		return nil, t.signError(err, plan.mechName(), "start")
	}
	if s.alwaysAuth {
		if err := s.authenticate(sess); err != nil {
			drop = true
			return nil, err
		}
	}
	sig, err := ctx.Sign(sess, plan.input)
	if err != nil {
		return nil, t.signError(err, plan.mechName(), "make")
	}
	if plan.ecdsaSize > 0 {
		if sig, err = ecdsaDER(sig, plan.ecdsaSize); err != nil {
			return nil, err
		}
	}
	if plan.ed25519ph {
		if err := checkEd25519ph(s.pub.(ed25519.PublicKey), t.info.Label, plan.input, sig); err != nil {
			return nil, err
		}
	}
	if !plan.verifies(s.pub, sig) {
		return nil, newError(ErrToken, nil, fmt.Sprintf("token %q returned a %s signature that does not verify with the public key of %s; it was not used (the key's public key object or certificate may belong to another key)", t.info.Label, plan.mechName(), s.obj.URI))
	}
	return sig, nil
}

// authenticate logs in to the signing operation started on sess (CKU_CONTEXT_SPECIFIC), for a
// key with CKA_ALWAYS_AUTHENTICATE. After one failure every later call returns that error
// without reading or trying a PIN: a wrong PIN is never retried, by this signature or the next.
func (s *Signer) authenticate(sess pkcs11.SessionHandle) error {
	t := s.tok
	s.authWarn.Do(func() {
		from, _ := t.pinSource()
		if t.info.Flags.ProtectedAuthPath && !t.pinConfigured() {
			from = "the token's PIN pad"
		}
		t.opts.warn("key %s asks for the PIN for every signature (CKA_ALWAYS_AUTHENTICATE); it is read from %s for each one", s.obj.URI, from)
	})
	return t.contextLogin(sess, &s.authErr)
}

// mechanism is the PKCS#11 mechanism, with its parameters, that the plan asks for.
func (p signPlan) mechanism() *pkcs11.Mechanism {
	switch {
	case p.mech == pkcs11.CKM_RSA_PKCS_PSS:
		return pkcs11.NewMechanism(p.mech, pkcs11.NewPSSParams(p.pssHashMech, p.pssMGF, p.pssSalt))
	case p.ed25519ph:
		return pkcs11.NewMechanism(p.mech, eddsaPhParams())
	}
	return pkcs11.NewMechanism(p.mech, nil)
}

// proveKey has the private key h sign a random challenge on the main session and checks the
// signature with pub: that the token key is pub's private half, which the public key object
// or certificate sharing its CKA_ID only claims. A key that may not sign (CKA_SIGN false)
// cannot be asked, and passes: signet never signs with it. A key that wants the PIN for every
// signature (CKA_ALWAYS_AUTHENTICATE) gets it for the challenge too. The caller holds t.mu and
// has logged in.
func (t *Token) proveKey(h pkcs11.ObjectHandle, pub crypto.PublicKey) (bool, error) {
	a := t.attrs(h, pkcs11.CKA_SIGN, pkcs11.CKA_ALWAYS_AUTHENTICATE)
	if v, ok := a[pkcs11.CKA_SIGN]; ok && !boolAttr(v) {
		return true, nil
	}
	var challenge [32]byte
	if _, err := rand.Read(challenge[:]); err != nil {
		return false, newError(ErrToken, err, "draw a challenge")
	}
	var opts crypto.SignerOpts = crypto.SHA256
	if _, ok := pub.(ed25519.PublicKey); ok {
		opts = crypto.Hash(0) // pure Ed25519 signs the challenge itself
	}
	plan, err := planSignature(pub, challenge[:], opts)
	if err != nil {
		return false, err
	}
	ctx := t.mod.ctx
	if err := ctx.SignInit(t.sess, []*pkcs11.Mechanism{plan.mechanism()}, h); err != nil {
		return false, t.signError(err, plan.mechName(), "start")
	}
	if boolAttr(a[pkcs11.CKA_ALWAYS_AUTHENTICATE]) {
		var failed error
		if err := t.contextLogin(t.sess, &failed); err != nil {
			ctx.Sign(t.sess, plan.input) // fails without the login, and so ends the operation
			return false, err
		}
	}
	sig, err := ctx.Sign(t.sess, plan.input)
	if err != nil {
		return false, t.signError(err, plan.mechName(), "make")
	}
	if plan.ecdsaSize > 0 {
		if sig, err = ecdsaDER(sig, plan.ecdsaSize); err != nil {
			return false, nil // a signature of another size: another key's curve
		}
	}
	return plan.verifies(pub, sig), nil
}

var mechNames = map[uint]string{
	pkcs11.CKM_RSA_PKCS:               "CKM_RSA_PKCS",
	pkcs11.CKM_RSA_PKCS_PSS:           "CKM_RSA_PKCS_PSS",
	pkcs11.CKM_ECDSA:                  "CKM_ECDSA",
	CKM_EDDSA:                         "CKM_EDDSA",
	pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN:  "CKM_RSA_PKCS_KEY_PAIR_GEN",
	pkcs11.CKM_EC_KEY_PAIR_GEN:        "CKM_EC_KEY_PAIR_GEN",
	CKM_EC_EDWARDS_KEY_PAIR_GEN:       "CKM_EC_EDWARDS_KEY_PAIR_GEN",
	pkcs11.CKM_SHA256_RSA_PKCS:        "CKM_SHA256_RSA_PKCS",
	pkcs11.CKM_ECDSA_SHA256:           "CKM_ECDSA_SHA256",
	pkcs11.CKM_SHA256_RSA_PKCS_PSS:    "CKM_SHA256_RSA_PKCS_PSS",
	pkcs11.CKM_RSA_X9_31_KEY_PAIR_GEN: "CKM_RSA_X9_31_KEY_PAIR_GEN",
}

// mechName names the plan's mechanism in messages.
func (p signPlan) mechName() string {
	if p.ed25519ph {
		return "CKM_EDDSA (Ed25519ph: phFlag)"
	}
	return mechNames[p.mech]
}

func (t *Token) signError(err error, mech string, what string) error {
	var ckr pkcs11.Error
	errors.As(err, &ckr)
	switch uint(ckr) {
	case pkcs11.CKR_MECHANISM_INVALID, pkcs11.CKR_MECHANISM_PARAM_INVALID, pkcs11.CKR_KEY_TYPE_INCONSISTENT, pkcs11.CKR_KEY_FUNCTION_NOT_PERMITTED:
		return newError(ErrUnsupportedKey, err, fmt.Sprintf("token %q cannot sign with %s and this key", t.info.Label, mech))
	case pkcs11.CKR_USER_NOT_LOGGED_IN:
		return newError(ErrPIN, err, fmt.Sprintf("token %q: not logged in", t.info.Label))
	}
	return newError(ErrToken, err, fmt.Sprintf("token %q: %s a %s signature", t.info.Label, what, mech))
}

// Close releases the Signer; when it came from OpenSigner it also closes its Token (log out,
// close the session, release the module).
func (s *Signer) Close() error {
	if s.ownsToken {
		return s.tok.Close()
	}
	return nil
}
