package main

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"strconv"

	"github.com/signet-pki/signet/internal/keyref"
	"github.com/signet-pki/signet/internal/readlimit"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/verify"
)

// maxMinisignKey bounds what is read of a --key file to tell whether it is a minisign public
// key: two lines of at most minisign's 1024 bytes.
const maxMinisignKey = 4 << 10

// minisignPublicKey reads ref as a minisign public key file (`minisign -G` writes them, and
// `signet key pub --format minisign`), with its key id; ok is false for any other key
// reference, left to keyref. A file that starts as one and does not parse is bad input.
func minisignPublicKey(ref string) (key ed25519.PublicKey, id sigformat.MinisignKeyID, ok bool, err error) {
	if keyref.IsPKCS11(ref) {
		return nil, id, false, nil
	}
	if fi, err := os.Stat(ref); err != nil || !fi.Mode().IsRegular() || fi.Size() > maxMinisignKey {
		return nil, id, false, nil
	}
	data, err := readlimit.ReadFile(ref, maxMinisignKey)
	if err != nil || !sigformat.IsMinisign(data) {
		return nil, id, false, nil
	}
	key, id, err = sigformat.ParseMinisignPublicKey(data)
	if err != nil {
		return nil, id, false, fmt.Errorf("--key %s: not a minisign public key: %w", ref, err)
	}
	return key, id, true, nil
}

// trustedCommentNote is the trusted comment of a minisign signature that verified, quoted
// (it is the signer's text: a tab prints as \t, and no control character reaches the
// terminal), for the OK line.
func trustedCommentNote(r *verify.ArtifactResult) string {
	if r.Format != sigformat.Minisign || !r.Valid {
		return ""
	}
	return ", trusted comment " + strconv.Quote(r.TrustedComment)
}
