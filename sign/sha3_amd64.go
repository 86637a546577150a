package sign

import (
	"github.com/signet-pki/signet/sign/internal/keccak"
)

// On amd64 the portable Keccak permutation beats crypto/sha3's assembly by about 1.2-1.3x:
// see sign/internal/keccak.
var (
	newSHA3_256 = keccak.New256
	newSHA3_384 = keccak.New384
	newSHA3_512 = keccak.New512
)
