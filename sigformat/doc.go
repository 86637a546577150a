// Package sigformat reads and writes the four signature formats signet knows, each checked
// in the tests against the peer that reads or writes it. It does not sign (package sign makes
// the signatures it encodes) and does not verify (package verify checks what [Parse] returns).
//
//   - raw: the bare signature, byte for byte what `openssl dgst -sign` writes (DER ECDSA, RSA
//     PKCS#1 v1.5, RSA-PSS) and, for Ed25519, what `openssl pkeyutl -sign -rawin` writes;
//     optionally base64 text ([AppendBase64]).
//   - cms: a detached CMS SignedData (RFC 5652), DER ([MarshalCMS]), with one signer
//     identified by issuer and serial number, the signed attributes contentType, signingTime
//     and messageDigest, and the chain without its root; Ed25519 per RFC 8419 (SHA-512 message
//     digest, the signature over the attributes). `openssl cms -verify` accepts the ECDSA and
//     RSA ones; GnuTLS's `certtool --p7-verify` the Ed25519 ones.
//   - bundle: a Sigstore bundle v0.3, JSON ([MarshalBundle]), written and read with
//     encoding/json over structs that follow the protobuf-specs messages in their JSON form
//     (no protobuf runtime, whose registrations cost every command start-up; reading accepts
//     what protojson accepts: both field spellings, either base64, enums by name or number,
//     unknown fields ignored): the signature and the message digest, with the signer's
//     certificate alone in `certificate` (v0.3 allows no chain: the verifier brings the
//     intermediates), or a `publicKey` hint ([PublicKeyHint]) for a bare key, and RFC 3161
//     timestamps if any. Bundles v0.1 and v0.2, whose `x509CertificateChain` holds the leaf
//     and intermediates, are read too.
//   - minisign: FILE.minisig as minisign 0.11 writes it, an untrusted comment, the Ed25519
//     signature over the file's BLAKE2b-512 digest (algorithm "ED"; the legacy "Ed" over the
//     file itself is read, never written) with the signer's key id, a trusted comment and the
//     global signature over the signature and that comment; and minisign public key files
//     ([ParseMinisignPublicKey]). minisign draws a key id at random when it makes a key;
//     signet, which keeps no state beside a key, derives the id of an Ed25519 key as the first
//     8 bytes of BLAKE2b-512 of the public key ([MinisignKeyIDOf]). A file is read as minisign
//     reads it: four lines (LF or CRLF), comment lines no longer than minisign reads (1022
//     bytes untrusted, 8190 trusted, prefix included); anything after the fourth line but
//     blank lines is refused, where minisign ignores it.
//
// [Parse] reads any of the four, as signet and its peers write them, and tells them apart by
// content; a raw signature is never taken for another format. CMS is read in DER or BER
// (streamed CMS has indefinite lengths).
//
// CMS is built here, over a digest computed elsewhere, with golang.org/x/crypto/cryptobyte,
// rather than with the maintained CMS library for Go (github.com/smallstep/pkcs7): that
// library computes the messageDigest by hashing content it holds in memory, which rules out
// multi-GB artifacts, signing a precomputed digest, and reusing the parallel engine's digest,
// and it has no Ed25519. What signet writes of RFC 5652 is one small, fixed shape.
//
// # Limitations
//
//   - OpenSSL (3.0 to 3.6 at least) can neither make nor check Ed25519 CMS signatures
//     (openssl/openssl#32248); use GnuTLS's certtool, or signet verify, for those.
//   - Bundles are "offline": no transparency-log entry, so tools that demand a Rekor entry
//     (cosign verify-blob by default, sigstore-go's default policy) refuse them; without a
//     timestamp their time rests on the certificate's validity alone.
//   - Ed25519 follows the Sigstore algorithm registry as sigstore-go applies it: with a
//     certificate a messageSignature is Ed25519ph (PKIX_ED25519_PH: over the content's
//     SHA-512 digest, which messageDigest records); pure Ed25519 (PKIX_ED25519) signs the
//     content itself, and sigstore-go then names no hash (HASH_ALGORITHM_UNSPECIFIED, the
//     content in the digest field), which Parse reads as a bundle that records no digest.
//   - A bundle cannot say that an RSA signature is PSS. Bundles name only the hashes of the
//     protobuf HashAlgorithm enum: SHA-256, SHA-384, SHA-512, SHA3-256 and SHA3-384
//     ([CanBundle]).
//   - Parse reads CMS with one signer and detached content of type id-data; several
//     signers, embedded content, another content type (a TSTInfo, a receipt: a statement of
//     another protocol, not a file's signature) and BER's constructed (chunked) OCTET
//     STRINGs are refused as malformed. Bundles
//     with a DSSE envelope are refused.
package sigformat
