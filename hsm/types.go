package hsm

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"os"
)

// Environment variables signet reads.
const (
	// EnvModule names the PKCS#11 module used when neither the URI nor Options.Module does.
	EnvModule = "SIGNET_PKCS11_MODULE"
	// EnvPIN holds the user PIN when the URI has no pin-source or pin-value.
	EnvPIN = "SIGNET_PIN"
	// EnvPINFinalTry set to 1 lets a PIN from a pin-source, a pin-value or $SIGNET_PIN be
	// tried when one more wrong PIN locks the token (CKF_USER_PIN_FINAL_TRY).
	EnvPINFinalTry = "SIGNET_PIN_FINAL_TRY"
)

// Options are the caller's settings for reaching a token. The zero value uses the URI's
// module-path or module-name, then $SIGNET_PKCS11_MODULE, then the p11-kit proxy module; reads
// the PIN from the URI's pin-source, then $SIGNET_PIN, and fails when a token needs a PIN and
// neither is set.
type Options struct {
	// Module is the module to load when the URI has neither module-path nor module-name (the
	// CLI's --module flag). It takes precedence over $SIGNET_PKCS11_MODULE.
	Module string
	// Getenv reads the environment (SIGNET_PKCS11_MODULE, SIGNET_PIN, SIGNET_PIN_FINAL_TRY);
	// nil means os.Getenv. An empty value counts as unset.
	Getenv func(string) string
	// PIN is called for the user PIN when the token needs a login, neither the URI nor
	// $SIGNET_PIN has one, and the token has no PIN pad (which then takes it): typically a no-echo prompt on the terminal. It is called once per
	// token and process, and once more for each signature of a key with CKA_ALWAYS_AUTHENTICATE;
	// a wrong PIN is never retried. The returned slice is wiped after use.
	PIN func(token TokenInfo) ([]byte, error)
	// Warn receives warnings the user should see (a pin-value in the URI, a PIN one wrong try
	// from locking). nil drops them. The library never prints.
	Warn func(msg string)
	// RefusePINValue refuses a URI that carries the PIN in pin-value (an error wrapping
	// ErrInvalidURI that never quotes it), where the URI came from a command line: other users
	// of the machine see it in the process list, and the shell keeps it in its history. The
	// CLI sets it; pin-source, $SIGNET_PIN and PIN remain. The zero value accepts pin-value,
	// as RFC 7512 defines it, with a warning through Warn.
	RefusePINValue bool
	// NoLogin keeps the session public: listing then shows only public objects. Operations
	// that need the private key fail.
	NoLogin bool
}

func (o *Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

func (o *Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Sprintf(format, args...))
	}
}

// ModuleInfo describes a loaded PKCS#11 module (CK_INFO).
type ModuleInfo struct {
	Path         string `json:"path"`
	Manufacturer string `json:"manufacturer"`
	Description  string `json:"description"`
	VersionMajor uint8  `json:"-"`
	VersionMinor uint8  `json:"-"`
	// Cryptoki is the PKCS#11 version the module implements, for example "2.40".
	Cryptoki string `json:"cryptoki"`
}

// Version returns the library version as "major.minor".
func (m ModuleInfo) Version() string { return fmt.Sprintf("%d.%d", m.VersionMajor, m.VersionMinor) }

// TokenFlags are the CK_TOKEN_INFO flags a user acts on.
type TokenFlags struct {
	Initialized       bool `json:"initialized"`         // CKF_TOKEN_INITIALIZED
	LoginRequired     bool `json:"login_required"`      // CKF_LOGIN_REQUIRED
	UserPINSet        bool `json:"user_pin_set"`        // CKF_USER_PIN_INITIALIZED
	PINCountLow       bool `json:"pin_count_low"`       // CKF_USER_PIN_COUNT_LOW: a wrong PIN was entered since the last login
	PINFinalTry       bool `json:"pin_final_try"`       // CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the token
	PINLocked         bool `json:"pin_locked"`          // CKF_USER_PIN_LOCKED
	PINToBeChanged    bool `json:"pin_to_be_changed"`   // CKF_USER_PIN_TO_BE_CHANGED
	WriteProtected    bool `json:"write_protected"`     // CKF_WRITE_PROTECTED
	ProtectedAuthPath bool `json:"protected_auth_path"` // CKF_PROTECTED_AUTHENTICATION_PATH: PIN pad
}

// TokenInfo describes a slot and the token in it.
type TokenInfo struct {
	// URI selects this token (token label and serial, or manufacturer and model when the
	// token has no serial); a slot without a token gets a slot-id URI.
	URI              string     `json:"uri"`
	SlotID           uint       `json:"slot_id"`
	SlotDescription  string     `json:"slot_description"`
	SlotManufacturer string     `json:"slot_manufacturer"`
	Present          bool       `json:"token_present"`
	Label            string     `json:"label"`
	Manufacturer     string     `json:"manufacturer"`
	Model            string     `json:"model"`
	Serial           string     `json:"serial"`
	Flags            TokenFlags `json:"flags"`
	MinPINLen        uint       `json:"min_pin_len"`
	MaxPINLen        uint       `json:"max_pin_len"`
}

// Object describes an object on a token: a key, a certificate or another object.
type Object struct {
	// URI selects this object (token, object label, id and type); it is what --key takes.
	URI   string     `json:"uri"`
	Type  ObjectType `json:"type"`
	Label string     `json:"label"`
	ID    []byte     `json:"-"`
	// KeyType is "RSA", "EC" or "Ed25519" for keys, and for certificates the type of the
	// certified key; another PKCS#11 key type is shown as its CKK_ number.
	KeyType string `json:"key_type,omitempty"`
	// Bits is the RSA modulus size or the curve size.
	Bits int `json:"bits,omitempty"`
	// Curve is "P-256", "P-384", "P-521" or "Ed25519" for elliptic-curve keys.
	Curve string `json:"curve,omitempty"`
	// Private, Sensitive, Extractable and Sign are CKA_PRIVATE, CKA_SENSITIVE,
	// CKA_EXTRACTABLE and CKA_SIGN (false when the token does not say).
	Private     bool `json:"private"`
	Sensitive   bool `json:"sensitive"`
	Extractable bool `json:"extractable"`
	Sign        bool `json:"sign"`
	// Public is the public key of a key pair or certificate, when the token shows it.
	Public crypto.PublicKey `json:"-"`
	// Certificate is the parsed certificate of a certificate object (nil when it is not
	// X.509 or does not parse).
	Certificate *x509.Certificate `json:"-"`
	// PrivateKeyURI, on public keys and certificates, selects the private key with the same
	// CKA_ID; CertificateURI, on keys, selects the certificate with the same CKA_ID. Either is
	// set only when the two hold the same public key (see pair): an object of another key
	// written under a key's id is no partner of it.
	PrivateKeyURI  string `json:"private_key_uri,omitempty"`
	CertificateURI string `json:"certificate_uri,omitempty"`

	handle uint
}

// KeyType names a kind of key signet can generate on a token.
type KeyType string

// Key types for GenerateKey. The names match `signet key gen --type`.
const (
	RSA2048 KeyType = "rsa-2048"
	RSA3072 KeyType = "rsa-3072"
	RSA4096 KeyType = "rsa-4096"
	ECP256  KeyType = "ec-p256"
	ECP384  KeyType = "ec-p384"
	ECP521  KeyType = "ec-p521"
	Ed25519 KeyType = "ed25519"
)

// KeyTypes lists the key types GenerateKey accepts.
func KeyTypes() []KeyType {
	return []KeyType{RSA2048, RSA3072, RSA4096, ECP256, ECP384, ECP521, Ed25519}
}

// Mechanism reports whether a token offers a mechanism signet uses.
type Mechanism struct {
	// Scheme is what signet uses the mechanism for, for example "ECDSA signature".
	Scheme string `json:"scheme"`
	// Name is the PKCS#11 name, for example "CKM_ECDSA"; Code its number.
	Name string `json:"mechanism"`
	Code uint   `json:"code"`
	// Listed says the token lists the mechanism (C_GetMechanismList); Available that it is
	// listed with the flag signet needs (CKF_SIGN, or CKF_GENERATE_KEY_PAIR for key
	// generation).
	Listed    bool `json:"listed"`
	Available bool `json:"available"`
	// MinKeySize and MaxKeySize are the module's key size bounds (bits for RSA and most EC
	// implementations; some modules report bytes).
	MinKeySize uint `json:"min_key_size,omitempty"`
	MaxKeySize uint `json:"max_key_size,omitempty"`
}
