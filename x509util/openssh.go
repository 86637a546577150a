package x509util

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/cryptobyte"

	"github.com/signet-pki/signet/x509util/internal/sshkey"
)

// OpenSSH keys: private keys in OpenSSH's own format ("OPENSSH PRIVATE KEY", what ssh-keygen
// writes since OpenSSH 7.8, plain or encrypted with bcrypt-pbkdf and AES-256), public keys as
// one authorized_keys line ("ssh-ed25519 AAAA... comment", what a .pub file holds) or in the
// RFC 4716 form of `ssh-keygen -e`. The container is read here, so that what signet cannot
// use (a security-key or DSA key, a cipher other than AES-256, too many KDF rounds) is named
// before a passphrase is asked for, and errors wrap this package's sentinels; the key blobs,
// the KDF and the private section are internal/sshkey's (its doc says why not
// golang.org/x/crypto/ssh).

const (
	opensshMagic = "openssh-key-v1\x00"
	// opensshMaxRounds bounds the bcrypt-pbkdf rounds of an encrypted key: 64 times
	// ssh-keygen's default of 16 and ten times the "-a 100" guides advise, about six seconds
	// of one core here (x/crypto/ssh's cap, 2048, is twice that).
	opensshMaxRounds = 1024
)

// opensshCiphers are the encryptions of OpenSSH private keys signet decrypts.
var opensshCiphers = sync.OnceValue(func() map[string]bool {
	return map[string]bool{"aes256-ctr": true, "aes256-cbc": true}
})

// keyDecodeOpenSSH reads the private key of an "OPENSSH PRIVATE KEY" PEM block.
func keyDecodeOpenSSH(block *pem.Block, passphrase func() ([]byte, error)) (*DecodedKey, error) {
	s := cryptobyte.String(block.Bytes)
	var cipherName, kdfName, kdfOpts, pubBlob, privBlock cryptobyte.String
	var nKeys uint32
	if !s.ReadBytes(new([]byte), len(opensshMagic)) || !bytes.HasPrefix(block.Bytes, []byte(opensshMagic)) ||
		!opensshString(&s, &cipherName) || !opensshString(&s, &kdfName) || !opensshString(&s, &kdfOpts) ||
		!s.ReadUint32(&nKeys) || nKeys != 1 || !opensshString(&s, &pubBlob) || !opensshString(&s, &privBlock) {
		return nil, fmt.Errorf("%w: PEM block \"OPENSSH PRIVATE KEY\" is not a well-formed OpenSSH private key (one key, openssh-key-v1)", ErrMalformed)
	}
	pub, err := opensshParsePublic(pubBlob)
	if err != nil {
		return nil, err
	}
	encrypted := string(cipherName) != "none" || string(kdfName) != "none"
	section := bytes.Clone(privBlock)
	if encrypted {
		if !opensshCiphers()[string(cipherName)] {
			return nil, fmt.Errorf("%w: OpenSSH private key encrypted with %q (signet reads aes256-ctr, ssh-keygen's default, and aes256-cbc); re-encrypt it with: ssh-keygen -p -Z aes256-ctr -f FILE",
				ErrUnsupported, string(cipherName))
		}
		var salt cryptobyte.String
		var rounds uint32
		if string(kdfName) != "bcrypt" || !opensshString(&kdfOpts, &salt) || !kdfOpts.ReadUint32(&rounds) || !kdfOpts.Empty() || len(salt) == 0 {
			return nil, fmt.Errorf("%w: OpenSSH private key: key derivation %q with malformed options (want bcrypt)", ErrMalformed, string(kdfName))
		}
		if rounds < 1 || rounds > opensshMaxRounds {
			return nil, fmt.Errorf("%w: OpenSSH private key: %d bcrypt rounds is outside the 1 to %d signet runs (ssh-keygen -a)", ErrUnsupported, rounds, opensshMaxRounds)
		}
		pw, err := keyPassphrase(passphrase)
		if err != nil {
			return nil, err
		}
		keyIV, err := sshkey.BcryptPBKDF(pw, salt, int(rounds), 32+16)
		clear(pw)
		if err == nil {
			err = sshkey.Decrypt(string(cipherName), keyIV, section)
			clear(keyIV)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: OpenSSH private key: %v", ErrMalformed, err)
		}
	} else if len(kdfOpts) != 0 {
		return nil, fmt.Errorf("%w: OpenSSH private key in the clear with key derivation options", ErrMalformed)
	}
	signer, err := sshkey.ParsePrivate(section, encrypted)
	clear(section)
	var unsupported *sshkey.UnsupportedTypeError
	switch {
	case errors.Is(err, sshkey.ErrIncorrectPassphrase):
		return nil, ErrIncorrectPassphrase
	case errors.As(err, &unsupported):
		return nil, opensshUnsupportedType(unsupported.Type)
	case err != nil:
		return nil, fmt.Errorf("%w: OpenSSH private key: %v", ErrMalformed, err)
	}
	if !PublicKeysEqual(signer.Public(), pub) {
		return nil, fmt.Errorf("%w: OpenSSH private key: its public key and its private key differ", ErrMalformed)
	}
	k := keyFromSigner(signer, EncodingOpenSSH)
	k.Encrypted = encrypted
	return k, nil
}

// opensshParsePublic reads an OpenSSH public key blob of a type signet can use, and names
// what it cannot: another type, a security key, an OpenSSH certificate.
func opensshParsePublic(blob []byte) (crypto.PublicKey, error) {
	pub, typ, err := sshkey.ParsePublicKey(blob)
	var unsupported *sshkey.UnsupportedTypeError
	switch {
	case errors.As(err, &unsupported) && unsupported.Certificate:
		return nil, fmt.Errorf("%w: an OpenSSH certificate (%s); give the key itself", ErrUnsupported, escapeText(typ))
	case errors.As(err, &unsupported):
		return nil, opensshUnsupportedType(typ)
	case err != nil:
		return nil, fmt.Errorf("%w: OpenSSH key: %v", ErrMalformed, escapeText(err.Error()))
	}
	return pub, nil
}

func opensshUnsupportedType(t string) error {
	switch {
	case strings.HasPrefix(t, "sk-"):
		return fmt.Errorf("%w: OpenSSH security-key type %s: its private key stays on the FIDO authenticator, which signet cannot use", ErrUnsupported, escapeText(t))
	case t == "ssh-dss":
		return fmt.Errorf("%w: a DSA key; signet signs with RSA, ECDSA or Ed25519", ErrUnsupported)
	}
	return fmt.Errorf("%w: OpenSSH key type %s (signet reads ssh-rsa, ecdsa-sha2-nistp256/384/521 and ssh-ed25519)", ErrUnsupported, escapeText(t))
}

// opensshPublicPrefixes start the authorized_keys line of every key type OpenSSH writes.
var opensshPublicPrefixes = []string{"ssh-", "ecdsa-sha2-", "sk-"}

// keyLooksOpenSSHPublic reports input that is an OpenSSH public key: an authorized_keys line
// or RFC 4716's "---- BEGIN SSH2 PUBLIC KEY ----".
func keyLooksOpenSSHPublic(data []byte) bool {
	t := bytes.TrimSpace(data)
	if bytes.HasPrefix(t, []byte("---- BEGIN SSH2 PUBLIC KEY ----")) {
		return true
	}
	for _, p := range opensshPublicPrefixes {
		if bytes.HasPrefix(t, []byte(p)) {
			return true
		}
	}
	return false
}

// keyDecodeOpenSSHPublic reads an OpenSSH public key (see keyLooksOpenSSHPublic): the first
// line of an authorized_keys file, or an RFC 4716 block.
func keyDecodeOpenSSHPublic(data []byte) (*DecodedKey, error) {
	t := bytes.TrimSpace(data)
	var blob []byte
	var declared string // the type an authorized_keys line names
	enc := EncodingAuthorizedKey
	if rest, ok := bytes.CutPrefix(t, []byte("---- BEGIN SSH2 PUBLIC KEY ----")); ok {
		body, _, found := bytes.Cut(rest, []byte("---- END SSH2 PUBLIC KEY ----"))
		if !found {
			return nil, fmt.Errorf("%w: RFC 4716 public key without its END line", ErrMalformed)
		}
		var b64 strings.Builder
		continued := false
		for _, line := range strings.Split(string(body), "\n") {
			line = strings.TrimSpace(line)
			header := continued || strings.Contains(line, ":")
			continued = header && strings.HasSuffix(line, "\\")
			if !header {
				b64.WriteString(line)
			}
		}
		var err error
		if blob, err = base64.StdEncoding.DecodeString(b64.String()); err != nil {
			return nil, fmt.Errorf("%w: RFC 4716 public key: bad base64", ErrMalformed)
		}
		enc = EncodingRFC4716
	} else {
		// "TYPE BASE64 [COMMENT]", as x/crypto/ssh's ParseAuthorizedKey reads it: TYPE must
		// be the blob's, as OpenSSH's sshkey_read requires.
		line, _, _ := bytes.Cut(t, []byte("\n"))
		f := strings.Fields(string(line))
		if len(f) < 2 {
			return nil, fmt.Errorf("%w: OpenSSH public key: no key after its type", ErrMalformed)
		}
		declared = f[0]
		var err error
		if blob, err = base64.StdEncoding.DecodeString(f[1]); err != nil {
			return nil, fmt.Errorf("%w: OpenSSH public key: bad base64", ErrMalformed)
		}
	}
	k, err := opensshParsePublic(blob)
	if err != nil {
		return nil, err
	}
	if declared != "" {
		s := cryptobyte.String(blob)
		var typ cryptobyte.String
		if !opensshString(&s, &typ) || string(typ) != declared {
			return nil, fmt.Errorf("%w: OpenSSH public key: the line says %s, its key is %s", ErrMalformed, escapeText(declared), escapeText(string(typ)))
		}
	}
	return keyFromPublic(k, enc)
}

// opensshString reads an SSH string (RFC 4251: a uint32 length, then the bytes).
func opensshString(s *cryptobyte.String, out *cryptobyte.String) bool {
	var n uint32
	var b []byte
	if !s.ReadUint32(&n) || int64(n) > int64(len(*s)) || !s.ReadBytes(&b, int(n)) {
		return false
	}
	*out = b
	return true
}
