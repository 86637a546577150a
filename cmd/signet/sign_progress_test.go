package main

import (
	"bytes"
	"flag"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sign"
)

// TestSignPrinterJSON: receipts printed one at a time as SignFiles hands them out are the
// JSON array writeJSON prints of the whole slice, byte for byte (the --json contract), for
// one receipt and for several, with characters HTML escaping would change.
func TestSignPrinterJSON(t *testing.T) {
	all := []sign.Receipt{
		{Path: "a<b>&c.tar.gz", Algorithm: digest.SHA256, Digest: digest.Digest{1, 2}, Format: "raw", Signature: "a<b>&c.tar.gz.sig", KeyFingerprint: "k"},
		{Path: "d", Algorithm: digest.SHA384, Digest: digest.Digest{3}, Format: "bundle", Signature: "d.sigstore.json", KeyFingerprint: "k",
			Certificate: &sign.CertificateSummary{Subject: "CN=x", Fingerprint: "sha256:ab", SHA256: "ab"}},
		{Path: "SUMS", Algorithm: digest.SHA256, Format: "cms", Signature: "SUMS.p7s", Entries: 2},
	}
	for _, rs := range [][]sign.Receipt{all[:1], all} {
		var want, got bytes.Buffer
		if err := writeJSON(&want, rs); err != nil {
			t.Fatal(err)
		}
		fs := flag.NewFlagSet("sign", flag.ContinueOnError)
		fs.Bool("json", true, "")
		e := &env{stdout: &got, stderr: &bytes.Buffer{}, lookupEnv: func(string) (string, bool) { return "", false }}
		p := newSignPrinter(e, cli.NewContext(cli.NewApp(), fs, nil))
		for _, r := range rs {
			if err := p.receipt(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.finish(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("streamed JSON:\n%s\nwant:\n%s", got.String(), want.String())
		}
	}
}
