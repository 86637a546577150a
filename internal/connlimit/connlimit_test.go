package connlimit

import (
	"net"
	"testing"
)

// TestLimit: at the limit a connection in its handshake makes room (closed, and told as
// evicted at HandshakeDone); one past its handshake never does, so with none left in a
// handshake the next connection is refused; a released place is taken again.
func TestLimit(t *testing.T) {
	l := New(2)
	pipe := func() net.Conn {
		a, b := net.Pipe()
		t.Cleanup(func() { a.Close(); b.Close() })
		return a
	}
	first, second, third := pipe(), pipe(), pipe()
	if !l.Admit(first, true) || !l.Admit(second, true) {
		t.Fatal("under the limit: refused")
	}
	if l.HandshakeDone(second) {
		t.Fatal("the second connection was not evicted, yet said so")
	}
	if !l.Admit(third, true) {
		t.Fatal("at the limit with a connection in its handshake: refused")
	}
	if _, err := first.Write([]byte("x")); err == nil {
		t.Error("the evicted connection is still open")
	}
	if !l.HandshakeDone(first) {
		t.Error("the first connection was evicted, but HandshakeDone does not say so")
	}
	l.Release() // the evicted one ends
	l.HandshakeDone(third)
	if l.Admit(pipe(), true) {
		t.Fatal("at the limit with every connection past its handshake: admitted")
	}
	l.Release()
	if !l.Admit(pipe(), false) || l.Open() != 2 || l.Max() != 2 {
		t.Fatalf("a released place: open %d of %d", l.Open(), l.Max())
	}
	if New(0).Max() != 512 {
		t.Error("the default limit is not 512")
	}
}
