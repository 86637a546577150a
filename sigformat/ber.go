package sigformat

import "errors"

// berToDER re-encodes a BER element with DER lengths: indefinite lengths (which `openssl cms
// -sign -stream` and Java's CMS writers use) become definite, long-form lengths minimal.
// Contents and tags are kept as they are. It is what lets Parse read streamed CMS;
// the signed attributes inside are DER already (RFC 5652 requires it of the signer).
func berToDER(in []byte) ([]byte, error) {
	out, rest, err := berElement(in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, errTrailing
	}
	return out, nil
}

var (
	errBER      = errors.New("bad BER encoding")
	errTrailing = errors.New("trailing bytes after the element")
)

// maxBERDepth bounds nesting, so that a hostile input cannot exhaust the stack.
const maxBERDepth = 64

// berElement converts the first element of in and returns it with the bytes after it.
func berElement(in []byte, depth int) (out, rest []byte, err error) {
	if depth > maxBERDepth || len(in) < 2 {
		return nil, nil, errBER
	}
	// Identifier octets: one, or more for tag numbers of 31 and up.
	n := 1
	if in[0]&0x1f == 0x1f {
		for {
			if n >= len(in) || n > 5 {
				return nil, nil, errBER
			}
			n++
			if in[n-1]&0x80 == 0 {
				break
			}
		}
	}
	tag := in[:n]
	constructed := in[0]&0x20 != 0
	if n >= len(in) {
		return nil, nil, errBER
	}
	l := in[n]
	n++
	var content []byte
	switch {
	case l == 0x80: // indefinite: constructed only, ends with two zero octets
		if !constructed {
			return nil, nil, errBER
		}
		body := in[n:]
		var conv []byte
		for {
			if len(body) < 2 {
				return nil, nil, errBER
			}
			if body[0] == 0 && body[1] == 0 {
				body = body[2:]
				break
			}
			el, r, err := berElement(body, depth+1)
			if err != nil {
				return nil, nil, err
			}
			conv = append(conv, el...)
			body = r
		}
		return appendTLV(nil, tag, conv), body, nil
	case l < 0x80:
		if len(in)-n < int(l) {
			return nil, nil, errBER
		}
		content, rest = in[n:n+int(l)], in[n+int(l):]
	default:
		k := int(l & 0x7f)
		if k > 4 || len(in)-n < k {
			return nil, nil, errBER
		}
		size := 0
		for _, b := range in[n : n+k] {
			size = size<<8 | int(b)
		}
		n += k
		if size < 0 || len(in)-n < size {
			return nil, nil, errBER
		}
		content, rest = in[n:n+size], in[n+size:]
	}
	if constructed {
		var conv []byte
		for len(content) > 0 {
			el, r, err := berElement(content, depth+1)
			if err != nil {
				return nil, nil, err
			}
			conv = append(conv, el...)
			content = r
		}
		return appendTLV(nil, tag, conv), rest, nil
	}
	return appendTLV(nil, tag, content), rest, nil
}

func appendTLV(dst, tag, content []byte) []byte {
	dst = append(dst, tag...)
	switch n := len(content); {
	case n < 0x80:
		dst = append(dst, byte(n))
	default:
		var l []byte
		for ; n > 0; n >>= 8 {
			l = append([]byte{byte(n)}, l...)
		}
		dst = append(dst, 0x80|byte(len(l)))
		dst = append(dst, l...)
	}
	return append(dst, content...)
}
