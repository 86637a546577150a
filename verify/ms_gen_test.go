package verify_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// The minisign campaign's cases: the real minisign -S signs a drawn file with a drawn trusted
// and untrusted comment (ED, or the legacy Ed of -l), then the signature file, the file or the
// public key file is changed in one or two drawn ways, and minisign -V and signet verify the
// result (ms_diff_test.go).

// msCase is one drawn case: what minisign -S is asked, and the changes made after.
type msCase struct {
	seed      int64
	legacy    bool   // minisign -S -l
	content   []byte // the file signed
	trusted   string // -t
	untrusted string // -c, "" for minisign's own
	otherKey  bool   // verified with another minisign key's public key file
	muts      []string
	r         *rand.Rand
}

// msComment draws a comment of at most limit bytes: empty, ASCII, with tabs, other scripts,
// control characters, bytes that are not UTF-8, or near minisign's longest.
func msComment(r *rand.Rand, limit int) string {
	pick := func(alphabet []string, n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		for len(s) > n { // cut on a rune boundary when the alphabet is UTF-8
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		}
		return s
	}
	ascii := strings.Split("a b c x y z 0 1 9 : . - _ / = +   \" ' \\ % { } < >", " ")
	other := []string{"é", "ü", "✓", "日本", "語", "\u202e", "\u2028", "🔏", "Ω", "\u00a0", "ß", "\ufeff"}
	switch r.IntN(10) {
	case 0:
		return pick(ascii, 1+r.IntN(3))
	case 1:
		return pick(append(ascii, "\t", "\t"), 1+r.IntN(60))
	case 2, 3:
		return pick(append(ascii, other...), 1+r.IntN(80))
	case 4: // control characters minisign passes through
		return pick(append(ascii, "\x1b", "\x07", "\x7f", "\x01", "\t"), 1+r.IntN(40))
	case 5: // not UTF-8 (Latin-1, a lone continuation byte)
		return pick(append(ascii, "\xe9", "\xfc", "\x80", "\xff"), 1+r.IntN(40))
	case 6: // near the longest minisign writes or reads
		n := limit - r.IntN(4)
		if r.IntN(4) == 0 {
			n = limit + 1 + r.IntN(3)
		}
		return pick(ascii, n)
	case 7:
		return pick(append(ascii, other...), r.IntN(limit/2))
	case 8: // spaces at either end
		return " " + pick(ascii, r.IntN(20)) + " "
	default:
		return fmt.Sprintf("timestamp:%d\tfile:%s\thashed", 1700000000+r.IntN(1e8), pick(ascii, 1+r.IntN(12)))
	}
}

// minisign's longest comment texts: a line of COMMENTMAXBYTES (1024) and
// TRUSTEDCOMMENTMAXBYTES (8192) with its "\n" and NUL, the prefix taken away.
const (
	msUntrustedText = 1022 - len("untrusted comment: ")
	msTrustedText   = 8190 - len("trusted comment: ")
	// msSignedText is the longest trusted comment minisign -S writes (measured: 4078 bytes
	// and more are "xfprintf() overflow"); minisign -V reads up to msTrustedText.
	msSignedText = 4077
)

func msDraw(seed int64) *msCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6d73))
	c := &msCase{seed: seed, r: r, legacy: r.IntN(3) == 0}
	switch r.IntN(6) {
	case 0:
	case 1:
		c.content = []byte{byte(r.IntN(256))}
	default:
		c.content = make([]byte, r.IntN(5000))
		for i := range c.content {
			c.content[i] = byte(r.IntN(256))
		}
	}
	c.trusted = msComment(r, msSignedText)
	if c.trusted == "" {
		c.trusted = "x" // minisign -t "" writes its default comment
	}
	if r.IntN(3) == 0 {
		c.untrusted = msComment(r, msUntrustedText)
	}
	c.otherKey = r.IntN(12) == 0
	if r.IntN(4) > 0 {
		for range 1 + r.IntN(2) {
			c.muts = append(c.muts, msMutations[r.IntN(len(msMutations))])
		}
	}
	return c
}

func (c *msCase) String() string {
	return fmt.Sprintf("seed %d: legacy %v, %d bytes, trusted %q, untrusted %q, other key %v, changes %v",
		c.seed, c.legacy, len(c.content), msShort(c.trusted), msShort(c.untrusted), c.otherKey, c.muts)
}

func msShort(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s…(%d bytes)", s[:40], len(s))
	}
	return s
}

// msMutations are the changes drawn, made by msCase.mutate.
var msMutations = []string{
	"file-byte", "file-append", "file-truncate",
	"alg-swap", "alg-unknown", "keyid", "sig-bit", "global-bit",
	"tc-append", "tc-cut", "tc-replace", "tc-space", "tc-cr", "tc-empty",
	"crlf", "no-final-newline", "drop-line", "extra-line", "extra-blank", "blank-between",
	"b64-nopad", "b64-morepad", "b64-space", "b64-bits", "b64-garbage", "b64-split",
	"uc-prefix", "uc-latin1", "uc-cr", "uc-long", "uc-nul",
	"pub-crlf", "pub-no-final-newline", "pub-other-comment", "pub-no-comment", "pub-extra-line", "pub-keyid", "pub-alg",
}

// mutate makes the changes of c to the files: the signature, the file and the public key
// file, as bytes.
func (c *msCase) mutate(sig, content, pub []byte, otherID []byte) ([]byte, []byte, []byte) {
	r := c.r
	lines := func(b []byte) [][]byte { return bytes.SplitAfter(b, []byte("\n")) }
	// b64 line i (0-based) of data: decoded, changed by f, encoded again.
	recode := func(data []byte, i int, f func([]byte)) []byte {
		ls := lines(data)
		if i >= len(ls) {
			return data
		}
		line := bytes.TrimRight(ls[i], "\r\n")
		raw, err := base64.StdEncoding.DecodeString(string(line))
		if err != nil || len(raw) < 10 {
			return data
		}
		f(raw)
		ls[i] = append([]byte(base64.StdEncoding.EncodeToString(raw)), ls[i][len(line):]...)
		return bytes.Join(ls, nil)
	}
	setLine := func(data []byte, i int, f func([]byte) []byte) []byte {
		ls := lines(data)
		if i >= len(ls) {
			return data
		}
		line := bytes.TrimRight(ls[i], "\r\n")
		end := ls[i][len(line):]
		ls[i] = append(f(bytes.Clone(line)), end...)
		return bytes.Join(ls, nil)
	}
	b64line := func() int { return []int{1, 3}[r.IntN(2)] }
	for _, m := range c.muts {
		switch m {
		case "file-byte":
			if len(content) > 0 {
				content = bytes.Clone(content)
				content[r.IntN(len(content))] ^= byte(1 + r.IntN(255))
			}
		case "file-append":
			content = append(bytes.Clone(content), byte(r.IntN(256)))
		case "file-truncate":
			if len(content) > 0 {
				content = content[:r.IntN(len(content))]
			}
		case "alg-swap":
			sig = recode(sig, 1, func(b []byte) {
				if string(b[:2]) == "ED" {
					copy(b, "Ed")
				} else {
					copy(b, "ED")
				}
			})
		case "alg-unknown":
			sig = recode(sig, 1, func(b []byte) { copy(b, []string{"EE", "ed", "Ee", "\x00\x00", "RS"}[r.IntN(5)]) })
		case "keyid":
			sig = recode(sig, 1, func(b []byte) {
				if r.IntN(2) == 0 {
					copy(b[2:10], otherID)
				} else {
					b[2+r.IntN(8)] ^= byte(1 << r.IntN(8))
				}
			})
		case "sig-bit":
			sig = recode(sig, 1, func(b []byte) { b[10+r.IntN(64)] ^= byte(1 << r.IntN(8)) })
		case "global-bit":
			sig = recode(sig, 3, func(b []byte) { b[r.IntN(64)] ^= byte(1 << r.IntN(8)) })
		case "tc-append", "tc-cut", "tc-replace", "tc-space", "tc-cr", "tc-empty":
			sig = setLine(sig, 2, func(l []byte) []byte {
				const p = "trusted comment: "
				if !bytes.HasPrefix(l, []byte(p)) {
					return l
				}
				text := l[len(p):]
				switch m {
				case "tc-append":
					text = append(text, "x"...)
				case "tc-cut":
					if len(text) > 0 {
						text = text[:len(text)-1]
					}
				case "tc-replace":
					if len(text) > 0 {
						text[r.IntN(len(text))] ^= 1
					}
				case "tc-space":
					text = append(text, ' ')
				case "tc-cr":
					text = append(text, "\rmore"...)
				default:
					text = nil
				}
				return append([]byte(p), text...)
			})
		case "crlf":
			sig = bytes.ReplaceAll(bytes.ReplaceAll(sig, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		case "no-final-newline":
			sig = bytes.TrimRight(sig, "\r\n")
		case "drop-line":
			ls := lines(sig)
			i := r.IntN(len(ls))
			sig = bytes.Join(append(ls[:i:i], ls[i+1:]...), nil)
		case "extra-line":
			sig = append(bytes.Clone(sig), []string{"x\n", "untrusted comment: more\n", "trusted comment: more\n", "\r\n", " \n"}[r.IntN(5)]...)
		case "extra-blank":
			sig = append(bytes.Clone(sig), "\n\n"...)
		case "blank-between":
			ls := lines(sig)
			i := 1 + r.IntN(3)
			sig = bytes.Join(append(append(ls[:i:i], []byte("\n")), ls[i:]...), nil)
		case "b64-nopad":
			sig = setLine(sig, b64line(), func(l []byte) []byte { return bytes.TrimRight(l, "=") })
		case "b64-morepad":
			sig = setLine(sig, b64line(), func(l []byte) []byte { return append(l, '=') })
		case "b64-space":
			sig = setLine(sig, b64line(), func(l []byte) []byte {
				if r.IntN(2) == 0 {
					return append([]byte(" "), l...)
				}
				return append(l, []string{" ", "\t"}[r.IntN(2)]...)
			})
		case "b64-bits": // the unused low bits of the last character before the padding set
			sig = setLine(sig, b64line(), func(l []byte) []byte {
				t := bytes.TrimRight(l, "=")
				if len(t) == 0 || len(t) == len(l) {
					return l
				}
				const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
				v := strings.IndexByte(alphabet, t[len(t)-1])
				bits := 2
				if len(l)-len(t) == 2 {
					bits = 4
				}
				t[len(t)-1] = alphabet[v|(1+r.IntN(1<<bits-1))]
				return l
			})
		case "b64-garbage":
			sig = setLine(sig, b64line(), func(l []byte) []byte {
				if len(l) > 0 {
					l[r.IntN(len(l))] = "*-_.!"[r.IntN(5)]
				}
				return l
			})
		case "b64-split":
			sig = setLine(sig, b64line(), func(l []byte) []byte {
				if len(l) < 8 {
					return l
				}
				i := 4 * (1 + r.IntN(len(l)/4-1))
				return append(append(l[:i:i], '\n'), l[i:]...)
			})
		case "uc-prefix":
			sig = setLine(sig, 0, func(l []byte) []byte {
				return append([]byte([]string{"untrusted comment:", "Untrusted comment: ", "comment: ", ""}[r.IntN(4)]), bytes.TrimPrefix(l, []byte("untrusted comment: "))...)
			})
		case "uc-latin1":
			sig = setLine(sig, 0, func(l []byte) []byte { return append(l, "caf\xe9"...) })
		case "uc-cr":
			sig = setLine(sig, 0, func(l []byte) []byte { return append(l, "\rx"...) })
		case "uc-long":
			sig = setLine(sig, 0, func(l []byte) []byte {
				return append([]byte("untrusted comment: "), strings.Repeat("u", msUntrustedText-1+r.IntN(4))...)
			})
		case "uc-nul":
			sig = setLine(sig, 0, func(l []byte) []byte { return append(l, "\x00x"...) })
		case "pub-crlf":
			pub = bytes.ReplaceAll(pub, []byte("\n"), []byte("\r\n"))
		case "pub-no-final-newline":
			pub = bytes.TrimRight(pub, "\n")
		case "pub-other-comment":
			pub = setLine(pub, 0, func([]byte) []byte {
				return []byte([]string{"# minisign public key", "", "untrusted comment:x"}[r.IntN(3)])
			})
		case "pub-no-comment":
			pub = bytes.Join(lines(pub)[1:], nil)
		case "pub-extra-line":
			pub = append(bytes.Clone(pub), []string{"x\n", "\n", "untrusted comment: y\n"}[r.IntN(3)]...)
		case "pub-keyid":
			pub = recode(pub, 1, func(b []byte) { b[2+r.IntN(8)] ^= byte(1 << r.IntN(8)) })
		case "pub-alg":
			pub = recode(pub, 1, func(b []byte) { copy(b, []string{"ED", "Ee", "EE"}[r.IntN(3)]) })
		}
	}
	return sig, content, pub
}
