package verify

import (
	"crypto/x509"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/x509util"
)

// printedDirectly is a DER name printed without the ring: what rawNameString printed before
// it kept names.
func printedDirectly(raw []byte) string {
	dn, err := pkixname.ParseDN(raw)
	if err != nil {
		return "(unparseable name)"
	}
	if s := dn.String(); s != "" {
		return s
	}
	return "(empty subject)"
}

func fixtureCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	c, err := x509util.LoadCertificateFile(filepath.Join("../testdata/pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return c[0]
}

// TestNamePrintedOnce: a name printed again is not parsed again (nor its values prepared for
// comparison, RFC 4518): a report prints the same few names about 20 times, which was 4% of
// a `cert verify` run's instructions. The second Name of a certificate allocates nothing.
func TestNamePrintedOnce(t *testing.T) {
	leaf := fixtureCert(t, "codesign.pem")
	want := printedDirectly(leaf.RawSubject)
	if got := Name(leaf); got != want {
		t.Fatalf("Name = %q, want %q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { Name(leaf) }); n != 0 {
		t.Errorf("Name of a certificate just named allocates %.0f times, want 0 (parsed again)", n)
	}
}

// TestNameRingPrintsEachName: names printed through the ring are the names printed directly,
// for more names than the ring holds, in any order, for a buffer reused for another name,
// for names that do not parse or are empty, and for a name too long to be kept.
func TestNameRingPrintsEachName(t *testing.T) {
	var raws [][]byte
	for _, f := range []string{"root-ca.pem", "int-ca.pem", "codesign.pem", "server.pem", "expired.pem"} {
		c := fixtureCert(t, f)
		raws = append(raws, c.RawSubject, c.RawIssuer)
	}
	for i := range 20 { // more than the ring holds
		// CN=name-i, one attribute: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String } } }
		v := fmt.Sprintf("name-%02d", i)
		atv := append([]byte{0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, byte(len(v))}, v...)
		set := append([]byte{0x30, byte(len(atv))}, atv...)
		rdn := append([]byte{0x31, byte(len(set))}, set...)
		raws = append(raws, append([]byte{0x30, byte(len(rdn))}, rdn...))
	}
	long := []byte{0x30, 0x82, 0x04, 0x0b, 0x31, 0x82, 0x04, 0x07, 0x30, 0x82, 0x04, 0x03,
		0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x82, 0x03, 0xfa}
	for range 0x3fa {
		long = append(long, 'x')
	}
	raws = append(raws, []byte{0x30, 0x00}, []byte{0x30, 0x03, 0x31, 0x01}, nil, long)
	for pass := range 3 {
		for i := range raws {
			raw := raws[(i*7+pass)%len(raws)]
			if got, want := rawNameString(raw), printedDirectly(raw); got != want {
				t.Fatalf("pass %d: rawNameString(%x) = %q, want %q", pass, raw, got, want)
			}
		}
	}
	if len(long) <= 1024 || rawNameString(long) != printedDirectly(long) || printedDirectly(long) == "(unparseable name)" {
		t.Errorf("the long name is %d bytes (want more than the ring keeps) or printed wrong", len(long))
	}

	// A buffer printed, then overwritten with another name: the other name is printed.
	buf := append([]byte(nil), raws[len(raws)-6]...)
	first := rawNameString(buf)
	copy(buf, raws[len(raws)-5])
	if got, want := rawNameString(buf), printedDirectly(buf); got != want || got == first {
		t.Errorf("a reused buffer printed %q, want %q (it printed %q before)", got, want, first)
	}
}

// TestNameRingConcurrent: Name is safe for concurrent use (run with -race).
func TestNameRingConcurrent(t *testing.T) {
	var certs []*x509.Certificate
	for _, f := range []string{"root-ca.pem", "int-ca.pem", "codesign.pem", "server.pem", "expired.pem"} {
		certs = append(certs, fixtureCert(t, f))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				c := certs[(i+g)%len(certs)]
				if got, want := Name(c), printedDirectly(c.RawSubject); got != want {
					t.Errorf("Name = %q, want %q", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// FuzzNameRing: for any bytes, a name printed through the ring, first and again, is the
// name printed directly.
func FuzzNameRing(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 'T', 'e', 's', 't'})
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := printedDirectly(raw)
		for range 2 {
			if got := rawNameString(raw); got != want {
				t.Fatalf("rawNameString(%x) = %q, want %q", raw, got, want)
			}
		}
	})
}
