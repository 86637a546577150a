package verify_test

import (
	"encoding/asn1"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// gnSmtpUTF8 is an otherName SmtpUTF8Mailbox (RFC 9598 3: id-on-SmtpUTF8Mailbox,
// 1.3.6.1.5.5.7.8.9, [0] EXPLICIT UTF8String).
func gnSmtpUTF8(s string) []byte {
	return gnOther(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 9}, append([]byte{0x0c, byte(len(s))}, s...))
}

// gnOther is an otherName of type id with the DER value v.
func gnOther(id asn1.ObjectIdentifier, v []byte) []byte {
	return gn(0, true, append(mustMarshal(id), gn(0, true, v)...))
}

// eaiChain is root -> CA with the name constraints given -> leaf with the SANs given.
func eaiChain(t *testing.T, permitted, excluded [][]byte, sans ...[]byte) (*tpIssued, *tpIssued, *tpIssued) {
	root := lcRoot(t)
	ca := lcInter(t, root, "eai-ca", withNC(true, permitted, excluded))
	leaf := lcLeaf(t, ca, sanOf(sans...), func(c *tpCert) { c.eku = nil })
	return root, ca, leaf
}

// RFC 9598 6: rfc822Name name constraints hold SmtpUTF8Mailbox names, compared by their
// domain (in A-labels, ASCII lower-cased). Before, an SmtpUTF8Mailbox passed every
// rfc822Name constraint: a CA permitted only example.com mailboxes could certify
// üser@other.org.
func TestNMSmtpUTF8MailboxUnderRFC822Constraints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                string
		permitted, excluded [][]byte
		san                 string
		rule                string // "" valid
	}{
		{"permitted host, mailbox elsewhere", [][]byte{gnEmail("example.com")}, nil, "üser@other.org", "rfc5280.nc-permitted"},
		{"permitted host, mailbox there", [][]byte{gnEmail("example.com")}, nil, "üser@example.com", ""},
		{"permitted host, upper-case domain", [][]byte{gnEmail("example.com")}, nil, "üser@EXAMPLE.com", ""},
		{"permitted host, mailbox at a subdomain", [][]byte{gnEmail("example.com")}, nil, "üser@mail.example.com", "rfc5280.nc-permitted"},
		{"permitted domain, mailbox at a subdomain", [][]byte{gnEmail(".example.com")}, nil, "üser@mail.example.com", ""},
		{"permitted domain, mailbox at the host", [][]byte{gnEmail(".example.com")}, nil, "üser@example.com", "rfc5280.nc-permitted"},
		{"permitted A-label host, mailbox in A-labels", [][]byte{gnEmail("xn--pss25c.example.com")}, nil, "医生@xn--pss25c.example.com", ""},
		{"permitted A-label host, mailbox in U-labels", [][]byte{gnEmail("xn--pss25c.example.com")}, nil, "医生@大学.example.com", ""},
		{"permitted A-label host, other U-label", [][]byte{gnEmail("xn--pss25c.example.com")}, nil, "医生@学生.example.com", "rfc5280.nc-permitted"},
		{"excluded A-label host, mailbox in U-labels", nil, [][]byte{gnEmail("xn--pss25c.example.com")}, "医生@大学.example.com", "rfc5280.nc-excluded"},
		{"excluded host", nil, [][]byte{gnEmail("other.org")}, "üser@other.org", "rfc5280.nc-excluded"},
		{"excluded domain", nil, [][]byte{gnEmail(".other.org")}, "üser@mx.other.org", "rfc5280.nc-excluded"},
		{"excluded elsewhere", nil, [][]byte{gnEmail(".other.org")}, "üser@other.org", ""},
		{"excluded mailbox holds its host", nil, [][]byte{gnEmail("bob@other.org")}, "üser@other.org", "rfc5280.nc-excluded"},
		{"permitted mailbox holds no SmtpUTF8Mailbox", [][]byte{gnEmail("bob@example.com")}, nil, "üser@example.com", "rfc5280.nc-permitted"},
		{"other forms only", [][]byte{gnDNS("example.com")}, nil, "üser@other.org", ""},
		{"domain not IDNA2008", [][]byte{gnEmail(".example.com")}, nil, "üser@xn--abc.example.com", "rfc5280.nc-unchecked-name"},
		{"upper-case A-label", [][]byte{gnEmail(".example.com")}, nil, "üser@XN--BCHER-KVA.example.com", ""},
		{"underscore", [][]byte{gnEmail(".example.com")}, nil, "üser@_h.example.com", "rfc5280.nc-unchecked-name"},
		{"empty", [][]byte{gnEmail(".example.com")}, nil, "", "rfc5280.nc-unchecked-name"},
		{"byte order mark", [][]byte{gnEmail("example.com")}, nil, "\uFEFFüser@example.com", "rfc5280.nc-unchecked-name"},
		{"domain with a mapped character (Kelvin sign)", [][]byte{gnEmail("kexample.com")}, nil, "üser@\u212aexample.com", "rfc5280.nc-unchecked-name"},
		{"no domain", [][]byte{gnEmail("example.com")}, nil, "üser", "rfc5280.nc-unchecked-name"},
		{"trailing dot", nil, [][]byte{gnEmail("example.com")}, "üser@example.com.", "rfc5280.nc-unchecked-name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root, ca, leaf := eaiChain(t, tc.permitted, tc.excluded, gnDNS("example.com"), gnSmtpUTF8(tc.san))
			res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{ca}, nil)
			if tc.rule == "" {
				mustValid(t, res, err)
			} else {
				mustRule(t, res, err, tc.rule)
			}
		})
	}
}

// An SmtpUTF8Mailbox is an otherName too: under an otherName constraint, which signet cannot
// match (RFC 9598 6 has CAs constrain e-mail with rfc822Name only), it is refused as a name of
// a form signet cannot check, whatever its rfc822Name constraints say; an SmtpUTF8Mailbox
// whose value is not a UTF8String cannot be compared with an rfc822Name constraint.
func TestNMSmtpUTF8MailboxOtherForms(t *testing.T) {
	t.Parallel()
	ia5 := gnOther(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 8, 9}, append([]byte{0x16, 16}, "user@example.com"...))
	for _, tc := range []struct {
		name                string
		permitted, excluded [][]byte
		san                 []byte
		rule                string
	}{
		{"permitted SmtpUTF8Mailbox otherName", [][]byte{gnSmtpUTF8("üser@example.com")}, nil, gnSmtpUTF8("üser@example.com"), "rfc5280.nc-unsupported-form"},
		{"excluded SmtpUTF8Mailbox otherName", nil, [][]byte{gnSmtpUTF8("x@other.org")}, gnSmtpUTF8("üser@example.com"), "rfc5280.nc-unsupported-form"},
		{"permitted rfc822Name and otherName", [][]byte{gnEmail("example.com"), gnSmtpUTF8("üser@example.com")}, nil, gnSmtpUTF8("üser@example.com"), "rfc5280.nc-unsupported-form"},
		{"value an IA5String", [][]byte{gnEmail("example.com")}, nil, ia5, "rfc5280.nc-unchecked-name"},
		{"value an IA5String, no rfc822Name constraint", [][]byte{gnDNS("example.com")}, nil, ia5, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root, ca, leaf := eaiChain(t, tc.permitted, tc.excluded, gnDNS("example.com"), tc.san)
			res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{ca}, nil)
			if tc.rule == "" {
				mustValid(t, res, err)
			} else {
				mustRule(t, res, err, tc.rule)
			}
		})
	}
}

// The refusal names the SmtpUTF8Mailbox as one, its value escaped, and the rfc822Name subtree.
func TestNMSmtpUTF8MailboxMessage(t *testing.T) {
	t.Parallel()
	root, ca, leaf := eaiChain(t, [][]byte{gnEmail("example.com")}, nil, gnSmtpUTF8("üser\u202e@other.org"))
	res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{ca}, nil)
	mustRule(t, res, err, "rfc5280.nc-permitted")
	if want := `SmtpUTF8Mailbox üser\E2\80\AE@other.org is outside the permitted rfc822Name subtrees (example.com)`; !strings.Contains(err.Error(), want) {
		t.Fatalf("message %q does not say %q", err, want)
	}
}

// openssl 3.0 implements SmtpUTF8Mailbox under rfc822Name constraints as RFC 8398 had it, not
// RFC 9598: it turns the constraint's A-labels into U-labels and compares them with the
// mailbox's domain. Every verdict is pinned, signet's and openssl's, with who is right where
// they differ.
func TestNMSmtpUTF8MailboxAgainstOpenSSL(t *testing.T) {
	t.Parallel()
	openssl, _ := exec.LookPath("openssl")
	if openssl == "" {
		t.Skip("no openssl")
	}
	if v, _ := exec.Command(openssl, "version").Output(); !strings.HasPrefix(string(v), "OpenSSL 3.0.") {
		t.Skipf("verdicts pinned for OpenSSL 3.0, not %s", v)
	}
	for _, tc := range []struct {
		name                string
		permitted, excluded [][]byte
		san                 []byte
		signet              string // rule, "" valid
		openssl             bool
		why                 string // where they differ
	}{
		{"permitted host, mailbox elsewhere", [][]byte{gnEmail("example.com")}, nil, gnSmtpUTF8("üser@other.org"), "rfc5280.nc-permitted", false, ""},
		{"permitted host, mailbox there", [][]byte{gnEmail("example.com")}, nil, gnSmtpUTF8("üser@example.com"), "", true, ""},
		{"permitted host, upper-case domain", [][]byte{gnEmail("example.com")}, nil, gnSmtpUTF8("üser@EXAMPLE.com"), "", true, ""},
		{"excluded host", nil, [][]byte{gnEmail("other.org")}, gnSmtpUTF8("üser@other.org"), "rfc5280.nc-excluded", false, ""},
		{"permitted mailbox", [][]byte{gnEmail("bob@example.com")}, nil, gnSmtpUTF8("üser@example.com"), "rfc5280.nc-permitted", false, ""},
		{"permitted U-label mailbox domain", [][]byte{gnEmail("xn--pss25c.example.com")}, nil, gnSmtpUTF8("医生@大学.example.com"), "", true, ""},
		{"permitted A-label mailbox domain", [][]byte{gnEmail("xn--pss25c.example.com")}, nil, gnSmtpUTF8("医生@xn--pss25c.example.com"), "", false,
			"signet: RFC 9598 3 and 5 write and compare the domain in A-labels; openssl compares the constraint's U-labels with it (RFC 8398)"},
		{"permitted domain, mailbox below it", [][]byte{gnEmail(".example.com")}, nil, gnSmtpUTF8("üser@mail.example.com"), "", false,
			"signet: RFC 9598 6, a constraint starting with a period holds every host below it; openssl 3.0 compares the wrong span of the mailbox"},
		{"excluded mailbox", nil, [][]byte{gnEmail("bob@other.org")}, gnSmtpUTF8("üser@other.org"), "rfc5280.nc-excluded", true,
			"signet's choice: RFC 9598 6 strips the local part, so the excluded mailbox's host holds the SmtpUTF8Mailbox; openssl matches none"},
		{"permitted SmtpUTF8Mailbox otherName", [][]byte{gnSmtpUTF8("üser@example.com")}, nil, gnSmtpUTF8("üser@example.com"), "rfc5280.nc-unsupported-form", true,
			"signet: an otherName constraint it cannot match fails closed (RFC 9598 6 has CAs constrain e-mail with rfc822Name only); openssl ignores it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root, ca, leaf := eaiChain(t, tc.permitted, tc.excluded, gnDNS("example.com"), tc.san)
			res, err := verifyChain(t, leaf, []*tpIssued{root}, []*tpIssued{ca}, nil)
			if tc.signet == "" {
				mustValid(t, res, err)
			} else {
				mustRule(t, res, err, tc.signet)
			}
			if (tc.signet == "") != tc.openssl && tc.why == "" {
				t.Fatal("signet and openssl differ without a reason given")
			}
			dir := t.TempDir()
			out, oerr := exec.Command(openssl, "verify", "-x509_strict", "-attime", fmt.Sprint(tpAt.Unix()),
				"-CAfile", writePEM(t, dir, "root.pem", root), "-untrusted", writePEM(t, dir, "ca.pem", ca), writePEM(t, dir, "leaf.pem", leaf)).CombinedOutput()
			if (oerr == nil) != tc.openssl {
				t.Fatalf("openssl accepts: %v, pinned %v\n%s", oerr == nil, tc.openssl, out)
			}
		})
	}
}
