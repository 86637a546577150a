// Command tcpbench is the load of bench/tls/tunnel.sh: a sink that counts what it receives, a
// sender that pushes N bytes through a tunnel to it, and a dialer that measures how many
// connections a second make it through. It talks to loopback addresses only.
//
//	tcpbench sink --listen 127.0.0.1:0 --addr-file F   count each connection's bytes until EOF,
//	                                                   then answer the count ("%d\n") and close;
//	                                                   a connection that sends "ping\n" first gets
//	                                                   "pong\n" back and is closed
//	tcpbench send --connect ADDR --bytes N             send N bytes, half-close, wait for the
//	                                                   count, check it, print MB/s
//	tcpbench dial --connect ADDR --n N --concurrency C N connections, each a ping/pong round trip;
//	                                                   print connections per second
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tcpbench sink|send|dial [flags]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "sink: address to listen on")
	addrFile := fs.String("addr-file", "", "sink: write the address listened on here")
	connect := fs.String("connect", "", "send, dial: address to connect to")
	bytes := fs.Int64("bytes", 1<<30, "send: bytes to send")
	n := fs.Int("n", 200, "dial: connections")
	conc := fs.Int("concurrency", 1, "dial: connections at once")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "sink":
		err = sink(*listen, *addrFile)
	case "send":
		err = send(*connect, *bytes)
	case "dial":
		err = dial(*connect, *n, *conc)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tcpbench:", err)
		os.Exit(1)
	}
}

func sink(listen, addrFile string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	if addrFile != "" {
		if err := os.WriteFile(addrFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			return err
		}
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			r := bufio.NewReaderSize(c, 256<<10)
			if head, err := r.Peek(5); err == nil && string(head) == "ping\n" {
				r.Discard(5)
				io.WriteString(c, "pong\n")
				return
			}
			n, _ := io.Copy(io.Discard, r)
			fmt.Fprintf(c, "%d\n", n)
		}()
	}
}

func send(addr string, total int64) error {
	start := time.Now()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 256<<10)
	for left := total; left > 0; {
		m := min(int64(len(buf)), left)
		if _, err := c.Write(buf[:m]); err != nil {
			return err
		}
		left -= m
	}
	c.(*net.TCPConn).CloseWrite()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("no count back: %w", err)
	}
	got, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil || got != total {
		return fmt.Errorf("the sink counted %q, want %d", line, total)
	}
	d := time.Since(start)
	fmt.Printf("%.1f MB/s\n", float64(total)/d.Seconds()/1e6)
	return nil
}

func dial(addr string, n, conc int) error {
	start := time.Now()
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					errs <- err
					return
				}
				c.SetDeadline(time.Now().Add(30 * time.Second))
				io.WriteString(c, "ping\n")
				line, err := bufio.NewReader(c).ReadString('\n')
				c.Close()
				if err != nil || line != "pong\n" {
					errs <- fmt.Errorf("round trip: %q %v", line, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Printf("%.1f connections/s\n", float64(n)/time.Since(start).Seconds())
	return nil
}
