package main

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/signet-pki/signet/hsm"
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

// TestPTTokenObjectsCLI holds 'signet token objects' (text and --json) and 'key pub' to
// pkcs11-tool on a token of colliding labels and ids: the objects listed are those
// pkcs11-tool lists (class, label as the URI spells it, id), each listed URI selects its
// object again, and 'key pub' on each private key's URI prints the key pkcs11-tool made.
func TestPTTokenObjectsCLI(t *testing.T) {
	tool := testutil.RequireTool(t, "pkcs11-tool")
	h := testutil.NewSoftHSM(t, "", "pt")
	t.Setenv("SIGNET_PKCS11_MODULE", h.Module)
	t.Setenv("SIGNET_PIN", testutil.SoftHSMPIN)
	pk := func(args ...string) string {
		t.Helper()
		return string(testutil.Cmd{Env: []string{"P=" + testutil.SoftHSMPIN}}.Run(t, tool, append([]string{"--module", h.Module, "--token-label", "pt", "--login", "--pin", "env:P"}, args...)...))
	}
	pubs := map[string]string{} // URI-free key: label|id -> EC point hex
	for _, k := range []struct{ label, id string }{
		{"a b", "01"}, {"a b", "02"}, {"x/y;z?%", "02"}, {"", ""}, {"é", ""}, {"\xff", "0304"}, {"", "05"},
	} {
		out := pk("--keypairgen", "--key-type", "EC:prime256v1", "--label", k.label, "--id", k.id)
		_, rest, _ := strings.Cut(out, "EC_POINT:")
		point, _, _ := strings.Cut(strings.TrimSpace(rest), "\n")
		pubs[k.label+"|"+k.id] = strings.TrimSpace(point)
	}
	// pkcs11-tool's listing: class, label, id.
	type obj struct{ class, label, id string }
	var listed []obj
	for _, line := range strings.Split(pk("--list-objects"), "\n") {
		switch {
		case strings.HasPrefix(line, "Private Key Object"):
			listed = append(listed, obj{class: "private"})
		case strings.HasPrefix(line, "Public Key Object"):
			listed = append(listed, obj{class: "public"})
		case strings.HasPrefix(line, "  label:      "):
			listed[len(listed)-1].label = strings.TrimPrefix(line, "  label:      ")
		case strings.HasPrefix(line, "  ID:         "):
			listed[len(listed)-1].id = strings.TrimSpace(strings.TrimPrefix(line, "  ID:         "))
		}
	}
	count := func(objs []obj) map[obj]int {
		m := map[obj]int{}
		for _, o := range objs {
			m[o]++
		}
		return m
	}
	want := count(listed)

	code, out, errOut := signetRun(t, "token", "objects", "pkcs11:token=pt", "--json")
	if code != 0 {
		t.Fatalf("token objects --json: exit %d\n%s", code, errOut)
	}
	var views []struct {
		URI  string `json:"uri"`
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		t.Fatal(err)
	}
	var got []obj
	for _, v := range views {
		u, err := hsm.ParseURI(v.URI)
		if err != nil {
			t.Fatalf("listed URI %s: %v", v.URI, err)
		}
		got = append(got, obj{v.Type, u.Object, v.ID})
		code, sel, errOut := signetRun(t, "token", "objects", v.URI, "--json")
		var again []struct {
			URI string `json:"uri"`
		}
		if code != 0 || json.Unmarshal([]byte(sel), &again) != nil || len(again) != want[obj{v.Type, u.Object, v.ID}] || again[0].URI != v.URI {
			t.Errorf("the listed URI %s selects %s (exit %d %s)", v.URI, sel, code, errOut)
		}
		if v.Type != "private" {
			continue
		}
		code, pem, errOut := signetRun(t, "key", "pub", v.URI)
		point := pubs[u.Object+"|"+v.ID]
		if code != 0 || point == "" {
			t.Errorf("key pub %s: exit %d %s", v.URI, code, errOut)
			continue
		}
		if got := ptPointOf(t, pem); got != point {
			t.Errorf("key pub %s prints the EC point %s, pkcs11-tool made %s", v.URI, got, point)
		}
	}
	if !maps.Equal(count(got), want) {
		t.Errorf("token objects --json lists %v, pkcs11-tool %v", count(got), want)
	}
	code, out, _ = signetRun(t, "token", "objects", "pkcs11:token=pt")
	if n := strings.Count(out, "\npkcs11:") + 1; code != 0 || !strings.HasPrefix(out, "pkcs11:") || n != len(listed) {
		t.Errorf("token objects: %d objects in the text, pkcs11-tool lists %d", n, len(listed))
	}
}

// ptPointOf returns the EC point of a PEM public key as pkcs11-tool prints CKA_EC_POINT: hex
// of the DER OCTET STRING around it.
func ptPointOf(t *testing.T, s string) string {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatalf("no PEM in %q", s)
	}
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		t.Fatalf("%T", pub)
	}
	raw, err := k.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	der, _ := asn1.Marshal(raw)
	return hex.EncodeToString(der)
}
