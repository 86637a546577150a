// Package connlimit bounds the connections a server holds at once, without letting silent
// ones keep everyone out: at the limit, a new connection makes room by closing the oldest
// one still in its handshake, if any. Connections that never finish their handshake would
// otherwise hold every place for the handshake timeout, and anyone who can reach the port
// could keep every client out; a client's handshake takes milliseconds, so to evict one an
// attacker must open connections faster than that, for every place. Connections past their
// handshake (authenticated peers) are never evicted. tls serve (internal/tlsprobe) and the
// tunnel's server side (internal/tunnel) share it.
package connlimit

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Limit counts the connections open and keeps those still in their handshake.
type Limit struct {
	max     int64
	open    atomic.Int64
	mu      sync.Mutex
	pending map[net.Conn]time.Time // in their handshake, with when each was admitted
	evicted map[net.Conn]bool      // closed to make room, until HandshakeDone says so
}

// New returns a limit of max connections; max <= 0 means 512.
func New(max int) *Limit {
	if max <= 0 {
		max = 512
	}
	return &Limit{max: int64(max), pending: map[net.Conn]time.Time{}, evicted: map[net.Conn]bool{}}
}

// Max is the limit.
func (l *Limit) Max() int { return int(l.max) }

// Open is the number of connections admitted and not yet released.
func (l *Limit) Open() int64 { return l.open.Load() }

// Admit takes c in, under the limit or at it by evicting the oldest connection still in its
// handshake; false means c is refused (the caller closes it). With handshake, c is kept as
// in its handshake until HandshakeDone. Each admitted connection is Released when it ends.
func (l *Limit) Admit(c net.Conn, handshake bool) bool {
	if l.open.Load() >= l.max && !l.evictOldest() {
		return false
	}
	l.open.Add(1)
	if handshake {
		l.mu.Lock()
		l.pending[c] = time.Now()
		l.mu.Unlock()
	}
	return true
}

// Release gives back the place of an admitted connection that has ended.
func (l *Limit) Release() { l.open.Add(-1) }

// HandshakeDone takes c off the connections in their handshake and reports whether it was
// evicted (closed under its handshake, even if the handshake had just finished).
func (l *Limit) HandshakeDone(c net.Conn) (evicted bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pending, c)
	evicted = l.evicted[c]
	delete(l.evicted, c)
	return evicted
}

// evictOldest closes the oldest connection in its handshake and reports whether there was one.
func (l *Limit) evictOldest() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	var oldest net.Conn
	var at time.Time
	for c, since := range l.pending {
		if oldest == nil || since.Before(at) {
			oldest, at = c, since
		}
	}
	if oldest == nil {
		return false
	}
	delete(l.pending, oldest)
	l.evicted[oldest] = true
	oldest.Close()
	return true
}
