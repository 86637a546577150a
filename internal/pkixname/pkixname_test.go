package pkixname

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func TestPrepare(t *testing.T) {
	for _, tc := range []struct{ a, b string }{
		{"Signet  Rules", "signet rules"},
		{" leading and trailing ", "leading and trailing"},
		{"Stra\u00dfe", "strasse"},         // full case folding
		{"\uff21\uff22", "ab"},             // NFKC: fullwidth letters
		{"soft\u00adhyphen", "softhyphen"}, // mapped to nothing
		{"tab\there", "tab here"},          // whitespace to space
		{"ÉCOLE", "école"},                 // non-ASCII case
	} {
		pa, oka := Prepare(tc.a)
		pb, okb := Prepare(tc.b)
		if !oka || !okb || pa != pb {
			t.Errorf("Prepare(%q)=%q, Prepare(%q)=%q: want equal", tc.a, pa, tc.b, pb)
		}
	}
	if _, ok := Prepare("private \ue000 use"); ok {
		t.Error("a private-use code point is prohibited")
	}
}

func rawName(t *testing.T, tag cbasn1.Tag, values ...string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, v := range values {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{2, 5, 4, 10})
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
				})
			})
		}
	})
	return b.BytesOrPanic()
}

func TestDNEqualAndWithin(t *testing.T) {
	a, err := ParseDN(rawName(t, 19, "Example  CA", "Unit"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ParseDN(rawName(t, 12, "example ca", "UNIT"))
	if !a.Equal(b) {
		t.Fatal("PrintableString and UTF8String forms of one name differ")
	}
	base, _ := ParseDN(rawName(t, 12, "EXAMPLE CA"))
	if !a.Within(base) || base.Within(a) {
		t.Fatal("subtree test wrong")
	}
	bmp := []byte{0, 'E', 0, 'x', 0, 'a', 0, 'm', 0, 'p', 0, 'l', 0, 'e', 0, ' ', 0, 'C', 0, 'A'}
	c, err := ParseDN(rawName(t, 30, string(bmp)))
	if err != nil || !c.Equal(base) {
		t.Fatalf("BMPString name differs: %v", err)
	}
	if EqualDER(rawName(t, 12, "a"), rawName(t, 12, "b")) {
		t.Fatal("different names equal")
	}
	n, _ := ParseDN(rawName(t, 12, "x\nOK forged"))
	if strings.Contains(n.String(), "\n") {
		t.Fatalf("a control character printed raw: %q", n.String())
	}
}

func TestConstraintSyntax(t *testing.T) {
	bad := []GeneralName{
		{Form: DNSName, Raw: []byte(".example.com")},
		{Form: DNSName, Raw: []byte("*.example.com")},
		{Form: RFC822Name, Raw: []byte("invalid@invalid@example.com")},
		{Form: IPAddress, Raw: []byte{127, 0, 0, 1}},
		{Form: IPAddress, Raw: []byte{10, 0, 0, 0, 255, 0, 255, 0}},
		{Form: URI, Raw: []byte("192.0.2.1")},
	}
	for _, g := range bad {
		if err := checkConstraintSyntax(g); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s %q accepted", g.Form, g.Raw)
		}
	}
	good := []GeneralName{
		{Form: DNSName, Raw: []byte("example.com")},
		{Form: DNSName, Raw: []byte("")},
		{Form: RFC822Name, Raw: []byte(".example.com")},
		{Form: RFC822Name, Raw: []byte("*@example.com")},
		{Form: URI, Raw: []byte(".example.com")},
		{Form: IPAddress, Raw: []byte{10, 0, 0, 0, 255, 0, 0, 0}},
	}
	for _, g := range good {
		if err := checkConstraintSyntax(g); err != nil {
			t.Errorf("%s %q refused: %v", g.Form, g.Raw, err)
		}
	}
}

func TestCheckerBudget(t *testing.T) {
	c := &Checker{Budget: 1000}
	var p []GeneralName
	for range 100 {
		p = append(p, GeneralName{Form: DNSName, Raw: []byte("a.example.com")})
	}
	c.Add(&NameConstraints{Excluded: p})
	names := []GeneralName{{Form: DNSName, Raw: []byte("x")}}
	for range 20 {
		names = append(names, GeneralName{Form: DNSName, Raw: []byte("y.example.org")})
	}
	if err := c.Check(names); !errors.Is(err, ErrTooMuchWork) {
		t.Fatalf("got %v", err)
	}
}

// FuzzNameConstraints parses a name constraints extension and a subjectAltName and checks the
// names against the constraints in both readings: no panic, and bounded work whatever the
// input.
func FuzzNameConstraints(f *testing.F) {
	nc, _ := asn1.Marshal(struct {
		Permitted []asn1.RawValue `asn1:"optional,tag:0"`
	}{[]asn1.RawValue{{FullBytes: []byte{0x30, 0x0d, 0x82, 0x0b, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'}}}})
	san := []byte{0x30, 0x11, 0x82, 0x0f, 'w', 'w', 'w', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm'}
	f.Add(nc, san)
	name, _ := asn1.Marshal(pkix.Name{CommonName: "x", Organization: []string{"o"}}.ToRDNSequence())
	f.Add(append([]byte{0x30, byte(len(name) + 4), 0xa0, byte(len(name) + 2), 0xa4, byte(len(name))}, name...), san)
	f.Fuzz(func(t *testing.T, ncDER, sanDER []byte) {
		nc, err := ParseNameConstraints(ncDER)
		if err != nil {
			return
		}
		names, err := ParseGeneralNames(sanDER, false)
		if err != nil {
			return
		}
		for _, n := range names {
			_ = n.String()
		}
		for _, conservative := range []bool{false, true} {
			c := &Checker{Budget: 1 << 17, Conservative: conservative}
			c.Add(nc)
			c.Add(nc)
			start := time.Now()
			_ = c.Check(names)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v", d)
			}
		}
	})
}

func FuzzParseDN(f *testing.F) {
	name, _ := asn1.Marshal(pkix.Name{CommonName: "x", Organization: []string{"o"}}.ToRDNSequence())
	f.Add(name)
	f.Fuzz(func(t *testing.T, der []byte) {
		d, err := ParseDN(der)
		if err != nil {
			return
		}
		if !d.Equal(d) || !d.Within(d) {
			t.Fatal("a name is not equal to itself")
		}
		_ = d.String()
	})
}

// The issuing reading (Conservative) differs from the verification reading exactly where
// verifiers disagree: it refuses what any reading excludes and what not every reading permits.
func TestCheckerConservative(t *testing.T) {
	dn := func(values ...string) *DN {
		d, err := ParseDN(rawName(t, 12, values...))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	dir := func(values ...string) GeneralName { return GeneralName{Form: DirectoryName, DN: dn(values...)} }
	gn := func(f Form, s string) GeneralName { return GeneralName{Form: f, Raw: []byte(s)} }
	tests := []struct {
		name                string
		permitted, excluded []GeneralName
		n                   GeneralName
	}{
		{"excluded mailbox, local part in another case", nil, []GeneralName{gn(RFC822Name, "evil@example.com")}, gn(RFC822Name, "Evil@example.com")},
		{"excluded mail host, a subdomain", nil, []GeneralName{gn(RFC822Name, "example.com")}, gn(RFC822Name, "a@sub.example.com")},
		{"excluded URI host, a subdomain", nil, []GeneralName{gn(URI, "host.example.com")}, gn(URI, "https://www.host.example.com/")},
		{"URI authority without a host", nil, []GeneralName{gn(URI, ".example.com")}, gn(URI, "https://:443/")},
		{"permitted DNS, a name with a trailing dot", []GeneralName{gn(DNSName, "example.com")}, nil, gn(DNSName, "www.example.com.")},
		{"permitted DNS with a trailing dot", []GeneralName{gn(DNSName, "example.com.")}, nil, gn(DNSName, "www.example.com")},
		{"permitted URI host, a host with a trailing dot", []GeneralName{gn(URI, "host.example.com")}, nil, gn(URI, "https://host.example.com./")},
		{"permitted DN, non-ASCII case", []GeneralName{dir("Café")}, nil, dir("CAFÉ", "x")},
		{"permitted DN, NFKC", []GeneralName{dir("Good")}, nil, dir("\uff27ood", "x")},
		{"excluded DN, prohibited code point in another ASCII case", nil, []GeneralName{dir("Bad\ue000")}, dir("BAD\ue000", "x")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nc := &NameConstraints{Permitted: tc.permitted, Excluded: tc.excluded}
			verifying := &Checker{}
			verifying.Add(nc)
			if err := verifying.Check([]GeneralName{tc.n}); err != nil {
				t.Fatalf("the verification reading refuses %s: %v", tc.n, err)
			}
			issuing := &Checker{Conservative: true}
			issuing.Add(nc)
			err := issuing.Check([]GeneralName{tc.n})
			var v *Violation
			var syn *SyntaxError
			if !errors.As(err, &v) && !errors.As(err, &syn) {
				t.Fatalf("the issuing reading: %v, want a Violation or a SyntaxError", err)
			}
		})
	}
	// Where the readings agree, the issuing one permits too.
	issuing := &Checker{Conservative: true}
	issuing.Add(&NameConstraints{
		Permitted: []GeneralName{gn(DNSName, "example.com"), gn(RFC822Name, "a@example.com"), gn(URI, "host.example.com"), dir("Good")},
		Excluded:  []GeneralName{gn(RFC822Name, "evil@example.com"), gn(URI, "bad.example.com"), dir("Good", "Bad")},
	})
	for _, n := range []GeneralName{gn(DNSName, "www.example.com"), gn(RFC822Name, "a@EXAMPLE.com"), gn(URI, "https://HOST.example.com/x"), dir("GOOD  ", "x")} {
		if err := issuing.Check([]GeneralName{n}); err != nil {
			t.Errorf("the issuing reading refuses %s: %v", n, err)
		}
	}
}

// DN.String and GeneralName.String print no character that could disturb a terminal, with
// the escapes x509util.FormatName uses.
func TestStringEscapes(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"x\nOK forged", `O=x\0AOK forged`},
		{"right\u202eleft", `O=right\E2\80\AEleft`},
		{"zero\u200bwidth", `O=zero\E2\80\8Bwidth`},
		{" #a,b+c ", `O=\ #a\,b\+c\ `},
	} {
		n, err := ParseDN(rawName(t, 12, tc.value))
		if err != nil {
			t.Fatal(err)
		}
		if got := n.String(); got != tc.want || HasUnsafe(got) {
			t.Errorf("String of O=%q = %q, want %q", tc.value, got, tc.want)
		}
	}
}

func TestDecodeString(t *testing.T) {
	for _, tc := range []struct {
		tag  cbasn1.Tag
		v    string
		want string
		ok   bool
	}{
		{12, "Jürgen", "Jürgen", true},
		{12, "bad\xff", "", false},
		{19, "ascii", "ascii", true},
		{19, "caf\xe9", "", false},
		{20, "caf\xe9", "café", true},
		{30, "\x00a\x20\x2e", "a\u202e", true},
		{30, "\x00", "", false},
		{28, "\x00\x00\x00a", "a", true},
		{4, "octets", "", false},
	} {
		got, ok := DecodeString(tc.tag, []byte(tc.v))
		if got != tc.want || ok != tc.ok {
			t.Errorf("DecodeString(%d, %q) = %q, %v; want %q, %v", tc.tag, tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestGeneralNameStringEscapes(t *testing.T) {
	g := GeneralName{Form: DNSName, Raw: []byte("a.example.com\nOK forged")}
	if s := g.String(); strings.ContainsAny(s, "\n") {
		t.Fatalf("printed raw: %q", s)
	}
}
