package verify

import (
	"crypto/x509"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/x509util"
)

// printedPrepared is a DER name printed through the comparing parse (pkixname.ParseDN): what
// rawNameString printed before it parsed for printing only.
func printedPrepared(raw []byte) string {
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

// TestNamePrintedWithoutPreparing: printing a name does not prepare its values for comparison
// (RFC 4518 case folding and NFKC), which a report of about 20 names paid for at 4% of a
// `cert verify` run's instructions. It must cost fewer allocations than the comparing parse
// and print the same text.
func TestNamePrintedWithoutPreparing(t *testing.T) {
	leaf := fixtureCert(t, "codesign.pem")
	if got, want := Name(leaf), printedPrepared(leaf.RawSubject); got != want {
		t.Fatalf("Name = %q, want %q", got, want)
	}
	printing := testing.AllocsPerRun(100, func() { Name(leaf) })
	comparing := testing.AllocsPerRun(100, func() { printedPrepared(leaf.RawSubject) })
	if printing >= comparing {
		t.Errorf("Name allocates %.0f times, the comparing parse %.0f: it still prepares the values", printing, comparing)
	}
}

// TestNamePrintedAsBefore: names printed for display are those the comparing parse prints,
// for the fixtures' names, many one-attribute names, names that do not parse, are empty, or
// are long.
func TestNamePrintedAsBefore(t *testing.T) {
	var raws [][]byte
	for _, f := range []string{"root-ca.pem", "int-ca.pem", "codesign.pem", "server.pem", "expired.pem"} {
		c := fixtureCert(t, f)
		raws = append(raws, c.RawSubject, c.RawIssuer)
	}
	for i := range 20 {
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
	for _, raw := range raws {
		if got, want := rawNameString(raw), printedPrepared(raw); got != want {
			t.Fatalf("rawNameString(%x) = %q, want %q", raw, got, want)
		}
	}
}

// FuzzNamePrinted: for any bytes, the name printed for display is the name the comparing
// parse prints, and one fails exactly when the other does.
func FuzzNamePrinted(f *testing.F) {
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 'T', 'e', 's', 't'})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if got, want := rawNameString(raw), printedPrepared(raw); got != want {
			t.Fatalf("rawNameString(%x) = %q, want %q", raw, got, want)
		}
	})
}
