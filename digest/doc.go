// Package digest hashes files and reads and writes checksum lists: signet's parallel hashing
// engine and its coreutils compatibility. It knows nothing of keys or signatures; package
// sign signs the digests it computes and package verify checks them.
//
// # Hashing
//
// [Algorithm] names the hash functions signet uses (SHA-256 by default, SHA-384, SHA-512,
// SHA-512/256, SHA3-256, SHA3-384, SHA3-512: the standard library's, inside Go's FIPS 140
// module) with their coreutils, OpenSSL and BSD names and their crypto.Hash for signing.
// [HashReader] and [HashFile] hash one stream; [HashFiles] hashes many files in parallel with
// bounded memory (a few buffers per worker) and hands the results back in argument order as they
// complete, with per-file errors ([FileError]) that do not stop the run, optional recursive
// expansion of directories ([Expand]), progress reports and cancellation. [HashJobs] is the
// same engine for a caller that lists the files itself and does its own work with each digest
// (signing them, in package sign).
//
// # Checksum lists
//
// [Entry] formats, and [ListParser], [ListReader] and [ParseList] read, the two line forms of
// GNU coreutils' sha256sum ("<hex>  <name>" and the BSD "SHA256 (name) = <hex>"), with
// coreutils' escaping of odd names. [Check] verifies lists like `sha256sum -c`, writing the same
// report byte for byte. [QuoteName] quotes a file name in a message as coreutils does.
//
// # Limitations
//
//   - Files are streamed through the hash as sha256sum reads them: a named pipe is read when
//     its writer comes, and a file that never ends is hashed until the context ends.
//   - Digests are compared in variable time: they are public values.
//   - The coreutils compatibility target is coreutils 9.x on GNU/Linux, where text and binary
//     modes read the same bytes; the '*' marker is accepted and kept but changes nothing.
//   - Standard error messages follow coreutils' words and quoting, not its exact exit codes:
//     signet's exit codes distinguish a failed check (1) from an unusable list (3).
//   - Lines containing a NUL byte are malformed (coreutils would cut the name at the NUL).
//   - A UTF-8 byte order mark at the start of a list is dropped, so the first line is checked
//     (coreutils skips it as malformed and may pass a list whose first file changed).
package digest
