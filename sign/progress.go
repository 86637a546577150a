package sign

import (
	"os"
	"sync/atomic"
	"time"

	"github.com/signet-pki/signet/digest"
)

// progress counts what a run has done, for FilesOptions.Progress. A nil *progress is not
// valid: without Progress it still counts, and tells no one.
type progress struct {
	bytes, files atomic.Int64
	total        digest.Progress
	done         chan struct{} // closed by stop
	stopped      chan struct{} // closed once the last call is made
}

// startProgress counts a run's totals and calls opts.Progress every interval until stop.
func startProgress(items *itemList, opts FilesOptions) *progress {
	p := &progress{done: make(chan struct{}), stopped: make(chan struct{})}
	if opts.Progress == nil {
		close(p.stopped)
		return p
	}
	p.total.TotalFiles = items.live
	for it, err := range items.all {
		if err != nil {
			break // the run's next pass reports it
		}
		if it.err == nil && it.name != "-" {
			if fi, err := os.Stat(it.name); err == nil && fi.Mode().IsRegular() {
				p.total.TotalBytes += fi.Size()
			}
		}
	}
	every := opts.ProgressInterval
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	report := func() {
		now := p.total
		now.Bytes, now.Files = p.bytes.Load(), int(p.files.Load())
		opts.Progress(now)
	}
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				report()
			case <-p.done:
				report()
				return
			}
		}
	}()
	return p
}

// stop makes the last call of Progress and returns once it is made.
func (p *progress) stop() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
	<-p.stopped
}
