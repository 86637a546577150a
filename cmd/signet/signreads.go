package main

import (
	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/sign"
)

// signReadArgs are the files signet sign reads besides those it signs: the key reference's
// files (a key file, or a token URI's pin-source and module), --cert, --passphrase-file and
// --module. No output may be one of them, whatever --force says.
func signReadArgs(c *cli.Context) []fileArg {
	ins := keyRefFiles("--key", c.String("key"))
	if cert := c.String("cert"); cert != "" {
		ins = append(ins, fileArg{"--cert", cert})
	}
	return append(ins, secretFiles(c)...)
}

// signReads is signReadArgs for sign.FilesOptions.Reads, which also refuses the outputs the
// library names itself (FILE.sig for each FILE, a manifest's signature).
func signReads(c *cli.Context) []sign.ReadFile {
	var reads []sign.ReadFile
	for _, in := range signReadArgs(c) {
		reads = append(reads, sign.ReadFile{Path: in.path, What: "the " + in.flag + " file"})
	}
	return reads
}
