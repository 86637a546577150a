package sigformat

import (
	"strings"

	"github.com/signet-pki/signet/internal/nameset"
)

// SignatureOf is the one rule by which sign and verify tell, among the files they are given,
// the signatures of other files given: a re-run such as `signet sign dist/*` or `signet
// verify dist/*` over a directory that holds an earlier run's signatures must not sign them
// or verify them as artifacts, and must never let a file pass unchecked because of its name.
// name is the signature in format f of of when all of these hold:
//
//   - name is BASE followed by f's Extension (".sig", ".p7s", ".sigstore.json"), and BASE
//     is a name given: find finds it, and of is that name as it was given ("./a" for
//     "a.p7s", when find compares cleaned names, as sign and verify do), confirmed as the
//     same file as BASE (nameset.SameFile: a link can make two names that clean alike two files);
//   - no name given is name followed by a format's Extension: a file that is itself signed
//     is an artifact (the signature of a signature, what a second run with --force made);
//   - name's content is a signature in f (DetectFile): a text file called notes.sig, a web
//     page saved as x.sigstore.json, a bundle named .p7s are files like any other.
//
// raw says whether a raw signature (FILE.sig) is recognised. Raw signatures have no header:
// DetectFile knows them only by a plausible shape, which a binary artifact can have. So sign
// passes false (such a file is signed, never left out), and verify true, since it never
// skips a signature unchecked: it skips only the one it reads for of anyway, and checks any
// other as a further signature of of.
//
// find's errors (reading a name back) are returned as they are; a file that cannot be read
// is not a signature, left to the caller to report.
func SignatureOf(name string, raw bool, find func(name string) (given string, ok bool, err error)) (of string, f Format, ok bool, err error) {
	base, f, ok := signedName(name, raw)
	if !ok {
		return "", "", false, nil
	}
	of, ok, err = find(base)
	if err != nil || !ok {
		return "", "", false, err
	}
	for _, g := range Formats() {
		if _, signed, err := find(name + g.Extension()); err != nil || signed {
			return "", "", false, err
		}
	}
	if got, isSig := DetectFile(name); !isSig || got != f || !nameset.SameFile(base, of) {
		return "", "", false, nil
	}
	return of, f, true, nil
}

// MaySignatureOf says whether SignatureOf(name, raw, ...) can be true, by name alone (name is
// another name and a format's extension), without a look at the other names or the file: a
// run none of whose names may be a signature need not look further.
func MaySignatureOf(name string, raw bool) bool {
	_, _, ok := signedName(name, raw)
	return ok
}

// signedName is the first condition of SignatureOf: name is base and f's extension.
func signedName(name string, raw bool) (base string, f Format, ok bool) {
	for _, f := range Formats() {
		// The extensions are suffixes of none of the others: only f's can match.
		if base, cut := strings.CutSuffix(name, f.Extension()); cut && base != "" && (f != Raw || raw) {
			return base, f, true
		}
	}
	return "", "", false
}
