package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/signet-pki/signet/internal/testutil"
)

// The tunnel campaign (tn): `signet tls tunnel` as a byte pipe under what real traffic does.
// Each seed draws a topology (signet's client side in front of signet's, stunnel's or socat's
// server side; socat's, stunnel's or openssl s_client's TLS client in front of signet's server
// side; the peer at TLS 1.3 or 1.2), a backend (Go or socat), a traffic pattern and its sizes,
// chunks and pauses, a number of connections at once, an idle timeout, and maybe a SIGHUP or
// SIGTERM of a signet side in the middle. It judges:
//
//   - the bytes arriving are exactly those sent, in order, each direction (SHA-256 at both ends);
//   - a half-close survives the tunnel both ways: a client that shuts its write side still
//     reads the reply, and a backend that ends its side first still receives what the client
//     sends after (socat and stunnel forward a FIN as a FIN, a TLS close_notify as a FIN);
//   - an abrupt reset or a backend that is down ends the connection on the other side too,
//     promptly, with no more than was sent. A reset goes on as a close (a FIN, a
//     close_notify), as stunnel and socat pass it on too: an RST sent on would throw away
//     the bytes still in the socket's buffer towards that side, which a close delivers;
//   - a client the server side refuses gets nothing forwarded: the backend sees no connection;
//   - back-pressure: a client that stops reading stops the backend's writes within a bound,
//     and the signet sides' memory does not grow with what the backend sent;
//   - a signet process holds no more file descriptors after the traffic than before it,
//     exits 0 on SIGTERM once its connections are done, or once the grace runs out;
//   - every log line of a signet process is one line, a connection's names its peer, and the
//     bytes its connection lines count are those that went through.
//
// CI runs seeds 1 to tnPinnedSeeds; SIGNET_TN_SEEDS=first:count runs others.

const tnPinnedSeeds = 24

type tnTopo string

const (
	tnSignetSignet  tnTopo = "signet>signet"
	tnSignetStunnel tnTopo = "signet>stunnel"
	tnSignetSocat   tnTopo = "signet>socat"
	tnSocatSignet   tnTopo = "socat>signet"
	tnSClientSignet tnTopo = "s_client>signet"
	tnStunnelSignet tnTopo = "stunnel>signet"
)

type tnPattern string

const (
	tnUpload   tnPattern = "upload"   // the client sends, shuts its write side, reads the backend's digest
	tnEcho     tnPattern = "echo"     // the backend sends back what it reads; the client shuts its write side
	tnDownload tnPattern = "download" // the backend sends and shuts its side first; the client sends after
	tnCliReset tnPattern = "client-reset"
	tnBackRst  tnPattern = "backend-reset"
	tnDown     tnPattern = "backend-down"
	tnSlow     tnPattern = "slow-reader"
	tnRefused  tnPattern = "refused-client"
)

// tnCase is what a seed draws.
type tnCase struct {
	seed    int64
	topo    tnTopo
	pattern tnPattern
	conns   int
	socatBE bool   // the echo backend is socat, not Go
	event   string // "", "sighup" or "sigterm", sent to a signet side; "cut" (slow reader): SIGTERM that the grace does not cover
	tls12   bool   // the peer of signet (stunnel, socat) speaks TLS 1.2 at most
	idle    string // the signet sides' --idle-timeout: quiet spells in the traffic are shorter
	sizes   []int  // bytes each connection sends (and the backend sends, for download)
	chunk   int
	pause   time.Duration
}

func tnDraw(seed int64) tnCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x746e))
	c := tnCase{seed: seed}
	topos := []tnTopo{tnSignetSignet, tnSignetSignet, tnSignetStunnel, tnSignetSocat, tnSocatSignet, tnSClientSignet, tnStunnelSignet}
	c.topo = topos[r.IntN(len(topos))]
	pats := []tnPattern{tnUpload, tnEcho, tnDownload, tnCliReset, tnBackRst, tnDown, tnSlow, tnRefused}
	if c.topo == tnSClientSignet {
		pats = []tnPattern{tnDownload, tnRefused} // s_client neither half-closes nor resets
	}
	c.pattern = pats[r.IntN(len(pats))]
	if c.pattern == tnRefused && c.topo != tnSignetSignet && c.topo != tnSocatSignet && c.topo != tnSClientSignet {
		c.pattern = tnUpload // refusing is the signet server side's
	}
	c.conns = 1 + r.IntN(4)
	if r.IntN(3) == 0 {
		c.conns = 8 + r.IntN(24)
	}
	if c.topo == tnSClientSignet || c.pattern == tnSlow {
		c.conns = 1
	}
	c.socatBE = c.pattern == tnEcho && r.IntN(2) == 0
	c.tls12 = c.topo != tnSignetSignet && c.topo != tnSClientSignet && r.IntN(2) == 0
	c.idle = []string{"5m", "5m", "1s"}[r.IntN(3)]
	if c.pattern == tnSlow {
		c.idle = "5m" // the stopped reader is quiet for a while
		if r.IntN(3) == 0 {
			c.event = "cut" // SIGTERM with the reader stopped: the grace runs out
		}
	}
	if c.pattern == tnUpload || c.pattern == tnEcho || c.pattern == tnDownload {
		switch r.IntN(4) {
		case 1:
			c.event = "sighup"
		case 2:
			if c.topo != tnSClientSignet {
				c.event = "sigterm"
			}
		}
	}
	for range c.conns {
		var n int
		switch r.IntN(5) {
		case 0:
			n = 0
		case 1:
			n = 1 + r.IntN(100)
		case 2:
			n = r.IntN(64 << 10)
		default:
			n = r.IntN(4 << 20 / c.conns)
		}
		c.sizes = append(c.sizes, n)
	}
	c.chunk = []int{1, 7, 512, 4096, 16 << 10, 16<<10 + 1, 64 << 10, 256 << 10}[r.IntN(8)]
	if c.chunk < 512 {
		for i := range c.sizes {
			c.sizes[i] = min(c.sizes[i], 2000)
		}
	}
	c.pause = []time.Duration{0, 0, 0, time.Millisecond, 5 * time.Millisecond}[r.IntN(5)]
	if c.pause > 0 { // at most half a second of pauses a connection
		for i := range c.sizes {
			c.sizes[i] = min(c.sizes[i], c.chunk*int(500*time.Millisecond/c.pause))
		}
	}
	return c
}

func (c tnCase) String() string {
	be := "go"
	if c.socatBE {
		be = "socat"
	}
	return fmt.Sprintf("seed %d: %s (TLS 1.2 at most: %v), %s, %d conns, backend %s, event %q, idle timeout %s, chunk %d, pause %v, sizes %v",
		c.seed, c.topo, c.tls12, c.pattern, c.conns, be, c.event, c.idle, c.chunk, c.pause, c.sizes)
}

// tnData is the deterministic stream connection i of a seed sends in direction dir.
func tnData(seed int64, i int, dir byte, n int) []byte {
	r := rand.New(rand.NewChaCha8([32]byte{dir, byte(i), byte(i >> 8), byte(seed), byte(seed >> 8), byte(seed >> 16)}))
	b := make([]byte, n)
	for j := 0; j+8 <= n; j += 8 {
		binary.LittleEndian.PutUint64(b[j:], r.Uint64())
	}
	for j := n &^ 7; j < n; j++ {
		b[j] = byte(r.Uint32())
	}
	return b
}

func tnSum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:8]) }

// tnBackend is the Go backend: each connection starts with the client's 4-byte index; what it
// then does depends on the pattern. It records what each connection received and how it ended.
type tnBackend struct {
	addr    string
	accepts atomic.Int64
	ended   atomic.Int64 // connections whose handler returned
	headers atomic.Int64 // connections whose client's index came through
	written atomic.Int64 // bytes the slow-reader source has written
	mu      sync.Mutex
	got     map[int]tnEnd
}

type tnEnd struct {
	data []byte
	err  error // nil: a clean EOF
}

func (b *tnBackend) record(i int, e tnEnd) {
	b.mu.Lock()
	b.got[i] = e
	b.mu.Unlock()
}

func (b *tnBackend) wait(t *testing.T, i int, within time.Duration) (tnEnd, bool) {
	deadline := time.Now().Add(within)
	for {
		b.mu.Lock()
		e, ok := b.got[i]
		b.mu.Unlock()
		if ok || time.Now().After(deadline) {
			return e, ok
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func tnStartBackend(t *testing.T, c tnCase) *tnBackend {
	b := &tnBackend{got: map[int]tnEnd{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.addr = ln.Addr().String()
	testutil.ServeConns(t, ln, func(conn net.Conn) {
		b.accepts.Add(1)
		defer b.ended.Add(1)
		tc := conn.(*net.TCPConn)
		conn.SetDeadline(time.Now().Add(60 * time.Second))
		var hdr [4]byte
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			return
		}
		i := int(binary.BigEndian.Uint32(hdr[:]))
		b.headers.Add(1)
		n := c.sizes[i]
		switch c.pattern {
		case tnUpload, tnRefused:
			data, err := io.ReadAll(conn)
			b.record(i, tnEnd{data, err})
			if err == nil {
				fmt.Fprintf(conn, "%d %s\n", len(data), tnSum(data))
			}
		case tnEcho:
			conn.Write(hdr[:])
			io.Copy(conn, conn)
			tc.CloseWrite()
		case tnDownload:
			if c.topo == tnSClientSignet {
				// s_client ends at the server's close_notify, even with stdin
				// still to send: the backend reads all before it ends its side.
				data := make([]byte, n)
				_, err := io.ReadFull(conn, data)
				b.record(i, tnEnd{data, err})
				tnWrite(conn, tnData(c.seed, i, 'd', n), c.chunk, c.pause)
				tc.CloseWrite()
				io.Copy(io.Discard, conn)
				return
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				data, err := io.ReadAll(conn)
				b.record(i, tnEnd{data, err})
			}()
			tnWrite(conn, tnData(c.seed, i, 'd', n), c.chunk, c.pause)
			tc.CloseWrite()
			<-done
		case tnCliReset:
			data, err := io.ReadAll(conn)
			b.record(i, tnEnd{data, err})
		case tnBackRst:
			tnWrite(conn, tnData(c.seed, i, 'd', n), c.chunk, 0)
			time.Sleep(20 * time.Millisecond)
			tc.SetLinger(0)
			conn.Close()
		case tnSlow:
			buf := tnData(c.seed, i, 'd', 1<<20)
			for range tnSlowTotal >> 20 {
				w, err := conn.Write(buf)
				b.written.Add(int64(w))
				if err != nil {
					return
				}
			}
		}
	})
	return b
}

// The slow reader's backend sends this much; the client reads tnSlowFirst, stops, and the
// backend must be held back within tnSlowBound of what was read (loopback sockets' buffers
// hold most of it: up to 15 MiB was seen), the resident memory of each signet side grow by
// less than tnSlowRSS (up to 1 MiB seen; 7 MiB under -race).
const (
	tnSlowTotal = 48 << 20
	tnSlowFirst = 1 << 20
	tnSlowBound = 24 << 20
	tnSlowRSS   = 16 << 20
)

// tnGrace is the signet sides' --shutdown-grace: the "sigterm" transfers finish within it.
const tnGrace = "5s"

// tnWrite writes data in chunks with pauses.
func tnWrite(w io.Writer, data []byte, chunk int, pause time.Duration) error {
	for len(data) > 0 {
		n := min(chunk, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
		if pause > 0 {
			time.Sleep(pause)
		}
	}
	return nil
}

// tnSocatBackend is socat echoing each connection (a FIN from the client ends the echo with a
// FIN of its own).
func tnSocatBackend(t *testing.T) string {
	addr := freePort(t)
	_, port, _ := net.SplitHostPort(addr)
	tnRun(t, "socat", "-t", "30", "TCP-LISTEN:"+port+",bind=127.0.0.1,reuseaddr,fork,backlog=128", "EXEC:cat")
	waitPort(t, addr, &syncBuffer{})
	return addr
}

// tnRun runs a tool until the test ends, its output kept for a failure.
func tnRun(t *testing.T, name string, args ...string) *syncBuffer {
	bin := testutil.RequireTool(t, name)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s said:\n%s", name, out.String())
		}
	})
	return out
}

// tnPKI is the fixtures' PKI: the server's chain for www.example.com, the client's chain.
type tnPKI struct {
	root, serverChain, serverKey, clientChain, clientKey string
}

func tnFixtures(t *testing.T) tnPKI {
	dir := t.TempDir()
	p := tnPKI{root: fixturePKI(t, "root-ca.pem"), serverChain: fixturePKI(t, "server-chain.pem"), serverKey: fixturePKI(t, "server.key"),
		clientKey: fixturePKI(t, "client.key"), clientChain: filepath.Join(dir, "client-chain.pem")}
	var chain []byte
	for _, f := range []string{"client.pem", "int-ca.pem"} {
		b, err := os.ReadFile(fixturePKI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, b...)
	}
	if err := os.WriteFile(p.clientChain, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// tnRSS is a process's resident memory, from /proc (0 when it cannot be read).
func tnRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

func tnFDs(t *testing.T, pid int) int {
	es, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestTunnelCampaign(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"socat", "stunnel4", "openssl"} {
		testutil.RequireTool(t, tool)
	}
	seeds := testutil.Seeds(t, "SIGNET_TN_SEEDS", tnPinnedSeeds)
	var tally testutil.Tally
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			c := tnDraw(seed)
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				tnRunCase(t, c)
				tally.Add(fmt.Sprintf("%s %s %s", c.topo, c.pattern, c.event))
			})
		}
	})
	tally.Log(t, len(seeds))
}

func tnRunCase(t *testing.T, c tnCase) {
	defer func() {
		if t.Failed() {
			t.Log(c)
		}
	}()
	p := tnFixtures(t)
	be := tnStartBackend(t, c)
	target := be.addr
	if c.socatBE {
		target = tnSocatBackend(t)
	}
	if c.pattern == tnDown {
		target = freePort(t) // nothing listens
	}
	clientCert, clientKey := p.clientChain, p.clientKey
	if c.pattern == tnRefused {
		// A certificate for serverAuth alone, of the same CA: the server side refuses it.
		clientCert, clientKey = p.serverChain, p.serverKey
	}
	var signets []*tunnelProc // the signet sides, for their descriptors and signals
	var entry string          // where the test's plain TCP client connects
	var server *tunnelProc
	switch c.topo {
	case tnSignetSignet, tnSocatSignet, tnSClientSignet, tnStunnelSignet:
		server = startTunnel(t, "--tls", "--forward", target, "--cert", p.serverChain, "--key", p.serverKey, "--client-roots", p.root, "--json", "--idle-timeout", c.idle, "--shutdown-grace", tnGrace)
		signets = append(signets, server)
	}
	saddr := ""
	socatMax, stunnelMax := "", "sslVersionMax = TLSv1.3"
	if c.tls12 {
		socatMax, stunnelMax = ",max-version=TLS1.2", "sslVersionMax = TLSv1.2"
	}
	switch c.topo {
	case tnSignetSignet:
		saddr = server.addr
	case tnSignetStunnel:
		saddr = freePort(t)
		stunnel(t, saddr, "[tn]", "accept = "+saddr, "connect = "+target, "cert = "+p.serverChain, "key = "+p.serverKey,
			"CAfile = "+p.root, "verifyChain = yes", "requireCert = yes", stunnelMax)
	case tnSignetSocat:
		saddr = freePort(t)
		_, port, _ := net.SplitHostPort(saddr)
		tnRun(t, "socat", "-t", "30", "OPENSSL-LISTEN:"+port+",bind=127.0.0.1,reuseaddr,fork,backlog=128,cert="+p.serverChain+",key="+p.serverKey+",cafile="+p.root+",verify=1"+socatMax,
			"TCP:"+target)
		waitPort(t, saddr, &syncBuffer{})
	}
	switch c.topo {
	case tnSignetSignet, tnSignetStunnel, tnSignetSocat:
		cl := startTunnel(t, "--connect", saddr, "--host", "www.example.com", "--cert", clientCert, "--key", clientKey, "--roots", p.root, "--json", "--idle-timeout", c.idle, "--shutdown-grace", tnGrace)
		signets = append(signets, cl)
		entry = cl.addr
	case tnSocatSignet:
		entry = freePort(t)
		_, port, _ := net.SplitHostPort(entry)
		tnRun(t, "socat", "-t", "30", "TCP-LISTEN:"+port+",bind=127.0.0.1,reuseaddr,fork,backlog=128",
			"OPENSSL:"+server.addr+",cert="+clientCert+",key="+clientKey+",cafile="+p.root+",verify=1,commonname=www.example.com"+socatMax)
		waitPort(t, entry, &syncBuffer{})
	case tnStunnelSignet:
		entry = freePort(t)
		stunnel(t, entry, "[tn]", "client = yes", "accept = "+entry, "connect = "+server.addr, "cert = "+clientCert, "key = "+clientKey,
			"CAfile = "+p.root, "verifyChain = yes", "checkHost = www.example.com", stunnelMax)
	}
	base, baseRSS := map[*tunnelProc]int{}, map[*tunnelProc]int64{}
	for _, s := range signets {
		base[s], baseRSS[s] = tnFDs(t, s.cmd.Process.Pid), tnRSS(s.cmd.Process.Pid)
	}

	if c.topo == tnSClientSignet {
		tnSClient(t, c, p, server, be, clientCert, clientKey)
	} else {
		var wg sync.WaitGroup
		var through atomic.Int64 // connections known to have reached the backend
		errs := make(chan error, c.conns)
		for i := range c.conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := tnConn(c, i, entry, be, &through, signets, baseRSS); err != nil {
					errs <- fmt.Errorf("connection %d (%d bytes): %w", i, c.sizes[i], err)
				}
			}()
		}
		stopped := make(chan int, 1)
		if c.event == "sighup" || c.event == "sigterm" {
			go func() {
				// Once every connection is through to the backend (so none is refused as new).
				deadline := time.Now().Add(20 * time.Second)
				for be.headers.Load()+through.Load() < int64(c.conns) && time.Now().Before(deadline) {
					time.Sleep(2 * time.Millisecond)
				}
				s := signets[int(c.seed)%len(signets)]
				if c.event == "sighup" {
					s.cmd.Process.Signal(syscall.SIGHUP)
					return
				}
				stopped <- s.stop(t)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if c.event == "sigterm" {
			if code := <-stopped; code != 0 {
				t.Errorf("a signet side exited %d on SIGTERM", code)
			}
		}
	}
	if c.pattern == tnCliReset {
		deadline := time.Now().Add(15 * time.Second)
		for be.ended.Load() < be.accepts.Load() {
			if time.Now().After(deadline) {
				t.Errorf("%d backend connections outlived the clients' resets", be.accepts.Load()-be.ended.Load())
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if c.pattern == tnRefused {
		if n := be.accepts.Load(); n != 0 {
			t.Errorf("a refused client reached the backend: %d connections", n)
		}
	}
	// Descriptors back where they were, in every signet side still running.
	for _, s := range signets {
		select {
		case err := <-s.done:
			s.done <- err
			continue
		default:
		}
		pid := s.cmd.Process.Pid
		deadline := time.Now().Add(10 * time.Second)
		for tnFDs(t, pid) > base[s] {
			if time.Now().After(deadline) {
				t.Errorf("signet pid %d holds %d descriptors after the traffic, %d before", pid, tnFDs(t, pid), base[s])
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Log lines: one JSON object a line; a refusal names its peer. The bytes each way the
	// connection lines count are those that went through.
	var wantIn, wantOut float64
	for i, n := range c.sizes {
		switch c.pattern {
		case tnUpload:
			up := tnData(c.seed, i, 'u', n)
			wantIn += float64(4 + n)
			wantOut += float64(len(fmt.Sprintf("%d %s\n", n, tnSum(up))))
		case tnEcho:
			wantIn += float64(4 + n)
			wantOut += float64(4 + n)
		case tnDownload:
			wantIn += float64(4 + n)
			wantOut += float64(n)
		}
	}
	for _, s := range signets {
		count := func() (in, out float64) {
			for _, line := range strings.Split(strings.TrimSpace(s.out.String()), "\n") {
				if strings.HasPrefix(line, "{") && strings.Contains(line, `"event":"connection"`) {
					ev := jsonEvents(t, line)[0]
					in += ev["bytes_in"].(float64)
					out += ev["bytes_out"].(float64)
				}
			}
			return in, out
		}
		if (wantIn == 0 && wantOut == 0) || c.topo == tnSClientSignet {
			continue
		}
		// A connection's line comes just after its descriptors are closed.
		deadline := time.Now().Add(5 * time.Second)
		for in, out := count(); in != wantIn || out != wantOut; in, out = count() {
			if time.Now().After(deadline) {
				t.Errorf("signet pid %d counted %v bytes in and %v out, want %v and %v", s.cmd.Process.Pid, in, out, wantIn, wantOut)
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, s := range signets {
		for _, line := range strings.Split(strings.TrimSpace(s.out.String()), "\n") {
			if line == "" || !strings.HasPrefix(line, "{") {
				continue
			}
			evs := jsonEvents(t, line)
			if len(evs) != 1 {
				t.Errorf("log line %q is not one event", line)
				continue
			}
			if ev := evs[0]; (ev["event"] == "refused" || ev["event"] == "connection") && ev["peer"] == nil {
				t.Errorf("log line without its peer: %s", line)
			}
		}
	}
}

// tnConn runs connection i of the pattern through entry and judges what arrived.
func tnConn(c tnCase, i int, entry string, be *tnBackend, through *atomic.Int64, signets []*tunnelProc, baseRSS map[*tunnelProc]int64) error {
	conn, err := net.DialTimeout("tcp", entry, 10*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	tc := conn.(*net.TCPConn)
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(i))
	up := tnData(c.seed, i, 'u', c.sizes[i])
	down := tnData(c.seed, i, 'd', c.sizes[i])
	switch c.pattern {
	case tnUpload:
		conn.Write(hdr[:])
		if err := tnWrite(conn, up, c.chunk, c.pause); err != nil {
			return fmt.Errorf("sending: %w", err)
		}
		tc.CloseWrite()
		reply, err := io.ReadAll(conn)
		if err != nil {
			return fmt.Errorf("reading the reply after a half-close: %w", err)
		}
		if want := fmt.Sprintf("%d %s\n", len(up), tnSum(up)); string(reply) != want {
			return fmt.Errorf("the backend's digest after a half-close: got %q, want %q", reply, want)
		}
	case tnEcho:
		werr := make(chan error, 1)
		go func() {
			conn.Write(hdr[:])
			err := tnWrite(conn, up, c.chunk, c.pause)
			tc.CloseWrite()
			werr <- err
		}()
		got := make([]byte, 4)
		if _, err := io.ReadFull(conn, got); err != nil {
			return fmt.Errorf("reading the echo: %w", err)
		}
		if c.socatBE {
			through.Add(1)
		}
		rest, err := io.ReadAll(conn)
		got = append(got, rest...)
		if e := <-werr; e != nil {
			return fmt.Errorf("sending: %w", e)
		}
		if err != nil {
			return fmt.Errorf("reading the echo: %w (%d bytes)", err, len(got))
		}
		if !bytes.Equal(got, append(hdr[:], up...)) {
			return fmt.Errorf("echo: got %d bytes %s, sent %d", len(got), tnSum(got), len(up)+4)
		}
	case tnDownload:
		conn.Write(hdr[:])
		got, err := io.ReadAll(conn)
		if err != nil {
			return fmt.Errorf("reading the download: %w (%d bytes)", err, len(got))
		}
		if !bytes.Equal(got, down) {
			return fmt.Errorf("download: got %d bytes %s, want %d %s", len(got), tnSum(got), len(down), tnSum(down))
		}
		// The backend has shut its side; the client still sends, then shuts its own.
		if err := tnWrite(conn, up, c.chunk, c.pause); err != nil {
			return fmt.Errorf("sending after the backend's half-close: %w", err)
		}
		tc.CloseWrite()
		e, ok := be.wait(nil, i, 30*time.Second)
		if !ok {
			return fmt.Errorf("the backend never saw the end of the client's bytes after its own half-close")
		}
		if e.err != nil || !bytes.Equal(e.data, up) {
			return fmt.Errorf("after its half-close the backend got %d bytes %s (%v), sent %d %s", len(e.data), tnSum(e.data), e.err, len(up), tnSum(up))
		}
	case tnCliReset:
		conn.Write(hdr[:])
		tnWrite(conn, up, c.chunk, c.pause)
		time.Sleep(20 * time.Millisecond)
		tc.SetLinger(0)
		conn.Close()
		// The reset may come before the header is through (then the backend cannot tell
		// which connection it had): judged by the backend's open connections below.
		if e, ok := be.wait(nil, i, 0); ok && !bytes.HasPrefix(up, e.data) {
			return fmt.Errorf("after a reset the backend got %d bytes that are not a prefix of those sent", len(e.data))
		}
	case tnBackRst:
		conn.Write(hdr[:])
		conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		got, err := io.ReadAll(conn)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("the client's connection outlived the backend's reset")
		}
		if !bytes.HasPrefix(down, got) {
			return fmt.Errorf("after the backend's reset the client got %d bytes that are not a prefix of those sent", len(got))
		}
	case tnDown, tnRefused:
		conn.Write(hdr[:])
		tnWrite(conn, up, c.chunk, 0)
		conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		got, err := io.ReadAll(conn)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("the connection stayed open with the backend down or the client refused")
		}
		if len(got) != 0 {
			return fmt.Errorf("%d bytes came back with the backend down or the client refused", len(got))
		}
	case tnSlow:
		conn.Write(hdr[:])
		r := bufio.NewReaderSize(conn, 4096)
		if _, err := io.CopyN(io.Discard, r, tnSlowFirst); err != nil {
			return fmt.Errorf("reading: %w", err)
		}
		// Stop reading; the backend must soon be held back.
		var w int64
		for range 50 {
			time.Sleep(20 * time.Millisecond)
			if nw := be.written.Load(); nw == w {
				break
			} else {
				w = nw
			}
		}
		if w := be.written.Load(); w-tnSlowFirst > tnSlowBound {
			return fmt.Errorf("back-pressure: the backend wrote %d MiB while the client read %d MiB", w>>20, tnSlowFirst>>20)
		}
		for _, s := range signets {
			if rss := tnRSS(s.cmd.Process.Pid); rss-baseRSS[s] > tnSlowRSS {
				return fmt.Errorf("back-pressure: signet pid %d grew by %d MiB (VmRSS) with the reader stopped", s.cmd.Process.Pid, (rss-baseRSS[s])>>20)
			}
		}
		if c.event == "cut" {
			// The grace runs out with the reader stopped: the signet side ends the
			// connection, exits 0, and the client's stream ends short of the total.
			s := signets[int(c.seed)%len(signets)]
			s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case err := <-s.done:
				s.done <- err
				if err != nil {
					return fmt.Errorf("SIGTERM with a connection past the grace: %v", err)
				}
			case <-time.After(10 * time.Second):
				return fmt.Errorf("SIGTERM with a connection past the grace: still running after 10 s")
			}
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			n, err := io.Copy(io.Discard, r)
			if errors.Is(err, os.ErrDeadlineExceeded) || n+tnSlowFirst >= tnSlowTotal {
				return fmt.Errorf("after the grace ran out the client read on: %d bytes (%v)", n+tnSlowFirst, err)
			}
			return nil
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n+tnSlowFirst != tnSlowTotal {
			return fmt.Errorf("slow reader: got %d bytes of %d: %v", n+tnSlowFirst, tnSlowTotal, err)
		}
	}
	return nil
}

// tnSClient is openssl s_client in front of signet's server side: it sends connection 0's
// bytes and prints what comes back until the server side closes.
func tnSClient(t *testing.T, c tnCase, p tnPKI, server *tunnelProc, be *tnBackend, cert, key string) {
	var hdr [4]byte
	up := append(hdr[:], tnData(c.seed, 0, 'u', c.sizes[0])...)
	down := tnData(c.seed, 0, 'd', c.sizes[0])
	// The backend sends and shuts its side, then reads to the end; s_client, in -quiet
	// mode, does not end the connection at its stdin's end: the test ends it once the
	// backend has all the bytes.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, testutil.RequireTool(t, "openssl"), "s_client", "-quiet", "-connect", server.addr, "-servername", "www.example.com",
		"-cert", cert, "-cert_chain", fixturePKI(t, "int-ca.pem"), "-key", key, "-CAfile", p.root, "-verify_return_error")
	cmd.Stdin = bytes.NewReader(up)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	if c.pattern == tnRefused {
		if ctx.Err() != nil {
			t.Error("s_client refused: the connection stayed open")
		}
		if out.Len() != 0 {
			t.Errorf("a refused s_client got %d bytes", out.Len())
		}
		return
	}
	if ctx.Err() != nil || !bytes.Equal(out.Bytes(), down) {
		t.Errorf("s_client (%v) got %d bytes %s, want %d %s; stderr: %s", err, out.Len(), tnSum(out.Bytes()), len(down), tnSum(down), stderr.String())
	}
	e, ok := be.wait(t, 0, 10*time.Second)
	if !ok || e.err != nil || !bytes.Equal(e.data, up[4:]) {
		t.Errorf("the backend got %d bytes %s (%v), s_client sent %d %s", len(e.data), tnSum(e.data), e.err, len(up)-4, tnSum(up[4:]))
	}
}
