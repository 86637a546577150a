package keyref

import (
	"errors"
	"fmt"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/x509util"
)

// GenerateOptions describes a key to generate. The zero value makes an ec-p256 key encrypted
// with a passphrase asked for on the terminal.
type GenerateOptions struct {
	// Type is the key type; "" means x509util.DefaultKeyType.
	Type x509util.KeyType
	// PublicOut, when not empty, is a file for the public key (SubjectPublicKeyInfo PEM). It is
	// written together with the private key: both or neither.
	PublicOut string
	// Force allows replacing existing files.
	Force bool
	// NoPassphrase writes the private key unencrypted. Otherwise the passphrase is read from
	// Passphrase, confirmed when it is typed on the terminal.
	NoPassphrase bool
	Passphrase   secret.Source
	// Token says how to reach the token for a pkcs11: reference (see Options.Token).
	Token hsm.Options
}

// Generated describes a key Generate made. Its JSON form is stable: fields are only ever
// added.
type Generated struct {
	x509util.KeyInfo
	// Key is where the private key went: a path, or "-" for the caller to print PEM.
	Key string `json:"key"`
	// PublicKey is the public key file, if one was written.
	PublicKey string `json:"public_key,omitempty"`
	// Encrypted is true when the private key is protected by a passphrase.
	Encrypted bool `json:"encrypted"`
	// PEM is the private key when Key is "-"; nil otherwise.
	PEM []byte `json:"-"`
}

// Generate makes a new key and stores it at ref. For a file, the private key is written as
// PKCS#8 PEM (encrypted with x509util.MarshalPrivateKey's PBES2 parameters unless
// NoPassphrase) with mode 0600, and the public key, if asked for, beside it, atomically and
// together; existing files are refused (wrapping atomicfile.ErrExists) without Force, and
// files in a directory that does not exist, before any passphrase is asked for. ref "-" returns the private key PEM in Generated.PEM instead.
// A pkcs11: ref generates the key on the token, where it stays: sensitive, not extractable,
// labelled with the URI's object and identified by its id (chosen when absent); PublicOut
// then receives the public key as for a file, checked as for a file before the key is made.
func Generate(ref string, opts GenerateOptions) (*Generated, error) {
	if IsPKCS11(ref) {
		return generateOnToken(ref, opts)
	}
	if ref == "" {
		return nil, fmt.Errorf("%w: no output file for the key", ErrInvalidRef)
	}
	// A file: reference names the file and may name the new passphrase's source.
	fr, err := parseFileRef(ref)
	if err != nil {
		return nil, err
	}
	if fr.file != "" || fr.env != "" {
		switch {
		case opts.NoPassphrase:
			return nil, fmt.Errorf("%w: %s: an unencrypted key has no passphrase source", ErrInvalidRef, fr.path)
		case fr.file == fr.path:
			return nil, fmt.Errorf("%w: %s would be written over its own passphrase file", ErrInvalidRef, fr.path)
		}
	}
	ref = fr.path
	opts.Passphrase = fr.source(opts.Passphrase)
	if opts.PublicOut == ref && ref != "-" {
		return nil, fmt.Errorf("%w: the private and public key cannot both go to %s", ErrInvalidRef, ref)
	}
	t := opts.Type
	if t == "" {
		t = x509util.DefaultKeyType
	}
	if ref != "-" {
		if err := atomicfile.CheckWritable(ref, opts.Force); err != nil {
			return nil, err
		}
	}
	if opts.PublicOut != "" {
		if err := atomicfile.CheckWritable(opts.PublicOut, opts.Force); err != nil {
			return nil, err
		}
	}

	var pass []byte
	if !opts.NoPassphrase {
		src := opts.Passphrase
		src.Confirm = true
		var err error
		prompt := "Enter a passphrase for the new key"
		if ref != "-" {
			prompt += " " + ref
		}
		if pass, err = fr.read(src, prompt); err != nil {
			if _, named := errors.AsType[*SourceError](err); named {
				return nil, fmt.Errorf("%s: %w", ref, err)
			}
			return nil, err
		}
		defer clear(pass)
	}

	key, err := x509util.GenerateKey(t)
	if err != nil {
		return nil, err
	}
	info, err := x509util.Inspect(key.Public())
	if err != nil {
		return nil, err
	}
	keyPEM, err := x509util.MarshalPrivateKey(key, pass)
	if err != nil {
		return nil, err
	}
	g := &Generated{KeyInfo: info, Key: ref, PublicKey: opts.PublicOut, Encrypted: len(pass) > 0}

	var b atomicfile.Batch
	defer b.Abort()
	if ref == "-" {
		g.PEM = keyPEM
	} else if err := b.Add(ref, keyPEM, atomicfile.Options{Perm: 0o600, Force: opts.Force}); err != nil {
		return nil, err
	}
	if opts.PublicOut != "" {
		pubPEM, err := x509util.MarshalPublicKeyPEM(key.Public())
		if err != nil {
			return nil, err
		}
		if err := b.Add(opts.PublicOut, pubPEM, atomicfile.Options{Perm: 0o644, Force: opts.Force}); err != nil {
			return nil, err
		}
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	return g, nil
}

// generateOnToken makes the key pair on the token and writes the public key file if asked.
// The public key file is checked first: in a directory that does not exist, or where a file
// already is (without Force), it is refused before the token is written, since a key
// generated there would stay when the file cannot be written.
func generateOnToken(ref string, opts GenerateOptions) (*Generated, error) {
	if opts.PublicOut != "" {
		if err := atomicfile.CheckWritable(opts.PublicOut, opts.Force); err != nil {
			return nil, err
		}
	}
	t := opts.Type
	if t == "" {
		t = x509util.DefaultKeyType
	}
	obj, err := hsm.GenerateKey(ref, hsm.KeyType(t), opts.Token)
	if err != nil {
		return nil, err
	}
	info, err := x509util.Inspect(obj.Public)
	if err != nil {
		return nil, fmt.Errorf("keyref: the new token key: %w", err)
	}
	g := &Generated{KeyInfo: info, Key: obj.URI}
	if opts.PublicOut != "" {
		pemBytes, err := x509util.MarshalPublicKeyPEM(obj.Public)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(opts.PublicOut, pemBytes, atomicfile.Options{Force: opts.Force}); err != nil {
			// Checked before, so rare (a full disk, a directory gone since): say where the
			// key is, for the user to use or delete it.
			return nil, fmt.Errorf("%w (the new key stays on the token: %s)", err, Redact(obj.URI))
		}
		g.PublicKey = opts.PublicOut
	}
	return g, nil
}
