package x509util

import (
	"strings"
	"testing"

	"github.com/signet-pki/signet/internal/pkixname"
)

// TestPrintedNamesParse: every attribute name signet prints (internal/pkixname's table)
// is one ParseDN takes, so that a name copied from `cert inspect` can be given to --subject,
// and the name parsed prints back as written. Several (organizationIdentifier, initials,
// pseudonym, jurisdiction*) were printed but refused.
func TestPrintedNamesParse(t *testing.T) {
	for _, oid := range pkixname.AttributeTypes() {
		short, _ := pkixname.AttributeName(oid)
		value := "x1"
		switch short {
		case "C", "jurisdictionC":
			value = "DE"
		case "DC", "emailAddress", "unstructuredName":
			value = "a.example"
		}
		in := short + "=" + value + ",CN=round trip"
		if short == "CN" {
			in = "CN=" + value
		}
		name, err := ParseDN(in)
		if err != nil {
			t.Errorf("ParseDN(%q): %v", in, err)
			continue
		}
		if got := FormatName(name); got != in {
			t.Errorf("ParseDN(%q) prints as %q", in, got)
		}
		if !strings.Contains(strings.ToLower(" "+strings.Join(DNAttributeNames(), " ")+" "), " "+strings.ToLower(short)+" ") {
			t.Errorf("%s is not listed in DNAttributeNames", short)
		}
	}
	if _, err := ParseDN("jurisdictionC=Germany"); err == nil {
		t.Error("jurisdictionC of more than two letters accepted")
	}
}
