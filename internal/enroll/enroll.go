// Package enroll carries a key on a PKCS#11 token through to a client certificate stored
// beside it: use or generate the key on the token, make a CSR with it, have it issued (by a
// CA the operator holds, or by an external CA in a second step), and import the certificate
// and its chain onto the token with the key's label and id.
//
// Everything that can be checked is checked before anything is written to the token: the CA
// certificate is a CA whose key is the one given and whose chain verifies, the names and
// profile asked for are ones it may certify (before a key is generated), an issued
// certificate matches the token key and chains to its CA. Enrolling again on a token that
// holds the key and a valid certificate for it (of the CA, for the names and the profile's
// extended key usage asked for) changes nothing unless Force renews the certificate, so a
// token never ends up with a second key or a second certificate. The writes are all or
// nothing: the key's certificate and its chain are checked together before the first is
// written (hsm.Token.ImportKeyChain), a key generated for an enrolment that then fails is
// deleted again, and a signal that comes meanwhile waits for the end (hsm.HoldSignals).
package enroll

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"github.com/signet-pki/signet/hsm"
	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/verify"
	"github.com/signet-pki/signet/x509util"
)

// ErrCANotChaining is returned when the CA certificate given does not verify up to a root
// in its own file, or an issued certificate does not chain to it.
var ErrCANotChaining = errors.New("enroll: the CA does not chain")

// Options for Enroll. Exactly one of (CA and CAKey) or CSROut-style (WantCSR) applies; see
// the fields.
type Options struct {
	// Token is the URI of the key on the token; it must name the key with object= (and
	// may give id=).
	Token string
	// TokenOptions reach the token (module, PIN prompt, warnings).
	TokenOptions hsm.Options
	// KeyType is the type of a key generated when the token has none at Token.
	KeyType x509util.KeyType
	// Subject and SANs go into the CSR and the certificate.
	Subject pkix.RDNSequence
	SANs    x509util.SANs
	// Profile is the certificate profile; zero means client.
	Profile x509util.Profile

	// CA is the issuing CA certificate, followed by its own chain up to a root when the file
	// holds one; CAKey its key (a file or another token). When nil, Enroll stops after the CSR.
	// The names enrolled are held to the name constraints of every CA given, as cert create
	// holds them (x509util.IssueRequest.IssuerChain).
	CA    []*x509.Certificate
	CAKey crypto.Signer
	// NotAfter zero means the profile's default lifetime (clipped to the CA's).
	NotAfter time.Time
	// Force renews the certificate of an already enrolled key, and replaces a CA certificate
	// on the token that the CA renewed (the same subject and key) with the one given.
	Force bool
	Now   time.Time
}

// Result says what Enroll or Finish did. Its JSON form is part of signet's output.
type Result struct {
	// KeyURI selects the key (and with it the certificate) from now on.
	KeyURI string `json:"key_uri"`
	// KeyGenerated is true when the key was made on the token in this run.
	KeyGenerated bool   `json:"key_generated"`
	KeyType      string `json:"key_type"`
	Fingerprint  string `json:"key_fingerprint"`
	// AlreadyEnrolled is true when the token held the key and a valid certificate and
	// nothing was changed.
	AlreadyEnrolled bool `json:"already_enrolled"`
	// CSR is the PEM request, set when no CA was given (the caller writes it).
	CSR []byte `json:"-"`
	// Certificate is the certificate now on the token (nil when stopping at the CSR).
	Certificate *x509.Certificate `json:"-"`
	Subject     string            `json:"subject,omitempty"`
	Issuer      string            `json:"issuer,omitempty"`
	NotAfter    string            `json:"not_after,omitempty"`
	// Renewed is true when Force replaced an existing certificate.
	Renewed bool `json:"renewed"`
	// Imported lists the URIs of certificate objects written to the token.
	Imported []string `json:"imported,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Enroll runs the enrolment: key, CSR, and with a CA the certificate on the token.
func Enroll(opts Options) (*Result, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	profile := opts.Profile
	if profile == "" {
		profile = x509util.ProfileClient
	}
	var subject pkix.Name
	subject.FillFromRDNSequence(&opts.Subject)
	// The subject is issued as asked, byte for byte, as cert create issues a --subject:
	// pkix.Name, which subject is for the messages, keeps only the attributes it has fields
	// for (no UID, DC, title, emailAddress, ...) and splits multi-valued RDNs.
	var rawSubject []byte
	if len(opts.Subject) > 0 {
		var err error
		if rawSubject, err = asn1.Marshal(opts.Subject); err != nil {
			return nil, fmt.Errorf("%w: subject: %v", x509util.ErrInvalidName, err)
		}
	}
	if opts.CA != nil {
		if err := checkCA(opts.CA, opts.CAKey, now); err != nil {
			return nil, err
		}
		// What the CA would refuse whatever the key, refused before a key is generated on
		// the token for a certificate that cannot be issued.
		req := x509util.IssueRequest{Profile: profile, RawSubject: rawSubject, DNSNames: opts.SANs.DNSNames,
			IPAddresses: opts.SANs.IPAddresses, EmailAddresses: opts.SANs.EmailAddresses, URIs: opts.SANs.URIs,
			Issuer: opts.CA[0], IssuerChain: opts.CA[1:], Now: now}
		for _, check := range []func(x509util.IssueRequest) error{x509util.CheckProfileNames, x509util.CheckIssuerAllows, x509util.CheckNameConstraints} {
			if err := check(req); err != nil {
				return nil, err
			}
		}
	}
	u, err := hsm.ParseURI(opts.Token)
	if err != nil {
		return nil, err
	}
	if u.Object == "" && len(u.ID) == 0 {
		return nil, fmt.Errorf("%w: the token URI must name the key with object= (for example pkcs11:token=alice;object=client)", hsm.ErrInvalidURI)
	}
	tok, err := hsm.Open(opts.Token, opts.TokenOptions)
	if err != nil {
		return nil, err
	}
	defer tok.Close()

	res := &Result{}
	signer, err := tok.Signer(nil)
	if errors.Is(err, hsm.ErrObjectNotFound) && opts.CA != nil {
		// A chain certificate that cannot go onto the token beside the key's certificate (the
		// key's label and id included) stops enrolment before the key is generated (for an
		// existing key, store checks it before anything is written).
		if err := tok.CheckKeyChainImport(u.Object, u.ID, x509util.IssuerPath(opts.CA[0], opts.CA[1:]), hsm.ChainOptions{RenewChain: opts.Force}); err != nil {
			return nil, needsForce(err, opts.Force)
		}
	}
	if !errors.Is(err, hsm.ErrObjectNotFound) {
		if err != nil {
			return nil, err
		}
		defer signer.Close()
		return enrollKey(tok, signer, res, opts, profile, rawSubject, subject, now)
	}
	// A key generated here is deleted again when the enrolment fails after it, and a signal
	// (Ctrl-C, SIGTERM, SIGHUP) that comes meanwhile ends signet once it is done, or undone:
	// the token gets the key with its certificate and chain, or nothing.
	err = hsm.HoldSignals(func() error {
		kt := opts.KeyType
		if kt == "" {
			kt = x509util.DefaultKeyType
		}
		key, err := tok.GenerateKey(nil, hsm.KeyType(kt))
		if err != nil {
			return err
		}
		res.KeyGenerated = true
		if testHookGenerated != nil {
			testHookGenerated()
		}
		signer, err := tok.Signer(nil)
		if err == nil {
			defer signer.Close()
			_, err = enrollKey(tok, signer, res, opts, profile, rawSubject, subject, now)
		}
		if err != nil {
			if uerr := undoKey(tok, key); uerr != nil {
				return fmt.Errorf("%w; %w", err, uerr)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// testHookGenerated, when set by a test, is called once Enroll has generated a key.
var testHookGenerated func()

// undoKey deletes the key pair Enroll generated (and a certificate written beside it).
func undoKey(tok *hsm.Token, key hsm.Object) error {
	ku, err := hsm.ParseURI(key.URI)
	if err == nil {
		_, err = tok.Delete(ku.WithType(""))
	}
	if err != nil {
		return fmt.Errorf("the key generated for the enrolment is still on the token (%s): %w", key.URI, err)
	}
	return nil
}

// ForceError is an error that Options.Force (FinishOptions.Force) gets past: the key already
// has a certificate, or the token a CA certificate that its CA renewed, which the enrolment
// would replace. Err says what and wraps the hsm sentinel (hsm.ErrExists,
// hsm.ErrChainRenewal); the caller tells its user how to set Force, which this package
// cannot name (a flag, a setting).
type ForceError struct{ Err error }

func (e *ForceError) Error() string { return e.Err.Error() }
func (e *ForceError) Unwrap() error { return e.Err }

// needsForce marks an error of a CA's renewed certificate as one Force gets past.
func needsForce(err error, force bool) error {
	if !force && errors.Is(err, hsm.ErrChainRenewal) {
		return &ForceError{err}
	}
	return err
}

// enrollKey is Enroll once the key is on the token: the CSR, and with a CA the certificate
// issued and stored.
func enrollKey(tok *hsm.Token, signer *hsm.Signer, res *Result, opts Options, profile x509util.Profile, rawSubject []byte,
	subject pkix.Name, now time.Time) (*Result, error) {
	if err := describeKey(res, signer); err != nil {
		return nil, err
	}

	if existing := signer.Certificate(); existing != nil && !opts.Force {
		if enrolledOK(existing, signer.Public(), opts.CA, now) {
			// Valid, but for the names asked for? A token handed on (alice's, enrolled now
			// for bob) must not report bob enrolled while it holds alice's certificate.
			err := sameNames(existing, opts.Subject, subject, opts.SANs)
			if err == nil {
				err = sameProfile(existing, profile)
			}
			if err != nil {
				return nil, &ForceError{fmt.Errorf("%w: the key already has a certificate for %s, valid until %s, %v",
					hsm.ErrExists, x509util.FormatName(existing.Subject), existing.NotAfter.UTC().Format(time.RFC3339), err)}
			}
			res.AlreadyEnrolled = true
			describeCert(res, existing)
			return res, nil
		}
		return nil, &ForceError{fmt.Errorf("%w: the key already has a certificate (%s, valid until %s) that is expired or not from this CA",
			hsm.ErrExists, x509util.FormatName(existing.Subject), existing.NotAfter.UTC().Format(time.RFC3339))}
	}

	csr, err := x509util.CreateCSR(signer, opts.Subject, opts.SANs)
	if err != nil {
		return nil, err
	}
	if opts.CA == nil {
		res.CSR = x509util.MarshalCSRPEM(csr)
		return res, nil
	}
	issued, err := x509util.IssueCertificate(x509util.IssueRequest{
		Profile:        profile,
		RawSubject:     rawSubject,
		PublicKey:      csr.PublicKey,
		DNSNames:       csr.DNSNames,
		IPAddresses:    csr.IPAddresses,
		EmailAddresses: csr.EmailAddresses,
		URIs:           csr.URIs,
		NotAfter:       opts.NotAfter,
		Issuer:         opts.CA[0],
		IssuerChain:    opts.CA[1:], // their name constraints hold too
		IssuerKey:      opts.CAKey,
		Now:            now,
	})
	if err != nil {
		return nil, err
	}
	res.Warnings = issued.Warnings
	if err := store(tok, signer, res, issued.Certificate, opts.CA, opts.Force); err != nil {
		return nil, err
	}
	return res, nil
}

// FinishOptions complete an enrolment whose CSR went to an external CA.
type FinishOptions struct {
	Token        string
	TokenOptions hsm.Options
	// Certificate is the issued certificate; Chain its issuers (optional, leaf's issuer
	// first). When a chain is given the certificate must verify up to its last certificate.
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	Force       bool
	Now         time.Time
}

// Finish imports a certificate issued for the token key, with its chain.
func Finish(opts FinishOptions) (*Result, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	tok, err := hsm.Open(opts.Token, opts.TokenOptions)
	if err != nil {
		return nil, err
	}
	defer tok.Close()
	signer, err := tok.Signer(nil)
	if err != nil {
		return nil, err
	}
	defer signer.Close()
	res := &Result{}
	if err := describeKey(res, signer); err != nil {
		return nil, err
	}
	if !x509util.PublicKeysEqual(opts.Certificate.PublicKey, signer.Public()) {
		return nil, fmt.Errorf("%w: the certificate \"%s\" is not for the key %s", hsm.ErrKeyMismatch, x509util.FormatName(opts.Certificate.Subject), res.KeyURI)
	}
	if existing := signer.Certificate(); existing != nil {
		if existing.Equal(opts.Certificate) {
			res.AlreadyEnrolled = true
			describeCert(res, existing)
			return res, nil
		}
		if !opts.Force {
			return nil, &ForceError{fmt.Errorf("%w: the key already has a certificate (%s)", hsm.ErrExists, x509util.FormatName(existing.Subject))}
		}
	}
	// Checked whether or not a chain comes with it (the chain's check covers it too): a
	// certificate that is not valid now would be stored only to fail every handshake.
	if c := opts.Certificate; now.Before(c.NotBefore) || now.After(c.NotAfter) {
		return nil, fmt.Errorf("%w: the certificate \"%s\" is not valid now (from %s until %s)", verify.ErrInvalid,
			x509util.FormatName(c.Subject), c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
	}
	if len(opts.Chain) > 0 {
		if err := chains(opts.Certificate, opts.Chain, now); err != nil {
			return nil, err
		}
	}
	if err := store(tok, signer, res, opts.Certificate, opts.Chain, opts.Force); err != nil {
		return nil, err
	}
	return res, nil
}

// store writes the certificate beside the key (replacing the old one when renewing) and its
// issuer chain, as far as chain holds it, as separate objects.
func store(tok *hsm.Token, signer *hsm.Signer, res *Result, cert *x509.Certificate, chain []*x509.Certificate, force bool) error {
	if !x509util.PublicKeysEqual(cert.PublicKey, signer.Public()) {
		return fmt.Errorf("%w: the issued certificate is not for the token key", hsm.ErrKeyMismatch)
	}
	if len(chain) > 0 && cert.CheckSignatureFrom(chain[0]) != nil {
		return fmt.Errorf("%w: \"%s\" was not issued by \"%s\"", ErrCANotChaining, x509util.FormatName(cert.Subject), x509util.FormatName(chain[0].Subject))
	}
	// The token stays open meanwhile, so the module, session and login are shared and the
	// PIN is not asked again. Only the issuer and the CAs above it go, in order
	// (x509util.IssuerPath): not another certificate kept in the CA file, which would be sent
	// with the key's certificate. ImportKeyChain checks every certificate it will write (the
	// key's with them) before it writes any, writes the key's last, after its chain, replacing
	// the old one only once the new one is written, and undoes what it wrote when a write fails.
	full := []*x509.Certificate{cert}
	if len(chain) > 0 {
		full = append(full, x509util.IssuerPath(chain[0], chain[1:])...)
	}
	old := signer.Certificate()
	if old != nil && !force {
		return fmt.Errorf("%w: the key already has a certificate", hsm.ErrExists)
	}
	ku, err := hsm.ParseURI(signer.Object().URI)
	if err != nil {
		return err
	}
	objs, err := tok.ImportKeyChain(ku, full, hsm.ChainOptions{Replace: old, RenewChain: force})
	if err != nil {
		return needsForce(err, force)
	}
	for _, o := range objs {
		res.Imported = append(res.Imported, o.URI)
	}
	res.Renewed = old != nil
	res.Certificate = cert
	describeCert(res, cert)
	return nil
}

func describeKey(res *Result, s *hsm.Signer) error {
	res.KeyURI = s.Object().URI
	info, err := x509util.Inspect(s.Public())
	if err != nil {
		return err
	}
	res.KeyType, res.Fingerprint = string(info.Type), info.Fingerprint
	return nil
}

// describeCert fills in the certificate's part of the result. Names are written with
// x509util.FormatName: the CA chose them, and they are printed.
func describeCert(res *Result, c *x509.Certificate) {
	res.Certificate = c
	res.Subject, res.Issuer = x509util.FormatName(c.Subject), x509util.FormatName(c.Issuer)
	res.NotAfter = c.NotAfter.UTC().Format(time.RFC3339)
}

// checkCA makes sure the CA can issue and chains: it is a CA with keyCertSign whose key is
// caKey, and when its file carries a chain, that chain verifies.
func checkCA(ca []*x509.Certificate, caKey crypto.Signer, now time.Time) error {
	if caKey == nil {
		return fmt.Errorf("%w: a CA certificate needs its key (--ca-key)", x509util.ErrIssuer)
	}
	if err := x509util.CheckIssuer(ca[0], caKey, x509.KeyUsageCertSign); err != nil {
		return err
	}
	root := ca[len(ca)-1]
	if _, err := verify.Verify(ca[0], ca[1:], verify.Policy{Roots: []*x509.Certificate{root}, At: now}); err != nil {
		return fmt.Errorf("%w: %v", ErrCANotChaining, err)
	}
	return nil
}

// chains reports whether cert verifies up to the last certificate of chain.
func chains(cert *x509.Certificate, chain []*x509.Certificate, now time.Time) error {
	root := chain[len(chain)-1]
	if _, err := verify.Verify(cert, chain, verify.Policy{Roots: []*x509.Certificate{root}, At: now}); err != nil {
		return fmt.Errorf("%w: %v", ErrCANotChaining, err)
	}
	return nil
}

// enrolledOK reports whether an existing certificate can stay: it certifies the key, is valid
// now, and (when a CA is given) was issued by it.
func enrolledOK(cert *x509.Certificate, pub crypto.PublicKey, ca []*x509.Certificate, now time.Time) bool {
	if !x509util.PublicKeysEqual(cert.PublicKey, pub) || now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return false
	}
	return ca == nil || cert.CheckSignatureFrom(ca[0]) == nil
}

// sameProfile reports, as an error in words, that an existing certificate does not allow the
// extended key usage the profile asked for issues, as a verifier reads it (no EKU extension,
// or anyExtendedKeyUsage, allows every usage): a client certificate kept where a server one
// was asked for would fail every handshake it is meant for.
func sameProfile(cert *x509.Certificate, profile x509util.Profile) error {
	want, ok := x509util.ProfileExtKeyUsage(profile)
	if !ok || len(cert.ExtKeyUsage) == 0 && len(cert.UnknownExtKeyUsage) == 0 ||
		slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageAny) || slices.Contains(cert.ExtKeyUsage, want) {
		return nil
	}
	return fmt.Errorf("not for the %s profile (%s)", profile, x509util.ExtKeyUsageName(x509util.ExtKeyUsageOID(want)))
}

// sameNames reports, as an error in words, how an existing certificate's names differ from
// the subject and SANs an enrolment asks for: the subject compared as RFC 5280 7.1 says with
// the RDNs asked for (raw, as the CSR carries them to an outside CA) or with pkix.Name's
// re-encoding of them (which reorders attributes and splits multi-valued RDNs: what enroll
// issued before it issued the subject as given), and the SANs, when any are asked for, as
// sets. The re-encoding counts only when it keeps every attribute asked for: it drops those
// pkix.Name has no field for (UID, DC, title, emailAddress, a second CN), and a certificate
// without them is not the one asked for (another person's "CN=alice", or one the old enroll
// issued without the attributes asked).
func sameNames(cert *x509.Certificate, raw pkix.RDNSequence, subject pkix.Name, sans x509util.SANs) error {
	same := false
	seqs := []pkix.RDNSequence{raw}
	if reenc := subject.ToRDNSequence(); attributeCount(reenc) == attributeCount(raw) {
		seqs = append(seqs, reenc)
	}
	for _, seq := range seqs {
		want, err := asn1.Marshal(seq)
		if err != nil {
			return err
		}
		same = same || pkixname.EqualDER(cert.RawSubject, want)
	}
	if !same {
		return fmt.Errorf("not the subject asked for (%s)", x509util.FormatName(subject))
	}
	set := func(in []string) []string {
		out := slices.Clone(in)
		slices.Sort(out)
		return slices.Compact(out)
	}
	strs := func(n int, at func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = at(i)
		}
		return set(out)
	}
	ips := func(in []net.IP) []string { return strs(len(in), func(i int) string { return in[i].String() }) }
	uris := func(in []*url.URL) []string { return strs(len(in), func(i int) string { return in[i].String() }) }
	if sans.Len() == 0 {
		return nil // none asked for: the subject names the enrolment
	}
	if !slices.Equal(set(cert.DNSNames), set(sans.DNSNames)) || !slices.Equal(set(cert.EmailAddresses), set(sans.EmailAddresses)) ||
		!slices.Equal(ips(cert.IPAddresses), ips(sans.IPAddresses)) || !slices.Equal(uris(cert.URIs), uris(sans.URIs)) {
		return errors.New("not the subject alternative names asked for")
	}
	return nil
}

// attributeCount is the number of attributes in a name, over all its RDNs.
func attributeCount(seq pkix.RDNSequence) int {
	n := 0
	for _, rdn := range seq {
		n += len(rdn)
	}
	return n
}
