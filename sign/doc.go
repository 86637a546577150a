// Package sign produces signatures: with any crypto.Signer (a software key or an hsm token
// key), over the digests package digest computes, in the formats package sigformat encodes.
//
// [Signer] signs a digest or a message in one [sigformat.Format] (raw, cms, bundle or minisign), with
// the hash, padding (RSA-PSS) and certificates its [SignOptions] name, after checking that they
// go together. [SignFiles] signs many files in one run (parallel hashing, a pool of signers,
// outputs staged in parallel and moved into place only when all are ready: all or nothing), or
// a checksum list of them (FilesOptions.Manifest). [SignDigestTo] signs a digest computed
// elsewhere. Each [Receipt] says what a signature covers and where it went. With
// SignOptions.Timestamp each signature gets an RFC 3161 token over its value before anything
// is written (package timestamp asks the TSA; this package only calls the hook): in CMS and
// bundles the token is inside, beside a raw signature it is FILE.sig.tsr, staged with it.
//
// # Limitations
//
//   - Ed25519 raw signatures and bundles without a certificate are pure Ed25519 over the
//     whole message, which is read into memory (up to 1 GiB, from a regular file or standard
//     input: a device or a named pipe is refused); they cannot be made from a digest. Ed25519
//     in CMS signs a SHA-512 digest, and a bundle with a certificate is Ed25519ph over the
//     content's SHA-512 digest (the Sigstore algorithm registry's PKIX_ED25519_PH, the only
//     scheme sigstore-go and cosign accept for a certificate's Ed25519 key): neither has
//     those limits. A token key that cannot make Ed25519ph (SoftHSM 2.6.1) fails the run. The files other signatures cover are streamed through the hash as
//     sha256sum reads them: a named pipe is read when its writer comes.
//   - A minisign signature is Ed25519 over the message's BLAKE2b-512 digest, which package
//     digest does not compute: the message is read whole (up to 1 GiB, as for pure Ed25519),
//     and it cannot be made from a digest (SignDigest refuses). It carries no certificate and
//     no timestamp; its key id is derived from the key (sigformat.MinisignKeyIDOf).
//   - A bundle cannot say that an RSA signature is PSS, so RSA-PSS is refused in bundles, and
//     bundles name only SHA-256, SHA-384, SHA-512, SHA3-256 and SHA3-384 (see package
//     sigformat for the formats' own limits).
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
