//go:build !amd64

package sign

import (
	"crypto/sha3"
	"hash"
)

var (
	newSHA3_256 = func() hash.Hash { return sha3.New256() }
	newSHA3_384 = func() hash.Hash { return sha3.New384() }
	newSHA3_512 = func() hash.Hash { return sha3.New512() }
)
