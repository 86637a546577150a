package pkixname

import (
	"encoding/asn1"
	"fmt"
	"net"
	"strings"
	"sync"

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

// String is the name as text, safe to print: the string forms with control and invisible
// characters escaped (EscapeText), an IP address or network in the usual notation, a
// directoryName in RFC 4514 form.
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
	}
	return fmt.Sprintf("%s:%x", g.Form, g.Raw)
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

// String prints a distinguished name in RFC 4514 order (most specific first) with the short
// attribute names openssl and crypto/x509 use, its values escaped by EscapeValue, so that no
// name can forge a line of output.
func (d *DN) String() string {
	var parts []string
	for i := len(d.RDNs) - 1; i >= 0; i-- {
		var atvs []string
		for _, a := range d.RDNs[i] {
			atvs = append(atvs, attrTypeName(a.Type)+"="+escapeValue(a))
		}
		parts = append(parts, strings.Join(atvs, "+"))
	}
	return strings.Join(parts, ",")
}

// attrNames are the short names of attribute types in printed DNs: a map built on first use,
// not at init, which every signet command pays for (issue 15).
var attrNames = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET",
		"2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.5": "SERIALNUMBER", "2.5.4.17": "POSTALCODE",
		"0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
		"1.2.840.113549.1.9.1": "emailAddress",
	}
})

func attrTypeName(t asn1.ObjectIdentifier) string {
	if n, ok := attrNames()[t.String()]; ok {
		return n
	}
	return t.String()
}

// escapeValue is an attribute value as DN.String prints it: a string escaped by EscapeValue,
// anything else as # and hex.
func escapeValue(a Attribute) string {
	s, ok := DecodeString(a.Tag, a.Value)
	if !ok {
		return fmt.Sprintf("#%02x%02x%x", uint8(a.Tag), len(a.Value), a.Value) // approximate BER hex
	}
	return EscapeValue(s)
}
