package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/identity"
	"github.com/signet-pki/signet/x509util"
)

// initReport is what `signet init --json` prints.
type initReport struct {
	Dir          string       `json:"dir"`
	Created      bool         `json:"created"`
	Root         initCertInfo `json:"root"`
	Intermediate initCertInfo `json:"intermediate"`
	Signer       initCertInfo `json:"signer"`
	SignerKey    string       `json:"signer_key"`
	Files        []string     `json:"files"`
}

type initCertInfo struct {
	Subject  string    `json:"subject"`
	SHA256   string    `json:"sha256"`
	NotAfter time.Time `json:"not_after"`
	File     string    `json:"file"`
}

func initCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create the local development identity: a root CA, an intermediate and a code signer",
		ArgsUsage: " ",
		Description: `Creates a small local PKI in $SIGNET_HOME (default $XDG_CONFIG_HOME/signet, that is
~/.config/signet): a root CA (10 years), an intermediate CA (5 years) and a code-signing key
with its certificate (1 year) and chain, all ECDSA P-256. Keys are unencrypted, mode 0600,
so that commands need no passphrase. Afterwards 'signet cert verify' trusts that root when
no --roots is given, and says so in its report.
` + moreHelp + `
It is for trials and development: nobody else trusts this root. For real use point --key
at your organisation's key (or a pkcs11: URI for a token) and --roots at its root.

When an identity already exists it is left as it is and described (exit 0); --force
replaces it with a new one, and certificates issued by the old one stop verifying. The
files are written together: all of them or none.

--json prints: dir, created (false when one existed), root, intermediate and signer
({subject, sha256 of the certificate, not_after, file}), signer_key, files[].

EXAMPLES:
   signet init
   signet init --json
   signet cert verify --eku codeSigning ~/.config/signet/signer.pem`,
		Flags: []cli.Flag{
			forceFlag(),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unexpected argument %q; the directory comes from $SIGNET_HOME", c.Args().First())
			}
			dir, err := identity.Home(e.getenv)
			if err != nil {
				return err
			}
			res, err := identity.Init(identity.Options{Dir: dir, Force: c.Bool("force")})
			if de := (*identity.DamagedError)(nil); errors.As(err, &de) {
				return withHint(err, "signet init --force replaces a damaged identity with a new one")
			} else if err != nil {
				return err // not an identity --force would mend: SIGNET_HOME a file, a directory not writable
			}
			id, err := identity.Load(dir)
			if err != nil {
				return err
			}
			r := initReport{Dir: dir, Created: res.Created, SignerKey: id.KeyPath(), Files: res.Files,
				Root:   initCert(id.Root, id.RootPath()),
				Signer: initCert(id.Chain[0], filepath.Join(dir, identity.SignerCertFile)),
			}
			if len(id.Chain) > 1 {
				r.Intermediate = initCert(id.Chain[1], filepath.Join(dir, identity.InterCertFile))
			}
			if r.Files == nil {
				r.Files = []string{}
				for _, f := range identity.Files() {
					r.Files = append(r.Files, filepath.Join(dir, f))
				}
			}
			if c.Bool("json") {
				return writeJSON(e.stdout, r)
			}
			if r.Created {
				fmt.Fprintf(e.stdout, "created a local development identity in %s\n", dir)
			} else {
				fmt.Fprintf(e.stdout, "a local development identity already exists in %s; nothing changed (--force replaces it)\n", dir)
			}
			row := func(k, v string) { fmt.Fprintf(e.stdout, "  %-13s %s\n", k, v) }
			for _, x := range []struct {
				name string
				c    initCertInfo
			}{{"root", r.Root}, {"intermediate", r.Intermediate}, {"signer", r.Signer}} {
				row(x.name, x.c.Subject)
				row("", "sha256:"+x.c.SHA256)
				row("", x.c.File+", valid until "+x.c.NotAfter.Format(time.DateOnly))
			}
			row("signer key", r.SignerKey)
			fmt.Fprintln(e.stdout, "for trials and development only: 'signet sign' now signs with this identity when no --key is given, and 'signet verify' and 'signet cert verify' trust this root when no --roots is given")
			return nil
		},
	}
}

func initCert(c *x509.Certificate, file string) initCertInfo {
	return initCertInfo{Subject: certSubject(c), SHA256: x509util.CertificateFingerprint(c), NotAfter: c.NotAfter.UTC(), File: file}
}
