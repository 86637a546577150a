// Package hsm reaches keys on PKCS#11 tokens (USB keys, smart cards, HSMs, SoftHSM) and
// exposes them as crypto.Signer.
//
// Keys, certificates and tokens are named by RFC 7512 URIs (ParseURI, URI.String):
//
//	pkcs11:token=signet;object=release;id=%01;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin
//
// OpenSigner turns such a URI into a *Signer; PublicObject reads the public key or certificate
// a type=public or type=cert URI names, without a PIN where the token allows; Open gives a
// *Token for several operations (Objects, Signer, PublicObject, GenerateKey,
// ImportKeyCertificate, ImportCertificate, ImportKeyChain, Delete, Mechanisms); writes that go
// together (a key's certificate and its chain, a deletion, a key pair) are held against
// SIGINT, SIGTERM and SIGHUP as a login is (HoldSignals); ListTokens lists a module's
// slots. The functions ListObjects, GenerateKey,
// ImportCertificate, ImportCertificateChain, Delete and Mechanisms each open, act and close.
//
// # Choices
//
// The module is the URI's module-path or module-name, else Options.Module (the CLI's
// --module), else $SIGNET_PKCS11_MODULE, else the p11-kit proxy module when installed.
// Tokens are selected by label, serial, manufacturer, model or slot attributes, never by
// position; uninitialised tokens are never selected. A URI matching several tokens or keys
// is an error listing them as URIs (ErrAmbiguous); nothing is picked silently.
//
// The PIN comes from the URI's pin-source file (its first line; with a warning when users
// other than its owner may access it), the URI's pin-value (with a warning; refused under Options.RefusePINValue, as the CLI sets
// it), $SIGNET_PIN, then Options.PIN (the CLI's terminal prompt), and only when the token
// has CKF_LOGIN_REQUIRED. A token with a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH) takes
// the PIN on the pad, with a warning first, unless the URI or $SIGNET_PIN gives one:
// Options.PIN is then not called. An empty PIN, or one shorter or longer than the token says it takes
// (CK_TOKEN_INFO's ulMinPinLen, ulMaxPinLen), is refused without being tried. It is tried once: a wrong PIN is reported in plain words ("wrong
// PIN; the token will lock after one more wrong try" when the token says so) and never
// retried. The token's flags are read before the PIN: a locked PIN is ErrPINLocked with
// nothing read or tried; a low PIN count is a warning; on the final try
// (CKF_USER_PIN_FINAL_TRY) a PIN from pin-source, pin-value or $SIGNET_PIN is ErrPINFinalTry
// without being tried, unless $SIGNET_PIN_FINAL_TRY is 1, and one from Options.PIN (a prompt)
// is tried after a warning. The PIN never appears in an error, a warning or URI.String.
//
// Signatures: the hash is computed in Go and the token signs the digest with CKM_ECDSA
// (its r||s re-encoded as DER), CKM_RSA_PKCS (with the DigestInfo prepended here) or
// CKM_RSA_PKCS_PSS; Ed25519 signs the message with CKM_EDDSA, and Ed25519ph (opts.HashFunc()
// crypto.SHA512, as crypto/ed25519 reads it) a SHA-512 digest with CKM_EDDSA and
// CK_EDDSA_PARAMS.phFlag (PKCS#11 3.0). These are the mechanisms tokens offer most widely
// (SoftHSM2 lacks CKM_ECDSA_SHA256, for example). Every signature is verified with the key's
// public key before it is returned, and one that does not verify is an error wrapping
// ErrToken: a public key object or certificate that belongs to another key, or a faulty RSA
// signature (which would give away the key), never leaves Sign. An Ed25519ph signature that
// verifies as pure Ed25519 is ErrUnsupportedKey: SoftHSM 2.6.1 takes phFlag and ignores it.
//
// # Module lifetime
//
// A module is loaded and initialised once per process, whatever the number of Tokens and
// Signers: a registry keyed by the module file's real path counts references. One login
// serves every session of the process on a token. Closing the last Token on a token logs out;
// closing the last Token of a module finalises and unloads it, also after errors. A module
// that something else in the process initialised already (CKR_CRYPTOKI_ALREADY_INITIALIZED)
// is used as it is and not finalised. SoftHSM2 reads SOFTHSM2_CONF when it is initialised, so
// a test that points SOFTHSM2_CONF at its own token directory must close every Token before
// the next test opens one (the package's tests check this); such tests cannot run in parallel.
//
// A Token is safe for concurrent use. Management operations are serialised on its main
// session; signatures run on a pool of further sessions (up to GOMAXPROCS, fewer when the
// token allows fewer), so concurrent Sign calls proceed in parallel where the token can.
//
// # Limitations
//
//   - Keys with CKA_ALWAYS_AUTHENTICATE (a PIN for every signature, as on PIV signature keys)
//     log in to each signature's operation (CKU_CONTEXT_SPECIFIC) with the PIN read again
//     from its source (a prompt asks each time); after a wrong one every later signature of
//     that Signer fails without trying a PIN.
//   - pin-source must be a file; "|command" sources are refused.
//   - Vendor ("x-") attributes in the URI path are refused when the URI selects something,
//     since signet cannot honour them; vendor query attributes are ignored.
//   - RSA-PSS uses SHA-224/256/384/512 with MGF1 of the same hash; PSSSaltLengthAuto signs
//     with a salt as long as the hash, which every verifier accepts.
//   - Without cgo the package still parses URIs, and every token operation returns an error
//     wrapping ErrNotSupported: "built without PKCS#11 support".
package hsm
