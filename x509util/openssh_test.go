package x509util

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/signet-pki/signet/internal/testutil"
)

// opensshTestKey is a private key file as ssh-keygen writes it, with its .pub file.
type opensshTestKey struct {
	name      string
	priv, pub []byte
	pass      string // "" for a key in the clear
}

// opensshTestKeys makes keys of every type signet reads with ssh-keygen, and the same with
// golang.org/x/crypto/ssh when ssh-keygen is missing.
func opensshTestKeys(t *testing.T) []opensshTestKey {
	t.Helper()
	dir := t.TempDir()
	specs := []struct {
		name, typ, bits, pass string
		cipher, rounds        string // ssh-keygen -Z and -a, when not aes256-ctr and 2
	}{
		{"ed25519", "ed25519", "", "", "", ""},
		{"ed25519-encrypted", "ed25519", "", "ssh pässphrase", "", ""},
		{"ecdsa-p256", "ecdsa", "256", "", "", ""},
		{"ecdsa-p384-encrypted", "ecdsa", "384", "ssh pässphrase", "", ""},
		{"ecdsa-p521", "ecdsa", "521", "", "", ""},
		{"rsa-2048-encrypted", "rsa", "2048", "ssh pässphrase", "", ""},
		{"ed25519-aes256-cbc-3-rounds", "ed25519", "", "ssh pässphrase", "aes256-cbc", "3"},
	}
	var keys []opensshTestKey
	if keygen, err := exec.LookPath("ssh-keygen"); err == nil {
		for _, s := range specs {
			f := filepath.Join(dir, s.name)
			// -a 2: two bcrypt rounds instead of 16; the file is the same format, and each
			// of the test's decryptions costs a second less under the race detector.
			rounds := "2"
			if s.rounds != "" {
				rounds = s.rounds
			}
			args := []string{"-q", "-t", s.typ, "-N", s.pass, "-a", rounds, "-C", "test@" + s.name, "-f", f}
			if s.bits != "" {
				args = append(args, "-b", s.bits)
			}
			if s.cipher != "" {
				args = append(args, "-Z", s.cipher)
			}
			testutil.Run(t, keygen, args...)
			priv, _ := os.ReadFile(f)
			pub, _ := os.ReadFile(f + ".pub")
			keys = append(keys, opensshTestKey{s.name, priv, pub, s.pass})
		}
		return keys
	}
	// x/crypto/ssh writes the same format ssh-keygen does (openssh-key-v1, bcrypt, aes256-ctr).
	t.Log("ssh-keygen is missing: the keys are made with golang.org/x/crypto/ssh")
	for _, s := range specs {
		var k crypto.Signer
		switch s.typ {
		case "ed25519":
			_, k, _ = ed25519.GenerateKey(rand.Reader)
		case "ecdsa":
			k, _ = ecdsa.GenerateKey(map[string]elliptic.Curve{"256": elliptic.P256(), "384": elliptic.P384(), "521": elliptic.P521()}[s.bits], rand.Reader)
		case "rsa":
			k = mustKeyGen(t, KeyRSA2048)
		}
		var block *pem.Block
		var err error
		if s.pass == "" {
			block, err = ssh.MarshalPrivateKey(k, "test@"+s.name)
		} else {
			block, err = ssh.MarshalPrivateKeyWithPassphrase(k, "test@"+s.name, []byte(s.pass))
		}
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ssh.NewPublicKey(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, opensshTestKey{s.name, pem.EncodeToMemory(block), ssh.MarshalAuthorizedKey(pub), s.pass})
	}
	return keys
}

// TestOpenSSHKeys: OpenSSH private keys, in the clear and encrypted, and their .pub files and
// RFC 4716 forms are read; the private key's public half is the .pub file's key; a wrong
// passphrase is ErrIncorrectPassphrase and one is asked for only when the key is encrypted.
func TestOpenSSHKeys(t *testing.T) {
	t.Parallel()
	for _, k := range opensshTestKeys(t) {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel() // bcrypt under the race detector: seconds a key
			passFunc, calls := keyTestPassFunc(k.pass)
			d, err := DecodeKey(k.priv, passFunc)
			if err != nil {
				t.Fatalf("DecodeKey(private): %v", err)
			}
			if d.Signer == nil || d.Encoding != EncodingOpenSSH || !d.PEM || d.Encrypted != (k.pass != "") || *calls != map[bool]int{false: 0, true: 1}[k.pass != ""] {
				t.Errorf("DecodeKey = {Encoding %q PEM %v Encrypted %v}, passphrase asked %d times", d.Encoding, d.PEM, d.Encrypted, *calls)
			}
			s, err := ParsePrivateKey(k.priv, passFunc)
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			// The key signs, and its signature verifies with the public key of the .pub file.
			pub, err := ParsePublicKey(k.pub)
			if err != nil {
				t.Fatalf("ParsePublicKey(.pub): %v", err)
			}
			if !PublicKeysEqual(s.Public(), pub) {
				t.Fatal("the private key's public key is not the .pub file's")
			}
			sshSigner, err := ssh.NewSignerFromSigner(s)
			if err != nil {
				t.Fatal(err)
			}
			sshPub, err := ssh.NewPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := sshSigner.Sign(rand.Reader, []byte("message"))
			if err != nil || sshPub.Verify([]byte("message"), sig) != nil {
				t.Errorf("sign and verify: %v", err)
			}
			if _, err := ParsePrivateKey(k.pub, nil); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "the file without .pub") {
				t.Errorf("ParsePrivateKey(.pub) = %v, want ErrMalformed pointing at the private key file", err)
			}
			dp, err := DecodeKey(k.pub, nil)
			if err != nil || dp.Encoding != EncodingAuthorizedKey || dp.Signer != nil {
				t.Errorf("DecodeKey(.pub) = %+v, %v", dp, err)
			}
			// The RFC 4716 form, as ssh-keygen -e writes it.
			rfc := opensshRFC4716(t, sshPub)
			if p, err := ParsePublicKey(rfc); err != nil || !PublicKeysEqual(p, pub) {
				t.Errorf("ParsePublicKey(RFC 4716) = %v", err)
			}
			if k.pass != "" {
				wrong, _ := keyTestPassFunc("not it")
				if _, err := DecodeKey(k.priv, wrong); !errors.Is(err, ErrIncorrectPassphrase) {
					t.Errorf("wrong passphrase: %v, want ErrIncorrectPassphrase", err)
				}
				if _, err := DecodeKey(k.priv, nil); !errors.Is(err, ErrIncorrectPassphrase) {
					t.Errorf("no passphrase: %v, want ErrIncorrectPassphrase", err)
				}
			}
		})
	}
}

func opensshRFC4716(t *testing.T, pub ssh.PublicKey) []byte {
	t.Helper()
	if keygen, err := exec.LookPath("ssh-keygen"); err == nil {
		f := filepath.Join(t.TempDir(), "k.pub")
		if err := os.WriteFile(f, ssh.MarshalAuthorizedKey(pub), 0o644); err != nil {
			t.Fatal(err)
		}
		return testutil.Run(t, keygen, "-e", "-f", f)
	}
	b64 := strings.TrimSpace(strings.Fields(string(ssh.MarshalAuthorizedKey(pub)))[1])
	var b strings.Builder
	b.WriteString("---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"a comment that goes on \\\n and on\"\n")
	for len(b64) > 70 {
		b.WriteString(b64[:70] + "\n")
		b64 = b64[70:]
	}
	b.WriteString(b64 + "\n---- END SSH2 PUBLIC KEY ----\n")
	return []byte(b.String())
}

// TestOpenSSHRefused: what signet cannot use is named, before a passphrase is asked for: too
// many bcrypt rounds, a cipher x/crypto/ssh does not decrypt, security-key and DSA keys, an
// OpenSSH certificate; a damaged file is ErrMalformed.
func TestOpenSSHRefused(t *testing.T) {
	t.Parallel()
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKeyWithPassphrase(edKey, "", []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	// The header: magic, cipher, kdf, kdf options (salt, rounds), ...
	patch := func(f func(b []byte) []byte) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: f(bytes.Clone(block.Bytes))})
	}
	sshString := func(s string) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(s))), s...) }
	cipherAt := len(opensshMagic)
	roundsAt := cipherAt + len(sshString("aes256-ctr")) + len(sshString("bcrypt")) + 4 + len(sshString(strings.Repeat("s", 16)))
	manyRounds := patch(func(b []byte) []byte { binary.BigEndian.PutUint32(b[roundsAt:], 1<<30); return b })
	otherCipher := patch(func(b []byte) []byte {
		return append(append(append([]byte(nil), b[:cipherAt]...), sshString("chacha20-poly1305@openssh.com")...), b[cipherAt+len(sshString("aes256-ctr")):]...)
	})
	if !bytes.Equal(block.Bytes[cipherAt:cipherAt+len(sshString("aes256-ctr"))], sshString("aes256-ctr")) {
		t.Fatal("x/crypto/ssh no longer writes aes256-ctr; fix the test's offsets")
	}

	edPub, _ := ssh.NewPublicKey(edKey.Public())
	skBlob := append(append(sshString("sk-ssh-ed25519@openssh.com"), sshString(string(edPub.(ssh.CryptoPublicKey).CryptoPublicKey().(ed25519.PublicKey)))...), sshString("ssh:")...)
	sk := "sk-ssh-ed25519@openssh.com " + b64(skBlob) + " yubikey\n"
	dss := "ssh-dss " + b64(append(sshString("ssh-dss"), make([]byte, 40)...)) + "\n"
	certSigner, _ := ssh.NewSignerFromSigner(edKey)
	cert := &ssh.Certificate{Key: edPub, CertType: ssh.UserCert, ValidPrincipals: []string{"alice"}, ValidBefore: ssh.CertTimeInfinity}
	if err := cert.SignCert(rand.Reader, certSigner); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		target error
		want   string
	}{
		{"2^30 bcrypt rounds", manyRounds, ErrUnsupported, "bcrypt rounds"},
		{"chacha20-poly1305", otherCipher, ErrUnsupported, "chacha20-poly1305@openssh.com"},
		{"security key", []byte(sk), ErrUnsupported, "security-key"},
		{"DSA", []byte(dss), ErrUnsupported, "DSA"},
		{"OpenSSH certificate", ssh.MarshalAuthorizedKey(cert), ErrUnsupported, "certificate"},
		{"damaged private key", patch(func(b []byte) []byte { return b[:len(b)-40] }), ErrMalformed, "OpenSSH"},
		{"damaged public key", []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO\n"), ErrMalformed, "OpenSSH"},
		// OpenSSH's sshkey_read and x/crypto/ssh refuse a line whose type is not its key's.
		{"line's type not its key's", []byte("ssh-rsa " + b64(edPub.Marshal()) + " c\n"), ErrMalformed, "ssh-rsa"},
		{"RFC 4716 without END", []byte("---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n"), ErrMalformed, "END"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			passFunc, calls := keyTestPassFunc("pw")
			_, err := DecodeKey(tc.data, passFunc)
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("DecodeKey = %v; want %v mentioning %q", err, tc.target, tc.want)
			}
			if *calls != 0 {
				t.Errorf("the passphrase was asked for")
			}
		})
	}
}

func b64(b []byte) string {
	return strings.TrimSpace(strings.Fields(string(ssh.MarshalAuthorizedKey(rawSSHKey(b))))[1])
}

// rawSSHKey is a public key blob as it is, for building authorized_keys lines of types
// x/crypto/ssh would not marshal.
type rawSSHKey []byte

func (k rawSSHKey) Type() string                                 { return "raw" }
func (k rawSSHKey) Marshal() []byte                              { return k }
func (k rawSSHKey) Verify(data []byte, sig *ssh.Signature) error { return errors.New("no") }
