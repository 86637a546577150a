package x509util

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dnTestATV and dnTestRDNSET read a marshalled Name back with the string types visible.
type dnTestATV struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

type dnTestRDNSET []dnTestATV

var dnTestTagNames = map[int]string{
	asn1.TagPrintableString: "printable",
	asn1.TagUTF8String:      "utf8",
	asn1.TagIA5String:       "ia5",
}

// dnTestFormat renders the DER of seq as "TYPE=tag:value" with "+" inside an RDN and " / "
// between RDNs, in ASN.1 order.
func dnTestFormat(t *testing.T, seq pkix.RDNSequence) string {
	t.Helper()
	der, err := asn1.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	var raw []dnTestRDNSET
	if rest, err := asn1.Unmarshal(der, &raw); err != nil || len(rest) > 0 {
		t.Fatalf("re-reading the name: %v", err)
	}
	names := map[string]string{}
	for name, a := range dnAttributes() {
		if strings.ToLower(a.name) == name {
			names[a.oid.String()] = a.name
		}
	}
	var rdns []string
	for _, rdn := range raw {
		var atvs []string
		for _, atv := range rdn {
			name := names[atv.Type.String()]
			if name == "" {
				name = atv.Type.String()
			}
			tag := dnTestTagNames[atv.Value.Tag]
			if tag == "" {
				tag = fmt.Sprint(atv.Value.Tag)
			}
			atvs = append(atvs, name+"="+tag+":"+string(atv.Value.Bytes))
		}
		rdns = append(rdns, strings.Join(atvs, "+"))
	}
	return strings.Join(rdns, " / ")
}

func TestParseDN(t *testing.T) {
	tests := []struct {
		name, in, want string
		flat           string // ParseDN's RDNs when they differ from want with '+' split
	}{
		{"rfc4514", "CN=alice,O=Example Corp,C=US", "C=printable:US / O=printable:Example Corp / CN=printable:alice", ""},
		{"openssl", "/C=US/O=Example Corp/CN=alice", "C=printable:US / O=printable:Example Corp / CN=printable:alice", ""},
		{"rfc4514 multi-valued", "CN=alice+UID=42,O=Example", "O=printable:Example / CN=printable:alice+UID=printable:42", ""},
		{"openssl multi-valued", "/O=Example/CN=alice+UID=42", "O=printable:Example / CN=printable:alice+UID=printable:42", ""},
		{"multi-valued sorted as DER wants", "UID=42+CN=alice", "CN=printable:alice+UID=printable:42", "UID=printable:42 / CN=printable:alice"},
		{"escaped specials", `CN=Doe\, John,O=Example \+ Co\\`, `O=utf8:Example + Co\ / CN=printable:Doe, John`, `O=utf8:Example + Co\ / CN=printable:Doe, John`},
		{"escaped quotes and angles", `CN=\"q\" \<x\> \;`, `CN=utf8:"q" <x> ;`, ""},
		{"hex escapes", `CN=caf\C3\A9,O=A\2CB`, "O=printable:A,B / CN=utf8:café", ""},
		{"spaces around separators", "  CN = alice ,  O=Example Corp  ", "O=printable:Example Corp / CN=printable:alice", ""},
		{"escaped leading and trailing spaces", `CN=\ alice\ `, "CN=printable: alice ", ""},
		{"inner spaces kept", "CN=a  b", "CN=printable:a  b", ""},
		{"equals in value", "CN=a=b", "CN=printable:a=b", ""},
		{"escaped leading hash", `CN=\#1`, "CN=utf8:#1", ""},
		{"BER hex value", "CN=#0c05616c696365", "CN=utf8:alice", ""},
		{"UTF-8 value", "CN=Jürgen Müller", "CN=utf8:Jürgen Müller", ""},
		{"case-insensitive types", "cn=alice,o=Example,c=DE", "C=printable:DE / O=printable:Example / CN=printable:alice", ""},
		{"long names", "commonName=alice,organizationName=Example", "O=printable:Example / CN=printable:alice", ""},
		{"dotted OIDs", "2.5.4.3=alice,1.3.6.1.4.1.99999.1=custom value", "1.3.6.1.4.1.99999.1=printable:custom value / CN=printable:alice", ""},
		{"emailAddress is IA5", "emailAddress=alice@example.com,CN=alice", "CN=printable:alice / emailAddress=ia5:alice@example.com", ""},
		{"E alias", "E=alice@example.com", "emailAddress=ia5:alice@example.com", ""},
		{"DC is IA5, reversed", "DC=example,DC=com", "DC=ia5:com / DC=ia5:example", ""},
		{"openssl DC order kept", "/DC=com/DC=example/CN=host", "DC=ia5:com / DC=ia5:example / CN=printable:host", ""},
		{"all named attributes", "CN=a,OU=b,O=c,L=d,ST=e,STREET=f,postalCode=1,serialNumber=S-1,title=t,GN=g,SN=s,C=FR",
			"C=printable:FR / SN=printable:s / GN=printable:g / title=printable:t / serialNumber=printable:S-1 / postalCode=printable:1 / STREET=printable:f / ST=printable:e / L=printable:d / O=printable:c / OU=printable:b / CN=printable:a", ""},
		{"openssl escapes", `/O=A\/B/CN=x\+y`, "O=printable:A/B / CN=printable:x+y", "O=printable:A/B / CN=printable:x+y"},
		{"openssl keeps spaces", "/CN= padded ", "CN=printable: padded ", ""},
		{"openssl value with comma", "/O=Example, Inc./CN=alice", "O=printable:Example, Inc. / CN=printable:alice", ""},
		{"64-character CN", "CN=" + strings.Repeat("a", 64), "CN=printable:" + strings.Repeat("a", 64), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seq, err := ParseRDNSequence(tc.in)
			if err != nil {
				t.Fatalf("ParseRDNSequence(%q): %v", tc.in, err)
			}
			if got := dnTestFormat(t, seq); got != tc.want {
				t.Errorf("ParseRDNSequence(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
			// ParseDN keeps the order; a multi-valued RDN becomes consecutive RDNs.
			name, err := ParseDN(tc.in)
			if err != nil {
				t.Fatalf("ParseDN(%q): %v", tc.in, err)
			}
			flat := tc.flat
			if flat == "" {
				flat = strings.ReplaceAll(tc.want, "+", " / ")
			}
			if got := dnTestFormat(t, name.ToRDNSequence()); got != flat {
				t.Errorf("ParseDN(%q).ToRDNSequence()\n got %s\nwant %s", tc.in, got, flat)
			}
		})
	}
}

func TestParseDNFields(t *testing.T) {
	n, err := ParseDN("CN=alice,OU=Eng,OU=Release,O=Example Corp,C=US")
	if err != nil {
		t.Fatal(err)
	}
	if n.CommonName != "alice" || len(n.Organization) != 1 || n.Organization[0] != "Example Corp" ||
		len(n.Country) != 1 || n.Country[0] != "US" || strings.Join(n.OrganizationalUnit, ",") != "Release,Eng" {
		t.Errorf("fields: %+v", n)
	}
	if got, want := n.String(), "CN=alice,OU=Eng,OU=Release,O=Example Corp,C=US"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestParseDNErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ": empty (write for example"},
		{"only spaces", "   ", ": empty (write for example"},
		{"slash only", "/", ": empty (write for example"},
		{"no equals", "CN", "missing '='"},
		{"no equals later", "CN=alice,O", `missing '=' after "O"`},
		{"stray comma", "CN=alice,", "stray ','"},
		{"stray plus", "CN=alice+", "stray '+'"},
		{"double comma", "CN=alice,,O=x", "empty attribute"},
		{"unknown type", "FOO=bar", `unknown attribute type "FOO"`},
		{"type with space", "Common Name=x", "bad attribute type"},
		{"empty value", "CN=", "empty value"},
		{"empty value in slash form", "/O=x/CN=", "empty value"},
		{"country too long", "C=USA", "two-letter"},
		{"country not letters", "C=1A", "two-letter"},
		{"unescaped semicolon", "CN=a;b", `unescaped ';'`},
		{"unescaped quote", `CN=say "hi"`, `unescaped '"'`},
		{"unescaped angle", "CN=<x>", "unescaped '<'"},
		{"bad escape", `CN=a\q`, `bad escape '\q'`},
		{"lone backslash", `CN=a\`, "lone '\\'"},
		{"slash stray", "/C=US/", "stray '/'"},
		{"slash no equals", "/CN", "missing '='"},
		{"slash empty component", "/C=US//CN=x", "empty component"},
		{"slash lone backslash", `/CN=a\`, "lone '\\'"},
		{"CN too long", "CN=" + strings.Repeat("a", 65), "at most 64"},
		{"serialNumber not printable", "serialNumber=a_b", "serialNumber may use only"},
		{"email not ASCII", "emailAddress=jürgen@example.com", "ASCII"},
		{"invalid UTF-8", `CN=\C3`, "UTF-8"},
		{"NUL", `CN=a\00b`, "NUL"},
		{"hash not hex", "CN=#zz", "not hex"},
		{"hash not BER", "CN=#0c05", "BER"},
		{"bad OID", "3.1=x", "not a valid OID"},
		{"OID with letters", "2.5.x=y", "not a dotted OID"},
		{"OID with a leading zero", "2.05.4.3=y", "not a dotted OID"},
		{"OID with an empty arc", "2.5..3=y", "not a dotted OID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDN(tc.in)
			if !errors.Is(err, ErrInvalidName) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseDN(%q) = %v; want ErrInvalidName mentioning %q", tc.in, err, tc.want)
			}
		})
	}
}

// TestParseDottedOID: x509.ParseOID's checks, and only the text it prints back.
func TestParseDottedOID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" when refused
	}{
		{"2.5.4.3", "2.5.4.3"},
		{"1.39", "1.39"},
		{"2.999.1", "2.999.1"},
		{"1.3.6.1.4.1.2147483647", "1.3.6.1.4.1.2147483647"},
		{"1.3.6.1.4.1.2147483648", ""},          // over 31 bits: crypto/x509 cannot read it back
		{"2.2147483567", "2.2147483567"},        // 80+Y in 31 bits
		{"2.2147483568", ""},                    // 80+Y over 31 bits
		{"1.3.6.1.4.1.9223372036854775807", ""}, // an int, but over 31 bits
		{"1.3.6.1.4.1.9223372036854775808", ""}, // beyond an int
		{"1.40", ""},
		{"3.1", ""},
		{"1", ""},
		{"1.02", ""},
		{"1.2.+5", ""},
		{"1.2.-0", ""},
		{"1..2", ""},
		{" 1.2", ""},
	} {
		oid, ok := ParseDottedOID(tc.in)
		if got := map[bool]string{true: oid.String(), false: ""}[ok]; got != tc.want {
			t.Errorf("ParseDottedOID(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}
