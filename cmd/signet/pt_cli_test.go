package main

import (
	"os"
	"path/filepath"
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

// TestPTPINSourceWarningEscaped: the warning about a pin-source file others can read names
// the file as the URI spelt it, percent-decoded: a name with a terminal escape
// (pin-source=file:DIR/%1B[2J) reached the terminal as it is. Warnings are escaped as errors
// are.
func TestPTPINSourceWarningEscaped(t *testing.T) {
	h := testutil.NewSoftHSM(t, "", "pt")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	t.Setenv("SIGNET_PIN", "")
	dir := t.TempDir()
	pin := filepath.Join(dir, "pin\x1b[2J")
	if err := os.WriteFile(pin, []byte(testutil.SoftHSMPIN+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := signetRun(t, "key", "gen", "--type", "ec-p256", "-o", "pkcs11:token=pt;object=k?pin-source=file:"+dir+"/pin%1B[2J")
	if code != 0 {
		t.Fatalf("key gen: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "can be accessed by users other than its owner") || strings.Contains(errOut, "\x1b") || !strings.Contains(errOut, `pin\1B[2J`) {
		t.Errorf("the pin-source warning is not escaped:\n%q", errOut)
	}
}
