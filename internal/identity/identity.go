// Package identity manages signet's zero-config local identity: a small development PKI (root
// CA, intermediate CA, code-signing key and chain) in $SIGNET_HOME, made by `signet init`.
// `signet sign` uses its signer when no key is given and `signet verify` trusts its root when
// no roots are given.
//
// # Limitations
//
// It is for trials and development. Its CA keys sit unencrypted (mode 0600) beside the
// certificates so that the commands need no passphrase; real use points --key at an
// organisation's key or a token and --roots at the organisation's root.
package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/x509util"
)

// File names inside the home directory.
const (
	RootCertFile  = "root.pem"
	RootKeyFile   = "root.key"
	InterCertFile = "intermediate.pem"
	InterKeyFile  = "intermediate.key"
	SignerKeyFile = "signer.key"
	// SignerCertFile holds the signer's certificate followed by the intermediate.
	SignerCertFile = "signer.pem"
)

// Files lists every file Init writes. The list is a copy.
func Files() []string { return slices.Clone(files) }

var files = []string{RootCertFile, RootKeyFile, InterCertFile, InterKeyFile, SignerKeyFile, SignerCertFile}

// ErrNoHome is returned by Home when none of SIGNET_HOME, XDG_CONFIG_HOME and HOME is set (and
// the system knows no home directory either): there is nowhere to look for the identity.
var ErrNoHome = errors.New("identity: no SIGNET_HOME, XDG_CONFIG_HOME or HOME to find the local identity in")

// Home returns the directory of the local identity: $SIGNET_HOME, else
// $XDG_CONFIG_HOME/signet, else ~/.config/signet. With none of these it returns an error
// wrapping ErrNoHome.
func Home(getenv func(string) string) (string, error) {
	if h := getenv("SIGNET_HOME"); h != "" {
		return h, nil
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "signet"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("%w: %w", ErrNoHome, err)
		}
	}
	return filepath.Join(home, ".config", "signet"), nil
}

// Options for Init. The zero value makes a fresh identity named after the user.
type Options struct {
	// Dir is the home directory (see Home).
	Dir string
	// Name goes into the subjects: "signet local root (NAME)" and so on. Empty means the
	// user name from $USER, or "local".
	Name string
	// Force replaces an existing identity.
	Force bool
	Now   time.Time
}

// Result says what Init did.
type Result struct {
	Dir string
	// Created is false when an identity was already there and nothing changed.
	Created bool
	Root    *x509.Certificate
	Signer  *x509.Certificate
	Files   []string
}

// DamagedError is an identity Init found in its directory and could not read (a file
// missing, unreadable or not what it should be): Init changes nothing unless Force, which
// makes a new one. Its message is its cause's.
type DamagedError struct{ Err error }

func (e *DamagedError) Error() string { return e.Err.Error() }
func (e *DamagedError) Unwrap() error { return e.Err }

// Init creates the local identity in opts.Dir. When one exists and Force is not set it
// changes nothing and returns Created false.
func Init(opts Options) (*Result, error) {
	if opts.Dir == "" {
		return nil, errors.New("identity: no directory")
	}
	res := &Result{Dir: opts.Dir}
	if !opts.Force {
		if id, err := Load(opts.Dir); err == nil {
			res.Root, res.Signer = id.Root, id.Chain[0]
			return res, nil
		} else if !errors.Is(err, ErrNoIdentity) {
			if fi, serr := os.Stat(opts.Dir); serr == nil && fi.IsDir() {
				return nil, &DamagedError{Err: err}
			}
			return nil, err
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	name := opts.Name
	if name == "" {
		name = os.Getenv("USER")
	}
	if name == "" {
		name = "local"
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}

	keys := make([]crypto.Signer, 3)
	for i := range keys {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("identity: %w", err)
		}
		keys[i] = k
	}
	rootKey, interKey, signerKey := keys[0], keys[1], keys[2]
	org := pkix.Name{Organization: []string{"signet local development PKI"}}
	subject := func(cn string) pkix.Name { n := org; n.CommonName = cn; return n }

	root, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileRootCA, Now: now,
		Subject: subject("signet local root (" + name + ")"), PublicKey: rootKey.Public(), IssuerKey: rootKey})
	if err != nil {
		return nil, err
	}
	inter, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileIntermediateCA, Now: now,
		Subject: subject("signet local intermediate (" + name + ")"), PublicKey: interKey.Public(),
		Issuer: root.Certificate, IssuerKey: rootKey})
	if err != nil {
		return nil, err
	}
	signer, err := x509util.IssueCertificate(x509util.IssueRequest{Profile: x509util.ProfileCodeSigning, Now: now,
		Subject: subject("signet local signer (" + name + ")"), PublicKey: signerKey.Public(),
		Issuer: inter.Certificate, IssuerKey: interKey})
	if err != nil {
		return nil, err
	}

	var batch atomicfile.Batch
	defer batch.Abort()
	add := func(file string, data []byte, perm fs.FileMode) error {
		res.Files = append(res.Files, filepath.Join(opts.Dir, file))
		return batch.Add(filepath.Join(opts.Dir, file), data, atomicfile.Options{Perm: perm, Force: opts.Force})
	}
	for _, f := range []struct {
		name string
		key  crypto.Signer
		cert []*x509.Certificate
	}{
		{RootKeyFile, rootKey, nil}, {InterKeyFile, interKey, nil}, {SignerKeyFile, signerKey, nil},
		{RootCertFile, nil, []*x509.Certificate{root.Certificate}},
		{InterCertFile, nil, []*x509.Certificate{inter.Certificate}},
		{SignerCertFile, nil, []*x509.Certificate{signer.Certificate, inter.Certificate}},
	} {
		var data []byte
		perm := fs.FileMode(0o644)
		if f.key != nil {
			var err error
			if data, err = x509util.MarshalPrivateKey(f.key, nil); err != nil {
				return nil, fmt.Errorf("identity: %w", err)
			}
			perm = 0o600
		}
		for _, c := range f.cert {
			data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		if err := add(f.name, data, perm); err != nil {
			return nil, err
		}
	}
	if err := batch.Commit(); err != nil {
		return nil, err
	}
	res.Created, res.Root, res.Signer = true, root.Certificate, signer.Certificate
	return res, nil
}

// ErrNoIdentity is returned by Load when the directory holds no identity.
var ErrNoIdentity = errors.New("identity: no local identity (run 'signet init')")

// Identity is a loaded local identity.
type Identity struct {
	Dir  string
	Root *x509.Certificate
	// Chain is the signer's certificate followed by the intermediate.
	Chain []*x509.Certificate
}

// KeyPath is the signer key's path, for the key resolver.
func (id *Identity) KeyPath() string { return filepath.Join(id.Dir, SignerKeyFile) }

// RootPath is the root certificate's path.
func (id *Identity) RootPath() string { return filepath.Join(id.Dir, RootCertFile) }

// Load reads the identity in dir. A directory without any identity file gives ErrNoIdentity;
// a partial or unreadable identity is an error naming the file.
func Load(dir string) (*Identity, error) {
	missing := 0
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f)); errors.Is(err, fs.ErrNotExist) {
			missing++
		}
	}
	if missing == len(files) {
		return nil, ErrNoIdentity
	}
	// x509util's errors name the file, which says enough.
	root, err := x509util.LoadCertificateFile(filepath.Join(dir, RootCertFile))
	if err != nil {
		return nil, err
	}
	chain, err := x509util.LoadCertificateFile(filepath.Join(dir, SignerCertFile))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, SignerKeyFile)); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	return &Identity{Dir: dir, Root: root[0], Chain: chain}, nil
}
