//go:build unix

package offheap

import (
	"syscall"
	"unsafe"
)

// Words returns an empty slice with room for n words, and free, which gives them back. The
// words are mapped from the system, not allocated on Go's heap; where mapping fails they are
// on the heap, and free does nothing. Nothing may use the slice after free. Appending past n
// words moves the slice to Go's heap, as append does.
func Words(n int) (words []uint64, free func()) {
	if n <= 0 {
		return nil, func() {}
	}
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]uint64, 0, n), func() {}
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n)[:0], func() { syscall.Munmap(b) }
}
