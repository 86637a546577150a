// Package interop checks signet's Sigstore bundles against peers no one here wrote:
// sigstore-go (github.com/sigstore/sigstore-go v1.1.4) and, opt-in, cosign (v2.6.5), offline,
// with a Sigstore trusted root that lists the fixture CA of ../testdata/pki and no
// transparency log or SCT. It is a module of its own so that signet's dependencies do not
// grow; scripts/test.sh runs it.
//
// Both ways: signet signs (the signet command, built from ..) and sigstore-go verifies; sigstore-go
// signs (its sign.Bundle, with a certificate the fixture intermediate issues) and signet verify
// --trusted-root checks the bundle. The same trusted_root.json configures both. Ed25519 follows
// the Sigstore algorithm registry: Ed25519ph with a certificate, pure Ed25519 with a bare key.
// A bundle timestamped by signet tsa serve verifies in sigstore-go with that TSA in the trusted
// root's timestampAuthorities.
//
// The cosign tests run only when SIGNET_COSIGN names a cosign binary (EnvCosign): building
// cosign takes minutes on a cold module cache. They run cosign verify-blob on signet's
// bundles (certificate and bare key, and with a timestamp of signet tsa serve) and signet
// verify on cosign sign-blob --key bundles.
//
// zlint_webpki_test.go audits signet's --profile webpki against zlint (v3.7.3), the
// linter of the CA/Browser Forum Baseline Requirements: one BR-shaped chain, each case one
// change to one certificate, zlint's failing lints and signet's verdict pinned, and every
// disagreement classified (signet right, a documented relying-party choice, or a fault).
package interop_test
