package verify

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
)

// Identity is the signer a policy requires, compared with the leaf certificate. Empty fields
// require nothing; every field given must match.
type Identity struct {
	// Subject is a distinguished name as x509util.ParseDN reads it ("CN=Release Bot,O=Example"
	// or "/O=Example/CN=Release Bot"). It must equal the whole subject of the leaf: the same
	// RDNs in the same order, each attribute's value compared after trimming, collapsing
	// inner white space and folding case (the string type, PrintableString or UTF8String,
	// does not matter).
	Subject string `json:"subject"`
	// Email must equal an email subjectAltName: the local part exactly, the domain in any case.
	Email string `json:"email"`
	// URI must equal a URI subjectAltName, character for character.
	URI string `json:"uri"`
	// DNS must equal a DNS subjectAltName, in any case and without regard to a final dot;
	// wildcards in the certificate are not expanded (a signer is one name, not a host pattern).
	DNS string `json:"dns"`
}

func (id Identity) empty() bool { return id == Identity{} }

// checkIdentity compares the leaf with the identity required.
func (v *artifactVerifier) checkIdentity(p *artifactPlan, fail func(*Error)) {
	id, leaf, res := v.opts.Identity, p.leaf, p.res
	if id.empty() {
		res.Checks = append(res.Checks, Check{Check: CheckIdentity, Status: Skip, Subject: Name(leaf), Detail: "no identity required"})
		return
	}
	pass := func(format string, args ...any) {
		res.Checks = append(res.Checks, Check{Check: CheckIdentity, Status: Pass, Subject: Name(leaf), Detail: fmt.Sprintf(format, args...)})
	}
	if id.Subject != "" {
		if subjectEqual(v.subject, leaf.RawSubject) {
			pass("subject is %s", id.Subject)
		} else {
			fail(newError(NameMismatch, leaf, nil, "the signer is %s, not %s", Name(leaf), id.Subject))
		}
	}
	if m := id.Email; m != "" {
		if slices.ContainsFunc(leaf.EmailAddresses, func(a string) bool { return emailEqual(a, m) }) {
			pass("email %s matches", m)
		} else {
			fail(newError(NameMismatch, leaf, nil, "certificate %s is not for email %s (its email addresses: %s)", Name(leaf), m, listOrNone(leaf.EmailAddresses)))
		}
	}
	if u := id.URI; u != "" {
		var uris []string
		for _, x := range leaf.URIs {
			uris = append(uris, x.String())
		}
		if slices.Contains(uris, u) {
			pass("URI %s matches", u)
		} else {
			fail(newError(NameMismatch, leaf, nil, "certificate %s is not for URI %s (its URIs: %s)", Name(leaf), u, listOrNone(uris)))
		}
	}
	if d := id.DNS; d != "" {
		norm := func(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }
		if slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return norm(n) == norm(d) }) {
			pass("DNS name %s matches", d)
		} else {
			fail(newError(NameMismatch, leaf, nil, "certificate %s is not for DNS name %s (its DNS names: %s)", Name(leaf), d, listOrNone(leaf.DNSNames)))
		}
	}
}

// subjectEqual compares a required DN with a certificate's DER subject: the same RDNs in the
// same order, each with the same attributes, values compared after normalisation.
func subjectEqual(want pkix.RDNSequence, rawSubject []byte) bool {
	var have pkix.RDNSequence
	if rest, err := asn1.Unmarshal(rawSubject, &have); err != nil || len(rest) > 0 {
		return false
	}
	if len(have) != len(want) {
		return false
	}
	for i := range have {
		if !slices.Equal(rdnKeys(have[i]), rdnKeys(want[i])) {
			return false
		}
	}
	return true
}

func rdnKeys(rdn pkix.RelativeDistinguishedNameSET) []string {
	keys := make([]string, len(rdn))
	for i, atv := range rdn {
		keys[i] = atv.Type.String() + "=" + strings.ToLower(strings.Join(strings.Fields(fmt.Sprint(atv.Value)), " "))
	}
	slices.Sort(keys)
	return keys
}
