package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	mrand "math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// A TIME's offset is time-numoffset = ("+" / "-") time-hour ":" time-minute (RFC 3339 5.6),
// its hour 00 to 23 and its minute 00 to 59. time.Parse takes an offset hour of 24 and a
// minute of 60, so --at 2026-06-01T00:00:00+24:00 validated at 2026-05-31T00:00:00Z, a day
// before any time the user could have meant, and --not-after issued to it. It is now a usage
// error (exit 2) naming the flag; the good offsets still read to the instant they name.
func TestTVAtOffsetOutOfRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // RFC 3339 in UTC; "" for a refusal
	}{
		{"2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z"},
		{"2026-06-01T00:00:00+23:59", "2026-05-31T00:01:00Z"},
		{"2026-06-01T00:00:00-23:59", "2026-06-01T23:59:00Z"},
		{"2026-06-01T00:00:00+01:00", "2026-05-31T23:00:00Z"},
		{"2026-06-01T00:00:00-00:00", "2026-06-01T00:00:00Z"},
		{"2026-06-01T12:00:00.5+02:00", "2026-06-01T10:00:00.5Z"},
		{"2026-06-01", "2026-06-01T00:00:00Z"},
		{"2026-06-01T00:00:00+24:00", ""},
		{"2026-06-01T00:00:00-24:00", ""},
		{"2026-06-01T00:00:00+24:59", ""},
		{"2026-06-01T00:00:00+23:60", ""},
		{"2026-06-01T00:00:00-00:60", ""},
	} {
		got, err := certParseTimeFlag("at", tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("--at %s read as %s, want a refusal", tc.in, got.Format(time.RFC3339Nano))
		case tc.want != "" && (err != nil || got.Format(time.RFC3339Nano) != tc.want):
			t.Errorf("--at %s: %v %v, want %s", tc.in, got.Format(time.RFC3339Nano), err, tc.want)
		}
	}
	_, stderr, code := runSignet(t, "", "cert", "verify", "--roots", "no-such-root.pem", "--at", "2026-06-01T00:00:00+24:00", "no-such.pem")
	if code != exitUsage || !strings.Contains(stderr, "--at") || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
		t.Errorf("cert verify --at +24:00: exit %d, %q; want exit %d naming --at", code, stderr, exitUsage)
	}
}

// tvAtKeys are the campaign's keys: a root's and a leaf's.
var tvAtKeys = sync.OnceValue(func() [2]*ecdsa.PrivateKey {
	var k [2]*ecdsa.PrivateKey
	for i := range k {
		var err error
		if k[i], err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	}
	return k
})

// tvAtFormat writes t as a TIME the flags document: RFC 3339 with "Z" or an offset (to the
// minute, -23:59 to +23:59), with or without a fraction of a second, or a date alone when t is
// a midnight.
func tvAtFormat(r *mrand.Rand, t time.Time) (string, string) {
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 && r.Intn(2) == 0 {
		return t.Format(time.DateOnly), "date"
	}
	layout, form := "2006-01-02T15:04:05Z07:00", "rfc3339"
	if t.Nanosecond() != 0 {
		layout, form = "2006-01-02T15:04:05.999999999Z07:00", "fraction"
	}
	switch r.Intn(3) {
	case 0:
		return t.UTC().Format(layout), form + "-Z"
	case 1:
		off := []int{-(23*60 + 59), -330, -60, 60, 345, 23*60 + 59}[r.Intn(6)]
		return t.In(time.FixedZone("", off*60)).Format(layout), form + "-offset"
	}
	s := t.UTC().Format(layout)
	return s[:len(s)-1] + []string{"+00:00", "-00:00"}[r.Intn(2)], form + "-zero-offset"
}

// The --at campaign: per seed a leaf whose notBefore or notAfter is the boundary (now-ish, a
// midnight, the last second of 2049, the first of 2050), and `signet cert verify --at TIME`
// at it, a second before or after, or half a second after, TIME in a documented form (Z, an
// offset, a zero offset written +00:00 or -00:00, a fraction, a date). The verdict is held to
// RFC 5280 4.1.2.5 (both ends inclusive, to the second: a fraction of notAfter's second is
// still in it, as x509-limbo's rfc5280::validity::notafter-fractional reads it) and to openssl
// verify -attime at the same second, apart from openssl counting notAfter's second as past.
// 60 seeds in CI; SIGNET_TV_AT_SEEDS=first:count for more.
func TestTVAtCampaign(t *testing.T) {
	openssl, _ := exec.LookPath("openssl")
	keys := tvAtKeys()
	seeds := testutil.Seeds(t, "SIGNET_TV_AT_SEEDS", 60)
	var tally testutil.Tally
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				r := mrand.New(mrand.NewSource(seed))
				var b time.Time
				switch r.Intn(4) {
				case 0:
					b = time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)
				case 1:
					b = time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)
				case 2:
					b = time.Date(2026, time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC)
				default:
					b = time.Now().UTC().Truncate(time.Second).Add(time.Duration(r.Intn(2000000)-1000000) * time.Second)
				}
				end := []string{"notBefore", "notAfter"}[r.Intn(2)]
				nb, na := b, b.AddDate(1, 0, 0)
				if end == "notAfter" {
					nb, na = b.AddDate(-1, 0, 0), b
				}
				d := []time.Duration{-time.Second, 0, time.Second, 500 * time.Millisecond}[r.Intn(4)]
				at := b.Add(d)
				arg, form := tvAtFormat(r, at)
				want := "valid"
				switch {
				case end == "notBefore" && at.Before(nb):
					want = "not-yet-valid"
				case end == "notAfter" && at.Truncate(time.Second).After(na):
					want = "expired"
				}
				dir := t.TempDir()
				rt := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TV At Root"}, NotBefore: nb.AddDate(-1, 0, 0), NotAfter: na.AddDate(1, 0, 0),
					IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
				rootDER, err := x509.CreateCertificate(rand.Reader, rt, rt, keys[0].Public(), keys[0])
				if err != nil {
					t.Fatal(err)
				}
				root, _ := x509.ParseCertificate(rootDER)
				lt := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "TV At Leaf"}, NotBefore: nb, NotAfter: na,
					KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
				leafDER, err := x509.CreateCertificate(rand.Reader, lt, root, keys[1].Public(), keys[0])
				if err != nil {
					t.Fatal(err)
				}
				pemFile := func(name string, der []byte) string {
					p := filepath.Join(dir, name)
					if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
						t.Fatal(err)
					}
					return p
				}
				rootPEM, leafPEM := pemFile("root.pem", rootDER), pemFile("leaf.pem", leafDER)
				stdout, stderr, code := runSignet(t, "", "cert", "verify", "--json", "--roots", rootPEM, "--at", arg, leafPEM)
				got := "valid"
				switch {
				case code == exitOK:
				case strings.Contains(stdout, `"expired"`):
					got = "expired"
				case strings.Contains(stdout, `"not-yet-valid"`):
					got = "not-yet-valid"
				default:
					got = fmt.Sprintf("exit %d", code)
				}
				c := fmt.Sprintf("seed %d: %s %s, --at %s (%s, %+v)", seed, end, b.Format(time.RFC3339), arg, form, d)
				if got != want {
					t.Fatalf("%s: signet %s, want %s\n%s%s", c, got, want, stdout, stderr)
				}
				if code != exitOK && code != exitCheckFailed && code != exitValidity {
					t.Errorf("%s: exit %d for %s", c, code, got)
				}
				key := end + " " + form + " " + want
				if openssl != "" {
					out, err := exec.Command(openssl, "verify", "-x509_strict", "-attime", fmt.Sprint(at.Unix()), "-CAfile", rootPEM, leafPEM).CombinedOutput()
					o := "valid"
					switch {
					case err == nil:
					case strings.Contains(string(out), "certificate has expired"):
						o = "expired"
					case strings.Contains(string(out), "not yet valid"):
						o = "not-yet-valid"
					default:
						o = strings.TrimSpace(string(out))
					}
					if o != got {
						// openssl's X509_cmp_time takes notAfter's own second as past.
						if !(end == "notAfter" && o == "expired" && at.Truncate(time.Second).Equal(na)) {
							t.Fatalf("%s: signet %s, openssl %s", c, got, o)
						}
						key += " {openssl: notAfter's second is past}"
					}
				}
				tally.Add(key)
			})
		}
	})
	tally.Log(t, len(seeds))
}
