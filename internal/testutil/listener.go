package testutil

import (
	"net"
	"sync"
	"testing"
)

// SignalListener is a listener that says when it has accepted a connection (Accepted, one
// signal a connection, buffered for one) and when it has been closed (Closed): a test of a
// server's stop starts a handshake only once the server has accepted its connection and
// stopped accepting.
type SignalListener struct {
	net.Listener
	Accepted chan struct{}
	Closed   chan struct{}
	once     sync.Once
}

// NewSignalListener wraps ln.
func NewSignalListener(ln net.Listener) *SignalListener {
	return &SignalListener{Listener: ln, Accepted: make(chan struct{}, 1), Closed: make(chan struct{})}
}

func (l *SignalListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.Accepted <- struct{}{}
	}
	return c, err
}

func (l *SignalListener) Close() error {
	l.once.Do(func() { close(l.Closed) })
	return l.Listener.Close()
}

// ServeConns accepts connections on ln until it is closed, which the test's cleanup does,
// and hands each to handle in a goroutine of its own, closing it when handle returns: the
// accept loop of a test's fake server.
func ServeConns(t testing.TB, ln net.Listener, handle func(net.Conn)) {
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
}
