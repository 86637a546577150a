package interop_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The draws of the Sigstore-bundle differential campaign (sb_diff_test.go): per seed, a
// signer, how its bundle is made, and one or two mutations of it. The draw uses only the
// seeded generator, so a seed replays the same case (the keys come from a pool made once per
// run: their bytes change between runs, never a verdict).

// sbCase is one seed's draw.
type sbCase struct {
	seed    int64
	key     string   // sbKeyTypes
	withCrt bool     // a certificate under the fixture intermediate, else a bare key (publicKey hint)
	maker   string   // sbMakers: who writes the bundle
	pss     bool     // fields only, RSA: the signature is RSA-PSS, which a bundle cannot name
	muts    []string // sbMutations, applied in order
}

var sbKeyTypes = []string{"p256", "p384", "rsa2048", "rsa3072", "ed25519"}

// sbMakers: signet sign --format bundle; sigstore-go's sign.Bundle; the JSON built field by
// field by the campaign.
var sbMakers = []string{"signet", "sigstore-go", "fields"}

// sbMutations are the changes a case draws. Those marked cert apply to a certificate bundle
// only, key to a bare key's.
var sbMutations = []string{
	"none",
	"artifact",        // the artifact changes after signing
	"sig-flip",        // one bit of the signature flips
	"sig-truncate",    // the signature loses its last byte
	"digest-value",    // messageDigest.digest is another file's
	"digest-alg",      // messageDigest.algorithm names another hash (same length or not)
	"digest-unspec",   // messageDigest.algorithm HASH_ALGORITHM_UNSPECIFIED
	"digest-drop",     // no messageDigest
	"mediatype-v02",   // the v0.2 media type
	"mediatype-v04",   // a version neither reads
	"mediatype-drop",  // no mediaType
	"cert-other",      // cert: another signer's certificate
	"cert-expired",    // cert: the signer's key, a certificate expired before signing
	"cert-notyet",     // cert: the signer's key, a certificate valid only from after the signing
	"cert-noeku",      // cert: the signer's key, a certificate without codeSigning
	"cert-ca",         // cert: the signer's key, a CA certificate
	"cert-chain",      // cert: x509CertificateChain (leaf, intermediate) in place of certificate
	"cert-and-key",    // cert: a publicKey hint beside the certificate (two members of a oneof)
	"hint-other",      // key: the hint names another key
	"unknown-field",   // an unknown member in an object
	"dup-field",       // a member given twice
	"b64-url",         // the signature in URL-safe base64 without padding
	"b64-nopad",       // rawBytes / signature without padding
	"b64-bad",         // the signature is not base64
	"snake-case",      // proto (snake_case) field names
	"enum-number",     // the hash algorithm by number
	"tlog-entry",      // a transparency-log entry (not checked offline)
	"dsse-too",        // a dsseEnvelope beside the messageSignature
	"empty-signature", // messageSignature.signature is empty
	"ts-good",         // cert: an RFC 3161 timestamp over the signature from the TSA the trusted root lists
	"ts-other-sig",    // cert: a timestamp of the listed TSA over another signature
	"ts-unlisted",     // cert: a timestamp from another TSA under the same root, not listed
	"ts-garbage",      // cert: a signedTimestamp that is not DER
	"ts-two",          // cert: a good timestamp, then one from the TSA not listed
}

func sbPick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// sbDraw draws seed's case.
func sbDraw(seed int64) *sbCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x5b))
	c := &sbCase{seed: seed, key: sbPick(r, sbKeyTypes), withCrt: r.IntN(10) < 7, maker: sbPick(r, sbMakers)}
	if strings.HasPrefix(c.key, "rsa") && c.maker == "fields" && r.IntN(4) == 0 {
		c.pss = true
	}
	n := 1
	if r.IntN(3) == 0 {
		n = 2
	}
	for len(c.muts) < n {
		m := sbPick(r, sbMutations)
		switch {
		case (strings.HasPrefix(m, "cert-") || strings.HasPrefix(m, "ts-")) && !c.withCrt, m == "hint-other" && c.withCrt:
			continue
		case m == "none" && n == 2:
			continue
		}
		// Two of one kind (digest-, mediatype-, ts-, ...): the second would undo the first.
		if len(c.muts) == 1 && strings.SplitN(c.muts[0], "-", 2)[0] == strings.SplitN(m, "-", 2)[0] {
			continue
		}
		c.muts = append(c.muts, m)
	}
	// Proto names late: the other mutations find the members by their JSON names. A member
	// given twice last: a mutation after it would decode the bundle and keep one of the two.
	if len(c.muts) == 2 && (c.muts[0] == "snake-case" || c.muts[0] == "dup-field") && c.muts[1] != "dup-field" {
		c.muts[0], c.muts[1] = c.muts[1], c.muts[0]
	}
	return c
}

func (c *sbCase) String() string {
	mat := "key"
	if c.withCrt {
		mat = "cert"
	}
	pss := ""
	if c.pss {
		pss = "-pss"
	}
	return fmt.Sprintf("seed %d: %s%s %s by %s, %s", c.seed, c.key, pss, mat, c.maker, strings.Join(c.muts, "+"))
}
