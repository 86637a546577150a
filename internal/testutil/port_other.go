//go:build !unix

package testutil

import (
	"net"
	"testing"
)

// ReservePort returns an address on 127.0.0.1 that was free a moment ago: on Unix the port
// is held for the test (port.go), here only found.
func ReservePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
