package main

import (
	"errors"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/verify"
)

// The path-validation flags that cert verify, verify and tls check share: the profile and the
// RFC 5280 policy inputs. Their help is written once, here.

const pathFlagsHelp = `   --profile NAME    rfc5280 (default): RFC 5280 strictly, with the certificate rules of
                     'man signet-cert-verify'; webpki: also the CA/Browser Forum Baseline
                     Requirements for TLS servers (serverAuth asserted by a leaf that is not a
                     CA, a SAN, the CN among the SANs, no wildcard over a public suffix, ...).
   --policy OID      an acceptable certificate policy (the initial policy set of RFC 5280
                     6.1.1), repeatable; default anyPolicy. The policies the chain is valid
                     for are printed, and in --json as "policies".
   --require-explicit-policy   the chain must be valid for one of the --policy OIDs
   --inhibit-policy-mapping    CAs' policy mappings are not honoured
   --inhibit-any-policy        anyPolicy in a CA certificate matches no other policy
   --ocsp FILE       a DER OCSP response for a certificate of the chain (RFC 6960),
                     repeatable; signed by the issuer or a responder it delegated with
                     OCSPSigning, current at the validation time. "revoked" fails the
                     certificate (and wins over "good" and "unknown" in one response);
                     "unknown" fails it unless a CRL settles its status (and wins over "good"
                     in one response). A response is refused when its responderID does not
                     name its signer, it has a critical extension signet does not process, or
                     its delegated responder has an RSA key under 2048 bits or is revoked on a
                     --crl CRL; and when its producedAt is after the validation time, after
                     its nextUpdate, or over 5 minutes before its thisUpdate
                     (rfc6960.produced-at). One that a key of the issuer did not
                     sign fails (rfc6960.forged), and so does one about no certificate of
                     the chains verified (signet.ocsp-unused; for verify, the signer's and
                     the timestamp authorities').`

func pathFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "validation profile `NAME`: rfc5280 or webpki", Value: "rfc5280"},
		repeatedFlag("policy", "accept certificate policy `OID` (initial policy set); repeatable"),
		&cli.BoolFlag{Name: "require-explicit-policy", Usage: "the chain must be valid for a --policy"},
		&cli.BoolFlag{Name: "inhibit-policy-mapping", Usage: "do not honour policy mappings"},
		&cli.BoolFlag{Name: "inhibit-any-policy", Usage: "anyPolicy in CA certificates matches no policy"},
		repeatedFlag("ocsp", "check revocation against the OCSP response in `FILE`; repeatable"),
	}
}

// parsePathFlags fills the profile and policy inputs of p from the flags; the OCSP files are
// returned for the caller to read.
func parsePathFlags(c *cli.Context, p *verify.Policy) (ocspFiles []string, err error) {
	prof, err := verify.ParseProfile(c.String("profile"))
	if err != nil {
		return nil, usagef("--profile %q: use rfc5280 or webpki", c.String("profile"))
	}
	p.Profile = prof
	for _, v := range repeatedValues(c, "policy") {
		for _, s := range strings.Split(v, ",") {
			oid, err := verify.ParsePolicyOID(s)
			if err != nil {
				return nil, usagef("--policy %q is not a policy OID (a dotted OID, or anyPolicy)", s)
			}
			p.Policies = append(p.Policies, oid)
		}
	}
	p.RequireExplicitPolicy = c.Bool("require-explicit-policy")
	p.InhibitPolicyMapping = c.Bool("inhibit-policy-mapping")
	p.InhibitAnyPolicy = c.Bool("inhibit-any-policy")
	return repeatedValues(c, "ocsp"), nil
}

// parseEKUFlag reads the repeatable, comma-separated --eku into p.EKUs and p.UnknownEKUs.
func parseEKUFlag(c *cli.Context, p *verify.Policy) error {
	var ekus []string
	for _, v := range repeatedValues(c, "eku") {
		ekus = append(ekus, strings.Split(v, ",")...)
	}
	known, unknown, err := verify.ParseEKUs(ekus)
	var ue *verify.UnknownEKUError
	switch {
	case errors.As(err, &ue):
		return usagef("--eku: unknown extended key usage %q (use %s, or a dotted OID)", ue.Name, strings.Join(verify.EKUNames(), ", "))
	case err != nil:
		return err
	}
	p.EKUs, p.UnknownEKUs = known, unknown
	return nil
}
