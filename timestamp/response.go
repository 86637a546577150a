package timestamp

import (
	"encoding/asn1"
	"fmt"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// PKIStatus values (RFC 3161 2.4.2).
const (
	StatusGranted         = 0
	StatusGrantedWithMods = 1
	StatusRejection       = 2
	StatusWaiting         = 3
)

// PKIFailureInfo bits (RFC 3161 2.4.2), as ResponseError.FailInfo numbers them.
const (
	FailBadAlg              = 0
	FailBadRequest          = 2
	FailBadDataFormat       = 5
	FailTimeNotAvailable    = 14
	FailUnacceptedPolicy    = 15
	FailUnacceptedExtension = 16
	FailAddInfoNotAvailable = 17
	FailSystemFailure       = 25
)

const (
	failInfoBits     = 26
	failNone         = -1
	maxStatusText    = 200
	contentTypeQuery = "application/timestamp-query"
	contentTypeReply = "application/timestamp-reply"
	maxRequestSize   = 64 << 10
	maxResponseSize  = 1 << 20
)

var failNames = map[int]string{
	FailBadAlg: "badAlg", FailBadRequest: "badRequest", FailBadDataFormat: "badDataFormat",
	FailTimeNotAvailable: "timeNotAvailable", FailUnacceptedPolicy: "unacceptedPolicy",
	FailUnacceptedExtension: "unacceptedExtension", FailAddInfoNotAvailable: "addInfoNotAvailable",
	FailSystemFailure: "systemFailure",
}

// ResponseError is a TimeStampResp whose status is not granted. It matches ErrRejected.
type ResponseError struct {
	Status   int
	Text     []string
	FailInfo int // a Fail* bit, or -1 when none is set
}

func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "timestamp: the TSA answered status %d", e.Status)
	if n, ok := failNames[e.FailInfo]; ok {
		fmt.Fprintf(&b, " (%s)", n)
	}
	if len(e.Text) > 0 {
		t := strings.Join(e.Text, "; ")
		if len(t) > maxStatusText {
			t = t[:maxStatusText] + "…"
		}
		fmt.Fprintf(&b, ": %q", t)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrRejected) true.
func (e *ResponseError) Is(target error) bool { return target == ErrRejected }

// ParseResponse reads a DER TimeStampResp and returns the token it carries, parsed
// (ParseToken), not verified. A status other than granted (or granted with modifications)
// gives a *ResponseError; a malformed response an error wrapping ErrMalformed.
func ParseResponse(der []byte) (*Token, error) {
	in := cryptobyte.String(der)
	var resp, status cryptobyte.String
	var code int64
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !in.Empty() ||
		!resp.ReadASN1(&status, cbasn1.SEQUENCE) || !status.ReadASN1Int64WithTag(&code, cbasn1.INTEGER) {
		return nil, malformed("not a DER time-stamp response")
	}
	if code != StatusGranted && code != StatusGrantedWithMods {
		re := &ResponseError{Status: int(code), FailInfo: failNone}
		if status.PeekASN1Tag(cbasn1.SEQUENCE) {
			var texts cryptobyte.String
			if status.ReadASN1(&texts, cbasn1.SEQUENCE) {
				for !texts.Empty() {
					var s cryptobyte.String
					if !texts.ReadASN1(&s, cbasn1.UTF8String) {
						break
					}
					re.Text = append(re.Text, strings.ToValidUTF8(string(s), "?"))
				}
			}
		}
		var bits asn1.BitString
		if status.PeekASN1Tag(cbasn1.BIT_STRING) && status.ReadASN1BitString(&bits) {
			for i := range min(bits.BitLength, failInfoBits) {
				if bits.At(i) == 1 {
					re.FailInfo = i
					break
				}
			}
		}
		return nil, re
	}
	var token cryptobyte.String
	if !resp.ReadASN1Element(&token, cbasn1.SEQUENCE) || !resp.Empty() {
		return nil, malformed("a granted time-stamp response without a token")
	}
	return ParseToken(token)
}

// ParseTokenOrResponse reads either a TimeStampToken or a TimeStampResp (what `openssl ts
// -reply` writes by default, and what signet keeps beside raw signatures as FILE.sig.tsr).
func ParseTokenOrResponse(der []byte) (*Token, error) {
	in := cryptobyte.String(der)
	var outer cryptobyte.String
	if in.ReadASN1(&outer, cbasn1.SEQUENCE) && outer.PeekASN1Tag(cbasn1.SEQUENCE) {
		return ParseResponse(der) // a response starts with its PKIStatusInfo
	}
	return ParseToken(der)
}

// marshalResponse returns a DER TimeStampResp: status granted with token, or a failure.
func marshalResponse(status int, failInfo int, text string, token []byte) ([]byte, error) {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(int64(status))
			if text != "" {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(text)) })
				})
			}
			if failInfo >= 0 {
				// A BIT STRING with the one bit set, DER: no trailing zero bits.
				n := failInfo/8 + 1
				bits := make([]byte, n)
				bits[failInfo/8] = 0x80 >> (failInfo % 8)
				unused := 7 - failInfo%8
				b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
					b.AddUint8(uint8(unused))
					b.AddBytes(bits)
				})
			}
		})
		if token != nil {
			b.AddBytes(token)
		}
	})
	return b.Bytes()
}
