package sigformat

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The Sigstore bundle in its JSON form, without protobuf: the wire structs below follow the
// protobuf-specs messages (Bundle, VerificationMaterial, MessageSignature, HashOutput,
// X509Certificate, X509CertificateChain, PublicKeyIdentifier, TimestampVerificationData,
// RFC3161SignedTimestamp) as protojson writes them: camelCase names, bytes in standard base64
// with padding, enums by name, empty fields left out, fields in the order of the .proto
// files. Writing them with encoding/json gives, once indented, the bytes signet wrote with
// protojson.
//
// Reading is done by hand (readObject) to accept what protojson accepts and refuse what it
// refuses, for the fields signet reads: both the JSON (camelCase) and the proto (snake_case)
// name of a field, null as an absent field, bytes in standard or URL-safe base64 with or
// without padding, enums by name or by number; unknown fields are ignored (protojson's
// DiscardUnknown), a field given twice or two members of one oneof are errors.

type wireBundle struct {
	MediaType            string                    `json:"mediaType,omitempty"`
	VerificationMaterial *wireVerificationMaterial `json:"verificationMaterial,omitempty"`
	MessageSignature     *wireMessageSignature     `json:"messageSignature,omitempty"`
}

type wireVerificationMaterial struct {
	PublicKey                 *wirePublicKey     `json:"publicKey,omitempty"`
	X509CertificateChain      *wireChain         `json:"x509CertificateChain,omitempty"`
	Certificate               *wireCertificate   `json:"certificate,omitempty"`
	TimestampVerificationData *wireTimestampData `json:"timestampVerificationData,omitempty"`
}

type wirePublicKey struct {
	Hint string `json:"hint,omitempty"`
}

type wireChain struct {
	Certificates []wireCertificate `json:"certificates,omitempty"`
}

type wireCertificate struct {
	RawBytes []byte `json:"rawBytes,omitempty"`
}

type wireTimestampData struct {
	RFC3161Timestamps []wireSignedTimestamp `json:"rfc3161Timestamps,omitempty"`
}

type wireSignedTimestamp struct {
	SignedTimestamp []byte `json:"signedTimestamp,omitempty"`
}

type wireMessageSignature struct {
	MessageDigest *wireHashOutput `json:"messageDigest,omitempty"`
	Signature     []byte          `json:"signature,omitempty"`
}

type wireHashOutput struct {
	Algorithm string `json:"algorithm,omitempty"`
	Digest    []byte `json:"digest,omitempty"`
}

// hashAlgorithmNames are the values of the protobuf HashAlgorithm enum, by number.
var hashAlgorithmNames = []string{"HASH_ALGORITHM_UNSPECIFIED", "SHA2_256", "SHA2_384", "SHA2_512", "SHA3_256", "SHA3_384"}

// jsonObject is one JSON object's members, by name, as read by readObject.
type jsonObject struct {
	where   string // the path of the object, for messages: verificationMaterial.certificate
	members map[string]json.RawMessage
}

// readObject reads data, which must be a JSON object (or null: absent), into its members.
// A member named twice is an error, as it is for protojson.
func readObject(data json.RawMessage, where string) (*jsonObject, error) {
	if isNull(data) {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", orTop(where), jsonError(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%s: %s where an object was expected", orTop(where), jsonKind(data))
	}
	o := &jsonObject{where: where, members: map[string]json.RawMessage{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", orTop(where), jsonError(err))
		}
		name := tok.(string) // a key: the decoder refuses anything else here
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%s: %v", o.path(name), jsonError(err))
		}
		if _, dup := o.members[name]; dup {
			return nil, fmt.Errorf("%s: given twice", o.path(name))
		}
		o.members[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %v", orTop(where), jsonError(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the object", orTop(where))
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("%s: data after the object", orTop(where))
	}
	return o, nil
}

// jsonError words a decoding error: the end of the data is a truncation.
func jsonError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON")
	}
	return err
}

func orTop(where string) string {
	if where == "" {
		return "the bundle"
	}
	return where
}

func (o *jsonObject) path(name string) string {
	if o.where == "" {
		return name
	}
	return o.where + "." + name
}

// get returns the member whose JSON name is camel or whose proto name is its snake_case
// form, nil when neither is there (or it is null). Both at once are a field given twice.
func (o *jsonObject) get(camel string) (json.RawMessage, string, error) {
	if o == nil {
		return nil, camel, nil
	}
	snake := snakeCase(camel)
	v, okCamel := o.members[camel]
	w, okSnake := o.members[snake]
	switch {
	case okCamel && okSnake && snake != camel:
		return nil, camel, fmt.Errorf("%s: given twice (as %s and %s)", o.path(camel), camel, snake)
	case okSnake:
		v = w
	}
	if isNull(v) {
		return nil, o.path(camel), nil
	}
	return v, o.path(camel), nil
}

func (o *jsonObject) object(camel string) (*jsonObject, error) {
	v, where, err := o.get(camel)
	if err != nil || v == nil {
		return nil, err
	}
	return readObject(v, where)
}

func (o *jsonObject) str(camel string) (string, error) {
	v, where, err := o.get(camel)
	if err != nil || v == nil {
		return "", err
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fmt.Errorf("%s: %s where a string was expected", where, jsonKind(v))
	}
	return s, nil
}

// bytes reads a bytes field: base64, standard or URL-safe, padded or not (protojson's rule).
func (o *jsonObject) bytes(camel string) ([]byte, error) {
	v, where, err := o.get(camel)
	if err != nil || v == nil {
		return nil, err
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, fmt.Errorf("%s: %s where base64 was expected", where, jsonKind(v))
	}
	b, err := decodeJSONBase64(s)
	if err != nil {
		return nil, fmt.Errorf("%s: not base64: %v", where, err)
	}
	return b, nil
}

// array reads a repeated field of objects.
func (o *jsonObject) array(camel string) ([]*jsonObject, error) {
	v, where, err := o.get(camel)
	if err != nil || v == nil {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, fmt.Errorf("%s: %s where an array was expected", where, jsonKind(v))
	}
	out := make([]*jsonObject, 0, len(items))
	for i, it := range items {
		if isNull(it) {
			return nil, fmt.Errorf("%s[%d]: null in a repeated field", where, i)
		}
		item, err := readObject(it, fmt.Sprintf("%s[%d]", where, i))
		if err != nil {
			return nil, err
		}
		out = append(out, item)
	}
	return out, nil
}

// enum reads an enum field by name or number; a name outside names is an error, a number
// is returned as it is (protojson keeps unknown numbers).
func (o *jsonObject) enum(camel string, names []string) (int, error) {
	v, where, err := o.get(camel)
	if err != nil || v == nil {
		return 0, err
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		for i, n := range names {
			if n == s {
				return i, nil
			}
		}
		return 0, fmt.Errorf("%s: unknown value %q", where, s)
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%s: %s where a name or a number was expected", where, jsonKind(v))
	}
	return int(n), nil
}

// oneof returns which of the members named is set, an error when several are.
func (o *jsonObject) oneof(camels ...string) (string, error) {
	found := ""
	for _, c := range camels {
		v, _, err := o.get(c)
		if err != nil {
			return "", err
		}
		if v == nil {
			continue
		}
		if found != "" {
			return "", fmt.Errorf("%s: both %s and %s are set, and only one may be", orTop(o.where), found, c)
		}
		found = c
	}
	return found, nil
}

func snakeCase(camel string) string {
	var b strings.Builder
	for i, r := range camel {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isNull(v json.RawMessage) bool {
	t := bytes.TrimSpace(v)
	return len(t) == 0 || string(t) == "null"
}

func jsonKind(v json.RawMessage) string {
	t := bytes.TrimSpace(v)
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

var errBase64 = errors.New("illegal base64 data")

// decodeJSONBase64 decodes standard or URL-safe base64, with or without padding.
func decodeJSONBase64(s string) ([]byte, error) {
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, errBase64
	}
	return b, nil
}
