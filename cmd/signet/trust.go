package main

import (
	"crypto/x509"
	"errors"
	"strings"

	"github.com/signet-pki/signet/internal/identity"
	"github.com/signet-pki/signet/x509util"
)

// trust is the set of trust anchors a command runs with, and where they came from.
type trust struct {
	certs  []*x509.Certificate
	files  []string
	system bool
	// local is true when nothing was given and the root of 'signet init' was used.
	local bool
}

func (t *trust) describe() string {
	var parts []string
	if t.local {
		parts = append(parts, "the local development root ("+t.files[0]+")")
	} else if len(t.files) > 0 {
		parts = append(parts, strings.Join(t.files, ", "))
	}
	if t.system {
		parts = append(parts, "the system roots")
	}
	return strings.Join(parts, " and ")
}

// trustAnchors loads the roots a command trusts: the --roots files, the system store with
// --system-roots, and with neither, the root of 'signet init'. Trust is never implicit
// beyond that: with no identity either, it is a usage error that says what to give.
//
// flag is the command's flag for roots ("roots", or "tsa-roots" for ts verify), which the
// usage error names.
func trustAnchors(e *env, files []string, system bool, flag string) (*trust, error) {
	t := &trust{files: files, system: system}
	if len(files) > 0 {
		certs, err := x509util.LoadCertificates(files...)
		if err != nil {
			return nil, err
		}
		t.certs = certs
		return t, nil
	}
	if system {
		return t, nil
	}
	root, err := localRoot(e, flag)
	if err != nil {
		return nil, err
	}
	certs, err := x509util.LoadCertificates(root)
	if err != nil {
		return nil, err
	}
	t.certs, t.files, t.local = certs, []string{root}, true
	return t, nil
}

// localRoot returns the root certificate file of the local identity, for commands given no
// roots: a usage error when there is none, since trust is never implied otherwise. flag is
// the command's flag for roots, which the error names (--system-roots goes with --roots).
func localRoot(e *env, flag string) (string, error) {
	give := "--" + flag + " FILE"
	if flag == "roots" {
		give += " (or --system-roots)"
	}
	noRoots := usagef("no trust anchors: give %s", give)
	hint := "run 'signet init' to make a local development root, or pass --" + flag + " FILE"
	dir, err := identity.Home(e.getenv)
	if err != nil {
		return "", withHint(noRoots, hint)
	}
	id, err := identity.Load(dir)
	switch {
	case errors.Is(err, identity.ErrNoIdentity):
		return "", withHint(noRoots, hint)
	case err != nil:
		return "", withHint(err, "pass --"+flag+" FILE, or replace the local identity with 'signet init --force'")
	}
	return id.RootPath(), nil
}
