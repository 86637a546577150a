package hsm

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// ObjectType is the value of a URI's "type" attribute: the class of object it selects.
type ObjectType string

// The object types of RFC 7512.
const (
	TypePrivate   ObjectType = "private"    // CKO_PRIVATE_KEY
	TypePublic    ObjectType = "public"     // CKO_PUBLIC_KEY
	TypeCert      ObjectType = "cert"       // CKO_CERTIFICATE
	TypeSecretKey ObjectType = "secret-key" // CKO_SECRET_KEY
	TypeData      ObjectType = "data"       // CKO_DATA
)

// VendorAttribute is an "x-" attribute of a URI, kept as it was given.
type VendorAttribute struct {
	Name  string // including the "x-" prefix
	Value string // percent-decoded
	Query bool   // true for the query component (after "?"), false for the path
}

// URI is a parsed RFC 7512 PKCS#11 URI such as
//
//	pkcs11:token=signet;object=release;id=%01;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so
//
// Every field holds the percent-decoded value. A zero field does not constrain a match; an
// attribute given with an empty value (object=) is remembered by ParseURI and matches only
// an empty value, as RFC 7512 says. ID holds raw bytes (id=%01%a2 is the two bytes 0x01 0xa2).
//
// Token, Manufacturer, Model and Serial match the token (CK_TOKEN_INFO); SlotID,
// SlotDescription and SlotManufacturer the slot (CK_SLOT_INFO); the Library fields the module
// (CK_INFO); Object (CKA_LABEL), ID (CKA_ID) and Type (CKA_CLASS) the object.
type URI struct {
	Token, Manufacturer, Serial, Model                      string
	SlotID, SlotDescription, SlotManufacturer               string
	LibraryManufacturer, LibraryDescription, LibraryVersion string
	Object                                                  string
	ID                                                      []byte
	Type                                                    ObjectType
	ModulePath, ModuleName, PINSource, PINValue             string
	Vendor                                                  []VendorAttribute
	present                                                 uint32 // attributes seen by ParseURI, even with an empty value
}

// attribute indexes; their order is the canonical order String uses.
const (
	aToken = iota
	aSerial
	aManufacturer
	aModel
	aSlotID
	aSlotDescription
	aSlotManufacturer
	aLibraryManufacturer
	aLibraryDescription
	aLibraryVersion
	aObject
	aID
	aType
	aModuleName
	aModulePath
	aPINSource
	aPINValue
	numAttrs
)

type attrDef struct {
	name  string
	query bool
	field func(u *URI) *string // nil for id and type
}

var attrDefs = [numAttrs]attrDef{
	aToken:               {"token", false, func(u *URI) *string { return &u.Token }},
	aSerial:              {"serial", false, func(u *URI) *string { return &u.Serial }},
	aManufacturer:        {"manufacturer", false, func(u *URI) *string { return &u.Manufacturer }},
	aModel:               {"model", false, func(u *URI) *string { return &u.Model }},
	aSlotID:              {"slot-id", false, func(u *URI) *string { return &u.SlotID }},
	aSlotDescription:     {"slot-description", false, func(u *URI) *string { return &u.SlotDescription }},
	aSlotManufacturer:    {"slot-manufacturer", false, func(u *URI) *string { return &u.SlotManufacturer }},
	aLibraryManufacturer: {"library-manufacturer", false, func(u *URI) *string { return &u.LibraryManufacturer }},
	aLibraryDescription:  {"library-description", false, func(u *URI) *string { return &u.LibraryDescription }},
	aLibraryVersion:      {"library-version", false, func(u *URI) *string { return &u.LibraryVersion }},
	aObject:              {"object", false, func(u *URI) *string { return &u.Object }},
	aID:                  {"id", false, nil},
	aType:                {"type", false, nil},
	aModuleName:          {"module-name", true, func(u *URI) *string { return &u.ModuleName }},
	aModulePath:          {"module-path", true, func(u *URI) *string { return &u.ModulePath }},
	aPINSource:           {"pin-source", true, func(u *URI) *string { return &u.PINSource }},
	aPINValue:            {"pin-value", true, func(u *URI) *string { return &u.PINValue }},
}

func attrIndex(name string) int {
	for i, d := range attrDefs {
		if d.name == name {
			return i
		}
	}
	return -1
}

// has reports whether attribute i constrains the URI: given by the parser (even empty) or set
// to a non-zero value by a caller.
func (u *URI) has(i int) bool {
	if u.present&(1<<i) != 0 {
		return true
	}
	switch i {
	case aID:
		return u.ID != nil
	case aType:
		return u.Type != ""
	}
	return *attrDefs[i].field(u) != ""
}

// ParseURI parses an RFC 7512 PKCS#11 URI.
//
// It is strict where leniency would select the wrong key: an attribute the RFC does not define
// is an error (a typo such as "tokn=" must not match every token; in the query, where RFC 7512
// says to ignore it, a misspelt pin-source or pin-value must not be passed over, nor printed
// unredacted), except vendor attributes
// with the "x-" prefix, which are kept in Vendor (a vendor attribute in the path is refused
// later, when the URI is used to select something, because signet cannot honour it);
// repeated attributes are an error (vendor query attributes may repeat); characters outside the
// RFC's sets must be percent-encoded, except that "&" is accepted in the path (RFC 7512
// erratum 5499); the scheme name is case-insensitive, attribute names are not.
//
// pin-source must be a file (file:PATH or a plain PATH; "|command" is refused); %00 in
// pin-source, module-path or module-name, which name files, is refused. pin-value is
// accepted, with a warning from Warnings, and pin-source and pin-value together are an error.
// Errors never quote a pin-value.
func ParseURI(s string) (*URI, error) {
	const scheme = "pkcs11:"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return nil, &uriError{"it does not start with \"pkcs11:\""}
	}
	rest := s[len(scheme):]
	path, query, _ := strings.Cut(rest, "?")
	u := &URI{}
	if path != "" {
		for n, part := range strings.Split(path, ";") {
			if err := u.parseAttr(part, n+1, false); err != nil {
				return nil, err
			}
		}
	}
	if query != "" {
		for n, part := range strings.Split(query, "&") {
			if err := u.parseAttr(part, n+1, true); err != nil {
				return nil, err
			}
		}
	}
	if u.has(aPINSource) && u.has(aPINValue) {
		return nil, &uriError{"pin-source and pin-value are both given; use one"}
	}
	return u, nil
}

func (u *URI) parseAttr(part string, n int, query bool) error {
	where := "path"
	if query {
		where = "query"
	}
	name, raw, ok := strings.Cut(part, "=")
	if !ok {
		if part == "" {
			return &uriError{fmt.Sprintf("attribute %d of the %s is empty", n, where)}
		}
		return &uriError{fmt.Sprintf("attribute %d of the %s has no \"=\"", n, where)}
	}
	if strings.HasPrefix(name, "x-") {
		if !validVendorName(name[2:]) {
			return &uriError{fmt.Sprintf("vendor attribute %s: the name may hold only letters, digits, \"-\" and \"_\"", quoteName(name))}
		}
		value, err := decodeValue(raw, query, false)
		if err != nil {
			return &uriError{fmt.Sprintf("%s: %s", quoteName(name), err)}
		}
		if !query {
			for _, v := range u.Vendor {
				if !v.Query && v.Name == name {
					return &uriError{fmt.Sprintf("attribute %s appears twice in the path", quoteName(name))}
				}
			}
		}
		u.Vendor = append(u.Vendor, VendorAttribute{Name: name, Value: value, Query: query})
		return nil
	}
	i := attrIndex(name)
	if i < 0 {
		return &uriError{fmt.Sprintf("unknown %s attribute %s (RFC 7512 defines token, manufacturer, serial, model, library-manufacturer, library-description, library-version, slot-id, slot-description, slot-manufacturer, object, id and type in the path; module-path, module-name, pin-source and pin-value in the query; vendor attributes start with \"x-\")", where, quoteName(name))}
	}
	d := attrDefs[i]
	if d.query != query {
		if d.query {
			return &uriError{fmt.Sprintf("%s belongs in the query (after \"?\"), not the path", name)}
		}
		return &uriError{fmt.Sprintf("%s belongs in the path (before \"?\"), not the query", name)}
	}
	if u.present&(1<<i) != 0 {
		return &uriError{fmt.Sprintf("attribute %s appears twice", name)}
	}
	value, err := decodeValue(raw, query, i == aPINValue)
	if err != nil {
		return &uriError{fmt.Sprintf("%s: %s", name, err)}
	}
	u.present |= 1 << i
	if (i == aModulePath || i == aModuleName || i == aPINSource) && strings.IndexByte(value, 0) >= 0 {
		return &uriError{fmt.Sprintf("%s holds a NUL byte (%%00), which no file name can", name)}
	}
	switch i {
	case aID:
		u.ID = []byte(value)
		return nil
	case aType:
		switch t := ObjectType(value); t {
		case TypePrivate, TypePublic, TypeCert, TypeSecretKey, TypeData:
			u.Type = t
			return nil
		}
		return &uriError{fmt.Sprintf("type=%q is none of private, public, cert, secret-key, data", value)}
	case aSlotID:
		if value == "" || strings.Trim(value, "0123456789") != "" {
			return &uriError{fmt.Sprintf("slot-id=%q is not a number", value)}
		}
		if _, err := strconv.ParseUint(value, 10, 64); err != nil {
			return &uriError{fmt.Sprintf("slot-id=%q is too large", value)}
		}
	case aLibraryVersion:
		if _, _, ok := parseVersion(value); !ok {
			return &uriError{fmt.Sprintf("library-version=%q is not N or N.M", value)}
		}
	case aModulePath:
		if !filepath.IsAbs(value) {
			return &uriError{fmt.Sprintf("module-path=%q is not an absolute path", value)}
		}
	case aModuleName:
		if value == "" || strings.ContainsAny(value, "/\\") {
			return &uriError{fmt.Sprintf("module-name=%q must be a module name without a directory (use module-path for a path)", value)}
		}
	case aPINSource:
		if _, err := pinSourcePath(value); err != nil {
			return err
		}
	}
	*d.field(u) = value
	return nil
}

// quoteName quotes an attribute name for an error message, shortened so that a value typed
// without "=" cannot flood the message.
func quoteName(name string) string {
	if len(name) > 40 {
		name = name[:40] + "..."
	}
	return strconv.Quote(name)
}

func validVendorName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isUnreserved(c byte) bool {
	return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// isPathRes reports the reserved characters RFC 7512 allows unencoded in path values.
func isPathRes(c byte) bool { return strings.IndexByte(":[]@!$'()*+,=", c) >= 0 }

// isQueryRes reports the reserved characters RFC 7512 allows unencoded in query values.
func isQueryRes(c byte) bool { return strings.IndexByte(":[]@!$'()*+,=/?|", c) >= 0 }

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeValue checks the characters of an attribute value and percent-decodes it. When secret
// is set the error never shows a character of the value.
func decodeValue(raw string, query, secret bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) {
				return "", fmt.Errorf("truncated percent-encoding at byte %d of the value", i)
			}
			hi, ok1 := unhex(raw[i+1])
			lo, ok2 := unhex(raw[i+2])
			if !ok1 || !ok2 {
				return "", fmt.Errorf("invalid percent-encoding at byte %d of the value", i)
			}
			b.WriteByte(hi<<4 | lo)
			i += 2
		case isUnreserved(c), isPathRes(c), !query && c == '&', query && isQueryRes(c):
			b.WriteByte(c)
		default:
			if secret {
				return "", fmt.Errorf("byte %d of the value must be percent-encoded", i)
			}
			return "", fmt.Errorf("character %q at byte %d of the value must be percent-encoded as %%%02X", rune(c), i, c)
		}
	}
	return b.String(), nil
}

// encodeValue percent-encodes a value for String: everything outside the RFC's unreserved and
// allowed reserved characters, and every byte when all is set (used for id). The apostrophe,
// which the RFC allows, is encoded too (as p11tool encodes it): signet prints URIs to be
// quoted with single quotes in the shell, where a bare one would end the quoted word.
func encodeValue(b *strings.Builder, v string, query, all bool) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !all && c != '\'' && (isUnreserved(c) || isPathRes(c) || query && isQueryRes(c)) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
}

// parseVersion parses "N" or "N.M" (library-version); "N" means "N.0".
func parseVersion(s string) (major, minor uint64, ok bool) {
	maj, min, hasMinor := strings.Cut(s, ".")
	digits := func(s string) (uint64, bool) {
		if s == "" || strings.Trim(s, "0123456789") != "" {
			return 0, false
		}
		n, err := strconv.ParseUint(s, 10, 8)
		return n, err == nil
	}
	if major, ok = digits(maj); !ok {
		return 0, 0, false
	}
	if hasMinor {
		if minor, ok = digits(min); !ok {
			return 0, 0, false
		}
	}
	return major, minor, true
}

// pinSourcePath returns the file a pin-source value names: "file:PATH", "file:///PATH",
// "file://localhost/PATH" or a plain path. Relative paths are relative to the working
// directory. Commands ("|prog") and other schemes are refused.
func pinSourcePath(v string) (string, error) {
	switch {
	case v == "":
		return "", &uriError{"pin-source is empty"}
	case strings.HasPrefix(v, "|"):
		return "", &uriError{"pin-source commands (\"|program\") are not supported; use a file"}
	case strings.HasPrefix(v, "file:"):
		p := strings.TrimPrefix(v, "file:")
		if strings.HasPrefix(p, "//") {
			host, rest, _ := strings.Cut(p[2:], "/")
			if host != "" && host != "localhost" {
				return "", &uriError{fmt.Sprintf("pin-source names a file on host %q; only local files are supported", host)}
			}
			p = "/" + rest
		}
		if p == "" || p == "/" {
			return "", &uriError{"pin-source names no file"}
		}
		return p, nil
	}
	if i := strings.IndexByte(v, ':'); i > 0 && !strings.ContainsAny(v[:i], "/.") && isScheme(v[:i]) {
		return "", &uriError{fmt.Sprintf("pin-source scheme %q is not supported; use file:PATH", v[:i])}
	}
	return v, nil
}

func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && s[i] != '+' && s[i] != '-' {
			return false
		}
	}
	return len(s) > 1 // "C:" style drive letters are paths
}

// String returns the URI in canonical form: attributes in a fixed order (token, serial,
// manufacturer, model, slot-id, slot-description, slot-manufacturer, library-manufacturer,
// library-description, library-version, object, id, type, vendor path attributes; then
// module-name, module-path, pin-source, vendor query attributes), values percent-encoded
// where RFC 7512 requires it and id always fully encoded (id=%01%A2).
//
// String never includes a pin-value, so a URI can be printed or put in an error safely.
func (u *URI) String() string {
	if u == nil {
		return "pkcs11:"
	}
	var b strings.Builder
	b.WriteString("pkcs11:")
	sep := byte(0)
	put := func(name string, value string, query, all bool) {
		if sep != 0 {
			b.WriteByte(sep)
		}
		b.WriteString(name)
		b.WriteByte('=')
		encodeValue(&b, value, query, all)
	}
	sep = 0
	for i := 0; i < aModuleName; i++ {
		if !u.has(i) {
			continue
		}
		var v string
		switch i {
		case aID:
			v = string(u.ID)
		case aType:
			v = string(u.Type)
		default:
			v = *attrDefs[i].field(u)
		}
		put(attrDefs[i].name, v, false, i == aID)
		sep = ';'
	}
	for _, v := range u.Vendor {
		if !v.Query {
			put(v.Name, v.Value, false, false)
			sep = ';'
		}
	}
	sep = '?'
	for i := aModuleName; i < numAttrs; i++ {
		if i == aPINValue || !u.has(i) {
			continue
		}
		put(attrDefs[i].name, *attrDefs[i].field(u), true, false)
		sep = '&'
	}
	for _, v := range u.Vendor {
		if v.Query {
			put(v.Name, v.Value, true, false)
			sep = '&'
		}
	}
	return b.String()
}

// admit refuses what the caller's options rule out of a URI: a pin-value, when the URI came
// from a command line.
func (o *Options) admit(u *URI) error {
	if o.RefusePINValue && u.has(aPINValue) {
		return &uriError{"the URI holds the PIN in pin-value, which signet does not take on the command line, where other users of this machine can see it (process list, shell history); use pin-source=file:PATH, $" + EnvPIN + " or the prompt"}
	}
	return nil
}

// Warnings returns what a caller should tell the user about the URI: today only that a
// pin-value is visible to other users of the machine.
func (u *URI) Warnings() []string {
	if u.has(aPINValue) {
		return []string{"the URI holds the PIN in pin-value, where other users of this machine can see it (process list, shell history); use pin-source=file:PATH or SIGNET_PIN"}
	}
	return nil
}

// Clone returns a deep copy of u.
func (u *URI) Clone() *URI {
	c := *u
	if u.ID != nil {
		c.ID = bytes.Clone(u.ID)
	}
	c.Vendor = append([]VendorAttribute(nil), u.Vendor...)
	return &c
}

// WithType returns a copy of u whose type attribute is typ, or that has none when typ is "".
func (u *URI) WithType(typ ObjectType) *URI {
	c := u.Clone()
	c.Type = typ
	if typ == "" {
		c.present &^= 1 << aType
	} else {
		c.present |= 1 << aType
	}
	return c
}

// tokenPart returns a copy of u with only the token, slot and library attributes and the
// query (module and PIN source, never pin-value): the part that selects a token.
func (u *URI) tokenPart() *URI {
	c := &URI{
		Token: u.Token, Manufacturer: u.Manufacturer, Serial: u.Serial, Model: u.Model,
		SlotID: u.SlotID, SlotDescription: u.SlotDescription, SlotManufacturer: u.SlotManufacturer,
		LibraryManufacturer: u.LibraryManufacturer, LibraryDescription: u.LibraryDescription,
		LibraryVersion: u.LibraryVersion,
		ModulePath:     u.ModulePath, ModuleName: u.ModuleName, PINSource: u.PINSource,
	}
	const mask = 1<<aToken | 1<<aSerial | 1<<aManufacturer | 1<<aModel | 1<<aSlotID |
		1<<aSlotDescription | 1<<aSlotManufacturer | 1<<aLibraryManufacturer |
		1<<aLibraryDescription | 1<<aLibraryVersion | 1<<aModuleName | 1<<aModulePath | 1<<aPINSource
	c.present = u.present & mask
	return c
}

// vendorPathAttr returns the first vendor attribute of the path, which signet cannot honour.
func (u *URI) vendorPathAttr() string {
	for _, v := range u.Vendor {
		if !v.Query {
			return v.Name
		}
	}
	return ""
}

// matchModule reports whether the module's CK_INFO matches the library attributes.
func (u *URI) matchModule(m ModuleInfo) bool {
	if u.has(aLibraryManufacturer) && u.LibraryManufacturer != m.Manufacturer {
		return false
	}
	if u.has(aLibraryDescription) && u.LibraryDescription != m.Description {
		return false
	}
	if u.has(aLibraryVersion) {
		maj, min, _ := parseVersion(u.LibraryVersion)
		if uint64(m.VersionMajor) != maj || uint64(m.VersionMinor) != min {
			return false
		}
	}
	return true
}

// matchToken reports whether a slot and its token match the slot and token attributes.
func (u *URI) matchToken(t TokenInfo) bool {
	if u.has(aSlotID) {
		id, err := strconv.ParseUint(u.SlotID, 10, 64)
		if err != nil || id != uint64(t.SlotID) {
			return false
		}
	}
	if u.has(aSlotDescription) && u.SlotDescription != t.SlotDescription {
		return false
	}
	if u.has(aSlotManufacturer) && u.SlotManufacturer != t.SlotManufacturer {
		return false
	}
	if !t.Present {
		return !(u.has(aToken) || u.has(aSerial) || u.has(aManufacturer) || u.has(aModel))
	}
	if u.has(aToken) && u.Token != t.Label {
		return false
	}
	if u.has(aSerial) && u.Serial != t.Serial {
		return false
	}
	if u.has(aManufacturer) && u.Manufacturer != t.Manufacturer {
		return false
	}
	if u.has(aModel) && u.Model != t.Model {
		return false
	}
	return true
}

// matchObject reports whether an object matches the object attributes.
func (u *URI) matchObject(o *Object) bool {
	if u.has(aObject) && u.Object != o.Label {
		return false
	}
	if u.has(aID) && !bytes.Equal(u.ID, o.ID) {
		return false
	}
	if u.has(aType) && u.Type != o.Type {
		return false
	}
	return true
}
