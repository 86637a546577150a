package x509util

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

func TestP12RoundTripWithOpenSSL(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	root, inter, interKey := testCA(t)
	key := issueTestKey(t, "p384")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileClient, Subject: pkix.Name{CommonName: "p12 client"},
		PublicKey: key.Public(), Issuer: inter, IssuerKey: interKey})
	pass := []byte("correct horse")
	t.Setenv("P12_TEST_PASS", string(pass))

	for _, legacy := range []bool{false, true} {
		name := map[bool]string{false: "modern", true: "legacy"}[legacy]
		t.Run("signet writes "+name, func(t *testing.T) {
			der, err := EncodeP12(key, leaf, []*x509.Certificate{inter, root}, pass, P12Options{Legacy: legacy})
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, name+".p12")
			os.WriteFile(p, der, 0o600)
			stdout, errOut, err := testutil.RunErr(openssl, "pkcs12", "-in", p, "-info", "-noout", "-passin", "env:P12_TEST_PASS")
			if err != nil {
				t.Fatalf("openssl pkcs12 -info: %v\n%s", err, errOut)
			}
			info := string(stdout) + string(errOut) // openssl prints the algorithms on stderr
			want := "AES-256-CBC"
			if legacy {
				want = "pbeWithSHA1And3-KeyTripleDES-CBC"
			}
			if !strings.Contains(info, want) {
				t.Errorf("openssl pkcs12 -info does not mention %s:\n%s", want, info)
			}
			got, err := ParseP12(der, func() ([]byte, error) { return []byte(string(pass)), nil })
			if err != nil {
				t.Fatal(err)
			}
			if !got.Certificate.Equal(leaf) || len(got.Chain) != 2 {
				t.Errorf("round trip: leaf equal %v, chain %d", got.Certificate.Equal(leaf), len(got.Chain))
			}
		})
	}

	t.Run("openssl writes", func(t *testing.T) {
		keyPEM := filepath.Join(dir, "k.pem")
		pk, _ := x509.MarshalPKCS8PrivateKey(key)
		writePEM(t, keyPEM, "PRIVATE KEY", pk)
		certPEM := writePEM(t, filepath.Join(dir, "c.pem"), "CERTIFICATE", leaf.Raw)
		chainPEM := writePEM(t, filepath.Join(dir, "chain.pem"), "CERTIFICATE", inter.Raw, root.Raw)
		out := filepath.Join(dir, "openssl.p12")
		testutil.Run(t, openssl, "pkcs12", "-export", "-inkey", keyPEM, "-in", certPEM, "-certfile", chainPEM,
			"-passout", "env:P12_TEST_PASS", "-out", out)
		der, _ := os.ReadFile(out)
		got, err := ParseP12(der, func() ([]byte, error) { return pass, nil })
		if err != nil {
			t.Fatal(err)
		}
		if !got.Certificate.Equal(leaf) || !PublicKeysEqual(got.Key.Public(), key.Public()) || len(got.Chain) != 2 {
			t.Errorf("openssl's p12 read wrongly")
		}
		_, err = ParseP12(der, func() ([]byte, error) { return []byte("wrong"), nil })
		if !errors.Is(err, ErrIncorrectPassphrase) {
			t.Errorf("wrong passphrase: error = %v, want ErrIncorrectPassphrase", err)
		}
	})

	t.Run("key does not match", func(t *testing.T) {
		if _, err := EncodeP12(issueTestKey(t, "p256b"), leaf, nil, pass, P12Options{}); !errors.Is(err, ErrKeyMismatch) {
			t.Errorf("error = %v, want ErrKeyMismatch", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		if _, err := ParseP12([]byte("not a p12"), nil); !errors.Is(err, ErrMalformed) {
			t.Errorf("error = %v, want ErrMalformed", err)
		}
	})
}

// p12Hostile builds a PFX whose only content is one container holding one bag: a shrouded
// private key encrypted with keyAlg, inside an encrypted container when encrypted, with a MAC
// of macIterations (no MAC when 0; a PBMAC1 MAC with PBKDF2 when pbmac1). Nothing in it is
// real ciphertext: it only has to ask go-pkcs12 for key derivations.
func p12Hostile(t testing.TB, keyAlg pkix.AlgorithmIdentifier, encrypted bool, macIterations int, pbmac1 bool) []byte {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue // [0] EXPLICIT, built by explicit
	}
	explicit := func(der []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
	}
	epki := must(asn1.Marshal(struct {
		Alg  pkix.AlgorithmIdentifier
		Data []byte
	}{keyAlg, make([]byte, 16)}))
	bag := must(asn1.Marshal(struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue
	}{p12OIDShroudedKey, explicit(epki)}))
	safeContents := must(asn1.Marshal([]asn1.RawValue{{FullBytes: bag}}))
	var ci contentInfo
	if encrypted {
		ed := must(asn1.Marshal(struct {
			Version int
			ECI     struct {
				ContentType asn1.ObjectIdentifier
				Alg         pkix.AlgorithmIdentifier
				Content     []byte `asn1:"tag:0,optional"`
			}
		}{0, struct {
			ContentType asn1.ObjectIdentifier
			Alg         pkix.AlgorithmIdentifier
			Content     []byte `asn1:"tag:0,optional"`
		}{p12OIDData, keyAlg, make([]byte, 32)}}))
		ci = contentInfo{p12OIDEncryptedData, explicit(ed)}
	} else {
		ci = contentInfo{p12OIDData, explicit(must(asn1.Marshal(safeContents)))}
	}
	authSafe := must(asn1.Marshal([]contentInfo{ci}))
	outer := contentInfo{p12OIDData, explicit(must(asn1.Marshal(authSafe)))}
	if macIterations == 0 {
		return must(asn1.Marshal(struct {
			Version  int
			AuthSafe contentInfo
		}{3, outer}))
	}
	macAlg := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}} // SHA-1
	if pbmac1 {
		macAlg = pkix.AlgorithmIdentifier{Algorithm: p12OIDPBMAC1, Parameters: asn1.RawValue{FullBytes: must(asn1.Marshal(struct {
			KDF pkix.AlgorithmIdentifier
			MAC pkix.AlgorithmIdentifier
		}{p12TestPBKDF2(t, macIterations), pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}}}))}}
		macIterations = 1
	}
	return must(asn1.Marshal(struct {
		Version  int
		AuthSafe contentInfo
		MacData  struct {
			Mac struct {
				Alg    pkix.AlgorithmIdentifier
				Digest []byte
			}
			Salt       []byte
			Iterations int
		}
	}{3, outer, struct {
		Mac struct {
			Alg    pkix.AlgorithmIdentifier
			Digest []byte
		}
		Salt       []byte
		Iterations int
	}{struct {
		Alg    pkix.AlgorithmIdentifier
		Digest []byte
	}{macAlg, make([]byte, 20)}, make([]byte, 8), macIterations}}))
}

// p12TestPBE is pbeWithSHAAnd3-KeyTripleDES-CBC with iterations.
func p12TestPBE(t testing.TB, iterations int) pkix.AlgorithmIdentifier {
	t.Helper()
	params, err := asn1.Marshal(struct {
		Salt       []byte
		Iterations int
	}{make([]byte, 8), iterations})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}, Parameters: asn1.RawValue{FullBytes: params}}
}

// p12TestPBKDF2 is PBKDF2-HMAC-SHA256 with iterations.
func p12TestPBKDF2(t testing.TB, iterations int) pkix.AlgorithmIdentifier {
	t.Helper()
	params, err := asn1.Marshal(struct {
		Salt       []byte
		Iterations int
		KeyLength  int
		PRF        pkix.AlgorithmIdentifier
	}{make([]byte, 16), iterations, 32, pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}}})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.AlgorithmIdentifier{Algorithm: keyOIDPBKDF2, Parameters: asn1.RawValue{FullBytes: params}}
}

// p12TestPBES2 is PBES2 with PBKDF2 of iterations and AES-256-CBC.
func p12TestPBES2(t testing.TB, iterations int) pkix.AlgorithmIdentifier {
	t.Helper()
	iv, _ := asn1.Marshal(make([]byte, 16))
	params, err := asn1.Marshal(struct {
		KDF pkix.AlgorithmIdentifier
		Enc pkix.AlgorithmIdentifier
	}{p12TestPBKDF2(t, iterations), pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, Parameters: asn1.RawValue{FullBytes: iv}}})
	if err != nil {
		t.Fatal(err)
	}
	return pkix.AlgorithmIdentifier{Algorithm: keyOIDPBES2, Parameters: asn1.RawValue{FullBytes: params}}
}

// TestP12IterationBounds: a PKCS#12 file asking for 2^31-1 iterations of its MAC or of an
// encryption (about half an hour of go-pkcs12's time) is refused before any key derivation,
// saying which count; the passphrase is not asked for. Counts within bounds go on to
// go-pkcs12, which here fails quickly on the fake ciphertext.
func TestP12IterationBounds(t *testing.T) {
	const huge = 1<<31 - 1
	tests := []struct {
		name string
		der  []byte
		want string // "" for within bounds
	}{
		{"MAC", p12Hostile(t, p12TestPBE(t, 2048), false, huge, false), "the MAC is 2147483647"},
		{"PBMAC1", p12Hostile(t, p12TestPBE(t, 2048), false, huge, true), "the MAC is 2147483647"},
		{"shrouded key, PKCS#12 PBE", p12Hostile(t, p12TestPBE(t, huge), false, 0, false), "the private key (container 1, bag 1) is 2147483647"},
		{"shrouded key, PBES2", p12Hostile(t, p12TestPBES2(t, huge), false, 0, false), "the private key (container 1, bag 1) is 2147483647"},
		{"shrouded key behind a MAC", p12Hostile(t, p12TestPBES2(t, huge), false, 2048, false), "the private key"},
		{"encrypted container", p12Hostile(t, p12TestPBE(t, huge), true, 0, false), "the encryption of container 1 is 2147483647"},
		{"zero iterations", p12Hostile(t, p12TestPBE(t, 0), false, 0, false), "the private key (container 1, bag 1) is 0,"},
		{"negative iterations", p12Hostile(t, p12TestPBES2(t, -1), false, 0, false), "the private key (container 1, bag 1) is -1,"},
		{"MAC at the bound", p12Hostile(t, p12TestPBE(t, 1), false, p12MaxIterations+1, false), "the MAC is 1000001"},
		{"within bounds", p12Hostile(t, p12TestPBE(t, 2048), false, 0, false), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			_, err := ParseP12(tc.der, func() ([]byte, error) { asked = true; return []byte("x"), nil })
			if tc.want == "" {
				if err == nil || strings.Contains(err.Error(), "iteration count") {
					t.Errorf("ParseP12 = %v, want go-pkcs12's own failure", err)
				}
				return
			}
			if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "iteration count of "+tc.want) {
				t.Errorf("ParseP12 = %v, want ErrUnsupported naming %q", err, tc.want)
			}
			if asked {
				t.Error("the passphrase was asked for")
			}
		})
	}
	if err := p12CheckCost(p12Hostile(t, p12TestPBES2(t, p12MaxIterations), false, p12MaxIterations, false)); err != nil {
		t.Errorf("counts at the bound: %v", err)
	}
}

// FuzzP12CheckCost: the PFX walk never panics, and whatever it refuses it refuses with
// ErrUnsupported.
func FuzzP12CheckCost(f *testing.F) {
	f.Add(p12Hostile(f, p12TestPBE(f, 1<<31-1), true, 1<<31-1, false))
	f.Add(p12Hostile(f, p12TestPBES2(f, 2048), false, 2048, true))
	f.Add(p12Hostile(f, p12TestPBE(f, 2048), false, 0, false))
	key := issueTestKey(f, "p256")
	leaf := mustIssue(f, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "fuzz"}, PublicKey: key.Public(), IssuerKey: key})
	for _, legacy := range []bool{false, true} {
		der, err := EncodeP12(key, leaf, nil, []byte("pw"), P12Options{Legacy: legacy})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		if err := p12CheckCost(der); err != nil && !errors.Is(err, ErrUnsupported) {
			t.Fatalf("error without ErrUnsupported: %v", err)
		}
	})
}

// p12HiddenKey builds a PFX whose one container is encrypted (PBES2, AES-256-CBC, PBKDF2 of
// one iteration, with password pw) and holds a shrouded key bag asking for keyIterations of
// the PKCS#12 KDF. With pw "" it has no MAC, which go-pkcs12 accepts for the empty password;
// otherwise a PBMAC1 MAC that verifies with pw. Everything a reader checks before the key bag
// is genuine.
func p12HiddenKey(t testing.TB, pw string, keyIterations int) []byte {
	t.Helper()
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	explicit := func(der []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
	}
	type contentInfo struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue
	}
	epki := must(asn1.Marshal(struct {
		Alg  pkix.AlgorithmIdentifier
		Data []byte
	}{p12TestPBE(t, keyIterations), make([]byte, 16)}))
	bag := must(asn1.Marshal(struct {
		ID    asn1.ObjectIdentifier
		Value asn1.RawValue
	}{p12OIDShroudedKey, explicit(epki)}))
	plain := must(asn1.Marshal([]asn1.RawValue{{FullBytes: bag}}))
	// Encrypt the SafeContents as p12TestPBES2(1) describes: salt and IV all zeros.
	key, err := pbkdf2.Key(sha256.New, pw, make([]byte, 16), 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := aes.NewCipher(key)
	pad := 16 - len(plain)%16
	plain = append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, make([]byte, 16)).CryptBlocks(ct, plain)
	type eci struct {
		ContentType asn1.ObjectIdentifier
		Alg         pkix.AlgorithmIdentifier
		Content     []byte `asn1:"tag:0,optional"`
	}
	ed := must(asn1.Marshal(struct {
		Version int
		ECI     eci
	}{0, eci{p12OIDData, p12TestPBES2(t, 1), ct}}))
	authSafe := must(asn1.Marshal([]contentInfo{{p12OIDEncryptedData, explicit(ed)}}))
	outer := contentInfo{p12OIDData, explicit(must(asn1.Marshal(authSafe)))}
	if pw == "" {
		return must(asn1.Marshal(struct {
			Version  int
			AuthSafe contentInfo
		}{3, outer}))
	}
	macKey, err := pbkdf2.Key(sha256.New, pw, make([]byte, 16), 1, 32)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, macKey)
	m.Write(authSafe)
	type digestInfo struct {
		Alg    pkix.AlgorithmIdentifier
		Digest []byte
	}
	hmacSHA256 := pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}}
	pbmac1 := pkix.AlgorithmIdentifier{Algorithm: p12OIDPBMAC1, Parameters: asn1.RawValue{FullBytes: must(asn1.Marshal(struct {
		KDF, MAC pkix.AlgorithmIdentifier
	}{p12TestPBKDF2(t, 1), hmacSHA256}))}}
	return must(asn1.Marshal(struct {
		Version  int
		AuthSafe contentInfo
		MacData  struct {
			Mac        digestInfo
			Salt       []byte
			Iterations int
		}
	}{3, outer, struct {
		Mac        digestInfo
		Salt       []byte
		Iterations int
	}{digestInfo{pbmac1, m.Sum(nil)}, make([]byte, 8), 1}}))
}

// A private key hidden in an encrypted container, asking for 2^31-1 iterations, is refused
// once the container is decrypted with the password about to be tried: the empty one for a
// file without a MAC (no passphrase is asked for), the passphrase for one with a MAC.
func TestP12HiddenKeyIterations(t *testing.T) {
	for _, pw := range []string{"", "secret"} {
		der := p12HiddenKey(t, pw, 1<<31-1)
		if err := p12CheckCost(der); err != nil {
			t.Fatalf("password %q: the visible counts are fine, yet %v", pw, err)
		}
		asked := 0
		_, err := ParseP12(der, func() ([]byte, error) { asked++; return []byte(pw), nil })
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "the private key (encrypted container 1, bag 1) is 2147483647") {
			t.Errorf("password %q: ParseP12 = %v", pw, err)
		}
		if want := map[bool]int{true: 0, false: 1}[pw == ""]; asked != want {
			t.Errorf("password %q: asked %d times, want %d", pw, asked, want)
		}
	}
	// Within bounds, the same file reaches go-pkcs12, which fails on the fake key.
	if _, err := ParseP12(p12HiddenKey(t, "", 2048), nil); err == nil || errors.Is(err, ErrUnsupported) {
		t.Errorf("a hidden key within bounds: %v", err)
	}
}

// p12Decrypt reads the encrypted containers of files OpenSSL writes with each of its PKCS#12
// encryptions (AES-256 PBES2, 3DES, RC2-40 and RC2-128), with a password and with the empty
// one: the certificate bag inside is found, so a key bag there would be too.
func TestP12DecryptOpenSSLContainers(t *testing.T) {
	openssl := testutil.RequireTool(t, "openssl")
	dir := t.TempDir()
	key := issueTestKey(t, "p256")
	leaf := mustIssue(t, IssueRequest{Profile: ProfileRootCA, Subject: pkix.Name{CommonName: "p12"}, PublicKey: key.Public(), IssuerKey: key})
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := writePEM(t, filepath.Join(dir, "k.pem"), "PRIVATE KEY", p8)
	certPEM := writePEM(t, filepath.Join(dir, "c.pem"), "CERTIFICATE", leaf.Raw)
	oidCertBag := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	for _, enc := range [][]string{nil, {"-certpbe", "PBE-SHA1-3DES"}, {"-legacy"}, {"-legacy", "-certpbe", "PBE-SHA1-RC2-128"}} {
		for _, pw := range []string{"pw", ""} {
			name := strings.Join(enc, " ") + " password " + pw
			out := filepath.Join(dir, "t.p12")
			args := append([]string{"pkcs12", "-export", "-inkey", keyPEM, "-in", certPEM, "-passout", "pass:" + pw, "-out", out}, enc...)
			if _, errOut, err := testutil.RunErr(openssl, args...); err != nil {
				t.Fatalf("%s: openssl: %v\n%s", name, err, errOut)
			}
			der, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			containers, err := p12Walk(der, &p12Budget{})
			if err != nil || len(containers) != 1 {
				t.Fatalf("%s: %d encrypted containers, %v", name, len(containers), err)
			}
			found := func(pw []byte) bool {
				for _, candidate := range p12Passwords(pw) {
					plain, ok := p12Decrypt(containers[0].alg, containers[0].data, candidate)
					var bags []struct {
						ID    asn1.ObjectIdentifier
						Value asn1.RawValue `asn1:"tag:0,explicit"`
						Attrs asn1.RawValue `asn1:"optional"`
					}
					if ok {
						if _, err := asn1.Unmarshal(plain, &bags); err == nil && len(bags) == 1 && bags[0].ID.Equal(oidCertBag) {
							return true
						}
					}
				}
				return false
			}
			if !found([]byte(pw)) {
				t.Errorf("%s: the certificate bag was not found", name)
			}
			if found([]byte("wrong")) {
				t.Errorf("%s: found with the wrong password", name)
			}
			if _, err := ParseP12(der, func() ([]byte, error) { return []byte(pw), nil }); err != nil {
				t.Errorf("%s: ParseP12: %v", name, err)
			}
		}
	}
}

// p12Containers builds a PFX of n encrypted containers (PKCS#12 3DES PBE at iterations, one
// 3DES block of ciphertext each) and no MAC.
func p12Containers(t testing.TB, n, iterations int) []byte {
	t.Helper()
	explicit := func(der []byte) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}
	}
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var safes []asn1.RawValue
	for range n {
		eci := must(asn1.Marshal(struct {
			ContentType asn1.ObjectIdentifier
			Alg         pkix.AlgorithmIdentifier
			Data        asn1.RawValue
		}{p12OIDData, p12TestPBE(t, iterations), asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: make([]byte, 8)}}))
		ed := must(asn1.Marshal(struct {
			Version int
			ECI     asn1.RawValue
		}{0, asn1.RawValue{FullBytes: eci}}))
		safes = append(safes, asn1.RawValue{FullBytes: must(asn1.Marshal(struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue
		}{p12OIDEncryptedData, explicit(ed)}))})
	}
	authSafe := must(asn1.Marshal(safes))
	data := must(asn1.Marshal(authSafe))
	return must(asn1.Marshal(struct {
		Version  int
		AuthSafe struct {
			ContentType asn1.ObjectIdentifier
			Content     asn1.RawValue
		}
	}{3, struct {
		ContentType asn1.ObjectIdentifier
		Content     asn1.RawValue
	}{p12OIDData, explicit(data)}}))
}

// TestP12ContainersBounded: many containers each within the per-count cap must not multiply
// the work: more than p12MaxContainers is refused, and so is a file whose derivations add up
// past p12MaxTotalIterations, before any derivation runs.
func TestP12ContainersBounded(t *testing.T) {
	for _, tc := range []struct {
		name       string
		n, iter    int
		wantRefuse bool
	}{
		{"ten containers", 10, 2048, true},
		{"three containers at the cap", 3, p12MaxIterations, true},
		{"two small containers", 2, 2048, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := ParseP12(p12Containers(t, tc.n, tc.iter), func() ([]byte, error) { return []byte("pw"), nil })
			// The files have no MAC: within bounds, they are refused for that instead.
			if refused := errors.Is(err, ErrUnsupported) && !strings.Contains(err.Error(), "has no MAC"); tc.wantRefuse != refused {
				t.Fatalf("ParseP12 = %v, want refused=%v", err, tc.wantRefuse)
			}
			if d := time.Since(start); d > 30*time.Second {
				t.Fatalf("took %v", d)
			}
			t.Logf("%v in %v", err, time.Since(start))
		})
	}
}
