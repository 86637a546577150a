package x509util

import (
	"bytes"
	"crypto"
	"crypto/cipher"
	"crypto/des"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rc4"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/youmark/pkcs8"
	"golang.org/x/crypto/ssh"
)

const keyFuzzPass = "fuzz pass"

// keyFuzzSeeds are keys in every encoding signet reads, made in Go so the seeds need no
// external tool; encrypted ones use keyFuzzPass and cheap KDF parameters so that the fuzzer
// spends its time on parsing.
func keyFuzzSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	add := func(typ string, der []byte, headers map[string]string) {
		seeds = append(seeds, der, pem.EncodeToMemory(&pem.Block{Type: typ, Headers: headers, Bytes: der}))
	}
	ec, _ := GenerateKey(KeyECP256)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024) // small: only the encoding matters here
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []crypto.Signer{ec, ed, rsaKey} {
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		add("PRIVATE KEY", der, nil)
		spki, _ := x509.MarshalPKIXPublicKey(k.Public())
		add("PUBLIC KEY", spki, nil)
		for _, opts := range []*pkcs8.Opts{
			{Cipher: pkcs8.AES256CBC, KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 8, IterationCount: 2, HMACHash: crypto.SHA256}},
			{Cipher: pkcs8.AES128CBC, KDFOpts: pkcs8.ScryptOpts{SaltSize: 8, CostParameter: 2, BlockSize: 1, ParallelizationParameter: 1}},
			{Cipher: pkcs8.TripleDESCBC, KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 8, IterationCount: 2, HMACHash: crypto.SHA1}},
		} {
			enc, err := pkcs8.MarshalPrivateKey(k, []byte(keyFuzzPass), opts)
			if err != nil {
				t.Fatal(err)
			}
			add("ENCRYPTED PRIVATE KEY", enc, nil)
		}
	}
	// OpenSSH: private keys in the clear, one encrypted (x/crypto/ssh writes 16 bcrypt rounds),
	// authorized_keys lines and the RFC 4716 form.
	for _, k := range []crypto.Signer{ec, ed, rsaKey} {
		b, err := ssh.MarshalPrivateKey(k, "seed")
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, pem.EncodeToMemory(b))
		pub, _ := ssh.NewPublicKey(k.Public())
		seeds = append(seeds, ssh.MarshalAuthorizedKey(pub))
	}
	if b, err := ssh.MarshalPrivateKeyWithPassphrase(ed, "seed", []byte(keyFuzzPass)); err == nil {
		seeds = append(seeds, pem.EncodeToMemory(b))
	}
	edPub, _ := ssh.NewPublicKey(ed.Public())
	seeds = append(seeds, []byte("---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"seed\"\n"+
		base64.StdEncoding.EncodeToString(edPub.Marshal())+"\n---- END SSH2 PUBLIC KEY ----\n"))
	// The legacy PKCS#8 encryptions: PKCS#12 3DES (CBC, padded) and RC4 (a stream), one round.
	edDER, _ := x509.MarshalPKCS8PrivateKey(ed)
	for _, oid := range []asn1.ObjectIdentifier{{1, 2, 840, 113549, 1, 12, 1, 3}, {1, 2, 840, 113549, 1, 12, 1, 1}} {
		add("ENCRYPTED PRIVATE KEY", keyFuzzPKCS12PBE(t, oid, edDER), nil)
	}
	p1 := x509.MarshalPKCS1PrivateKey(rsaKey)
	add("RSA PRIVATE KEY", p1, nil)
	add("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey), nil)
	sec1, _ := x509.MarshalECPrivateKey(ec.(*ecdsa.PrivateKey))
	add("EC PRIVATE KEY", sec1, nil)
	seeds = append(seeds, append([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})...))
	//lint:ignore SA1019 the seed is what old openssl writes
	legacy, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", p1, []byte(keyFuzzPass), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	seeds = append(seeds, pem.EncodeToMemory(legacy))
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "seed"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	cert, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ed.Public(), ed)
	add("CERTIFICATE", cert, nil)
	seeds = append(seeds, nil, []byte("-----BEGIN PRIVATE KEY-----\nMIIB"), []byte{0x30, 0x82, 0xff, 0xff})
	return seeds
}

// keyFuzzPKCS12PBE encrypts a PKCS#8 key with a PKCS#12 PBE scheme (3DES or RC4-128), one
// iteration, keyFuzzPass: what `openssl pkcs8 -topk8 -v1` writes, made in Go.
func keyFuzzPKCS12PBE(t testing.TB, oid asn1.ObjectIdentifier, der []byte) []byte {
	salt := []byte("saltsalt")
	bmp := []byte{}
	for _, c := range keyFuzzPass {
		bmp = append(bmp, 0, byte(c))
	}
	bmp = append(bmp, 0, 0)
	var data []byte
	if oid[len(oid)-1] == 3 {
		block, _ := des.NewTripleDESCipher(p12KDF(bmp, salt, 1, 1, 24))
		pad := 8 - len(der)%8
		data = append(bytes.Clone(der), bytes.Repeat([]byte{byte(pad)}, pad)...)
		cipher.NewCBCEncrypter(block, p12KDF(bmp, salt, 1, 2, 8)).CryptBlocks(data, data)
	} else {
		c, _ := rc4.NewCipher(p12KDF(bmp, salt, 1, 1, 16))
		data = make([]byte, len(der))
		c.XORKeyStream(data, der)
	}
	params, _ := asn1.Marshal(keyPBEParams{salt, 1})
	out, err := asn1.Marshal(keyEncryptedPKCS8Outline{Algo: pkix.AlgorithmIdentifier{Algorithm: oid, Parameters: asn1.RawValue{FullBytes: params}}, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func FuzzParsePrivateKey(f *testing.F) {
	for _, s := range keyFuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := DecodeKey(data, func() ([]byte, error) { return []byte(keyFuzzPass), nil })
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrIncorrectPassphrase) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if k.Public == nil {
			t.Fatal("no public key and no error")
		}
		if k.Signer != nil && !PublicKeysEqual(k.Signer.Public(), k.Public) {
			t.Fatal("Public is not the signer's public key")
		}
		if _, err := Inspect(k.Public); err != nil {
			t.Fatalf("Inspect of a key DecodeKey accepted: %v", err)
		}
	})
}

func FuzzParseCSR(f *testing.F) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	ec, _ := GenerateKey(KeyECP384)
	subject, _ := ParseRDNSequence("CN=seed+UID=1,O=Example,C=US")
	sans, _ := ParseSANs([]string{"dns:a.example", "ip:192.0.2.1", "email:a@b.example", "uri:https://a.example/x"})
	for _, k := range []crypto.Signer{ed, ec} {
		csr, err := CreateCSR(k, subject, sans)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(csr.Raw)
		f.Add(MarshalCSRPEM(csr))
	}
	f.Add(rcGreedyCSR(f).Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB"))
	f.Fuzz(func(t *testing.T, data []byte) {
		csr, err := ParseCSR(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if err := csr.CheckSignature(); err != nil {
			t.Fatalf("accepted a CSR whose signature does not verify: %v", err)
		}
		// What cert create does next with a CSR: never a panic, a NameError or nothing.
		_ = CSRNotCertified(csr)
		var ne *NameError
		if err := CheckSANs(SANs{DNSNames: csr.DNSNames, IPAddresses: csr.IPAddresses, EmailAddresses: csr.EmailAddresses, URIs: csr.URIs}); err != nil && !errors.As(err, &ne) {
			t.Fatalf("CheckSANs: %v", err)
		}
	})
}

// dnFuzzSeeds are names in both forms with every escape.
var dnFuzzSeeds = []string{
	"CN=alice,O=Example Corp,C=US",
	"/C=US/O=Example Corp/CN=alice",
	"CN=alice+UID=42,O=Example",
	"/O=Example/CN=alice+UID=42",
	`CN=Doe\, John,O=Example \+ Co\\`,
	`CN=caf\C3\A9,O=A\2CB`,
	`CN=\ alice\ `,
	"CN=#0c05616c696365",
	"emailAddress=a@example.com,DC=example,DC=com",
	"2.5.4.3=alice,1.3.6.1.4.1.99999.1=x",
	`/O=A\/B/CN=x\+y`,
	"CN=Jürgen,serialNumber=S-1,postalCode=1,title=t,GN=g,SN=s,STREET=x,L=y,ST=z",
	"", ",", "=", "/", "CN=", `\`, "#",
}

func FuzzParseDN(f *testing.F) {
	for _, s := range dnFuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, err := ParseRDNSequence(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("error without ErrInvalidName: %v", err)
			}
			return
		}
		der, err := asn1.Marshal(seq)
		if err != nil {
			t.Fatalf("accepted a name that does not marshal: %v", err)
		}
		if _, err := ParseDN(s); err != nil {
			t.Fatalf("ParseRDNSequence accepted what ParseDN refuses: %v", err)
		}
		// Go prints names in RFC 4514 form; reading that back gives the same DER. (Go prints a
		// #hex value of an attribute it has a name for with fmt.Sprint, which is not RFC 4514.)
		for _, rdn := range seq {
			for _, atv := range rdn {
				if _, raw := atv.Value.(asn1.RawValue); raw && len(atv.Type) == 4 && atv.Type[0] == 2 && atv.Type[1] == 5 && atv.Type[2] == 4 {
					return
				}
			}
		}
		again, err := ParseRDNSequence(seq.String())
		if err != nil {
			t.Fatalf("cannot read back %q: %v", seq.String(), err)
		}
		der2, _ := asn1.Marshal(again)
		if string(der) != string(der2) {
			t.Fatalf("%q read back from %q differs", seq.String(), s)
		}
	})
}

func FuzzParseSANs(f *testing.F) {
	for _, s := range []string{"dns:www.example.com", "dns:*.example.com", "ip:192.0.2.1", "ip:2001:db8::1",
		"email:a.b+c@example.com", "uri:https://example.com:8443/p?q#f", "uri:urn:x:y", "dns:", "uri:a:"} {
		f.Add(s)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	f.Fuzz(func(t *testing.T, s string) {
		sans, err := ParseSANs([]string{s})
		if err != nil {
			if !errors.Is(err, ErrInvalidName) {
				t.Fatalf("error without ErrInvalidName: %v", err)
			}
			return
		}
		// Whatever is accepted goes into a CSR that crypto/x509 reads back.
		csr, err := CreateCSR(key, nil, sans)
		if err != nil {
			t.Fatalf("CreateCSR with accepted name %q: %v", s, err)
		}
		if _, err := ParseCSR(csr.Raw); err != nil {
			t.Fatalf("ParseCSR with accepted name %q: %v", s, err)
		}
	})
}
