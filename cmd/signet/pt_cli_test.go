package main

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/signet-pki/signet/internal/testutil"
)

// TestPTTokenTextEscapesLabels: 'token objects' and 'token list' printed labels (and what a
// token says of itself) as the token holds them, so a label with a terminal escape, set by
// pkcs11-tool or by anyone who may write to the token, reached the terminal as it is, and bytes
// that are not UTF-8 too. They are escaped now as every name signet prints (\1B, \FF), while
// the URIs beside them percent-encode the same bytes.
func TestPTTokenTextEscapesLabels(t *testing.T) {
	tool := testutil.RequireTool(t, "pkcs11-tool")
	h := testutil.NewSoftHSM(t, "", "pt\x1b]0;x\x07")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	for _, l := range []string{"esc\x1b[31mred", "\xff\xfe", `back\slash`} {
		testutil.Cmd{Env: []string{"P=" + testutil.SoftHSMPIN}}.Run(t, tool, "--module", h.Module, "--token-label", "pt\x1b]0;x\x07",
			"--login", "--pin", "env:P", "--keypairgen", "--key-type", "EC:prime256v1", "--label", l)
	}
	clean := func(what, out string) {
		t.Helper()
		if strings.ContainsAny(out, "\x1b\x07") || !utf8.ValidString(out) {
			t.Errorf("%s prints bytes that reach the terminal as they are:\n%q", what, out)
		}
	}
	code, out, errOut := signetRun(t, "token", "objects", "pkcs11:token=pt%1B]0%3Bx%07")
	if code != 0 {
		t.Fatalf("token objects: exit %d\n%s", code, errOut)
	}
	clean("token objects", out)
	for _, want := range []string{`label:         esc\1B[31mred`, `label:         \FF\FE`, `label:         back\\slash`, "object=esc%1B[31mred;"} {
		if !strings.Contains(out, want) {
			t.Errorf("token objects: no %q in\n%s", want, out)
		}
	}
	code, out, errOut = signetRun(t, "token", "list")
	if code != 0 {
		t.Fatalf("token list: exit %d\n%s", code, errOut)
	}
	clean("token list", out)
	if !strings.Contains(out, `label:         pt\1B]0;x\07`) {
		t.Errorf("token list: the token's label is not shown escaped:\n%s", out)
	}
}
