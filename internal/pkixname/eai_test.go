package pkixname

import (
	"errors"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// smtpUTF8Name is an otherName SmtpUTF8Mailbox (RFC 9598 3) holding v.
func smtpUTF8Name(v string) GeneralName {
	var b cryptobyte.Builder
	b.AddBytes(derSmtpUTF8Mailbox)
	b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(v)) })
	})
	return GeneralName{Form: OtherName, Raw: b.BytesOrPanic()}
}

// RFC 9598 6 in both readings: the verification reading and the issuing one, which reads an
// excluded host as holding its subdomains too (as it does for rfc822Name).
func TestSmtpUTF8MailboxConstraints(t *testing.T) {
	email := func(s string) GeneralName { return GeneralName{Form: RFC822Name, Raw: []byte(s)} }
	for _, tc := range []struct {
		name               string
		nc                 NameConstraints
		verifying, issuing bool // the name passes
	}{
		{"ü@example.com", NameConstraints{Permitted: []GeneralName{email("example.com")}}, true, true},
		{"ü@mail.example.com", NameConstraints{Permitted: []GeneralName{email("example.com")}}, false, false},
		{"ü@mail.example.com", NameConstraints{Excluded: []GeneralName{email("example.com")}}, true, false},
		{"ü@mail.example.com", NameConstraints{Excluded: []GeneralName{email(".example.com")}}, false, false},
		{"ü@Bücher.example", NameConstraints{Permitted: []GeneralName{email("xn--bcher-kva.example")}}, true, true},
		{"ü@example.com", NameConstraints{Permitted: []GeneralName{email("bob@example.com")}}, false, false},
		{"ü@example.com", NameConstraints{Excluded: []GeneralName{email("bob@EXAMPLE.com")}}, false, false},
	} {
		for _, conservative := range []bool{false, true} {
			c := &Checker{Conservative: conservative}
			c.Add(&tc.nc)
			err := c.Check([]GeneralName{smtpUTF8Name(tc.name)})
			want := tc.verifying
			if conservative {
				want = tc.issuing
			}
			var viol *Violation
			if want && err != nil || !want && !errors.As(err, &viol) {
				t.Errorf("%s under %+v (conservative %v): %v", tc.name, tc.nc, conservative, err)
			}
		}
	}
	// A name that cannot be compared is an error, not a pass, in either subtree.
	for _, nc := range []NameConstraints{{Permitted: []GeneralName{email(".example.com")}}, {Excluded: []GeneralName{email("other.org")}}} {
		c := &Checker{}
		c.Add(&nc)
		var syn *SyntaxError
		if err := c.Check([]GeneralName{smtpUTF8Name("ü@xn--abc.example.com")}); !errors.As(err, &syn) {
			t.Errorf("a domain that is not IDNA2008 under %+v: %v", nc, err)
		}
	}
}
