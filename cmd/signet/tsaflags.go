package main

import (
	"context"
	"net/url"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/timestamp"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// The RFC 3161 flags of sign and verify, defined once here; sign.go and verify.go only add
// them and call tsaSignHook / tsaVerifyOptions.

// tsaSignFlags are sign's: --tsa URL, repeatable.
func tsaSignFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: "tsa", Value: &repeated{}, Usage: "timestamp each signature at the RFC 3161 TSA `URL` (http or https); repeatable: the first that answers"},
	}
}

// tsaVerifyFlags are verify's: --tsa-roots and --require-timestamp.
func tsaVerifyFlags() []cli.Flag {
	return []cli.Flag{
		repeatedFlag("tsa-roots", "trust RFC 3161 timestamps whose TSA chains to the certificates in `FILE`; repeatable (default: a --trusted-root's TSAs)"),
		&cli.BoolFlag{Name: "require-timestamp", Usage: "fail a signature without a trusted RFC 3161 timestamp (exit 15)"},
	}
}

// tsaURLs checks the --tsa values: absolute http or https URLs.
func tsaURLs(c *cli.Context) ([]string, error) {
	urls := repeatedValues(c, "tsa")
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, usagef("--tsa %q is not an http:// or https:// URL", u)
		}
	}
	return urls, nil
}

// tsaSignHook is sign.SignOptions.Timestamp for the --tsa URLs, nil without any: a token over
// each signature value, from the first TSA that answers with one that checks
// (timestamp.Client).
func tsaSignHook(ctx context.Context, urls []string) func([]byte) ([]byte, error) {
	if len(urls) == 0 {
		return nil
	}
	client := &timestamp.Client{URLs: urls}
	return func(sig []byte) ([]byte, error) {
		tok, err := client.Timestamp(ctx, sig)
		if err != nil {
			return nil, err
		}
		return tok.Raw, nil
	}
}

// tsaVerifyOptions sets the timestamp fields of verify's options from the flags.
func tsaVerifyOptions(c *cli.Context, a *verify.ArtifactOptions) error {
	a.RequireTimestamp = c.Bool("require-timestamp")
	if files := repeatedValues(c, "tsa-roots"); len(files) > 0 {
		roots, err := x509util.LoadCertificates(files...)
		if err != nil {
			return err
		}
		a.TSARoots = roots
	}
	return nil
}

// timestampNote is what a verdict line adds about the timestamp that dated the signature.
func timestampNote(r *verify.ArtifactResult) string {
	for _, t := range r.Timestamps {
		if t.Valid && t.DatesSignature {
			return ", timestamped " + t.GenTime.UTC().Format("2006-01-02T15:04:05Z") + " by " + t.TSA
		}
	}
	return ""
}
