package x509util

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/ssh"
)

// OpenSSH keys: private keys in OpenSSH's own format ("OPENSSH PRIVATE KEY", what ssh-keygen
// writes since OpenSSH 7.8, plain or encrypted with bcrypt-pbkdf and AES-256), public keys as
// one authorized_keys line ("ssh-ed25519 AAAA... comment", what a .pub file holds) or in the
// RFC 4716 form of `ssh-keygen -e`. golang.org/x/crypto/ssh decodes them; the container is
// read here first, so that what signet cannot use (a security-key or DSA key, a cipher
// x/crypto/ssh does not implement, too many KDF rounds) is named before a passphrase is asked
// for, and errors wrap this package's sentinels.

const (
	opensshMagic = "openssh-key-v1\x00"
	// opensshMaxRounds bounds the bcrypt-pbkdf rounds of an encrypted key: 64 times
	// ssh-keygen's default of 16 and ten times the "-a 100" guides advise, about six seconds
	// of one core here (x/crypto/ssh's own cap, 2048, is twice that).
	opensshMaxRounds = 1024
)

// opensshCiphers are the encryptions of OpenSSH private keys x/crypto/ssh decrypts.
var opensshCiphers = map[string]bool{"aes256-ctr": true, "aes256-cbc": true}

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
	pub, err := ssh.ParsePublicKey(pubBlob)
	if err != nil {
		return nil, opensshKeyTypeError(pubBlob, err)
	}
	if _, err := opensshPublic(pub); err != nil {
		return nil, err
	}
	encrypted := string(cipherName) != "none" || string(kdfName) != "none"
	var key any
	if !encrypted {
		key, err = ssh.ParseRawPrivateKey(pem.EncodeToMemory(block))
	} else {
		if !opensshCiphers[string(cipherName)] {
			return nil, fmt.Errorf("%w: OpenSSH private key encrypted with %q (signet reads aes256-ctr, ssh-keygen's default, and aes256-cbc); re-encrypt it with: ssh-keygen -p -Z aes256-ctr -f FILE",
				ErrUnsupported, string(cipherName))
		}
		var salt cryptobyte.String
		var rounds uint32
		if string(kdfName) != "bcrypt" || !opensshString(&kdfOpts, &salt) || !kdfOpts.ReadUint32(&rounds) || !kdfOpts.Empty() {
			return nil, fmt.Errorf("%w: OpenSSH private key: key derivation %q with malformed options (want bcrypt)", ErrMalformed, string(kdfName))
		}
		if rounds < 1 || rounds > opensshMaxRounds {
			return nil, fmt.Errorf("%w: OpenSSH private key: %d bcrypt rounds is outside the 1 to %d signet runs (ssh-keygen -a)", ErrUnsupported, rounds, opensshMaxRounds)
		}
		pw, err := keyPassphrase(passphrase)
		if err != nil {
			return nil, err
		}
		key, err = ssh.ParseRawPrivateKeyWithPassphrase(pem.EncodeToMemory(block), pw)
		clear(pw)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, ErrIncorrectPassphrase
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: OpenSSH private key: %v", ErrMalformed, err)
	}
	var signer crypto.Signer
	switch k := key.(type) {
	case *rsa.PrivateKey:
		signer = k
	case *ecdsa.PrivateKey:
		signer = k
	case *ed25519.PrivateKey:
		signer = *k
	default:
		return nil, fmt.Errorf("%w: OpenSSH private key of type %T", ErrUnsupported, key)
	}
	want, _ := opensshPublic(pub)
	if !PublicKeysEqual(signer.Public(), want) {
		return nil, fmt.Errorf("%w: OpenSSH private key: its public key and its private key differ", ErrMalformed)
	}
	k := keyFromSigner(signer, EncodingOpenSSH)
	k.Encrypted = encrypted
	return k, nil
}

// opensshPublic returns the crypto/x509 form of an OpenSSH public key signet can use.
func opensshPublic(pub ssh.PublicKey) (crypto.PublicKey, error) {
	if _, isCert := pub.(*ssh.Certificate); isCert {
		return nil, fmt.Errorf("%w: an OpenSSH certificate (%s); give the key itself", ErrUnsupported, pub.Type())
	}
	if strings.HasPrefix(pub.Type(), "sk-") {
		return nil, opensshUnsupportedType(pub.Type())
	}
	cp, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return nil, opensshUnsupportedType(pub.Type())
	}
	switch k := cp.CryptoPublicKey().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return k, nil
	}
	return nil, opensshUnsupportedType(pub.Type())
}

// opensshKeyTypeError explains a public key blob x/crypto/ssh did not parse: a key type signet
// does not sign with, when the blob names one, else a malformed key.
func opensshKeyTypeError(blob []byte, err error) error {
	s := cryptobyte.String(blob)
	var typ cryptobyte.String
	if opensshString(&s, &typ) && len(typ) > 0 && len(typ) < 64 {
		switch t := string(typ); t {
		case ssh.KeyAlgoRSA, ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521:
		default:
			return opensshUnsupportedType(t)
		}
	}
	return fmt.Errorf("%w: OpenSSH key: %v", ErrMalformed, err)
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
	var pub ssh.PublicKey
	var err error
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
		blob, derr := base64.StdEncoding.DecodeString(b64.String())
		if derr != nil {
			return nil, fmt.Errorf("%w: RFC 4716 public key: bad base64", ErrMalformed)
		}
		if pub, err = ssh.ParsePublicKey(blob); err != nil {
			return nil, opensshKeyTypeError(blob, err)
		}
		enc = EncodingRFC4716
	} else {
		line, _, _ := bytes.Cut(t, []byte("\n"))
		if pub, _, _, _, err = ssh.ParseAuthorizedKey(line); err != nil {
			if f := strings.Fields(string(line)); len(f) >= 2 {
				if blob, derr := base64.StdEncoding.DecodeString(f[1]); derr == nil {
					return nil, opensshKeyTypeError(blob, err)
				}
			}
			return nil, fmt.Errorf("%w: OpenSSH public key: %v", ErrMalformed, err)
		}
	}
	k, err := opensshPublic(pub)
	if err != nil {
		return nil, err
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
