//go:build !unix

package offheap

// Words returns an empty slice with room for n words, on Go's heap here, and a free that does
// nothing.
func Words(n int) (words []uint64, free func()) { return make([]uint64, 0, n), func() {} }
