package hsm

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestParseURIRFC7512Examples parses the examples of RFC 7512, section 3.3.
func TestParseURIRFC7512Examples(t *testing.T) {
	cases := []struct {
		uri  string
		want URI
	}{
		{"pkcs11:", URI{}},
		{"pkcs11:object=my-pubkey;type=public", URI{Object: "my-pubkey", Type: TypePublic}},
		{"pkcs11:object=my-key;type=private?pin-source=file:/etc/token", URI{Object: "my-key", Type: TypePrivate, PINSource: "file:/etc/token"}},
		{"pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin",
			URI{Token: "The Software PKCS#11 Softtoken", Manufacturer: "Snake Oil, Inc.", Model: "1.0", Object: "my-certificate", Type: TypeCert,
				ID: []byte{0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91}, PINSource: "file:/etc/token_pin"}},
		{"pkcs11:object=my-sign-key;type=private?module-name=mypkcs11", URI{Object: "my-sign-key", Type: TypePrivate, ModuleName: "mypkcs11"}},
		{"pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1", URI{Object: "my-sign-key", Type: TypePrivate, ModulePath: "/mnt/libmypkcs11.so.1"}},
		{"pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin",
			URI{Token: "Software PKCS#11 softtoken", Manufacturer: "Snake Oil, Inc.", PINValue: "the-pin"}},
		{"pkcs11:slot-description=Sun%20Metaslot", URI{SlotDescription: "Sun Metaslot"}},
		{"pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23",
			URI{LibraryManufacturer: "Snake Oil, Inc.", LibraryDescription: "Soft Token Library", LibraryVersion: "1.23"}},
		{"pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
			URI{Token: "A name with a substring %;", Object: "my-certificate", Type: TypeCert}},
		{"pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert",
			URI{Token: "Name with a small A with acute: á", Object: "my-certificate", Type: TypeCert}},
		{"pkcs11:token=my-token;object=my-certificate;type=cert;x-vend-aaa=value-a?pin-source=file:/etc/token_pin&x-vend-bbb=value-b",
			URI{Token: "my-token", Object: "my-certificate", Type: TypeCert, PINSource: "file:/etc/token_pin",
				Vendor: []VendorAttribute{{"x-vend-aaa", "value-a", false}, {"x-vend-bbb", "value-b", true}}}},
		// Beyond the RFC's list: slot-id, "&" in the path (erratum 5499), an upper-case scheme.
		{"PKCS11:slot-id=42;object=a&b", URI{SlotID: "42", Object: "a&b"}},
		{"pkcs11:id=%01?pin-source=/run/pin&module-path=/usr/lib/softhsm/libsofthsm2.so",
			URI{ID: []byte{1}, PINSource: "/run/pin", ModulePath: "/usr/lib/softhsm/libsofthsm2.so"}},
	}
	for _, c := range cases {
		t.Run(c.uri, func(t *testing.T) {
			u, err := ParseURI(c.uri)
			if err != nil {
				t.Fatal(err)
			}
			got := *u
			got.present = 0
			if c.want.Vendor == nil {
				got.Vendor = nil
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ParseURI =\n%+v\nwant\n%+v", got, c.want)
			}
			// String is canonical: parsing it gives the same URI (without pin-value) and
			// String is stable.
			s := u.String()
			u2, err := ParseURI(s)
			if err != nil {
				t.Fatalf("ParseURI(String() = %q): %v", s, err)
			}
			if s2 := u2.String(); s2 != s {
				t.Errorf("String not stable: %q then %q", s, s2)
			}
			if u.PINValue != "" && strings.Contains(s, u.PINValue) {
				t.Errorf("String() = %q shows the pin-value", s)
			}
		})
	}
}

func TestURIString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"pkcs11:type=private;object=k;token=T", "pkcs11:token=T;object=k;type=private"},
		{"pkcs11:token=My%20Token;id=%ab%CD", "pkcs11:token=My%20Token;id=%AB%CD"},
		{"pkcs11:object=a&b;token=%2F%3F%23", "pkcs11:token=%2F%3F%23;object=a%26b"},
		{"pkcs11:serial=;object=k", "pkcs11:serial=;object=k"},
		{"pkcs11:object=k?pin-value=1234", "pkcs11:object=k"},
		{"pkcs11:object=k?module-path=/a/b%20c.so&pin-source=file:/p?x", "pkcs11:object=k?module-path=/a/b%20c.so&pin-source=file:/p?x"},
		{"pkcs11:?x-a=1&x-a=2", "pkcs11:?x-a=1&x-a=2"},
	}
	for _, c := range cases {
		u := mustParseURI(t, c.in)
		if got := u.String(); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// A URI built by hand.
	u := &URI{Token: "signet; test", Object: "ключ", ID: []byte{0, 0xff}, Type: TypePrivate, ModulePath: "/usr/lib/x.so"}
	if got, want := u.String(), "pkcs11:token=signet%3B%20test;object=%D0%BA%D0%BB%D1%8E%D1%87;id=%00%FF;type=private?module-path=/usr/lib/x.so"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (*URI)(nil).String(); got != "pkcs11:" {
		t.Errorf("nil String() = %q", got)
	}
}

func TestParseURIErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "does not start"},
		{"pkcs12:token=a", "does not start"},
		{"token=a", "does not start"},
		{"pkcs11:token", `has no "="`},
		{"pkcs11:token=a;", "attribute 2 of the path is empty"},
		{"pkcs11:;token=a", "attribute 1 of the path is empty"},
		{"pkcs11:tokn=a", `unknown path attribute "tokn"`},
		{"pkcs11:Token=a", `unknown path attribute "Token"`},
		{"pkcs11:token=a;token=b", "token appears twice"},
		{"pkcs11:x-a=1;x-a=2", `"x-a" appears twice`},
		{"pkcs11:x-=1", "vendor attribute"},
		{"pkcs11:x-a.b=1", "vendor attribute"},
		{"pkcs11:token=a b", `character ' ' at byte 1 of the value must be percent-encoded as %20`},
		{"pkcs11:token=a/b", "must be percent-encoded as %2F"},
		{"pkcs11:token=a?module-path=/x;y", "must be percent-encoded as %3B"},
		{"pkcs11:token=%4", "truncated percent-encoding"},
		{"pkcs11:token=%", "truncated percent-encoding"},
		{"pkcs11:token=%zz", "invalid percent-encoding"},
		{"pkcs11:type=secret", "none of private"},
		{"pkcs11:type=", "none of private"},
		{"pkcs11:slot-id=", "not a number"},
		{"pkcs11:slot-id=-1", "not a number"},
		{"pkcs11:slot-id=99999999999999999999999", "too large"},
		{"pkcs11:library-version=1.", "not N or N.M"},
		{"pkcs11:library-version=v1", "not N or N.M"},
		{"pkcs11:module-path=/x.so", "belongs in the query"},
		{"pkcs11:?token=a", "belongs in the path"},
		{"pkcs11:?module-path=relative.so", "not an absolute path"},
		{"pkcs11:?module-name=/usr/lib/x.so", "without a directory"},
		{"pkcs11:?pin-source=%7Cpinentry", "commands"},
		{"pkcs11:?pin-source=https://example.com/pin", `scheme "https"`},
		{"pkcs11:?pin-source=file://host/pin", `host "host"`},
		{"pkcs11:?pin-source=", "pin-source is empty"},
		{"pkcs11:?pin-source=/p&pin-value=1", "both given"},
		{"pkcs11:?pin-source=/p&pin-source=/q", "pin-source appears twice"},
		{"pkcs11:?nope=1", `unknown query attribute "nope"`},
	}
	for _, c := range cases {
		u, err := ParseURI(c.in)
		if err == nil {
			t.Errorf("ParseURI(%q) = %v, want an error", c.in, u)
			continue
		}
		if !errors.Is(err, ErrInvalidURI) || errors.Is(err, ErrToken) {
			t.Errorf("ParseURI(%q): %v does not wrap ErrInvalidURI alone", c.in, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseURI(%q) = %q, want it to contain %q", c.in, err, c.want)
		}
	}
}

// TestParseURIErrorsHidePIN checks that no error about a pin-value shows any of it.
func TestParseURIErrorsHidePIN(t *testing.T) {
	for _, in := range []string{
		"pkcs11:?pin-value=S3cretPIN%zz",
		"pkcs11:?pin-value=S3cretPIN;x",
		"pkcs11:?pin-value=S3cretPIN&pin-value=S3cretPIN",
		"pkcs11:?pin-value=S3cretPIN&pin-source=/p",
		"pkcs11:?pin-valueS3cretPIN",
		"pkcs11:pin-value=S3cretPIN",
		"pkcs11:?pin-value=S3cretPIN%4",
		"pkcs11:?pin-value=S3cretPIN#",
	} {
		_, err := ParseURI(in)
		if err == nil {
			t.Errorf("ParseURI(%q) succeeded", in)
			continue
		}
		if strings.Contains(err.Error(), "S3cret") {
			t.Errorf("ParseURI(%q) = %q shows the PIN", in, err)
		}
	}
}

func TestURIWarnings(t *testing.T) {
	if w := mustParseURI(t, "pkcs11:object=k?pin-value=1234").Warnings(); len(w) != 1 || !strings.Contains(w[0], "pin-value") || strings.Contains(w[0], "1234") {
		t.Errorf("Warnings = %q", w)
	}
	if w := mustParseURI(t, "pkcs11:object=k?pin-source=/p").Warnings(); w != nil {
		t.Errorf("Warnings = %q", w)
	}
}

func TestURIMatch(t *testing.T) {
	tok := TokenInfo{SlotID: 7, SlotDescription: "slot", SlotManufacturer: "maker", Present: true, Label: "signet", Manufacturer: "SoftHSM project", Model: "SoftHSM v2", Serial: "abc"}
	cases := []struct {
		uri  string
		want bool
	}{
		{"pkcs11:", true},
		{"pkcs11:token=signet", true},
		{"pkcs11:token=Signet", false},
		{"pkcs11:token=", false}, // an empty value matches only an empty label
		{"pkcs11:serial=abc;model=SoftHSM%20v2;manufacturer=SoftHSM%20project", true},
		{"pkcs11:serial=abd", false},
		{"pkcs11:slot-id=7", true},
		{"pkcs11:slot-id=007", true},
		{"pkcs11:slot-id=8", false},
		{"pkcs11:slot-description=slot;slot-manufacturer=maker", true},
		{"pkcs11:slot-manufacturer=other", false},
	}
	for _, c := range cases {
		if got := mustParseURI(t, c.uri).matchToken(tok); got != c.want {
			t.Errorf("%s matches %+v: %v, want %v", c.uri, tok, got, c.want)
		}
	}
	empty := TokenInfo{SlotID: 1, Present: true}
	if !mustParseURI(t, "pkcs11:token=").matchToken(empty) {
		t.Error("token= does not match a token with an empty label")
	}
	if mustParseURI(t, "pkcs11:token=x").matchToken(TokenInfo{SlotID: 1}) {
		t.Error("a token attribute matches an empty slot")
	}

	mod := ModuleInfo{Manufacturer: "SoftHSM", Description: "Implementation of PKCS11", VersionMajor: 2, VersionMinor: 6}
	for uri, want := range map[string]bool{
		"pkcs11:library-manufacturer=SoftHSM":                     true,
		"pkcs11:library-description=Implementation%20of%20PKCS11": true,
		"pkcs11:library-version=2.6":                              true,
		"pkcs11:library-version=2":                                false,
		"pkcs11:library-version=2.06":                             true,
		"pkcs11:library-manufacturer=Other":                       false,
	} {
		if got := mustParseURI(t, uri).matchModule(mod); got != want {
			t.Errorf("%s matches module: %v, want %v", uri, got, want)
		}
	}

	obj := &Object{Label: "k", ID: []byte{1}, Type: TypePrivate}
	for uri, want := range map[string]bool{
		"pkcs11:":                             true,
		"pkcs11:object=k":                     true,
		"pkcs11:object=k;id=%01;type=private": true,
		"pkcs11:id=%02":                       false,
		"pkcs11:id=":                          false,
		"pkcs11:type=public":                  false,
		"pkcs11:object=K":                     false,
	} {
		if got := mustParseURI(t, uri).matchObject(obj); got != want {
			t.Errorf("%s matches object: %v, want %v", uri, got, want)
		}
	}
}

func TestPinSourcePath(t *testing.T) {
	for in, want := range map[string]string{
		"file:/etc/pin":            "/etc/pin",
		"file:///etc/pin":          "/etc/pin",
		"file://localhost/etc/pin": "/etc/pin",
		"/etc/pin":                 "/etc/pin",
		"pin.txt":                  "pin.txt",
		"file:pin.txt":             "pin.txt",
		"./a:b":                    "./a:b",
	} {
		got, err := pinSourcePath(in)
		if err != nil || got != want {
			t.Errorf("pinSourcePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func mustParseURI(t testing.TB, s string) *URI {
	t.Helper()
	u, err := ParseURI(s)
	if err != nil {
		t.Fatalf("ParseURI(%q): %v", s, err)
	}
	return u
}

// FuzzParseURI checks that the parser never panics, that its errors wrap ErrInvalidURI, and
// that String is canonical: it parses back to the same URI (less the pin-value it omits)
// and is a fixed point.
func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"pkcs11:",
		"pkcs11:object=my-pubkey;type=public",
		"pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin",
		"pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23",
		"pkcs11:token=my-token;object=my-certificate;type=cert;x-vend-aaa=value-a?pin-source=file:/etc/token_pin&x-vend-bbb=value-b",
		"pkcs11:token=Software%20PKCS%2311%20softtoken?pin-value=the-pin",
		"pkcs11:slot-id=1;slot-description=a;slot-manufacturer=b?module-name=softhsm2",
		"pkcs11:object=a&b;id=?module-path=/usr/lib/x.so&x-a=1&x-a=",
		"pkcs11:token=%",
		"pkcs11:?pin-source=file:///run/pin",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidURI) {
				t.Fatalf("error %v does not wrap ErrInvalidURI", err)
			}
			return
		}
		c := u.String()
		u2, err := ParseURI(c)
		if err != nil {
			t.Fatalf("String() = %q does not parse: %v", c, err)
		}
		if c2 := u2.String(); c2 != c {
			t.Fatalf("String not a fixed point: %q, then %q", c, c2)
		}
		want := u.Clone()
		want.PINValue = ""
		want.present &^= 1 << aPINValue
		if len(want.Vendor) == 0 {
			want.Vendor = nil
		}
		if len(u2.Vendor) == 0 {
			u2.Vendor = nil
		}
		// Vendor attributes come back path first, then query: compare them as sets in order.
		sortVendor := func(v []VendorAttribute) []VendorAttribute {
			var p, q []VendorAttribute
			for _, a := range v {
				if a.Query {
					q = append(q, a)
				} else {
					p = append(p, a)
				}
			}
			return append(p, q...)
		}
		want.Vendor = sortVendor(want.Vendor)
		if want.ID != nil && u2.ID != nil && bytes.Equal(want.ID, u2.ID) {
			u2.ID = want.ID
		}
		if !reflect.DeepEqual(want, u2) {
			t.Fatalf("%q parses to\n%+v\nits String %q to\n%+v", s, want, c, u2)
		}
	})
}
