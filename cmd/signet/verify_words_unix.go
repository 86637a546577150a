//go:build unix

package main

import (
	"syscall"
	"unsafe"
)

// verifyWords returns a slice of n words for a givenSet, and free, which gives them back. The
// words are mapped from the system, not allocated on Go's heap: a run's 8 bytes a file (8 MB at
// a million files) then are not also the measure of how far Go's collector lets the heap grow
// (about as much again, issue 15), and they go back to the system as soon as the checks are
// done. Where mapping fails, they are on the heap.
func verifyWords(n int) (words []uint64, free func()) {
	if n == 0 {
		return nil, func() {}
	}
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]uint64, 0, n), func() {}
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n)[:0], func() { syscall.Munmap(b) }
}
