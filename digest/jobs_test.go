package digest

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestHashJobs: the engine under HashFiles, for callers with their own jobs (sign.SignFiles):
// results come back in the order sent, each with its job (Ref included) whatever the
// algorithm, a job with Err is not hashed and keeps its error, and standard input is read for
// a Stdin job.
func TestHashJobs(t *testing.T) {
	dir := mustTree(t, map[string]string{"a": "alpha", "b": strings.Repeat("b", 1<<20), "c": "gamma"})
	known := errors.New("known already")
	jobs := []Job{
		{Name: filepath.Join(dir, "a"), Algorithm: SHA256, Ref: 0},
		{Name: filepath.Join(dir, "b"), Algorithm: SHA512, Ref: 1},
		{Name: filepath.Join(dir, "gone"), Algorithm: SHA256, Ref: 2},
		{Name: filepath.Join(dir, "c"), Algorithm: SHA256, Err: known, Ref: 3},
		{Name: "-", Stdin: true, Algorithm: SHA256, Ref: 4},
	}
	sumA, sumB, sumIn := sha256.Sum256([]byte("alpha")), sha512.Sum512([]byte(strings.Repeat("b", 1<<20))), sha256.Sum256([]byte("from stdin"))
	var got []string
	err := HashJobs(t.Context(), JobOptions{Workers: 3, Stdin: strings.NewReader("from stdin")},
		func(send func(Job) bool) {
			for _, j := range jobs {
				if !send(j) {
					return
				}
			}
		},
		func(j Job, r FileResult) error {
			i := j.Ref.(int)
			switch {
			case i == 0 && bytes.Equal(r.Digest, sumA[:]) && r.Size == 5,
				i == 1 && bytes.Equal(r.Digest, sumB[:]) && r.Algorithm == SHA512,
				i == 2 && errors.Is(r.Err, fs.ErrNotExist) && r.Digest == nil,
				i == 3 && errors.Is(r.Err, known) && r.Digest == nil,
				i == 4 && bytes.Equal(r.Digest, sumIn[:]):
				got = append(got, fmt.Sprint(i))
			default:
				return fmt.Errorf("job %d: result %+v", i, r)
			}
			return nil
		})
	if err != nil || strings.Join(got, ",") != "0,1,2,3,4" {
		t.Fatalf("HashJobs: %v, results %v", err, got)
	}

	// consume's error stops the run and comes back.
	stop := errors.New("stop")
	n := 0
	err = HashJobs(t.Context(), JobOptions{}, func(send func(Job) bool) {
		for range 100 {
			if !send(Job{Name: filepath.Join(dir, "a"), Algorithm: SHA256}) {
				return
			}
		}
	}, func(Job, FileResult) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("after consume failed: %v, %d calls", err, n)
	}
}

// TestExpand: names as given, directories walked when recursive (sorted, signet's temporary
// files skipped), and no further once fn says stop.
func TestExpand(t *testing.T) {
	dir := mustTree(t, map[string]string{"d/b": "", "d/a": "", "d/sub/c": "", "d/.signet-stage-0123456789abcdef/x.sig": ""})
	d := filepath.Join(dir, "d")
	collect := func(names []string, recursive bool) []string {
		var out []string
		Expand(names, ExpandOptions{Recursive: recursive}, func(name string, err error) bool {
			if err != nil {
				name += " (error)"
			}
			out = append(out, strings.TrimPrefix(name, dir+"/"))
			return true
		})
		return out
	}
	if got := strings.Join(collect([]string{"-", d, "x"}, false), " "); got != "- d x" {
		t.Errorf("not recursive: %s", got)
	}
	if got := strings.Join(collect([]string{d}, true), " "); got != "d/a d/b d/sub/c" {
		t.Errorf("recursive: %s", got)
	}
	var first []string
	Expand([]string{d}, ExpandOptions{Recursive: true}, func(name string, err error) bool { first = append(first, name); return false })
	if len(first) != 1 {
		t.Errorf("Expand went on after fn returned false: %v", first)
	}
}
