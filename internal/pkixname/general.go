package pkixname

import (
	"fmt"
	"net"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Form is the kind of a general name: its context tag in GeneralName (RFC 5280 4.2.1.6).
type Form int

const (
	OtherName     Form = 0
	RFC822Name    Form = 1
	DNSName       Form = 2
	X400Address   Form = 3
	DirectoryName Form = 4
	EDIPartyName  Form = 5
	URI           Form = 6
	IPAddress     Form = 7
	RegisteredID  Form = 8
)

var formNames = [...]string{"otherName", "rfc822Name", "dNSName", "x400Address", "directoryName",
	"ediPartyName", "uniformResourceIdentifier", "iPAddress", "registeredID"}

func (f Form) String() string {
	if f >= 0 && int(f) < len(formNames) {
		return formNames[f]
	}
	return fmt.Sprintf("GeneralName[%d]", int(f))
}

// GeneralName is one parsed GeneralName.
type GeneralName struct {
	Form Form
	// Raw is the content octets: the text of rfc822Name, dNSName and URI, the address of
	// iPAddress, the inner encoding of the other forms.
	Raw []byte
	// DN is the parsed name of a directoryName.
	DN *DN
}

// String is the name as text, safe to print: the string forms and an SmtpUTF8Mailbox's value
// with control and invisible characters escaped (EscapeText), an IP address or network in
// the usual notation, a directoryName in RFC 4514 form.
func (g GeneralName) String() string {
	switch g.Form {
	case RFC822Name, DNSName, URI:
		return EscapeText(string(g.Raw))
	case IPAddress:
		switch len(g.Raw) {
		case 4, 16:
			return net.IP(g.Raw).String()
		case 8, 32:
			n := len(g.Raw) / 2
			ones, _ := net.IPMask(g.Raw[n:]).Size()
			return fmt.Sprintf("%s/%d", net.IP(g.Raw[:n]), ones)
		}
	case DirectoryName:
		if g.DN != nil {
			return g.DN.String()
		}
	case OtherName:
		if isSmtpUTF8Mailbox(g) {
			if v, ok := smtpUTF8Mailbox(g); ok {
				return EscapeText(v)
			}
		}
	}
	return fmt.Sprintf("%s:%x", g.Form, g.Raw)
}

// kind is the name of g's form in messages: its Form, or SmtpUTF8Mailbox for an otherName of
// that type (RFC 9598).
func (g GeneralName) kind() string {
	if isSmtpUTF8Mailbox(g) {
		return "SmtpUTF8Mailbox"
	}
	return g.Form.String()
}

// ParseGeneralName reads one GeneralName from s.
func ParseGeneralName(s *cryptobyte.String) (GeneralName, error) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return GeneralName{}, fmt.Errorf("%w: bad GeneralName", ErrMalformed)
	}
	if tag&0xC0 != 0x80 { // context-specific
		return GeneralName{}, fmt.Errorf("%w: GeneralName with tag %#x", ErrMalformed, uint8(tag))
	}
	g := GeneralName{Form: Form(tag & 0x1f), Raw: v}
	constructed := tag&0x20 != 0
	switch g.Form {
	case RFC822Name, DNSName, URI, IPAddress:
		if constructed {
			return g, fmt.Errorf("%w: constructed %s", ErrMalformed, g.Form)
		}
		if g.Form != IPAddress {
			for _, b := range v {
				if b >= 0x80 {
					return g, fmt.Errorf("%w: %s is not an IA5String", ErrMalformed, g.Form)
				}
			}
		}
	case DirectoryName:
		// [4] EXPLICIT Name
		if !constructed {
			return g, fmt.Errorf("%w: primitive directoryName", ErrMalformed)
		}
		var inner cryptobyte.String
		if !v.ReadASN1Element(&inner, cbasn1.SEQUENCE) || !v.Empty() {
			return g, fmt.Errorf("%w: bad directoryName", ErrMalformed)
		}
		dn, err := ParseDN(inner)
		if err != nil {
			return g, err
		}
		g.DN, g.Raw = dn, inner
	case OtherName, X400Address, EDIPartyName:
		if !constructed {
			return g, fmt.Errorf("%w: primitive %s", ErrMalformed, g.Form)
		}
	case RegisteredID:
	default:
		return g, fmt.Errorf("%w: unknown GeneralName tag [%d]", ErrMalformed, int(g.Form))
	}
	return g, nil
}

// ParseGeneralNames parses a DER GeneralNames (SEQUENCE SIZE (1..MAX) OF GeneralName). When
// inner is true, der is the content of an IMPLICIT tag (the SEQUENCE's content octets).
func ParseGeneralNames(der []byte, inner bool) ([]GeneralName, error) {
	s := cryptobyte.String(der)
	if !inner {
		if !s.ReadASN1(&s, cbasn1.SEQUENCE) {
			return nil, fmt.Errorf("%w: GeneralNames is not a SEQUENCE", ErrMalformed)
		}
	}
	var out []GeneralName
	for !s.Empty() {
		g, err := ParseGeneralName(&s)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty GeneralNames", ErrMalformed)
	}
	return out, nil
}
