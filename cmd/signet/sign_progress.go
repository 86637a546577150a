package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/sign"
)

// signPrinter prints what `signet sign` did as it is told (sign.FilesOptions.Receipts, one
// receipt at a time once every signature is in place), so that a run over a million files
// holds no receipt per file: with --json one JSON array on stdout, byte for byte what
// writeJSON prints of the whole slice; else a "wrote" line per file on stderr (not with -q).
// Both are buffered, and flushed by finish. It also draws the progress bar of a run over many
// or large files (progress).
type signPrinter struct {
	e    *env
	c    *cli.Context
	bar  *progressBar
	json bool
	n    int
	w    *bufio.Writer // stdout for --json, else stderr
	buf  bytes.Buffer
	enc  *json.Encoder
}

func newSignPrinter(e *env, c *cli.Context) *signPrinter {
	p := &signPrinter{e: e, c: c, json: c.Bool("json")}
	// A bar on a terminal's stderr for many or large files, as hash and verify draw; never
	// on a pipe or in CI.
	if e.getenv("CI") == "" {
		p.bar = newProgressBar(e.stderr)
	}
	var w io.Writer = e.stderr
	if p.json {
		w = e.stdout
		p.enc = json.NewEncoder(&p.buf)
		p.enc.SetEscapeHTML(false)
		p.enc.SetIndent("  ", "  ")
	}
	p.w = bufio.NewWriterSize(clearBarWriter{w, p.bar}, 64<<10)
	return p
}

// progress is sign.FilesOptions.Progress: nil without a bar.
func (p *signPrinter) progress() func(digest.Progress) {
	if p.bar == nil {
		return nil
	}
	return p.bar.update
}

// clearBar takes the bar off the terminal, before an error is printed.
func (p *signPrinter) clearBar() { p.bar.clear() }

// receipt prints one receipt.
func (p *signPrinter) receipt(r sign.Receipt) error {
	p.n++
	if p.json {
		p.buf.Reset()
		if err := p.enc.Encode(r); err != nil {
			return err
		}
		sep := ",\n  "
		if p.n == 1 {
			sep = "[\n  "
		}
		p.w.WriteString(sep)
		_, err := p.w.Write(bytes.TrimSuffix(p.buf.Bytes(), []byte("\n")))
		return err
	}
	e := *p.e
	e.stderr = p.w
	if r.Entries > 0 {
		files := "files"
		if r.Entries == 1 {
			files = "file"
		}
		wrote(&e, p.c, r.Path, fmt.Sprintf("checksum list of %d %s", r.Entries, files))
	}
	of := "of " + digest.QuoteName(r.Path)
	if r.Path == "" {
		of = "of the digest"
	}
	wrote(&e, p.c, r.Signature, fmt.Sprintf("%s signature %s", r.Format, of))
	return nil
}

// finish ends the JSON array and flushes what is buffered.
func (p *signPrinter) finish() error {
	if p.json {
		if p.n == 0 {
			p.w.WriteString("[]\n")
		} else {
			p.w.WriteString("\n]\n")
		}
	}
	return p.w.Flush()
}
