package main

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/pkixname"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// What signet verify prints: a verdict line per file (names escaped), the manifest's lines,
// the --json report, and the hint for the first failure.

// artifactFailure is what the verdict line of a failed artifact says: the verifier's reason,
// except where it would mislead (a file that does not exist is not missing a signature; a
// file named as a signature that holds no signature format at all is not "another format").
func artifactFailure(r *verify.ArtifactResult) string {
	switch err := r.Err(); {
	case errors.Is(err, verify.ErrNoSignature):
		if _, serr := os.Lstat(r.File); errors.Is(serr, fs.ErrNotExist) {
			return "no such file"
		}
	case errors.Is(err, verify.ErrMisnamedSignature) && r.SignatureFile != "":
		if _, ok := sigformat.DetectFile(r.SignatureFile); !ok {
			return fmt.Sprintf("%s is not a signature: its content is none of the signature formats", digest.QuoteName(r.SignatureFile))
		}
	}
	return userMessage(r.Error)
}

// verifyReport is what --json prints.
type verifyReport struct {
	Valid     bool   `json:"valid"`
	ExitCode  int    `json:"exit_code"`
	LocalRoot string `json:"local_root"`
	// Reason, Rule and Error are a failure of the run as a whole, not of one file (an --ocsp
	// response about no chain verified); absent otherwise.
	Reason    string                   `json:"reason,omitempty"`
	Rule      string                   `json:"rule,omitempty"`
	Error     string                   `json:"error,omitempty"`
	Artifacts []*verify.ArtifactResult `json:"artifacts,omitempty"`
	Manifest  *verify.ManifestResult   `json:"manifest,omitempty"`
}

type verifyFailure struct {
	name    string
	sigFile string
	format  sigformat.Format
	msg     string // what the verdict line said
	err     error
	line    bool // a malformed line of a manifest, not a file
	raw     bool // a raw signature did not match (-a may be wrong)
	rsaRaw  bool // ... with an RSA key (--pss may be missing)
}

func isRSA(k any) bool {
	_, ok := k.(*rsa.PublicKey)
	return ok
}

// verifyManifestLines prints the manifest's verdict and one line per listed file, and returns
// the failures in list order.
func verifyManifestLines(w io.Writer, mr *verify.ManifestResult, quiet bool) []verifyFailure {
	var failures []verifyFailure
	lr := mr.Manifest
	if lr.Valid {
		if !quiet {
			verdictLine(w, "OK", lr.File, "signed by "+verifySignedBy(lr))
		}
	} else {
		if !quiet {
			verdictLine(w, "FAILED", lr.File, artifactFailure(lr))
		}
		return []verifyFailure{{name: lr.File, format: lr.Format, msg: lr.Error, err: lr.Err()}}
	}
	for i := range mr.Files {
		f := &mr.Files[i]
		switch f.Status {
		case verify.EntryIgnored:
			continue
		case verify.EntryOK:
			if !quiet {
				verdictLine(w, "OK", f.Path, "")
			}
			continue
		case verify.EntryMalformed:
			if !quiet {
				verdictLine(w, "FAILED", lr.File, f.Error)
			}
			failures = append(failures, verifyFailure{name: lr.File, msg: f.Error, err: f.Err(), line: true})
			continue
		}
		if !quiet {
			verdictLine(w, "FAILED", f.Path, userMessage(f.Error))
		}
		failures = append(failures, verifyFailure{name: f.Path, msg: f.Error, err: f.Err()})
	}
	if len(failures) == 0 && mr.Err() != nil {
		failures = append(failures, verifyFailure{name: lr.File, msg: mr.Error, err: mr.Err()})
	}
	return failures
}

// verdictLine writes "STATUS NAME: detail" (or "STATUS NAME" without detail) so that nothing
// in a name or a detail can forge another line or hide this one. The name is escaped as
// coreutils escapes names in checksum lines: when it holds a backslash or a control
// character, the line starts with a backslash and \\, \n, \r, \t and \xHH stand for them.
// Control characters left in the detail (a certificate's subject, a name quoted in a message)
// become RFC 4514 hex pairs, \0A for a newline.
func verdictLine(w io.Writer, status, name, detail string) {
	var b strings.Builder
	escaped, needs := escapeName(name)
	if needs {
		b.WriteByte('\\')
	}
	b.WriteString(status)
	b.WriteByte(' ')
	b.WriteString(escaped)
	if detail != "" {
		b.WriteString(": ")
		b.WriteString(escapeControls(detail))
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
}

// unsafeAt reports whether the rune at s[i:] (size bytes) could forge or hide output on a
// terminal, by the one rule of every printed name (pkixname.UnsafeRune).
func unsafeAt(r rune, size int) bool { return pkixname.UnsafeRune(r, size) }

// escapeName escapes a file name for a verdict line (see verdictLine), and says whether it had
// to: names without a backslash or an unsafe character are left as they are.
func escapeName(name string) (string, bool) {
	var b strings.Builder
	needs := false
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		char := name[i : i+size]
		i += size
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeAt(r, size):
			for _, c := range []byte(char) {
				fmt.Fprintf(&b, `\x%02x`, c)
			}
		default:
			b.WriteString(char)
			continue
		}
		needs = true
	}
	if !needs {
		return name, false
	}
	return b.String(), true
}

// escapeControls writes each byte of an unsafe character of s as an RFC 4514 hex pair ("\0A"),
// which is how a distinguished name spells a character it cannot show; a subject's own
// backslashes are already escaped by its RFC 4514 form, so a subject stays unambiguous.
func escapeControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeAt(r, size) {
			for _, c := range []byte(s[i : i+size]) {
				fmt.Fprintf(&b, `\%02X`, c)
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// verifySignedBy says who signed: the certificate and its chain, or the bare key.
func verifySignedBy(r *verify.ArtifactResult) string {
	s := r.Signer
	if s == nil {
		return "an unknown signer"
	}
	if s.Subject == "" {
		return fmt.Sprintf("key %s (%s)", s.KeyFingerprint, s.KeyType) + trustedCommentNote(r) + timestampNote(r)
	}
	out := fmt.Sprintf("%s (sha256:%s…)", s.Subject, s.SHA256[:16])
	var via []string
	for _, c := range s.Chain[min(1, len(s.Chain)):] {
		via = append(via, c.Subject)
	}
	if len(via) == 0 {
		return out + ", itself a trust anchor" + timestampNote(r)
	}
	return out + " via " + strings.Join(via, " → ") + timestampNote(r)
}

// verifyHint says what to do about the first failure, or "".
func verifyHint(f verifyFailure, o *verifyOptions) string {
	err := f.err
	switch {
	case errors.Is(err, verify.ErrNoKey) && f.format == sigformat.Raw:
		return "a raw signature names no certificate: give the signer's public key or certificate with --key FILE (and -a HASH when it is not sha256)"
	case errors.Is(err, verify.ErrNoKey) && f.format == sigformat.Minisign:
		return "a minisign signature names no certificate: give the signer's minisign public key file with --key FILE, as minisign -V -p takes it"
	case errors.Is(err, verify.ErrForgeableKey):
		return "--key is not a key a signer generated: ask the signer for their minisign public key file, by a channel you trust"
	case errors.Is(err, verify.ErrSignatureMismatch) && f.format == sigformat.Minisign:
		return "check that the file is the one signed and --key the signer's minisign public key file"
	case errors.Is(err, verify.ErrNoKey):
		return "give the signer's public key or certificate with --key FILE"
	case errors.Is(err, verify.ErrSignatureMismatch) && f.rsaRaw && !o.artifact.PSS:
		return "check that the file is the one signed, -a (the hash, sha256 by default) and --key; if the signature is RSA-PSS ('signet sign --pss', openssl -sigopt rsa_padding_mode:pss), add --pss"
	case errors.Is(err, verify.ErrSignatureMismatch) && f.raw:
		return "check that the file is the one signed, -a (the hash, sha256 by default) and --key"
	case errors.Is(err, verify.ErrSignerNotFound):
		return "the signature does not carry the certificate of the signer it names: give it with --intermediates SIGNER-CERT (its chain is then checked), check the signature alone with --key SIGNER-CERT, or ask for a signature that carries it"
	case ruleOf(err) == "signet.unsupported-algorithm" || ruleOf(err) == "sigstore.trusted-root-path":
		return chainHint(err, false)
	case errors.Is(err, verify.UnknownAuthority):
		return "give the root that issued the signer's chain with --roots FILE (and missing intermediates with --intermediates FILE)"
	case errors.Is(err, verify.CRLMissing):
		return chainHint(err, o.artifact.Policy.RequireCRL)
	case errors.Is(err, verify.ErrMalformedLine):
		return "a signed list must be in sha256sum's format throughout: its signer must make it again ('signet sign --manifest' or sha256sum) and sign it"
	case errors.Is(err, verify.ErrOutsidePath):
		return "add --allow-outside if the list is meant to vouch for files outside its directory"
	case errors.Is(err, verify.EKU):
		return "the signer's certificate is not for code signing; --eku NAME requires another usage, --eku any none"
	case errors.Is(err, verify.ErrNoSignature):
		if _, serr := os.Lstat(f.name); errors.Is(serr, fs.ErrNotExist) {
			return "check the name of the file to verify"
		}
		return "name the signature with --sig FILE"
	case errors.Is(err, verify.ErrMisnamedSignature):
		if _, ok := sigformat.DetectFile(f.sigFile); f.sigFile != "" && !ok {
			return "a web page or an error page saved under a signature's name is not one: fetch the signature again"
		}
		return "the signature's format does not match its name: rename it, or check that the right file was given"
	}
	return ""
}
