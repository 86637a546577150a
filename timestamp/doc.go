// Package timestamp is RFC 3161 (with RFC 5816's ESSCertIDv2) for signet: time-stamp
// requests, responses and tokens, read and written; a token's checks (its signature, the ESS
// signing-certificate attribute, the TSA certificate's critical timeStamping usage, the
// message imprint, the nonce); a [Client] that asks TSAs over HTTP; and an [Authority], a
// small TSA that is an http.Handler (`signet tsa serve`), with its key in a file or on a
// token (any crypto.Signer).
//
// It validates no certificate chain: [Token.Verify] returns the TSA's certificate, and
// package verify validates its chain to the TSA roots, at the token's GenTime, and then the
// signer's chain at that time.
//
// # Why not github.com/digitorus/timestamp
//
// The version that builds with Go 1.26 (v0.0.0-20250524132541-c45532741eea) was read and
// judged unsound for verification: its Parse checks the CMS signature only when the token
// carries certificates, and silently accepts a token without them unverified; it never checks
// the ESS signing-certificate attribute (it writes one but does not read it back), so a
// certificate swapped for another of the same key passes; it does not check the TSA
// certificate's critical id-kp-timeStamping usage; nonce and imprint are left to the caller
// with nothing to say so; and it brings github.com/digitorus/pkcs7, a second CMS
// implementation beside signet's own, which has no Ed25519. What RFC 3161 needs is small and
// fixed, so it is written here with golang.org/x/crypto/cryptobyte, as signet's CMS is, and
// checked against OpenSSL's `ts` command in both directions.
//
// # Limitations
//
//   - Tokens must have signed attributes with the ESS signing-certificate attribute (v1 or
//     v2), as RFC 3161 requires, at most one of each kind (two of one kind are ambiguous and
//     refused); when both kinds are there, each is checked (RFC 5035 5.4). Of each, the
//     first ESSCertID must name the signer (Verify); the others restrict the TSA's chain
//     (RFC 2634 5.4) and must each name a certificate of it, which Token.CheckChain checks
//     once the caller has validated that chain. The signed attributes hold exactly one
//     contentType and one messageDigest (RFC 5652 11.1, 11.2).
//   - A token's tsa name, when it gives one, must be a name of the certificate that signed
//     it (RFC 3161 2.4.2): its subject, or a name of its subject alternative names (DNS names
//     compared without regard to case, directory names as RFC 5280 7.1 compares them).
//   - No TSTInfo extension is interpreted: a token with a critical one fails Verify (as an
//     unknown critical extension fails a certificate), non-critical ones are ignored. The
//     Authority refuses requests with extensions.
//   - The Authority signs only at a time its certificate's validity covers (Check and Serve
//     refuse it otherwise, Respond answers systemFailure), and checks each signature it makes
//     against its certificate's key (crypto/x509) before answering.
//   - The Authority keeps no state: serial numbers are 126 random bits, not a counter, and
//     it signs with the hash its key suggests (SHA-256; SHA-384 and SHA-512 for P-384 and
//     P-521; Ed25519 per RFC 8419). It is for CI and tests, not a qualified TSA.
package timestamp
