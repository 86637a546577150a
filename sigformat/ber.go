package sigformat

import "errors"

// berToDER re-encodes a BER element with DER lengths: indefinite lengths (which `openssl cms
// -sign -stream` and Java's CMS writers use) become definite, long-form lengths minimal.
// Contents and tags are kept as they are. It is what lets Parse read streamed CMS;
// the signed attributes inside are DER already (RFC 5652 requires it of the signer).
//
// The output is written into one buffer, each constructed element's content before its
// length, which is then put in front of it: a hostile nesting (64 levels around a 16 MiB
// signature file) costs a move of the content per level, not a new copy of it per level, which
// allocated 120 times the file's size.
func berToDER(in []byte) ([]byte, error) {
	out, rest, err := berElement(make([]byte, 0, len(in)), in, 0)
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

// berElement converts the first element of in, appending it to out, and returns out and the
// bytes of in after the element.
func berElement(out, in []byte, depth int) (_, rest []byte, err error) {
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
		out = append(out, tag...)
		start := len(out)
		body := in[n:]
		for {
			if len(body) < 2 {
				return nil, nil, errBER
			}
			if body[0] == 0 && body[1] == 0 {
				body = body[2:]
				break
			}
			if out, body, err = berElement(out, body, depth+1); err != nil {
				return nil, nil, err
			}
		}
		return insertLength(out, start), body, nil
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
	out = append(out, tag...)
	if constructed {
		start := len(out)
		for len(content) > 0 {
			if out, content, err = berElement(out, content, depth+1); err != nil {
				return nil, nil, err
			}
		}
		return insertLength(out, start), rest, nil
	}
	out = appendLength(out, len(content))
	return append(out, content...), rest, nil
}

// insertLength puts the DER length of out[start:], the content just written, at start.
func insertLength(out []byte, start int) []byte {
	var hdr [5]byte
	h := appendLength(hdr[:0], len(out)-start)
	out = append(out, h...) // room for the header
	copy(out[start+len(h):], out[start:len(out)-len(h)])
	copy(out[start:], h)
	return out
}

// appendLength appends the DER length octets of n.
func appendLength(dst []byte, n int) []byte {
	if n < 0x80 {
		return append(dst, byte(n))
	}
	var l []byte
	for ; n > 0; n >>= 8 {
		l = append([]byte{byte(n)}, l...)
	}
	dst = append(dst, 0x80|byte(len(l)))
	return append(dst, l...)
}
