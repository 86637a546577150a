package verify_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/signet-pki/signet/internal/testutil"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// TestMinisignCampaign is a seeded differential campaign of minisign signatures: the real
// minisign -S signs (ED and the legacy Ed, drawn comments), the files are changed in drawn
// ways (ms_gen_test.go), and minisign -V and signet's verify must agree: both accept with the
// same trusted comment, or both refuse, in the same kind (minisign's exit 2, a file it cannot
// read, is signet's malformed signature; its exit 1, a key id or a signature that does not
// verify, signet's signature mismatch). signet accepting what minisign refuses is never
// explained. signet refusing what minisign accepts is explained only by a choice the README
// documents, and only when signet accepts the files as minisign reads them
// (msAsMinisignReads) with the same trusted comment. CI runs seeds 1:400;
// SIGNET_MS_SEEDS=first:count runs others.
func TestMinisignCampaign(t *testing.T) {
	minisign := testutil.RequireTool(t, "minisign")
	seeds := testutil.Seeds(t, "SIGNET_MS_SEEDS", 400)
	dir := t.TempDir()
	var keys [2]struct{ key, pub string }
	var pubs [2][]byte
	for i := range keys {
		keys[i].key, keys[i].pub = filepath.Join(dir, strconv.Itoa(i)+".key"), filepath.Join(dir, strconv.Itoa(i)+".pub")
		testutil.Run(t, minisign, "-G", "-W", "-p", keys[i].pub, "-s", keys[i].key)
		pubs[i], _ = os.ReadFile(keys[i].pub)
	}
	_, otherID, err := sigformat.ParseMinisignPublicKey(pubs[1])
	if err != nil {
		t.Fatal(err)
	}
	var counts testutil.Tally
	var wg sync.WaitGroup
	work := make(chan int64)
	for range 4 {
		wg.Go(func() {
			for seed := range work {
				c := msDraw(seed)
				outcome, problem := c.run(t, minisign, dir, keys[0].key, pubs, otherID[:])
				counts.Add(outcome)
				if problem != "" {
					t.Errorf("%v\n%s", c, problem)
				}
			}
		})
	}
	for _, s := range seeds {
		work <- s
	}
	close(work)
	wg.Wait()
	counts.Log(t, len(seeds))
}

// msVerdict is one verifier's answer: "ok", "malformed" or "mismatch", and the trusted
// comment reported with "ok".
type msVerdict struct {
	kind, comment, detail string
}

// run signs, changes and verifies one case; it returns the outcome to tally and, when the
// verifiers differ unexplained, what differs.
func (c *msCase) run(t *testing.T, minisign, dir, key string, pubs [2][]byte, otherID []byte) (outcome, problem string) {
	base := filepath.Join(dir, strconv.FormatInt(c.seed, 10))
	file, sigFile, pubFile := base+".bin", base+".minisig", base+".pub"
	if err := os.WriteFile(file, c.content, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-S", "-s", key, "-m", file, "-x", sigFile, "-t", c.trusted}
	if c.untrusted != "" {
		args = append(args, "-c", c.untrusted)
	}
	if c.legacy {
		args = append(args, "-l")
	}
	if _, stderr, err := testutil.RunErr(minisign, args...); err != nil {
		// A trusted comment longer than minisign writes (TRUSTEDCOMMENTMAXBYTES).
		first, _, _ := strings.Cut(string(stderr), "\n")
		return "minisign -S refuses: " + first, ""
	}
	sig, _ := os.ReadFile(sigFile)
	pub := pubs[0]
	if c.otherKey {
		pub = pubs[1]
	}
	sig, content, pub := c.mutate(sig, c.content, pub, otherID)
	for f, d := range map[string][]byte{file: content, sigFile: sig, pubFile: pub} {
		if err := os.WriteFile(f, d, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := msMinisign(minisign, pubFile, file, sigFile)
	s := msSignet(t, pub, file, sigFile)

	switch {
	case m.kind == "ok" && s.kind == "ok":
		if m.comment != s.comment {
			return "both accept, comments differ", "minisign's trusted comment " + strconv.Quote(m.comment) + ", signet's " + strconv.Quote(s.comment)
		}
		return "both accept", ""
	case s.kind == "ok":
		return "signet accepts, minisign refuses", "signet accepts (trusted comment " + strconv.Quote(s.comment) + "); minisign refuses: " + m.detail
	case m.kind == "ok":
		why := msExplainStricter(t, pub, sig, content, dir, c.seed, m)
		if why == "" {
			return "signet refuses, minisign accepts", "minisign accepts (trusted comment " + strconv.Quote(m.comment) + "); signet refuses: " + s.detail
		}
		return "signet refuses, minisign accepts: " + why, ""
	case m.kind == s.kind:
		return "both refuse: " + m.kind, ""
	default:
		why := msExplainKind(sig, m, s)
		if why == "" && s.kind == "malformed" {
			why = msExplainStricter(t, pub, sig, content, dir, c.seed, m)
		}
		if why != "" {
			return "both refuse, minisign " + m.kind + ", signet " + s.kind + ": " + why, ""
		}
		return "both refuse, kinds differ", "minisign " + m.kind + " (" + m.detail + "), signet " + s.kind + " (" + s.detail + ")"
	}
}

// msMinisign runs minisign -V. Its exit 2 is a file it cannot read, 1 a verification that
// failed; on success it prints "Trusted comment: TEXT".
func msMinisign(minisign, pubFile, file, sigFile string) msVerdict {
	stdout, stderr, err := testutil.RunErr(minisign, "-V", "-p", pubFile, "-m", file, "-x", sigFile)
	detail := strings.TrimSpace(string(stdout) + string(stderr))
	var ee *exec.ExitError
	switch {
	case err == nil:
		_, comment, ok := strings.Cut(string(stdout), "\nTrusted comment: ")
		if !ok || !strings.HasSuffix(comment, "\n") {
			return msVerdict{kind: "ok?", detail: detail}
		}
		return msVerdict{kind: "ok", comment: strings.TrimSuffix(comment, "\n"), detail: detail}
	case errors.As(err, &ee) && ee.ExitCode() == 1:
		return msVerdict{kind: "mismatch", detail: detail}
	case errors.As(err, &ee) && ee.ExitCode() == 2:
		return msVerdict{kind: "malformed", detail: detail}
	}
	return msVerdict{kind: "error", detail: err.Error() + ": " + detail}
}

// msSignet verifies as signet verify --key PUBFILE --sig SIGFILE FILE does: a --key file that
// does not start as a minisign public key file is read as a PEM or DER key, which these are not.
func msSignet(t *testing.T, pub []byte, file, sigFile string) msVerdict {
	if !sigformat.IsMinisign(pub) {
		return msVerdict{kind: "malformed", detail: "the --key file is not a minisign public key file (no untrusted comment line): read as PEM or DER"}
	}
	key, id, err := sigformat.ParseMinisignPublicKey(pub)
	if err != nil {
		return msVerdict{kind: "malformed", detail: err.Error()}
	}
	res, err := verify.VerifyArtifact(context.Background(), verify.Artifact{Name: file, SignatureName: sigFile},
		verify.ArtifactOptions{Key: key, MinisignKeyID: &id})
	if res == nil {
		t.Fatalf("%s: %v", file, err)
	}
	switch {
	case res.Valid:
		return msVerdict{kind: "ok", comment: res.TrustedComment}
	case res.TrustedComment != "":
		t.Errorf("%s: refused (%v) with the trusted comment %q", file, res.Err(), res.TrustedComment)
	}
	switch err := res.Err(); {
	case errors.Is(err, sigformat.ErrMalformedSignature):
		return msVerdict{kind: "malformed", detail: err.Error()}
	case errors.Is(err, verify.ErrSignatureMismatch):
		return msVerdict{kind: "mismatch", detail: err.Error()}
	default:
		return msVerdict{kind: "other", detail: err.Error()}
	}
}

// msAsMinisignReads is the signature file as minisign 0.11 reads it, and what signet refuses
// in it that minisign reads past (the README's "Stricter than minisign"): minisign reads four
// lines with fgets and ignores what follows ("extra-lines"); it ends each line at its first
// "\r" ("cr-in-line"); its base64 decoder ignores the unused low bits of the last character
// ("b64-bits").
func msAsMinisignReads(sig []byte) (norm []byte, why []string) {
	ls := strings.SplitAfter(string(sig), "\n")
	if len(ls) > 4 && strings.Trim(strings.Join(ls[4:], ""), "\r\n") != "" {
		why = append(why, "extra-lines")
	}
	if len(ls) > 4 {
		ls = ls[:4]
	}
	for i, l := range ls {
		l = msCutCR(l, &why)
		if i == 1 || i == 3 {
			if _, err := base64.StdEncoding.Strict().DecodeString(l); err != nil {
				if b, err := base64.StdEncoding.DecodeString(l); err == nil && !strings.ContainsAny(l, "\r\n") {
					why = append(why, "b64-bits")
					l = base64.StdEncoding.EncodeToString(b)
				}
			}
		}
		ls[i] = l + "\n"
	}
	return []byte(strings.Join(ls, "")), why
}

// msPubAsMinisignReads is the public key file as minisign reads it: two lines, the first not
// looked at ("pub-comment": signet knows a minisign public key file by its untrusted comment
// line), what follows ignored ("pub-extra-lines").
func msPubAsMinisignReads(pub []byte) (norm []byte, why []string) {
	ls := strings.SplitAfter(string(pub), "\n")
	if len(ls) < 2 {
		return pub, nil
	}
	if len(ls) > 2 && strings.Trim(strings.Join(ls[2:], ""), "\r\n") != "" {
		why = append(why, "pub-extra-lines")
	}
	if first := msCutCR(ls[0], &why); !strings.HasPrefix(first, "untrusted comment: ") {
		why = append(why, "pub-comment")
	}
	return []byte("untrusted comment: key\n" + msCutCR(ls[1], &why) + "\n"), why
}

// msCutCR is a line as minisign reads it, without its "\n": its trim() ends it at its first
// "\r". signet takes away one "\r" before the "\n" and refuses any other ("cr-in-line").
func msCutCR(l string, why *[]string) string {
	l = strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r")
	if j := strings.IndexByte(l, '\r'); j >= 0 {
		if !slices.Contains(*why, "cr-in-line") {
			*why = append(*why, "cr-in-line")
		}
		l = l[:j]
	}
	return l
}

// msExplainStricter explains signet refusing what minisign accepts, or refusing in another
// kind: signet must give minisign's verdict (and trusted comment) on the files as minisign
// reads them, and what it refused is one of its documented choices. A trusted comment that is
// not UTF-8 is refused whatever is done to the file ("trusted-not-utf8"): explained when
// minisign accepts with such a comment and both signatures verify over it.
func msExplainStricter(t *testing.T, pub, sig, content []byte, dir string, seed int64, m msVerdict) string {
	normSig, why := msAsMinisignReads(sig)
	normPub, whyPub := msPubAsMinisignReads(pub)
	why = append(why, whyPub...)
	if m.kind == "ok" && !utf8.ValidString(m.comment) {
		key, id, err := sigformat.ParseMinisignPublicKey(normPub)
		ls := strings.Split(string(normSig), "\n")
		if err != nil || len(ls) < 4 {
			return ""
		}
		s, err1 := base64.StdEncoding.DecodeString(ls[1])
		g, err2 := base64.StdEncoding.DecodeString(ls[3])
		if err1 != nil || err2 != nil || len(s) != 74 || !bytes.Equal(s[2:10], id[:]) ||
			!ed25519.Verify(key, append(bytes.Clone(s[10:]), m.comment...), g) {
			return ""
		}
		return strings.Join(append(why, "trusted-not-utf8"), "+")
	}
	if len(why) == 0 {
		return ""
	}
	base := filepath.Join(dir, strconv.FormatInt(seed, 10)+".norm")
	file, sigFile := base+".bin", base+".minisig"
	if err := os.WriteFile(file, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sigFile, normSig, 0o644); err != nil {
		t.Fatal(err)
	}
	if v := msSignet(t, normPub, file, sigFile); v.kind != m.kind || v.comment != m.comment {
		return ""
	}
	return strings.Join(why, "+")
}

// msExplainKind explains both refusing in different kinds: a trusted comment that is not
// UTF-8 is malformed to signet before any check, where minisign checks the signatures over it
// and they fail.
func msExplainKind(sig []byte, m, s msVerdict) string {
	if norm, _ := msAsMinisignReads(sig); m.kind == "mismatch" && s.kind == "malformed" {
		if ls := strings.Split(string(norm), "\n"); len(ls) > 2 && !utf8.ValidString(ls[2]) {
			return "trusted-not-utf8"
		}
	}
	return ""
}
