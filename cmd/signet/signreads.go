package main

import (
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/identity"

	"github.com/signet-pki/signet/sign"
)

// signReadArgs are the files signet sign reads besides those it signs: the key reference's
// files (a key file, or a token URI's pin-source and module), or without --key the files of
// the identity of 'signet init' that signs instead, --cert, --passphrase-file and --module.
// No output may be one of them, whatever --force says.
func signReadArgs(e *env, c *cli.Context) []fileArg {
	ins := keyRefFiles("--key", c.String("key"))
	if c.String("key") == "" {
		if home, err := identity.Home(e.getenv); err == nil {
			for _, f := range identity.Files() {
				ins = append(ins, fileArg{"local identity (signet init)", filepath.Join(home, f)})
			}
		}
	}
	if cert := c.String("cert"); cert != "" {
		ins = append(ins, fileArg{"--cert", cert})
	}
	return append(ins, secretFiles(c)...)
}

// signReads is signReadArgs for sign.FilesOptions.Reads, which also refuses the outputs the
// library names itself (FILE.sig for each FILE, a manifest's signature).
func signReads(e *env, c *cli.Context) []sign.ReadFile {
	var reads []sign.ReadFile
	for _, in := range signReadArgs(e, c) {
		reads = append(reads, sign.ReadFile{Path: in.path, What: "the " + in.flag + " file"})
	}
	return reads
}
