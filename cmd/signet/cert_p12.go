package main

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// certP12Options is what `signet cert p12` was asked, once the flags are checked.
type certP12Options struct {
	certFile  string
	chain     []string
	keyRef    string
	out       string
	legacy    bool
	noPass    bool // --no-passphrase: the new file under the empty password
	force     bool
	json      bool
	keySecret secret.Source // unlocks --key, read only when it is encrypted
	outSecret secret.Source // protects the new file
	token     hsm.Options   // reaches a pkcs11: --key, only to say it cannot be exported
}

func certP12Command(e *env) *cli.Command {
	return &cli.Command{
		Name:      "p12",
		Usage:     "bundle a key, its certificate and chain into a PKCS#12 (.p12/.pfx) file",
		ArgsUsage: " ",
		Description: `Writes the key --key names, its certificate (the first in --cert) and the chain (the rest
of --cert, then every --chain file, in order) into a PKCS#12 file, mode 0600 since it holds
the private key. The key must belong to the certificate (else exit 4). Without --cert the
certificates stored with the key are used: --key old.p12 re-encodes a PKCS#12 file (into the
modern encryption, or with --legacy into the old one).
` + moreHelp + `
Encryption: AES-256-CBC with PBKDF2-HMAC-SHA256 and a SHA-256 MAC, which OpenSSL 1.1.1 and
3, current Windows, macOS and Java read. --legacy uses 3DES with SHA-1 instead, for older
importers (Windows before Server 2019, Java 8 before 8u301, macOS before 10.15).

Two passphrases may be involved, and they have separate flags:
   the NEW .p12 file's:  --passphrase-file FILE, else $SIGNET_PASSPHRASE, else a prompt on
                         the terminal that asks twice
   the --key file's, only if that key is encrypted:
                         --key-passphrase-file FILE, else $SIGNET_PASSPHRASE, else a prompt
                         naming the key file
So in CI, SIGNET_PASSPHRASE alone re-packages a key under the same passphrase; give
--key-passphrase-file and --passphrase-file to use two. An empty passphrase (an empty file,
variable or answer) is refused (exit 4): --no-passphrase writes the file under the empty
password, as openssl pkcs12 -export -passout pass: does, which anyone reads, key and all. A key on a PKCS#11 token cannot be
exported into a file (exit 4).

--json prints what was written: file, subject, sha256 of the certificate, chain[]
({subject, sha256}) and encryption ("aes-256-cbc-pbkdf2-sha256" or "legacy-3des-sha1").

EXAMPLES (run from the source tree with SIGNET_PASSPHRASE set):
   signet cert p12 --cert testdata/pki/server.pem --chain testdata/pki/int-ca.pem \
       --key testdata/pki/server.key -o server.p12
   signet cert p12 --legacy --cert testdata/pki/server-chain.pem --key testdata/pki/server.key \
       -o server-legacy.p12
   openssl pkcs12 -info -noout -in server.p12 -passin env:SIGNET_PASSPHRASE`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cert", Usage: "the certificate `FILE`, optionally followed by its chain (default: those stored with --key)", TakesFile: true},
			repeatedFlag("chain", "CA certificates in `FILE` to include after the certificate; repeatable"),
			keyFlag("the certificate's private key (`KEYREF`)"),
			outFlag("write the PKCS#12 file to `FILE` (required)"),
			&cli.BoolFlag{Name: "legacy", Usage: "encrypt with 3DES and SHA-1 for old importers"},
			&cli.StringFlag{Name: "passphrase-file", Usage: "protect the new file with the first line of `FILE` (else $" + envPassphrase + ", else a prompt)", TakesFile: true},
			&cli.BoolFlag{Name: "no-passphrase", Usage: "write the new file under the empty password: anyone can read its key"},
			&cli.StringFlag{Name: "key-passphrase-file", Usage: "unlock an encrypted --key with the first line of `FILE` (else $" + envPassphrase + ", else a prompt)", TakesFile: true},
			forceFlag(),
			quietFlag(),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usagef("unexpected argument %q; see 'signet cert p12 --help'", c.Args().First())
			}
			o := &certP12Options{
				certFile: c.String("cert"),
				chain:    repeatedValues(c, "chain"),
				keyRef:   c.String("key"),
				out:      c.String("out"),
				legacy:   c.Bool("legacy"),
				noPass:   c.Bool("no-passphrase"),
				force:    c.Bool("force"),
				json:     c.Bool("json"),
				keySecret: secret.Source{File: c.String("key-passphrase-file"), Env: envPassphrase,
					What: "passphrase of the key", LookupEnv: e.lookupEnv},
				outSecret: secret.Source{File: c.String("passphrase-file"), Env: envPassphrase,
					What: "passphrase for the new PKCS#12 file", Confirm: true, LookupEnv: e.lookupEnv},
				token: tokenOptions(e, c),
			}
			switch {
			case o.keyRef == "":
				return usagef("missing --key KEYREF: the certificate's private key")
			case o.out == "":
				return usagef("missing -o FILE for the PKCS#12 file")
			case o.out == "-":
				return usagef("a PKCS#12 file holds a private key: write it to a file with -o FILE")
			case o.noPass && c.String("passphrase-file") != "":
				return usagef("--no-passphrase and --passphrase-file contradict each other")
			}
			ins := append(keyRefFiles("--key", o.keyRef), fileArg{"--cert", o.certFile})
			for _, f := range o.chain {
				ins = append(ins, fileArg{"--chain", f})
			}
			if err := checkNotInput("-o", o.out, append(ins, secretFiles(c)...)...); err != nil {
				return err
			}
			if err := certP12(e, o); err != nil {
				return err
			}
			wrote(e, c, o.out, "PKCS#12 file")
			return nil
		},
	}
}

func certP12(e *env, o *certP12Options) error {
	if err := atomicfile.CheckWritable(o.out, o.force); err != nil {
		return err
	}
	var certs, more []*x509.Certificate
	var err error
	if o.certFile != "" {
		if certs, err = x509util.LoadCertificateFile(o.certFile); err != nil {
			return err
		}
	}
	if len(o.chain) > 0 {
		if more, err = x509util.LoadCertificates(o.chain...); err != nil {
			return err
		}
	}

	key, err := keyref.Open(o.keyRef, keyref.Options{Passphrase: o.keySecret, Token: o.token, Warn: o.token.Warn})
	switch {
	case errors.Is(err, secret.ErrNoSource):
		return withHint(err, "the key is encrypted: pass --key-passphrase-file FILE or set SIGNET_PASSPHRASE")
	case errors.Is(err, x509util.ErrIncorrectPassphrase):
		return withHint(err, "--key-passphrase-file (else SIGNET_PASSPHRASE) unlocks --key; --passphrase-file protects the new file")
	case err != nil:
		return err
	}
	defer key.Close()
	if o.certFile == "" {
		// No --cert: the certificates stored with the key (a PKCS#12 file being re-encoded).
		if certs = key.Certificates(); len(certs) == 0 {
			return usagef("missing --cert FILE: the key %s holds no certificate", certKeyName(o.keyRef))
		}
	}
	certs = append(certs, more...)
	leaf, chain := certs[0], certs[1:]
	soft, ok := keyref.Software(key)
	if !ok {
		return fmt.Errorf("%w: the key %s cannot leave its token, so it cannot go into a PKCS#12 file", hsm.ErrToken, certKeyName(o.keyRef))
	}
	if !x509util.PublicKeysEqual(leaf.PublicKey, soft.Public()) {
		// Checked before the passphrase prompt, which would otherwise be asked for nothing.
		return fmt.Errorf("%w: the key %s does not belong to the certificate %s", x509util.ErrKeyMismatch, certKeyName(o.keyRef), certSubject(leaf))
	}
	var pass []byte
	if !o.noPass {
		if pass, err = o.outSecret.Read("Enter passphrase for " + o.out); err != nil {
			return err
		}
		defer clear(pass)
	}
	der, err := x509util.EncodeP12(soft, leaf, chain, pass, x509util.P12Options{Legacy: o.legacy, NoPassphrase: o.noPass})
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(o.out, der, atomicfile.Options{Perm: 0o600, Force: o.force}); err != nil {
		return err
	}
	if !o.json {
		return nil
	}
	refs := []verify.CertRef{}
	for _, c := range chain {
		refs = append(refs, verify.CertRef{Subject: certSubject(c), SHA256: x509util.CertificateFingerprint(c)})
	}
	enc := "aes-256-cbc-pbkdf2-sha256"
	if o.legacy {
		enc = "legacy-3des-sha1"
	}
	return writeJSON(e.stdout, struct {
		File       string           `json:"file"`
		Subject    string           `json:"subject"`
		SHA256     string           `json:"sha256"`
		Chain      []verify.CertRef `json:"chain"`
		Encryption string           `json:"encryption"`
	}{o.out, certSubject(leaf), x509util.CertificateFingerprint(leaf), refs, enc})
}
