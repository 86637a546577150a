//go:build unix

package testutil

import (
	"net"
	"syscall"
	"testing"
)

// ReservePort returns an address on 127.0.0.1 whose port the kernel gives no one else until
// the test ends, for a server the test starts with a port number (openssl s_server,
// gnutls-serv, redis-server, socat, stunnel, a README's address), or as an address nothing
// listens on. A port merely free a moment ago (a listener on port 0, closed) is the kernel's
// to give again, and it did about once in 10,000 binds: to another test's server or another
// test's free port, so that the tool found it taken, or the test talked to another test's
// server, or found a server where it wanted none.
//
// The port is held by a socket that is bound but never listens, with SO_REUSEADDR: the
// kernel picks it for no bind to port 0 and no outgoing connection, a connection to it is
// refused until a server listens there, and a server that sets SO_REUSEADDR (Go's listeners,
// openssl s_server, gnutls-serv, redis-server, socat's reuseaddr, stunnel) may listen there.
func ReservePort(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		t.Fatalf("getsockname: %T", sa)
	}
	return (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: in4.Port}).String()
}
