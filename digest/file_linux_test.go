package digest

import (
	"bytes"
	"context"
	"crypto/sha512"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	return len(ents)
}

// TestHashAhead: a file that fills the first buffer and has more than readAheadMin bytes left
// is read ahead on a goroutine of its own (hashAhead) while the worker hashes. Its digest and size are those of the whole file for
// every size around the buffers' (a file whose last read is the end of a buffer included), the same with read-ahead on and off, and every file is closed when hashPath
// returns.
func TestHashAhead(t *testing.T) {
	const bs = 4096
	dir := t.TempDir()
	before := openFDs(t)
	const min, rs = readAheadMin, readAheadSize
	for _, size := range []int{0, 1, bs - 1, bs, bs + 1, bs + min, bs + min + 1, bs + 2*rs, bs + 2*rs + 1, 3*rs + bs - 1, 5*rs + 17} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i * 7 / 3)
		}
		name := filepath.Join(dir, fmt.Sprint(size))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want := sha512.Sum512(data)
		for _, ahead := range []bool{false, true} {
			bufs := &buffers{size: bs, readAhead: ahead}
			for range 3 { // the buffers are reused from file to file
				h := SHA512.New()
				var counted int64
				n, ferr := hashPath(t.Context(), h, name, bufs, func(n int) { counted += int64(n) }, false)
				if ferr != nil {
					t.Fatalf("size %d, ahead %v: %v", size, ahead, ferr)
				}
				if got := h.Sum(nil); !bytes.Equal(got, want[:]) || n != int64(size) || counted != n {
					t.Fatalf("size %d, ahead %v: digest %x size %d counted %d; want %x", size, ahead, got, n, counted, want)
				}
			}
			if wantBufs := 1 + readAheadBufs*btoi(ahead && size-bs > min); len(bufs.bufs) != wantBufs {
				t.Errorf("size %d, ahead %v: %d buffers, want %d", size, ahead, len(bufs.bufs), wantBufs)
			}
		}
	}
	// No read-ahead while every core has a worker hashing: it would take time from them.
	var busy atomic.Int64
	busy.Store(2)
	bufs := &buffers{size: bs, readAhead: true, busy: &busy, cores: 2}
	name := filepath.Join(dir, fmt.Sprint(5*readAheadSize+17))
	if _, ferr := hashPath(t.Context(), SHA256.New(), name, bufs, nil, false); ferr != nil || len(bufs.bufs) != 1 {
		t.Errorf("all cores busy: err %v, %d buffers, want 1", ferr, len(bufs.bufs))
	}
	busy.Store(1)
	if _, ferr := hashPath(t.Context(), SHA256.New(), name, bufs, nil, false); ferr != nil || len(bufs.bufs) != 1+readAheadBufs {
		t.Errorf("a core free: err %v, %d buffers, want %d", ferr, len(bufs.bufs), 1+readAheadBufs)
	}
	if after := openFDs(t); after != before {
		t.Errorf("%d files open after hashing, %d before", after, before)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestHashAheadCancel: when the context ends while the read-ahead goroutine waits in a read
// that does not return (a named pipe whose writer stalls after one full buffer), hashPath
// returns the context's error at once, drops the buffers the goroutine may still fill, and
// the goroutine closes the file once its read returns.
func TestHashAheadCancel(t *testing.T) {
	const bs = 4096
	pipe := filepath.Join(t.TempDir(), "pipe")
	if err := unix.Mkfifo(pipe, 0o600); err != nil {
		t.Skip(err)
	}
	before := openFDs(t)
	writerDone := make(chan error, 1)
	release := make(chan struct{})
	go func() {
		w, err := os.OpenFile(pipe, os.O_WRONLY, 0)
		if err != nil {
			writerDone <- err
			return
		}
		_, err = w.Write(make([]byte, bs)) // one full buffer, then a stall
		<-release
		w.Close()
		writerDone <- err
	}()
	ctx, cancel := context.WithCancel(t.Context())
	bufs := &buffers{size: bs, readAhead: true}
	h := SHA512.New()
	var hashed int64
	type result struct {
		n    int64
		ferr *FileError
	}
	done := make(chan result, 1)
	go func() {
		n, ferr := hashPath(ctx, h, pipe, bufs, func(n int) {
			hashed += int64(n)
			if hashed == bs {
				cancel() // the first buffer is hashed: the goroutine is reading the next
			}
		}, false)
		done <- result{n, ferr}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute):
		close(release)
		t.Fatal("hashPath did not return after its context ended")
	}
	if r.ferr == nil || !errors.Is(r.ferr, context.Canceled) || r.ferr.Op != "read" || r.n != bs {
		t.Errorf("hashPath: %d bytes, err %v; want %d bytes and context.Canceled", r.n, r.ferr, bs)
	}
	if bufs.bufs != nil {
		t.Error("the buffers the read-ahead goroutine may still fill were kept")
	}
	close(release)
	if err := <-writerDone; err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); openFDs(t) != before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the pipe was not closed: %d files open, %d before", openFDs(t), before)
		}
	}
}

// TestReadCached: readCached reads a cached file without a blocking system call, and the end
// of the file as 0 bytes; on a pipe with nothing in it, it returns at once with ok false (it
// must never wait: the scheduler is not told of the call), and readFD then waits for the
// writer as read(2) does.
func TestReadCached(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, []byte("cached"), 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	buf := make([]byte, 64)
	if n, ok := readCached(fd, buf); !ok || string(buf[:n]) != "cached" {
		t.Fatalf("cached file: %q, ok %v", buf[:n], ok)
	}
	if n, ok := readCached(fd, buf); !ok || n != 0 {
		t.Fatalf("end of file: %d bytes, ok %v", n, ok)
	}

	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	if n, ok := readCached(p[0], buf); ok {
		t.Fatalf("empty pipe: %d bytes, ok", n)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		unix.Write(p[1], []byte("late"))
		unix.Close(p[1])
	}()
	if n, err := readFD(p[0], buf); err != nil || string(buf[:n]) != "late" {
		t.Fatalf("pipe: %q, %v", buf[:n], err)
	}
}
