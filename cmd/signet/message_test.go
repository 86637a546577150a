package main

import "testing"

func TestUserMessage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a.txt: a.txt: no such file or directory":                                   "a.txt: no such file or directory",
		"read sigdir: read sigdir: is a directory":                                  "read sigdir: is a directory",
		"b.sigstore.json: sign: malformed signature: bundle: proto: unexpected EOF": "b.sigstore.json: malformed signature: bundle: unexpected EOF",
		"--type: x509util: unsupported: key type \"foo\"":                           "--type: unsupported: key type \"foo\"",
		"hsm: no token matches pkcs11:token=x":                                      "no token matches pkcs11:token=x",
		"a\nb":                                                                      "a b",
		"signer: CN=x (a note)":                                                     "signer: CN=x (a note)",
		// A subject a TSA's certificate chose, reaching an error: no terminal escape or
		// bidirectional override gets through, and the backslash escapes it had stay.
		"timestamp: TSA CN=evil\x1b[2J\u202e,O=x\\,y: expired": "TSA CN=evil\\1B[2J\\E2\\80\\AE,O=x\\,y: expired",
	} {
		if got := userMessage(in); got != want {
			t.Errorf("userMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
