// Package interop checks signet's Sigstore bundles against a peer no one here wrote:
// sigstore-go (github.com/sigstore/sigstore-go v1.1.4), offline, with a Sigstore trusted root
// that lists the fixture CA of ../testdata/pki and no transparency log or SCT. It is a module
// of its own so that signet's dependencies do not grow; scripts/test.sh runs it.
//
// Both ways: signet signs (the signet command, built from ..) and sigstore-go verifies; sigstore-go
// signs (its sign.Bundle, with a certificate the fixture intermediate issues) and signet verify
// --trusted-root checks the bundle. The same trusted_root.json configures both.
package interop_test
