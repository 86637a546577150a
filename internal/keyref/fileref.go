package keyref

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/signet-pki/signet/internal/secret"
	"github.com/signet-pki/signet/x509util"
)

// A file reference may name the source of its key's passphrase, so that each key of a
// command has its own:
//
//	file:PATH?passphrase-source=file:PASSFILE
//	file:PATH?passphrase-source=env:NAME
//
// Only a reference that starts with "file:" is read this way: any other is a path as given,
// '?' and all, so no existing file name changes meaning (a file literally named "file:..."
// is written "./file:..."). PATH may be file:///abs/path or file://localhost/abs/path as in
// RFC 8089, and is percent-decoded, as the source is ('?' in a path is %3F, '&' %26). The
// reference never holds the passphrase itself: passphrase-source is the only attribute, and
// its value must be file: or env:; anything else is refused (ErrInvalidRef) without being
// repeated in the error, in case it was a passphrase typed there.
//
// The source named is the only one for that key: with it, neither the command's
// --passphrase-file nor SIGNET_PASSPHRASE nor a prompt is used for this key.

// SourceError is a passphrase source named by a key reference that gave nothing: its
// environment variable is not set. It wraps secret.ErrNoSource. Its text leaves the file out:
// Open's errors name it already ("read int.key: ...").
type SourceError struct {
	Path string // the key file
	Env  string // the variable the reference names
}

func (e *SourceError) Error() string {
	return fmt.Sprintf("the key reference takes its passphrase from the environment variable %s, which is not set", e.Env)
}

func (e *SourceError) Unwrap() error { return secret.ErrNoSource }

// WrongSourceError is a key that the passphrase from the source its reference names does not
// open. It wraps the key's error, which wraps x509util.ErrIncorrectPassphrase, and keeps its
// text; its type tells the caller that the command's own sources (a passphrase file,
// SIGNET_PASSPHRASE) played no part, so that a hint does not send the user to them.
type WrongSourceError struct {
	Err       error
	File, Env string // the source the reference names: a file or a variable
}

func (e *WrongSourceError) Error() string { return e.Err.Error() }
func (e *WrongSourceError) Unwrap() error { return e.Err }

// fileRef is a file key reference, parsed.
type fileRef struct {
	path string
	// file and env are the passphrase source the reference names; both empty when it names
	// none (the caller's Options.Passphrase applies).
	file, env string
}

// IsFileURI reports whether ref is a "file:" reference rather than a plain path.
func IsFileURI(ref string) bool {
	return len(ref) >= len("file:") && strings.EqualFold(ref[:len("file:")], "file:")
}

// parseFileRef reads a file reference; a plain path is returned as it is.
func parseFileRef(ref string) (fileRef, error) {
	if !IsFileURI(ref) {
		return fileRef{path: ref}, nil
	}
	pathPart, query, hasQuery := strings.Cut(ref[len("file:"):], "?")
	path, err := fileURIPath(pathPart)
	if err != nil {
		return fileRef{}, err
	}
	r := fileRef{path: path}
	if !hasQuery {
		return r, nil
	}
	bad := fmt.Errorf("%w: %s: only passphrase-source=file:PATH or passphrase-source=env:NAME may follow '?' in a file: reference (never the passphrase itself)", ErrInvalidRef, path)
	for _, attr := range strings.Split(query, "&") {
		name, value, ok := strings.Cut(attr, "=")
		if !ok || !strings.EqualFold(name, "passphrase-source") || r.file != "" || r.env != "" {
			return fileRef{}, bad
		}
		v, err := url.PathUnescape(value)
		if err != nil {
			return fileRef{}, bad
		}
		switch {
		case IsFileURI(v):
			if r.file, err = fileURIPath(v[len("file:"):]); err != nil {
				return fileRef{}, bad
			}
		case strings.HasPrefix(strings.ToLower(v), "env:") && envName(v[len("env:"):]):
			r.env = v[len("env:"):]
		default:
			return fileRef{}, bad
		}
	}
	return r, nil
}

// fileURIPath is the path of what follows "file:": a relative or absolute path, or
// //localhost/PATH or ///PATH, percent-decoded.
func fileURIPath(s string) (string, error) {
	if rest, ok := strings.CutPrefix(s, "//"); ok {
		host, p, _ := strings.Cut(rest, "/")
		if host != "" && !strings.EqualFold(host, "localhost") {
			return "", fmt.Errorf("%w: a file: key reference names a file of this host (file:///PATH or file:PATH)", ErrInvalidRef)
		}
		s = "/" + p
	}
	p, err := url.PathUnescape(s)
	if err != nil || p == "" || p == "/" {
		return "", fmt.Errorf("%w: a file: key reference needs a file name, percent-encoded where it has '%%', '?' or '&'", ErrInvalidRef)
	}
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%w: a file name with a NUL byte", ErrInvalidRef)
	}
	return p, nil
}

// envName reports whether s is a portable environment variable name.
func envName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c != '_' && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && (i == 0 || !(c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// source returns the passphrase source for the key: the reference's when it names one (and
// then only it: no other file, variable or prompt), else base.
func (r fileRef) source(base secret.Source) secret.Source {
	if r.file == "" && r.env == "" {
		return base
	}
	s := base
	s.File, s.Env, s.NoTerminal = r.file, r.env, true
	return s
}

// wrongSource types a wrong passphrase read from the source the reference names.
func (r fileRef) wrongSource(err error) error {
	if (r.file != "" || r.env != "") && errors.Is(err, x509util.ErrIncorrectPassphrase) {
		return &WrongSourceError{Err: err, File: r.file, Env: r.env}
	}
	return err
}

// readSource reads the passphrase from src for the key at path, saying which variable is
// missing when the reference named one.
func (r fileRef) read(src secret.Source, prompt string) ([]byte, error) {
	b, err := src.Read(prompt)
	if r.env != "" && errors.Is(err, secret.ErrNoSource) {
		return nil, &SourceError{Path: r.path, Env: r.env}
	}
	return b, err
}
