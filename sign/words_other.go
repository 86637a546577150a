//go:build !unix

package sign

// makeWords returns a slice of n words for an inputSet, on the heap here.
func makeWords(n int) (words []uint64, free func()) { return make([]uint64, 0, n), func() {} }
