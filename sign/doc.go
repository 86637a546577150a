// Package sign produces signatures over the digests package digest computes, and reads
// signature files.
//
// # Signatures
//
// [Signer] signs, with any crypto.Signer (a software key or an hsm token key), the digest the
// hashing engine of package digest computed, in one of three [Format]s, each checked in the
// tests against the peer that reads it:
//
//   - raw: the bare signature, byte for byte what `openssl dgst -sign` writes (DER ECDSA, RSA
//     PKCS#1 v1.5, RSA-PSS with a salt as long as the digest) and, for Ed25519, what `openssl
//     pkeyutl -sign -rawin` writes, over the whole message; optionally base64 text.
//   - cms: a detached CMS SignedData (RFC 5652), DER, with one signer identified by issuer
//     and serial number, the signed attributes contentType, signingTime and messageDigest,
//     and the chain without its root; Ed25519 per RFC 8419 (SHA-512 message digest, the
//     signature over the attributes). `openssl cms -verify` accepts the ECDSA and RSA ones;
//     GnuTLS's `certtool --p7-verify` the Ed25519 ones.
//   - bundle: a Sigstore bundle v0.3, JSON, built with the sigstore protobuf-specs types: the
//     signature (the raw one) and the message digest, with the leaf in `certificate` (a chain
//     without intermediates), `x509CertificateChain` (leaf and intermediates), or a
//     `publicKey` hint ([PublicKeyHint]) for a bare key.
//
// [SignFiles] signs many files in one run (parallel hashing, a pool of signers, outputs
// staged in parallel and moved into place only when all are ready: all or nothing), or a
// checksum list of them (FilesOptions.Manifest). [SignDigestTo] signs a digest computed
// elsewhere.
//
// [ParseSignature] reads any of the three formats, as signet and its peers write them, and
// tells them apart by content; a raw signature is never taken for another format.
//
// CMS is built here, over the digest signet computed, with golang.org/x/crypto/cryptobyte,
// rather than with the maintained CMS library for Go (github.com/smallstep/pkcs7): that
// library computes the messageDigest by hashing content it holds in memory, which rules out
// multi-GB artifacts, signing a precomputed digest, and reusing the parallel engine's digest,
// and it has no Ed25519. What signet writes of RFC 5652 is one small, fixed shape.
//
// # Limitations
//
//   - OpenSSL (3.0 to 3.6 at least) can neither make nor check Ed25519 CMS signatures
//     (openssl/openssl#32248); use GnuTLS's certtool, or signet verify, for those.
//   - Ed25519 raw and bundle signatures cover the whole message, which is read into memory
//     (up to 1 GiB, from a regular file or standard input: a device or a named pipe is
//     refused); they cannot be made from a digest. Ed25519 in CMS signs a SHA-512 digest and
//     has neither limit. The files other signatures cover are streamed through the hash as
//     sha256sum reads them: a named pipe is read when its writer comes.
//   - Bundles are "offline": no transparency-log entry and no signed timestamp, so their time
//     rests on the certificate's validity alone, and tools that demand a Rekor entry (cosign
//     verify-blob by default, sigstore-go's default policy) refuse them. sigstore-go also
//     refuses `x509CertificateChain` in a v0.3 bundle, which signet writes when the chain has
//     intermediates (the specification allows it outside Sigstore's public-good instance).
//   - A bundle cannot say that an RSA signature is PSS, so RSA-PSS is refused in bundles.
//     Bundles name only the hashes of the protobuf HashAlgorithm enum: SHA-256, SHA-384,
//     SHA-512, SHA3-256 and SHA3-384.
//   - ParseSignature reads CMS with one signer and detached content, in DER or BER (streamed
//     CMS has indefinite lengths); several signers, embedded content and BER's constructed
//     (chunked) OCTET STRINGs are refused as malformed. Bundles with a DSSE envelope are
//     refused.
//   - Signatures are durable before any of them appears, and that costs most of a run over
//     many small files on a busy disk (BenchmarkSignFiles/stage). SignFiles stages them in a
//     staging directory beside the files they sign (atomicfile.Batch), makes them durable at
//     commit with one syncfs(2) of each filesystem involved (elsewhere than Linux, an fsync
//     per file), then moves each into place: a rename that refuses an existing name, or with
//     Force one RENAME_EXCHANGE that leaves the replaced signature in the staging directory
//     until all are in place. Each directory is synced once at the end. syncfs flushes
//     everything pending on the filesystem, not only the signatures: other writers' data
//     lengthens it. A manifest, its signature, and a signature of a digest are synced file by
//     file.
package sign
