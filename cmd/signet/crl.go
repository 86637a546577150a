package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/x509util"
)

// crlCommand groups the CRL subcommands (a CRL is inspected with cert inspect and checked
// with cert verify --crl).
func crlCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "crl",
		Usage: "issue certificate revocation lists",
		Subcommands: []*cli.Command{
			crlCreateCommand(e),
		},
	}
}

// crlRevoke is one --revoke value: a certificate file or a serial, and a reason.
type crlRevoke struct {
	spec   string
	file   string   // the certificate file, or ""
	serial *big.Int // the serial, when file is ""
	// reason is the reason code given, when reasonGiven: unspecified (0) given replaces
	// the reason a previous CRL lists, where no reason given keeps it.
	reason      int
	reasonGiven bool
}

// crlCreateOptions is what `signet crl create` was asked, once the flags are checked.
type crlCreateOptions struct {
	caFile, caKeyRef string
	revoke           []crlRevoke
	days             int
	number           *big.Int
	previous         string // --previous: the CRL this one follows
	out              string
	force, json      bool
	keys             keyref.Options
}

func crlReasonNames() string {
	names := make([]string, 0, len(x509util.RevocationReasons()))
	for n := range x509util.RevocationReasons() {
		if n != "removeFromCRL" { // delta CRLs only, which signet does not write
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		return x509util.RevocationReasons()[names[i]] < x509util.RevocationReasons()[names[j]]
	})
	return strings.Join(names, ", ")
}

func crlCreateCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "create",
		Usage:     "issue a CRL signed by a CA, listing the certificates it revokes",
		ArgsUsage: " ",
		Description: `Writes a CRL (version 2, PEM "X509 CRL") signed by the CA --ca and --ca-key name, with an
authority key identifier and a CRL number, listing every --revoke. --ca may be left out
when --ca-key carries the CA certificate (a PKCS#12 file, a token key with its certificate). The CA needs the cRLSign
key usage. "openssl crl -CAfile CACERT" verifies the result, and "openssl verify -crl_check"
and "signet cert verify --crl" report the certificates it lists as revoked.
` + moreHelp + `
--revoke takes CERTFILE or SERIAL, optionally followed by :REASON; repeat it for more:
   CERTFILE  a certificate file (PEM or DER; its first certificate), which must have been
             issued by the CA. A value is a file when it names one or contains '/' or '.'.
   SERIAL    the serial in hex, as 'openssl x509 -noout -serial' and 'signet cert inspect'
             print it: 5167000000000015, serial=5167000000000015, 51:67:00:00:00:00:00:15 or
             0x5167000000000015. A bare number is always hex (1000 is 4096); write a
             decimal serial as decimal:4096.
   REASON    one of ` + crlReasonNames() + `
             (case-insensitive). Without one, or with unspecified, the entry has no reason
             code, as RFC 5280 recommends; without one, a certificate the previous CRL
             lists keeps the reason it has there.
A CRL replaces the previous one: list every certificate still revoked each time. A new entry
is revoked as of now. The previous CRL of the same CA -- --previous FILE, or else the CRL that
-o replaces (with --force) -- is followed:
 - a certificate it lists keeps its revocation date, so that re-issuing a CRL never moves a
   revocation later, and its reason unless one is given: a reason given replaces it,
   unspecified too (a reason may change, certificateHold to keyCompromise say), with a
   warning when a compromise becomes another reason;
 - the CRL number must exceed its number (the default is raised above it, a smaller
   --number is refused, exit 2);
 - each certificate it lists that the new CRL does not is named in a warning, since the new
   CRL makes it valid again (an entry there with removeFromCRL, a delta CRL's reason, counts
   as not listed).
A CRL that -o replaces with the CA's name but not signed by its key (an earlier key of the
CA, before a rollover) is refused (exit 3) rather than passed over, which would drop the
certificates it lists without a word: give it as --previous FILE to follow it all the same,
with a warning that its signature is not checked, or move it away.

--days N: the next update is N days from now, 1 to 36500 (default 7); relying parties
treat the CRL as stale after it. A next update past the end of the CA is clipped to it, with
a warning, as cert create clips a validity: a CRL does not outlive the CA that signs it
(RFC 5280 5.1.2.5). A CA that has expired signs no CRL (exit 3), as it issues no
certificate. --number N: the CRL number in decimal, 0 to 2^159-1 (default: the time in
Unix nanoseconds, which grows from one CRL to the next with no state kept, and differs
between two CRLs made in the same second).

One line on stderr says what was written (-q: none); --json prints the file, the warnings
also printed as "signet: warning:" (a clipped next update, a certificate made valid again, a
compromise reason replaced) and the CRL as 'signet cert inspect --json' describes one:
{file, warnings[], crl}.

` + keyRefHelp + `

EXAMPLES (run from the source tree):
   signet crl create --ca testdata/pki/int-ca.pem --ca-key testdata/pki/int-ca.key \
       --revoke testdata/pki/revoked.pem:keyCompromise -o int-ca.crl
   signet crl create --ca testdata/pki/int-ca.pem --ca-key testdata/pki/int-ca.key \
       --revoke 5167000000000015:keyCompromise --revoke decimal:4096 --days 30 --number 7 \
       -o int-ca-7.crl --json
   openssl crl -in int-ca.crl -CAfile testdata/pki/int-ca.pem -noout`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "ca", Usage: "the CA certificate `FILE` that issues the CRL", TakesFile: true},
			&cli.StringFlag{Name: "ca-key", Usage: "the CA's key (`KEYREF`)", TakesFile: true},
			repeatedFlag("revoke", "revoke `CERTFILE|SERIAL[:REASON]`; repeatable"),
			&cli.IntFlag{Name: "days", Value: 7, Usage: "the next update is `N` days from now"},
			&cli.StringFlag{Name: "number", Usage: "the CRL number `N`, decimal (default: now in Unix nanoseconds)"},
			&cli.StringFlag{Name: "previous", Usage: "the CRL `FILE` this one follows (default: the CRL -o replaces)", TakesFile: true},
			outFlag("write the CRL to `FILE` (required)"),
			passphraseFileFlag(),
			caPassphraseFileFlag(),
			moduleFlag(),
			forceFlag(),
			quietFlag(),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			o, err := crlCreateParse(e, c)
			if err != nil {
				return err
			}
			if err := crlCreate(e, o); err != nil {
				return err
			}
			wrote(e, c, o.out, "CRL")
			return nil
		},
	}
}

func crlCreateParse(e *env, c *cli.Context) (*crlCreateOptions, error) {
	if c.Args().Present() {
		return nil, usagef("unexpected argument %q; give certificates to revoke with --revoke", c.Args().First())
	}
	o := &crlCreateOptions{
		caFile:   c.String("ca"),
		caKeyRef: c.String("ca-key"),
		days:     c.Int("days"),
		out:      c.String("out"),
		force:    c.Bool("force"),
		json:     c.Bool("json"),
		keys:     caKeyOptions(e, c),
		previous: c.String("previous"),
	}
	switch {
	case o.caKeyRef == "":
		return nil, usagef("missing --ca-key KEYREF (and --ca CACERT): the CA that issues the CRL")
	case o.out == "":
		return nil, usagef("missing -o FILE for the CRL")
	case o.days < 1 || o.days > x509util.MaxDays:
		return nil, usagef("--days must be 1 to %d (100 years), not %d", x509util.MaxDays, o.days)
	}
	if c.IsSet("number") {
		n, ok := new(big.Int).SetString(c.String("number"), 10)
		if !ok || n.Sign() < 0 || n.BitLen() > x509util.MaxCRLNumberBits {
			return nil, usagef("--number %q is not a decimal number from 0 to 2^159-1 (RFC 5280 5.2.3: at most 20 octets)", c.String("number"))
		}
		o.number = n
	}
	for _, spec := range repeatedValues(c, "revoke") {
		r, err := crlParseRevoke(spec)
		if err != nil {
			return nil, err
		}
		o.revoke = append(o.revoke, r)
	}
	ins := append(keyRefFiles("--ca-key", o.caKeyRef), fileArg{"--ca", o.caFile}, fileArg{"--previous", o.previous})
	for _, r := range o.revoke {
		ins = append(ins, fileArg{"--revoke", r.file})
	}
	if err := checkNotInput("-o", o.out, append(ins, secretFiles(c)...)...); err != nil {
		return nil, err
	}
	return o, nil
}

// crlParseRevoke reads CERTFILE|SERIAL[:REASON]. Reason names contain letters that are not
// hex digits, so a last ":" part that names a reason is never part of a hex serial.
func crlParseRevoke(spec string) (crlRevoke, error) {
	r := crlRevoke{spec: spec}
	rest := spec
	if i := strings.LastIndexByte(spec, ':'); i >= 0 && !strings.EqualFold(spec[:i], "decimal") {
		if code, err := x509util.ParseReason(spec[i+1:]); err == nil {
			if code == crlRemoveFromCRL {
				return r, usagef("--revoke %q: removeFromCRL belongs in delta CRLs only (RFC 5280 5.3.1); to release a certificate on hold, leave it out of the next CRL", spec)
			}
			r.reason, r.reasonGiven, rest = code, true, spec[:i]
		} else if _, statErr := os.Stat(spec); statErr != nil && strings.Trim(spec[i+1:], "0123456789abcdefABCDEF") != "" {
			return r, usagef("--revoke %q: unknown revocation reason %q (want one of %s)", spec, spec[i+1:], crlReasonNames())
		}
	}
	if _, err := os.Stat(rest); err == nil || strings.ContainsAny(rest, "/.") {
		r.file = rest
		return r, nil
	}
	n, err := x509util.ParseSerial(rest)
	var se *x509util.SerialError
	switch {
	case errors.As(err, &se):
		return r, usagef("--revoke %q: serial number %q: %s (or the certificate file does not exist)", spec, se.Input, se.Reason)
	case err != nil:
		return r, err
	}
	r.serial = n
	return r, nil
}

func crlCreate(e *env, o *crlCreateOptions) error {
	if err := atomicfile.CheckWritable(o.out, o.force); err != nil {
		return err
	}
	var ca *x509.Certificate
	var key keyref.Key
	if o.caFile != "" {
		cas, err := x509util.LoadCertificateFile(o.caFile)
		if err != nil {
			return err
		}
		ca = cas[0]
		// Refuse a CA that cannot sign CRLs, or has expired, before asking for any passphrase.
		if err := x509util.CheckIssuer(ca, nil, x509.KeyUsageCRLSign); err != nil {
			return err
		}
		if err := x509util.CheckCRLIssuerCurrent(ca, time.Now()); err != nil {
			return err
		}
	} else {
		// No --ca: the CA certificate comes with its key (a PKCS#12 file, a token).
		k, err := keyref.Open(o.caKeyRef, o.keys)
		if err != nil {
			return err
		}
		defer k.Close()
		certs := k.Certificates()
		if len(certs) == 0 {
			return usagef("--ca-key %s holds no certificate: give the CA certificate with --ca FILE", certKeyName(o.caKeyRef))
		}
		ca, key = certs[0], k
	}
	issued := time.Now()
	now := issued.Truncate(time.Second) // as in the CRL, so that --days 7 is described as 7 days
	number := o.number
	if number == nil {
		// The time in nanoseconds, not truncated: two CRLs of one second differ.
		number = big.NewInt(issued.UnixNano())
	}
	var entries []x509.RevocationListEntry
	var reasonGiven []bool // of each entry
	seen := map[string]string{}
	for _, r := range o.revoke {
		serial := r.serial
		if r.file != "" {
			certs, err := x509util.LoadCertificateFile(r.file)
			if err != nil {
				return err
			}
			c := certs[0]
			if !bytes.Equal(c.RawIssuer, ca.RawSubject) || c.CheckSignatureFrom(ca) != nil {
				return fmt.Errorf("%w: %s (%s) was not issued by the CA %s, so its CRL cannot revoke it",
					x509util.ErrIssuer, r.file, certSubject(c), certSubject(ca))
			}
			serial = c.SerialNumber
		}
		hex := x509util.FormatSerial(serial)
		if prev, dup := seen[hex]; dup {
			return usagef("--revoke %q and --revoke %q both name serial %s", prev, r.spec, hex)
		}
		seen[hex] = r.spec
		entries = append(entries, x509.RevocationListEntry{SerialNumber: serial, RevocationTime: now.UTC(), ReasonCode: r.reason})
		reasonGiven = append(reasonGiven, r.reasonGiven)
	}
	warnings, err := crlFollow(o, ca, entries, reasonGiven, &number)
	if err != nil {
		return err
	}
	if key == nil {
		k, err := keyref.Open(o.caKeyRef, o.keys)
		if err != nil {
			return err
		}
		defer k.Close()
		key = k
	}
	if o.caFile != "" {
		if err := checkCAKey(o.caFile, o.caKeyRef, ca, key); err != nil {
			return err
		}
	}
	next := now.Add(time.Duration(o.days) * 24 * time.Hour)
	der, crl, err := x509util.CreateCRL(x509util.CRLRequest{
		Issuer:     ca,
		IssuerKey:  key,
		Revoked:    entries,
		Number:     number,
		Now:        now,
		NextUpdate: next,
	})
	if err != nil {
		return err
	}
	if crl.NextUpdate.Before(next) {
		// Clipped to the CA's end (x509util.CreateCRL), as cert create clips a validity.
		warnings = append(warnings, fmt.Sprintf("nextUpdate clipped to the CA's end, %s: a CRL does not outlive the CA that signs it",
			crl.NextUpdate.UTC().Format(time.RFC3339)))
	}
	for _, w := range warnings {
		e.warnf("%s", w)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
	if err := atomicfile.WriteFile(o.out, data, atomicfile.Options{Perm: 0o644, Force: o.force}); err != nil {
		return err
	}
	if !o.json {
		return nil
	}
	return writeJSON(e.stdout, struct {
		File     string           `json:"file"`
		Warnings []string         `json:"warnings"`
		CRL      x509util.CRLInfo `json:"crl"`
	}{o.out, warnings, x509util.DescribeCRL(crl, now)})
}

// crlPrevious reads the CRL the new one follows: --previous, or else the CRL of the same CA
// that -o replaces (nil when -o is new, or holds something else, which --force replaces).
// A CRL with the CA's name that its key did not sign (an earlier key of the CA, after a
// rollover) is never passed over, which would drop the certificates it lists without a
// word: -o's is refused (ErrIssuer), naming --previous; --previous's is followed, with the
// warning returned that its signature is not checked.
func crlPrevious(o *crlCreateOptions, ca *x509.Certificate) (crl *x509.RevocationList, path, warning string, err error) {
	path, explicit := o.previous, o.previous != ""
	if !explicit {
		path = o.out
		if _, err := os.Stat(path); err != nil {
			return nil, "", "", nil
		}
	}
	data, err := readlimit.ReadFile(path, x509util.MaxCertificateFileSize)
	if err == nil {
		crl, err = x509util.ParseCRL(data)
	}
	if err == nil && !bytes.Equal(crl.RawIssuer, ca.RawSubject) {
		err = fmt.Errorf("%w: %s is not a CRL of the CA %s", x509util.ErrIssuer, path, certSubject(ca))
	}
	switch {
	case err != nil && explicit:
		return nil, "", "", fmt.Errorf("--previous %s: %w", path, err)
	case err != nil:
		return nil, "", "", nil
	}
	if sigErr := crl.CheckSignatureFrom(ca); sigErr != nil {
		if !explicit {
			return nil, "", "", fmt.Errorf("%w: -o %s is a CRL named for the CA %s that its key did not sign (an earlier key of the CA?), listing %d certificates that replacing it would make valid again without a word: to follow it, give it as --previous %s (its signature is not checked) and -o another file; or move it away",
				x509util.ErrIssuer, path, certSubject(ca), len(crl.RevokedCertificateEntries), path)
		}
		warning = fmt.Sprintf("--previous %s is named for the CA %s but its key did not sign it (an earlier key of the CA?): followed without its signature checked", path, certSubject(ca))
	}
	return crl, path, warning, nil
}

// crlPreviousFlag names where the previous CRL came from: "--previous FILE" or "-o FILE".
func crlPreviousFlag(o *crlCreateOptions, path string) string {
	if o.previous != "" {
		return "--previous " + path
	}
	return "-o " + path
}

// crlFollow makes the new CRL follow the previous one of its CA (crlPrevious): its number
// must be greater (RFC 5280 5.2.3: CRL numbers increase), a certificate it lists again keeps
// the revocation date it had, so that re-issuing a CRL never moves a revocation later, and
// its reason when none is given now (a reason given, unspecified too, replaces it: a reason
// may change, as certificateHold to keyCompromise; a compromise that becomes another reason
// is warned about); and each certificate it no longer lists is named in a warning, since that
// certificate is valid again. An entry of the previous CRL with removeFromCRL (a delta CRL's
// reason, which another tool may have written) counts as not listed. It returns the warnings.
func crlFollow(o *crlCreateOptions, ca *x509.Certificate, entries []x509.RevocationListEntry, reasonGiven []bool, number **big.Int) ([]string, error) {
	warnings := []string{}
	prev, path, warning, err := crlPrevious(o, ca)
	if err != nil || prev == nil {
		return warnings, err
	}
	if warning != "" {
		warnings = append(warnings, warning)
	}
	if prev.Number != nil && (*number).Cmp(prev.Number) <= 0 {
		if o.number != nil {
			return nil, usagef("--number %s does not exceed %s, the number of the CRL in %s: CRL numbers must increase (RFC 5280 5.2.3)", o.number, prev.Number, path)
		}
		next := new(big.Int).Add(prev.Number, big.NewInt(1))
		if next.BitLen() > x509util.MaxCRLNumberBits {
			return nil, usagef("%s: its CRL number %s is the last RFC 5280 5.2.3 allows (2^159-1, 20 octets): no CRL can follow it", crlPreviousFlag(o, path), prev.Number)
		}
		*number = next
	}
	old := map[string]x509.RevocationListEntry{}
	for _, p := range prev.RevokedCertificateEntries {
		if p.ReasonCode != crlRemoveFromCRL {
			old[p.SerialNumber.String()] = p
		}
	}
	for i := range entries {
		k := entries[i].SerialNumber.String()
		p, ok := old[k]
		if !ok {
			continue
		}
		delete(old, k)
		entries[i].RevocationTime = p.RevocationTime.UTC()
		switch {
		case !reasonGiven[i] && (p.ReasonCode == 7 || p.ReasonCode > 10 || p.ReasonCode < 0):
			// Another tool's CRL may hold a code no CRL may carry (RFC 5280 5.3.1): it is
			// not inherited, and the entry is written without a reason.
			warnings = append(warnings, fmt.Sprintf("serial %s has reason code %d in %s, which no CRL may carry (RFC 5280 5.3.1): written without a reason",
				x509util.FormatSerial(entries[i].SerialNumber), p.ReasonCode, path))
		case !reasonGiven[i]:
			entries[i].ReasonCode = p.ReasonCode
		case crlCompromise(p.ReasonCode) && !crlCompromise(entries[i].ReasonCode):
			warnings = append(warnings, fmt.Sprintf("serial %s, revoked for %s in %s, is now revoked for %s: relying parties no longer learn that its key was compromised",
				x509util.FormatSerial(entries[i].SerialNumber), x509util.ReasonName(p.ReasonCode), path, x509util.ReasonName(entries[i].ReasonCode)))
		}
	}
	for _, p := range prev.RevokedCertificateEntries {
		if _, dropped := old[p.SerialNumber.String()]; dropped {
			delete(old, p.SerialNumber.String()) // once, should it be listed twice there
			warnings = append(warnings, fmt.Sprintf("serial %s, revoked in %s since %s, is not listed: this CRL makes it valid again",
				x509util.FormatSerial(p.SerialNumber), path, p.RevocationTime.UTC().Format(time.RFC3339)))
		}
	}
	return warnings, nil
}

// crlRemoveFromCRL is the reason code removeFromCRL (RFC 5280 5.3.1), of delta CRLs only.
const crlRemoveFromCRL = 8

// crlCompromise reports whether a reason code says a key was compromised: keyCompromise,
// cACompromise or aACompromise.
func crlCompromise(code int) bool { return code == 1 || code == 2 || code == 10 }
