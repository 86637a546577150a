package main

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/signet-pki/signet/x509util"
)

// The inspection campaign's comparison (ci_diff_test.go) of the extensions cert inspect
// decodes beyond names and usages: certificate policies, policy mappings and constraints,
// inhibitAnyPolicy, issuer alternative names, subject information access, SCT lists, an
// AKI's issuer and serial, freshest CRL, and a CRL's issuing distribution point and delta CRL
// indicator, each against the lines `openssl x509|crl -text` writes of it. An extension
// openssl dumps as bytes (it could not decode it) is not compared; one openssl decodes that
// signet left undecoded (null) is a difference.

// ciMore is what signet decoded of those extensions, from a certificate or a CRL.
type ciMore struct {
	policies    []x509util.PolicyInfo
	mappings    []x509util.PolicyMappingInfo
	constraints *x509util.PolicyConstraintsInfo
	inhibit     *int
	ian         []string
	sia         []x509util.AccessInfo
	scts        []x509util.SCTInfo
	akiIssuer   []string
	akiSerial   string
	freshest    []string
	idp         *x509util.IssuingDistributionPointInfo
	delta       string
}

// ciLines is an extension's body as openssl wrote it: each line trimmed, empty ones left out.
func ciLines(body []string) []string {
	var out []string
	for _, l := range body {
		if l = strings.Trim(l, " "); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ciOpenSSLPolicy is a policy OID as openssl names it.
func ciOpenSSLPolicy(oid string) string {
	if oid == "2.5.29.32.0" {
		return "X509v3 Any Policy"
	}
	return oid
}

// ciAccessMethods are openssl's names of signet's access methods.
var ciAccessMethods = map[string]string{"ocsp": "OCSP", "caIssuers": "CA Issuers", "timeStamping": "AD Time Stamping",
	"caRepository": "CA Repository", "rpkiManifest": "RPKI Manifest", "signedObject": "Signed Object", "rpkiNotify": "RPKI Notify"}

// ciGeneralName writes one of signet's general names ("uri:x") as openssl writes it in a
// line ("URI:x"; in a distribution point, dots, a control character as '.', ciAsPrinted); a
// directoryName is its form alone (openssl's oneline is compared in SANs).
func ciGeneralName(n string, dots bool) string {
	form, v, _ := strings.Cut(n, ":")
	switch form {
	case "uri":
		return "URI:" + ciAsPrinted([]string{v}, dots)[0]
	case "dns":
		return "DNS:" + ciAsPrinted([]string{v}, dots)[0]
	case "email":
		return "email:" + ciAsPrinted([]string{v}, dots)[0]
	case "ip":
		return "IP Address:" + v
	case "dirName":
		return "DirName:"
	}
	return n
}

// ciDiffMore compares ciMore with openssl's extensions.
func ciDiffMore(exts []ciOExt, m ciMore) []string {
	var bad []string
	differ := func(what string, o, s any) {
		bad = append(bad, fmt.Sprintf("%s: openssl %q, signet %q", what, o, s))
	}
	if body, ok := ciExtBody(exts, "2.5.29.32"); ok {
		lines := ciLines(body)
		if len(lines) > 0 && strings.HasPrefix(lines[0], "Policy: ") {
			var want []string
			for _, p := range m.policies {
				want = append(want, "Policy: "+ciOpenSSLPolicy(p.OID))
				for _, u := range p.CPS {
					want = append(want, "CPS: "+ciUnescape(u))
				}
				for _, n := range p.UserNotices {
					want = append(want, "User Notice:")
					if n.Numbers != nil {
						want = append(want, "Organization: "+ciUnescape(n.Organization))
						if len(n.Numbers) == 1 {
							want = append(want, "Number: "+n.Numbers[0])
						} else {
							want = append(want, "Numbers: "+strings.Join(n.Numbers, ", "))
						}
					}
					if n.ExplicitText != "" {
						want = append(want, "Explicit Text: "+ciUnescape(n.ExplicitText))
					}
				}
			}
			// openssl 3.0 writes a BMPString DisplayText as its raw bytes, which its first
			// NUL ends: an empty text of openssl's is compared by presence
			for i := range min(len(lines), len(want)) {
				for _, k := range []string{"Organization:", "Explicit Text:"} {
					if lines[i] == k && strings.HasPrefix(want[i], k) {
						want[i] = k
					}
				}
			}
			if m.policies == nil || !slices.Equal(lines, want) {
				differ("certificate policies", lines, want)
			}
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.33"); ok {
		lines := ciLines(body)
		if len(lines) == 1 && strings.Contains(lines[0], ":") {
			var want []string
			for _, p := range m.mappings {
				want = append(want, ciOpenSSLPolicy(p.IssuerDomainPolicy)+":"+ciOpenSSLPolicy(p.SubjectDomainPolicy))
			}
			if m.mappings == nil || lines[0] != strings.Join(want, ", ") {
				differ("policy mappings", lines, want)
			}
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.36"); ok {
		lines := ciLines(body)
		if len(lines) == 1 && strings.Contains(lines[0], "Policy") {
			var want []string
			if pc := m.constraints; pc != nil && pc.RequireExplicitPolicy != nil {
				want = append(want, fmt.Sprintf("Require Explicit Policy:%d", *pc.RequireExplicitPolicy))
			}
			if pc := m.constraints; pc != nil && pc.InhibitPolicyMapping != nil {
				want = append(want, fmt.Sprintf("Inhibit Policy Mapping:%d", *pc.InhibitPolicyMapping))
			}
			if m.constraints == nil || lines[0] != strings.Join(want, ", ") {
				differ("policy constraints", lines, want)
			}
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.54"); ok {
		lines := ciLines(body)
		if len(lines) == 1 && strings.Trim(lines[0], "0123456789") == "" {
			if m.inhibit == nil || fmt.Sprint(*m.inhibit) != lines[0] {
				differ("inhibit any policy", lines, m.inhibit)
			}
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.18"); ok && !ciDumped(body) {
		if m.ian == nil {
			differ("issuer alt names", body, "null")
		} else {
			var s x509util.SANInfo
			for _, n := range m.ian {
				form, v, _ := strings.Cut(n, ":")
				switch form {
				case "dns":
					s.DNS = append(s.DNS, v)
				case "ip":
					s.IP = append(s.IP, v)
				case "email":
					s.Email = append(s.Email, v)
				case "uri":
					s.URI = append(s.URI, v)
				case "dirName":
					s.DirName = append(s.DirName, v)
				case "otherName":
					s.OtherName = append(s.OtherName, v)
				case "registeredID":
					s.RegisteredID = append(s.RegisteredID, v)
				}
			}
			for _, b := range ciDiffSANs(ciSANs(body), s) {
				bad = append(bad, "issuer alt names: "+b)
			}
		}
	}
	if body, ok := ciExtBody(exts, "1.3.6.1.5.5.7.1.11"); ok && strings.Contains(strings.Join(body, ""), " - ") {
		var got, want []string
		for _, l := range ciLines(body) {
			if strings.HasPrefix(l, "DirName:") || strings.Contains(l, " - DirName:") {
				l, _, _ = strings.Cut(l, "DirName:")
				l += "DirName:"
			}
			got = append(got, l)
		}
		for _, a := range m.sia {
			method := ciAccessMethods[a.Method]
			if method == "" {
				method = a.Method
			}
			want = append(want, method+" - "+ciGeneralName(a.Location, false))
		}
		if m.sia == nil || !slices.Equal(got, want) {
			differ("subject info access", got, want)
		}
	}
	if body, ok := ciExtBody(exts, "1.3.6.1.4.1.11129.2.4.2"); ok && ciHasLine(body, "Signed Certificate Timestamp:") {
		got := ciParseSCTs(body)
		var want []string
		for _, s := range m.scts {
			want = append(want, fmt.Sprintf("v%d %s %s %s %s %s", s.Version+1, s.LogID, s.Timestamp.Format(time.RFC3339Nano),
				s.Extensions, s.SignatureAlgorithm, s.Signature))
		}
		if m.scts == nil || !slices.Equal(got, want) {
			differ("SCTs", got, want)
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.35"); ok && (ciAKIDecoded(body) || ciHasPrefix(body, "serial:")) {
		serial, dirs := "", 0
		for _, l := range ciLines(body) {
			if s, ok := strings.CutPrefix(l, "serial:"); ok {
				serial = strings.ToLower(strings.ReplaceAll(s, ":", ""))
			}
			if strings.HasPrefix(l, "DirName:") {
				dirs++
			}
		}
		if serial != "" {
			n, _ := new(big.Int).SetString(serial, 16)
			serial = x509util.FormatSerial(n)
		}
		// openssl prints the serial's magnitude, a negative one (the campaign draws the
		// content octets of a positive number, which may read as negative) without its sign
		if serial != strings.TrimPrefix(m.akiSerial, "-") || dirs != len(m.akiIssuer) {
			differ("authority key identifier issuer and serial", body, append([]string{m.akiSerial}, m.akiIssuer...))
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.46"); ok && strings.Contains(strings.Join(body, ""), " Name:") {
		var want []string
		for _, l := range body {
			if u, ok := strings.CutPrefix(strings.Trim(l, " "), "URI:"); ok {
				u, _, _ = strings.Cut(u, "                ")
				want = append(want, u)
			}
		}
		if got := ciAsPrinted(m.freshest, true); m.freshest == nil || !ciSame(want, got) {
			differ("freshest CRL", want, m.freshest)
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.28"); ok && (strings.Contains(strings.Join(body, ""), " Name:") || ciHasPrefix(body, "Only ") || ciHasLine(body, "Indirect CRL")) {
		got := ciParseIDP(body)
		var want []string
		if p := m.idp; p != nil {
			for _, n := range p.FullName {
				want = append(want, ciGeneralName(n, true))
			}
			// openssl's order: user, CA, indirect, reasons, attribute certificates
			var reasons string
			if p.OnlySomeReasons != nil {
				var r []string
				for _, n := range p.OnlySomeReasons {
					if n == "unused" {
						r = append(r, "Unused")
					}
					for o, s := range ciReasonNames() {
						if s == n {
							r = append(r, o)
						}
					}
				}
				reasons = "Only Some Reasons: " + strings.Join(r, ", ")
			}
			for _, f := range []struct {
				on   bool
				line string
			}{{p.OnlyUserCerts, "Only User Certificates"}, {p.OnlyCACerts, "Only CA Certificates"},
				{p.IndirectCRL, "Indirect CRL"}, {reasons != "", reasons}, {p.OnlyAttributeCert, "Only Attribute Certificates"}} {
				if f.on {
					want = append(want, f.line)
				}
			}
		}
		if m.idp == nil || !slices.Equal(got, want) {
			differ("issuing distribution point", got, want)
		}
	}
	if body, ok := ciExtBody(exts, "2.5.29.27"); ok {
		want := strings.TrimSpace(strings.Join(body, ""))
		if want != m.delta {
			n, ok := new(big.Int).SetString(strings.ReplaceAll(strings.TrimPrefix(want, "0x"), ":", ""), 16)
			if !ok || n.String() != m.delta {
				differ("delta CRL indicator", want, m.delta)
			}
		}
	}
	return bad
}

func ciHasPrefix(body []string, p string) bool {
	for _, l := range body {
		if strings.HasPrefix(strings.TrimSpace(l), p) {
			return true
		}
	}
	return false
}

// ciParseSCTs reads openssl's SCT blocks into the form ciDiffMore compares: version, log id,
// timestamp, extensions, signature algorithm and signature.
func ciParseSCTs(body []string) []string {
	var out []string
	var f map[string]string
	var last string
	flush := func() {
		if f == nil {
			return
		}
		ts, _ := time.Parse("Jan _2 15:04:05.000 2006 MST", f["Timestamp"])
		ext := f["Extensions"]
		if ext == "none" {
			ext = ""
		}
		alg, sig, _ := strings.Cut(f["Signature"], " ")
		hexOf := func(s string) string { return strings.ToLower(strings.NewReplacer(":", "", " ", "").Replace(s)) }
		v, _, _ := strings.Cut(f["Version"], " ")
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s", v, hexOf(f["Log ID"]), ts.UTC().Format(time.RFC3339Nano), hexOf(ext),
			ciSigAlgs()[alg], hexOf(sig)))
	}
	for _, l := range ciLines(body) {
		if l == "Signed Certificate Timestamp:" {
			flush()
			f, last = map[string]string{}, ""
			continue
		}
		if k, v, ok := strings.Cut(l, ": "); ok && f != nil && !strings.Contains(k, ":") {
			last = strings.TrimSpace(k)
			f[last] = strings.TrimSpace(v)
			continue
		}
		if f != nil && last != "" {
			f[last] += " " + l
		}
	}
	flush()
	return out
}

// ciParseIDP reads openssl's issuing distribution point: the full name's lines, then the
// flags, "Only Some Reasons: " with the reasons' line joined to it.
func ciParseIDP(body []string) []string {
	var out []string
	lines := ciLines(body)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "Full Name:" {
			continue
		}
		// openssl 3.0 writes no newline between a last name and the flag after it
		for _, part := range strings.Split(l, "                ") {
			if part = strings.Trim(part, " "); part != "" {
				if strings.HasPrefix(part, "DirName:") {
					part = "DirName:"
				}
				out = append(out, part)
			}
		}
	}
	for i := 0; i+1 < len(out); i++ {
		if out[i] == "Only Some Reasons:" {
			out = slices.Replace(out, i, i+2, out[i]+" "+out[i+1])
		}
	}
	return out
}
