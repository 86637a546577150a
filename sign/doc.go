// Package sign hashes documents and produces signatures over their digests.
package sign
