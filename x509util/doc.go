// Package x509util reads and writes keys, CSRs, certificates and CRLs in the encodings
// operators meet (PEM, DER, PKCS#8, PKCS#1, SEC1, PKCS#12; OpenSSH keys read), and issues
// certificates.
//
// Keys: GenerateKey makes the KeyTypes signet offers; MarshalPrivateKey writes PKCS#8 PEM,
// encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) when given a passphrase;
// DecodeKey, ParsePrivateKey and ParsePublicKey read what openssl writes; Fingerprint and
// Inspect describe a public key. Names: ParseDN and ParseRDNSequence read RFC 4514 and
// OpenSSL-style distinguished names (refusing control and invisible formatting characters),
// ParseSANs reads dns:, ip:, email: and uri: names, and FormatName prints a pkix.Name in the
// order pkix.Name.String does, with OpenSSL's attribute names and such characters escaped as
// \XX: use it for every name that came from a certificate, CSR or CRL.
// CSRs: CreateCSR and ParseCSR (which refuses SHA-1 unless asked; RSASSA-PSS with any salt is
// checked, here and for certificates, by CheckSignature). Everything that signs takes a crypto.Signer, so a key on a
// PKCS#11 token works wherever a key file does.
//
// Errors wrap the sentinels in errors.go (ErrMalformed, ErrUnsupported,
// ErrIncorrectPassphrase, ErrKeyMismatch, ErrInvalidName) so that callers can branch with
// errors.Is.
//
// # Limitations
//
//   - Key algorithms are RSA, ECDSA on P-224, P-256, P-384 and P-521, and Ed25519. DSA, Ed448,
//     X25519, RSA-PSS-only keys, brainpool and secp256k1 curves and explicit curve parameters
//     are reported as ErrUnsupported, named.
//   - Encrypted PKCS#8 is read with PBES2 (PBKDF2 with HMAC-SHA1/SHA-2, or scrypt; AES-CBC or
//     DES-EDE3-CBC), which OpenSSL 1.1 and 3 write by default, and with the older schemes of
//     `openssl pkcs8 -v1` (PKCS#12 PBE with 3DES, 2-key 3DES, RC2 or RC4; PKCS#5 v1.5 PBES1
//     with MD5 or SHA-1 and DES or RC2), read only: signet writes PBES2. OpenSSH private keys
//     are read when they are RSA, ECDSA or Ed25519, in the clear or encrypted with aes256-ctr
//     or aes256-cbc and at most 1024 bcrypt rounds; security-key (sk-) and DSA keys are not.
//   - A pkix.Name cannot hold a multi-valued RDN; ParseDN flattens one into consecutive RDNs,
//     ParseRDNSequence keeps it, and IssueRequest.RawSubject issues it (a CSR's subject is
//     copied byte for byte).
//
// Its lookup tables (names of extensions, curves, key algorithms and attribute types, PBE
// schemes, PEM block kinds, revocation reasons) are maps built on first use
// (sync.OnceValue), not while the package initialises: every signet command starts with this
// package's init, and most use none of them (cmd/signet's TestInitIsLight holds it to 3 KiB
// in the signet binary).
package x509util
