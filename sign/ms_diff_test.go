package sign

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
)

// msSignCase is one drawn case of TestMinisignSignedCampaign: a key, a file and a trusted
// comment ("" for minisign's default, which names the file).
type msSignCase struct {
	seed    int64
	key     ed25519.PrivateKey
	name    string
	content []byte
	comment string
}

// msSignDraw draws a case: comments empty (the default, over a drawn file name), ASCII, with
// tabs, other scripts, control characters, up to and past the longest minisign reads, and
// ones that cannot be a minisign trusted comment (a line break, a NUL, not UTF-8).
func msSignDraw(seed int64) msSignCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6d7353))
	var keySeed [ed25519.SeedSize]byte
	for i := range keySeed {
		keySeed[i] = byte(r.IntN(256))
	}
	c := msSignCase{seed: seed, key: ed25519.NewKeyFromSeed(keySeed[:]), name: "release.tar"}
	c.content = make([]byte, r.IntN(3000))
	for i := range c.content {
		c.content[i] = byte(r.IntN(256))
	}
	pick := func(alphabet []string, n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		for len(s) > n {
			_, size := utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		}
		return s
	}
	ascii := strings.Split("a b z 0 9 : . - _ / = +   \" ' \\ % { } < >", " ")
	other := []string{"é", "✓", "日本", "\u202e", "\u2028", "🔏", "\u00a0", "\ufeff", "\x1b", "\x7f", "\x01"}
	const longest = 8190 - len("trusted comment: ")
	switch r.IntN(9) {
	case 0: // the default comment, naming the file
		c.name = pick(append(ascii, other...), 1+r.IntN(30))
		if r.IntN(6) == 0 {
			c.name += []string{"\n", "\r", "\t", "\xe9"}[r.IntN(4)]
		}
		c.name = "f" + strings.ReplaceAll(c.name, "/", "_")
	case 1:
		c.comment = pick(append(ascii, "\t"), 1+r.IntN(60))
	case 2, 3:
		c.comment = pick(append(ascii, other...), 1+r.IntN(200))
	case 4:
		c.comment = pick(ascii, longest-r.IntN(3))
	case 5:
		c.comment = pick(append(ascii, other...), longest-r.IntN(8))
	case 6:
		c.comment = pick(ascii, longest+1+r.IntN(3))
	case 7:
		c.comment = pick(ascii, 1+r.IntN(20)) + []string{"\n", "\r", "\x00", "\xe9", "\r\n"}[r.IntN(5)] + pick(ascii, r.IntN(5))
	default:
		c.comment = " " + pick(ascii, r.IntN(30)) + " "
	}
	return c
}

// TestMinisignSignedCampaign: what signet signs in minisign's format, minisign -V verifies
// with the public key file signet writes (its key id derived), and prints signet's trusted
// comment byte for byte; a comment minisign could not read back (a line break, a NUL, not
// UTF-8, longer than it reads; a default one over such a file name) is refused before
// anything is signed (ErrUnsupported). With CRLF line ends, signet reads the signature when
// minisign does. CI runs seeds 1:300; SIGNET_MS_SIGN_SEEDS=first:count
// others.
func TestMinisignSignedCampaign(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	seeds := testutil.Seeds(t, "SIGNET_MS_SIGN_SEEDS", 300)

	dir := t.TempDir()
	now := time.Unix(1796400000, 0)
	var mu sync.Mutex
	counts := map[string]int{}
	var wg sync.WaitGroup
	work := make(chan int64)
	for range 4 {
		wg.Go(func() {
			for seed := range work {
				c := msSignDraw(seed)
				outcome := c.run(t, minisign, dir, now)
				mu.Lock()
				counts[outcome]++
				mu.Unlock()
			}
		})
	}
	for _, s := range seeds {
		work <- s
	}
	close(work)
	wg.Wait()
	t.Logf("%d seeds: %v", len(seeds), counts)
}

func (c msSignCase) run(t *testing.T, minisign, dir string, now time.Time) string {
	want := c.comment
	if want == "" {
		want = fmt.Sprintf("timestamp:%d\tfile:%s\thashed", now.Unix(), c.name)
	}
	// minisign -V ends a line at "\r" or "\n", stops a C string at NUL and reads lines of up
	// to 8190 bytes; signet reads UTF-8 trusted comments only (README, "minisign").
	readable := !strings.ContainsAny(want, "\r\n\x00") && utf8.ValidString(want) && len("trusted comment: "+want) <= 8190
	s, err := NewSigner(c.key, SignOptions{Format: sigformat.Minisign, TrustedComment: c.comment, Now: func() time.Time { return now }})
	var out []byte
	if err == nil {
		_, out, err = s.signMessage(c.name, c.content)
	}
	if !readable {
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("seed %d: the comment %q, which minisign cannot read back: %v, want ErrUnsupported", c.seed, want, err)
		}
		return "refused"
	}
	if err != nil {
		t.Errorf("seed %d: the comment %q: %v", c.seed, want, err)
		return "error"
	}
	base := filepath.Join(dir, strconv.FormatInt(c.seed, 10))
	file, sigFile, pubFile := base+".bin", base+".minisig", base+".pub"
	for f, d := range map[string][]byte{file: c.content, sigFile: out,
		pubFile: sigformat.MarshalMinisignPublicKey(c.key.Public().(ed25519.PublicKey))} {
		if err := os.WriteFile(f, d, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stdout, stderr, err := testutil.RunErr(minisign, "-V", "-p", pubFile, "-m", file, "-x", sigFile)
	if err != nil {
		t.Errorf("seed %d: minisign -V refuses signet's signature with the trusted comment %q: %v: %s", c.seed, want, err, stderr)
		return "minisign refuses"
	}
	if got := string(stdout); got != "Signature and comment signature verified\nTrusted comment: "+want+"\n" {
		t.Errorf("seed %d: minisign -V prints %q, want the trusted comment %q", c.seed, got, want)
	}
	// The same file with CRLF line ends: signet reads it exactly when minisign does (the
	// longest comments do not fit minisign's line with a CR).
	crlf := []byte(strings.ReplaceAll(string(out), "\n", "\r\n"))
	if err := os.WriteFile(sigFile, crlf, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = testutil.RunErr(minisign, "-V", "-p", pubFile, "-m", file, "-x", sigFile)
	p, perr := sigformat.Parse(crlf)
	if (err == nil) != (perr == nil) || perr == nil && p.Minisign.TrustedComment != want {
		t.Errorf("seed %d: with CRLF line ends, minisign -V: %v; signet reads it: %v", c.seed, err, perr)
	}
	if err != nil {
		return "minisign verifies, not with CRLF"
	}
	return "minisign verifies"
}
