//go:build unix

package testutil

import (
	"errors"
	"net"
	"syscall"
	"testing"
)

// TestReservePort: the port ReservePort gives is handed to no one else while the test runs:
// not by the kernel to a listener on port 0 (another test's server, or another test's
// ReservePort), which took a port that was merely free a moment ago about once in 10,000
// binds here, so that a peer tool given it found it taken, or a test connected to another
// test's server. Until a server listens there, a connection is refused, as to an address
// nothing listens on; and a server that sets SO_REUSEADDR (Go's listeners, openssl s_server,
// gnutls-serv, redis-server, socat's reuseaddr, stunnel) can listen there.
func TestReservePort(t *testing.T) {
	addr := ReservePort(t)
	// 30,000 binds to port 0 give a port free a moment ago again about three times (1 - e^-3
	// = 95% of runs at least once); a reserved one never.
	for range 30000 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		got := ln.Addr().String()
		ln.Close()
		if got == addr {
			t.Fatalf("a listener on port 0 was given the reserved %s", addr)
		}
	}
	if c, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("a connection to the reserved %s before a server listens: %v, want refused", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("a server cannot listen on the reserved %s: %v", addr, err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("a connection to the server on the reserved %s: %v", addr, err)
	}
	c.Close()
}
