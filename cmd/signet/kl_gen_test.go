package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
)

// The kill campaign's draws (kl_campaign_test.go runs them): per seed a tree of files, a way
// to sign it (format, key, how the files are named, --force over earlier signatures), a
// signal and when it comes. Everything is drawn from the seed, so a failing seed is run
// again as it was.

// klSignal is what the campaign delivers: one signal, or SIGINT twice.
type klSignal struct {
	sig    syscall.Signal
	twice  bool    // a second SIGINT after gap
	gapMS  int     // between the two SIGINTs
	delayF float64 // when, as a fraction of the run's measured length
}

func (s klSignal) String() string {
	name := map[syscall.Signal]string{syscall.SIGINT: "INT", syscall.SIGTERM: "TERM", syscall.SIGKILL: "KILL"}[s.sig]
	if s.twice {
		name = fmt.Sprintf("INT+INT(%dms)", s.gapMS)
	}
	return fmt.Sprintf("%s@%.2f", name, s.delayF)
}

// klCase is one seed's run (or pair of runs) of signet sign.
type klCase struct {
	seed   int64
	n      int   // files
	sizes  []int // of each file
	dirs   int   // subdirectories the files are spread over (0: all in the top one)
	format string
	key    string // "ed25519", "p256" (a key file), "identity" (signet init's), "token"
	names  string // "args", "files-from", "recursive", "manifest"
	force  bool   // earlier signatures exist; the run has --force
	where  string // "run", "flock" (waiting for a directory lock another holds), "prompt", "pair"
	sig    klSignal
	// A pair: a second run (key B) at the same time, with --force; the first has --force too
	// when pairForce. Each gets its own signal, or none.
	pairForce bool
	sigB      klSignal
	noSigA    bool
	noSigB    bool
}

func (c klCase) String() string {
	s := fmt.Sprintf("seed %d: %d files in %d dirs, %s key %s, %s", c.seed, c.n, c.dirs+1, c.format, c.key, c.names)
	if c.force {
		s += " --force"
	}
	s += " " + c.where
	switch {
	case c.where == "pair":
		a, b := c.sig.String(), c.sigB.String()
		if c.noSigA {
			a = "none"
		}
		if c.noSigB {
			b = "none"
		}
		s += fmt.Sprintf(" (A %s, B --force), A %s, B %s", map[bool]string{true: "--force", false: "plain"}[c.pairForce], a, b)
	default:
		s += " " + c.sig.String()
	}
	return s
}

func klDrawSignal(r *rand.Rand) klSignal {
	var s klSignal
	switch r.IntN(8) {
	case 0, 1, 2:
		s.sig = syscall.SIGINT
	case 3, 4:
		s.sig = syscall.SIGTERM
	case 5, 6:
		s.sig = syscall.SIGKILL
	default:
		s.sig, s.twice, s.gapMS = syscall.SIGINT, true, r.IntN(30)
	}
	switch r.IntN(4) {
	case 0: // the end of the run: the moves into place
		s.delayF = 0.75 + 0.35*r.Float64()
	case 1: // the start: options, the key
		s.delayF = 0.2 * r.Float64()
	default:
		s.delayF = 1.1 * r.Float64()
	}
	return s
}

// klDraw draws seed's case. token says whether a SoftHSM2 token may be drawn.
func klDraw(seed int64, token bool) klCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6b6c))
	c := klCase{seed: seed}
	// 1..2000 files, log-uniform: most trees are small, a few are large.
	c.n = int(math.Exp(r.Float64() * math.Log(2000)))
	c.n = min(max(c.n, 1), 2000)
	total := 0
	c.sizes = make([]int, c.n)
	for i := range c.sizes {
		switch r.IntN(10) {
		case 0:
			c.sizes[i] = 0
		case 1:
			c.sizes[i] = r.IntN(1 << 20)
		default:
			c.sizes[i] = r.IntN(4096)
		}
		if total+c.sizes[i] > 24<<20 {
			c.sizes[i] = r.IntN(64)
		}
		total += c.sizes[i]
	}
	c.dirs = r.IntN(3)
	c.format = []string{"raw", "cms", "bundle", "minisign"}[r.IntN(4)]
	switch c.format {
	case "minisign":
		c.key = "ed25519"
	case "raw":
		c.key = []string{"ed25519", "p256", "identity"}[r.IntN(3)]
	default:
		c.key = "identity"
	}
	c.names = []string{"args", "files-from", "recursive", "manifest"}[r.IntN(4)]
	c.force = r.IntN(3) == 0
	switch w := r.IntN(20); {
	case w < 12:
		c.where = "run"
	case w < 14:
		c.where = "flock"
	case w < 16:
		c.where = "prompt"
	default:
		c.where = "pair"
	}
	c.sig = klDrawSignal(r)
	if c.where == "pair" {
		// Two keys whose signatures tell the runs apart: raw or minisign Ed25519.
		c.format = []string{"raw", "minisign"}[r.IntN(2)]
		c.key, c.force = "ed25519", false
		if c.names == "manifest" {
			c.names = "args"
		}
		c.pairForce = r.IntN(2) == 0
		c.sigB = klDrawSignal(r)
		switch r.IntN(4) {
		case 0:
			c.noSigA = true
		case 1:
			c.noSigB = true
		}
	}
	if c.where == "prompt" {
		// An encrypted key file, asked for on a terminal.
		if c.key == "identity" {
			c.key = "p256"
		}
		if c.format == "cms" || c.format == "bundle" {
			c.format = "raw"
		}
	}
	if token && c.where == "run" && c.format == "raw" && r.IntN(3) == 0 {
		c.key = "token"
		c.n = min(c.n, 300) // a token signs a file at a time
		c.sizes = c.sizes[:c.n]
	}
	return c
}

// klWriteCase is one seed of the campaign over the commands that write one file (or init's
// few): which command, whether its output exists already (then --force), and the signal.
type klWriteCase struct {
	seed   int64
	cmd    string // "key-rsa", "key-ec", "key-enc", "csr", "cert", "crl", "p12", "init", "ts"
	exists bool
	sig    klSignal
}

func (c klWriteCase) String() string {
	return fmt.Sprintf("seed %d: %s exists %v %s", c.seed, c.cmd, c.exists, c.sig)
}

func klDrawWrite(seed int64) klWriteCase {
	r := rand.New(rand.NewPCG(uint64(seed), 0x77726974))
	c := klWriteCase{seed: seed}
	c.cmd = []string{"key-rsa", "key-rsa", "key-ec", "key-enc", "csr", "cert", "crl", "p12", "init", "ts"}[r.IntN(10)]
	c.exists = r.IntN(2) == 0
	c.sig = klDrawSignal(r)
	return c
}
