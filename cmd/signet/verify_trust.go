package main

import (
	"crypto/x509"
	"errors"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/identity"
	"github.com/signet-pki/signet/verify"
)

// The trust material of 'signet verify' besides --roots and --intermediates: Sigstore
// trusted roots (--trusted-root), and the intermediate of the local identity when its root is
// the one trusted. A Sigstore bundle v0.3 carries the signer's certificate alone, so the
// verifier brings the intermediates.

func trustedRootFlag() cli.Flag {
	return repeatedFlag("trusted-root", "trust the certificate authorities of the Sigstore trusted_root.json `FILE`; repeatable")
}

// verifyTrust returns the trust anchors of 'signet verify' and the intermediates that come
// with them: the --roots files, the system roots, the CAs of the --trusted-root files valid
// at the validation time at (their last certificate a root, the others intermediates), or
// with none of these the local identity's root and its intermediate.
func verifyTrust(e *env, o *verifyOptions, at time.Time) (*trust, []*x509.Certificate, error) {
	var extraRoots, inters []*x509.Certificate
	for _, f := range o.trusted {
		tr, err := verify.LoadTrustedRoot(f)
		if err != nil {
			return nil, nil, err
		}
		// Every authority's certificates go into the pools: which authority may vouch for a
		// signature is decided per signature, at its signing time (a timestamp's genTime, or
		// --at), by verify's TrustedCAs check, as sigstore-go does.
		roots, in := tr.Anchors(time.Time{}, true)
		o.trustedCAs = append(o.trustedCAs, tr.CertificateAuthorities...)
		// Likewise every timestamp authority's: which may date a signature is decided per
		// token, at its genTime (verify's TrustedTSAs check), as sigstore-go does.
		tsaRoots, tsaInters := tr.TSAAnchors(at, true)
		o.trustedTSAs = append(o.trustedTSAs, tr.TimestampAuthorities...)
		o.trustedTSA = append(o.trustedTSA, tsaRoots...)
		in = append(in, tsaInters...)
		extraRoots, inters = append(extraRoots, roots...), append(inters, in...)
	}
	if len(o.trusted) > 0 && len(o.roots) == 0 && !o.system {
		return &trust{certs: extraRoots, files: o.trusted}, inters, nil
	}
	t, err := trustAnchors(e, o.roots, o.system, "roots")
	if err != nil {
		return nil, nil, err
	}
	t.certs = append(t.certs, extraRoots...)
	t.files = append(t.files, o.trusted...)
	if t.local {
		// The local identity is a root and an intermediate: trusting it is trusting both.
		dir, err := identity.Home(e.getenv)
		if err != nil {
			return nil, nil, err
		}
		id, err := identity.Load(dir)
		if err != nil && !errors.Is(err, identity.ErrNoIdentity) {
			return nil, nil, err
		}
		if id != nil && len(id.Chain) > 1 {
			inters = append(inters, id.Chain[1:]...)
		}
	}
	return t, inters, nil
}
