package x509util

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestP12CampaignOpenSSLWrites is a seeded differential campaign: openssl pkcs12 -export writes
// a file drawn from the seed (key type, chain, -name, -keypbe/-certpbe among the PBES2, PKCS#12
// PBE and NONE, -macalg, -iter, -nomac, -nomaciter, -legacy, passwords empty, ASCII, Latin,
// other scripts and beyond the BMP, a key alone or certificates alone), and signet's ParseP12
// must read the same key and certificates as `openssl pkcs12 -nodes` prints, or refuse the file
// for one of the reasons below, with the error kind it documents. Then a wrong password must be
// ErrIncorrectPassphrase, and a byte flipped in the MAC (digest, salt, iteration count), in the
// content it covers or anywhere must never yield a key that is not the file's.
//
// signet refuses, where openssl reads:
//   - non-bmp: a password beyond the BMP (openssl encodes it in UTF-16 with surrogate pairs,
//     which RFC 7292's BMPString cannot hold; go-pkcs12 refuses it): ErrUnsupported.
//   - nomac-password: a file without a MAC that has a password: go-pkcs12 reads one only
//     without a password, and nothing would check its integrity: ErrUnsupported.
//   - nocerts, nokeys: a key without its certificate, certificates without a key: signet reads
//     a PKCS#12 file as a key with its certificate (ErrMalformed).
//   - unimplemented algorithm: a MAC or encryption go-pkcs12 does not implement (a SHA-384 or
//     MD5 MAC, PBES2 with DES-EDE3-CBC or Camellia, 2-key 3DES, RC4): ErrUnsupported.
//
// Seeds 1:2650 agree or are explained. CI runs seeds 1:150; SIGNET_PK_SEEDS=first:count runs
// others.
func TestP12CampaignOpenSSLWrites(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	seeds := testutil.Seeds(t, "SIGNET_PK_SEEDS", 150)
	var tl testutil.Tally
	t.Cleanup(func() { tl.Log(t, len(seeds)) })
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(seed), 0x706b))
			e := drawPKExport(r)
			dir := t.TempDir()
			der, ok := e.run(t, openssl, p, dir)
			if !ok {
				tl.Add("openssl does not write")
				return
			}
			got, ours := pkParse(der, e.pw)
			theirs, theyRead := pkOpenSSLRead(t, openssl, dir, der, e.pw, e.legacy)
			switch {
			case theyRead && ours == nil:
				if err := pkSame(got, theirs); err != nil {
					t.Errorf("%v: signet reads %v", e, err)
				}
				tl.Add("agree: read")
			case !theyRead && ours != nil:
				tl.Add("agree: refused")
				return
			case !theyRead:
				t.Errorf("%v: signet reads what openssl refuses", e)
				return
			default:
				why, want := pkWhyRefused(e)
				if why == "" {
					t.Errorf("%v: openssl reads the file, signet refuses: %v", e, ours)
				} else if !slices.ContainsFunc(want, func(w error) bool { return errors.Is(ours, w) }) {
					t.Errorf("%v: refused (%s) with %v, want %v", e, why, ours, want)
				}
				tl.Add("explained: " + why)
				return
			}
			// A wrong password.
			if _, err := ParseP12(der, nil); e.pw != "" && err != nil { // nothing to decrypt, else
				if _, err := pkParse(der, e.pw+"x"); !errors.Is(err, ErrIncorrectPassphrase) {
					t.Errorf("%v: wrong password: %v, want ErrIncorrectPassphrase", e, err)
				}
			}
			pkTamper(t, r, e, der, got, &tl)
		})
	}
}

// pkWhyRefused explains signet refusing a file openssl reads, and the errors it may give:
// every reason that applies, as which of them signet meets first depends on the file.
func pkWhyRefused(e pkExport) (string, []error) {
	var why []string
	var errs []error
	add := func(reason string, err error) { why, errs = append(why, reason), append(errs, err) }
	if slices.Contains(pkUnimplemented, e.keyPBE) && e.shape != "nokeys" ||
		slices.Contains(pkUnimplemented, e.certPBE) && e.shape != "nocerts" ||
		(e.macAlg == "sha384" || e.macAlg == "md5") && !e.noMac {
		add("unimplemented algorithm", ErrUnsupported)
	}
	if e.noMac && e.pw != "" {
		// With -nomac, openssl 3.0 may leave nothing encrypted (it writes the certificates
		// in the clear, whatever -certpbe says): then another reason is what signet meets.
		add("no MAC, and a password", ErrUnsupported)
	}
	if e.pwKind == "non-bmp" {
		add("non-bmp password", ErrUnsupported)
	}
	if e.shape != "" {
		add(e.shape, ErrMalformed)
	}
	return strings.Join(why, ", "), errs
}

func pkParse(der []byte, pw string) (*P12, error) {
	return ParseP12(der, func() ([]byte, error) { return []byte(pw), nil })
}

// pkSame says how what signet read differs from what openssl printed.
func pkSame(got *P12, theirs pkRead) error {
	if len(theirs.keys) != 1 {
		return fmt.Errorf("a key where openssl prints %d", len(theirs.keys))
	}
	ours, err := x509.MarshalPKCS8PrivateKey(got.Key)
	if err != nil {
		return err
	}
	k, err := x509.ParsePKCS8PrivateKey(theirs.keys[0])
	if err != nil {
		return fmt.Errorf("openssl's key: %v", err)
	}
	if want, _ := x509.MarshalPKCS8PrivateKey(k); !bytes.Equal(ours, want) {
		return errors.New("another private key than openssl's")
	}
	all := append([]*x509.Certificate{got.Certificate}, got.Chain...)
	if len(all) != len(theirs.certs) {
		return fmt.Errorf("%d certificates, openssl %d", len(all), len(theirs.certs))
	}
	for i := range all {
		if !all[i].Equal(theirs.certs[i]) {
			return fmt.Errorf("certificate %d is %q, openssl's %q", i, all[i].Subject, theirs.certs[i].Subject)
		}
	}
	return nil
}

// pkRegions are where a tampering flips a byte: the MAC's digest, salt and iteration count
// (when there is a MAC), the authenticated safe the MAC covers, and anywhere.
func pkRegions(der []byte) map[string][2]int {
	regions := map[string][2]int{"anywhere": {0, len(der)}}
	in := cryptobyte.String(der)
	var pfx, authSafe, mac, digestInfo, alg, digest, salt cryptobyte.String
	var version int
	if !in.ReadASN1(&pfx, cbasn1.SEQUENCE) || !pfx.ReadASN1Integer(&version) || !pfx.ReadASN1Element(&authSafe, cbasn1.SEQUENCE) {
		return regions
	}
	at := func(s cryptobyte.String) int { return len(der) - len(s) } // where the rest of s starts
	start := at(pfx) - len(authSafe)
	regions["content"] = [2]int{start, start + len(authSafe)}
	if !pfx.ReadASN1(&mac, cbasn1.SEQUENCE) {
		return regions
	}
	macEnd := at(pfx)
	macStart := macEnd - len(mac)
	m := cryptobyte.String(der[macStart:macEnd])
	if !m.ReadASN1(&digestInfo, cbasn1.SEQUENCE) || !digestInfo.ReadASN1(&alg, cbasn1.SEQUENCE) || !digestInfo.ReadASN1(&digest, cbasn1.OCTET_STRING) {
		return regions
	}
	off := func(rest cryptobyte.String) int { return macEnd - len(rest) }
	d0 := macStart + (len(der[macStart:macEnd]) - len(m)) - len(digest)
	regions["MAC digest"] = [2]int{d0, d0 + len(digest)}
	if !m.ReadASN1(&salt, cbasn1.OCTET_STRING) {
		return regions
	}
	s0 := off(m) - len(salt)
	regions["MAC salt"] = [2]int{s0, s0 + len(salt)}
	var iter cryptobyte.String
	if m.ReadASN1(&iter, cbasn1.INTEGER) {
		i0 := off(m) - len(iter)
		regions["MAC iteration count"] = [2]int{i0, i0 + len(iter)}
	}
	return regions
}

// pkTamper flips one byte of der in each region and checks that signet never reads another key
// or certificate than the file's, and refuses whenever the MAC or what it covers changed.
func pkTamper(t *testing.T, r *rand.Rand, e pkExport, der []byte, orig *P12, tl *testutil.Tally) {
	t.Helper()
	regions := pkRegions(der)
	for _, name := range slices.Sorted(maps.Keys(regions)) { // in order: the seed draws the same flips
		reg := regions[name]
		if reg[1] <= reg[0] {
			continue
		}
		bad := bytes.Clone(der)
		i := reg[0] + r.IntN(reg[1]-reg[0])
		bad[i] ^= byte(1 + r.IntN(255))
		got, err := pkParse(bad, e.pw)
		if err == nil {
			if name != "anywhere" && !e.noMac {
				t.Errorf("%v: a byte flipped at %d (%s) is read", e, i, name)
			}
			same := got.Certificate.Equal(orig.Certificate) && len(got.Chain) == len(orig.Chain) && PublicKeysEqual(got.Key.Public(), orig.Key.Public())
			for j := 0; same && j < len(got.Chain); j++ {
				same = got.Chain[j].Equal(orig.Chain[j])
			}
			if !same && !e.noMac {
				t.Errorf("%v: a byte flipped at %d (%s) yields another key or certificate", e, i, name)
			}
			tl.Add("tamper " + name + ": read the same")
			continue
		}
		kind := "other"
		for _, s := range []struct {
			err  error
			name string
		}{{ErrIncorrectPassphrase, "wrong passphrase"}, {ErrMalformed, "malformed"}, {ErrUnsupported, "unsupported"}, {ErrKeyMismatch, "key mismatch"}} {
			if errors.Is(err, s.err) {
				kind = s.name
				break
			}
		}
		if kind == "other" {
			t.Errorf("%v: a byte flipped at %d (%s): error of no kind: %v", e, i, name, err)
		}
		if e.pw != "" && strings.Contains(err.Error(), e.pw) {
			t.Errorf("%v: the error quotes the password: %v", e, err)
		}
		tl.Add("tamper " + name + ": " + kind)
	}
}

// TestP12CampaignSignetWrites: EncodeP12 writes a drawn key type with a drawn chain, modern or
// legacy, under a drawn password, and openssl pkcs12 -info -nodes must read the same key and
// certificates in the same order, the encryption and MAC signet documents, and the key's
// localKeyID on its certificate alone; ParseP12 reads the file back. A password beyond the BMP
// is refused (ErrUnsupported). CI runs seeds 1:60; SIGNET_PK_WRITE_SEEDS=first:count for more.
func TestP12CampaignSignetWrites(t *testing.T) {
	openssl := pkOpenSSL(t)
	p := newPKPKI(t)
	seeds := testutil.Seeds(t, "SIGNET_PK_WRITE_SEEDS", 60)
	var tl testutil.Tally
	t.Cleanup(func() { tl.Log(t, len(seeds)) })
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(uint64(seed), 0x706b77))
			kt := pkKeyTypes[r.IntN(len(pkKeyTypes))]
			chain := [][]*x509.Certificate{nil, {p.inter}, {p.inter, p.root}, {p.root, p.inter}}[r.IntN(4)]
			legacy := r.IntN(2) == 0
			pw := pkPasswords[r.IntN(len(pkPasswords))]
			what := fmt.Sprintf("%s chain=%d legacy=%v pw=%s", kt, len(chain), legacy, pw.kind)
			der, err := EncodeP12(p.keys[kt], p.leaves[kt], chain, []byte(pw.pw), P12Options{Legacy: legacy, NoPassphrase: pw.pw == ""})
			if pw.kind == "non-bmp" {
				if !errors.Is(err, ErrUnsupported) {
					t.Errorf("%s: EncodeP12 = %v, want ErrUnsupported", what, err)
				}
				tl.Add("refused: non-bmp password")
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			dir := t.TempDir()
			theirs, ok := pkOpenSSLRead(t, openssl, dir, der, pw.pw, false)
			if !ok {
				t.Fatalf("%s: openssl pkcs12 does not read signet's file", what)
			}
			got, err := pkParse(der, pw.pw)
			if err != nil {
				t.Fatalf("%s: ParseP12 of signet's own file: %v", what, err)
			}
			if err := pkSame(got, theirs); err != nil {
				t.Errorf("%s: openssl reads %v", what, err)
			}
			if !got.Certificate.Equal(p.leaves[kt]) || len(got.Chain) != len(chain) {
				t.Errorf("%s: read back another certificate or chain", what)
			}
			for i := range got.Chain {
				if !got.Chain[i].Equal(chain[i]) {
					t.Errorf("%s: chain[%d] read back as %q", what, i, got.Chain[i].Subject)
				}
			}
			id := func(attrs string) string {
				_, v, _ := strings.Cut(attrs, "localKeyID:")
				v, _, _ = strings.Cut(v, "\n")
				return strings.TrimSpace(v)
			}
			if len(theirs.keys) == 1 && len(theirs.certs) > 0 {
				if k := id(theirs.keyAttrs[0]); k == "" || k != id(theirs.certAttrs[0]) {
					t.Errorf("%s: the key's localKeyID %q is not its certificate's %q", what, k, id(theirs.certAttrs[0]))
				}
				for i, a := range theirs.certAttrs[1:] {
					if id(a) != "" {
						t.Errorf("%s: chain certificate %d has a localKeyID", what, i)
					}
				}
			}
			// The encryption and MAC signet documents (cert p12 --help).
			in := filepath.Join(dir, "r.p12")
			args := append([]string{"pkcs12", "-in", in, "-info", "-noout"}, pkPassArgs(t, dir, "-passin", pw.pw)...)
			stdout, stderr, err := testutil.RunErr(openssl, args...)
			if err != nil {
				t.Fatalf("%s: openssl pkcs12 -info: %v", what, err)
			}
			info := string(stdout) + string(stderr)
			want := []string{"MAC: sha256", "PBES2, PBKDF2, AES-256-CBC", "PRF hmacWithSHA256"}
			if legacy {
				want = []string{"MAC: sha1", "pbeWithSHA1And3-KeyTripleDES-CBC"}
			}
			for _, w := range want {
				if !strings.Contains(info, w) {
					t.Errorf("%s: openssl pkcs12 -info does not say %q:\n%s", what, w, info)
				}
			}
			tl.Add(fmt.Sprintf("read by openssl: legacy=%v", legacy))
		})
	}
}
