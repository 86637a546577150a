package digest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A careless library caller: no checksum list to check, a summary no Check filled in. Nothing
// verified must not pass.
func TestAPCheckNothing(t *testing.T) {
	var diags []string
	opts := CheckOptions{Diag: func(d Diagnostic) { diags = append(diags, d.Msg) }, Stdin: strings.NewReader("")}
	for name, lists := range map[string][]string{"nil": nil, "empty": {}} {
		diags = nil
		sum, err := Check(context.Background(), lists, opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := sum.Err(); !errors.Is(err, ErrCheckFailed) {
			t.Errorf("%s lists: Err() = %v, want ErrCheckFailed", name, err)
		}
		if len(diags) != 1 || !strings.Contains(diags[0], "no file was verified") {
			t.Errorf("%s lists: diagnostics %q", name, diags)
		}
	}
	var zero CheckSummary
	if err := zero.Err(); !errors.Is(err, ErrCheckFailed) {
		t.Errorf("zero CheckSummary: Err() = %v, want ErrCheckFailed", err)
	}
	// A list that checks a file still passes.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "SUMS")
	if err := os.WriteFile(list, []byte("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  "+filepath.Join(dir, "a")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := Check(context.Background(), []string{list}, CheckOptions{})
	if err != nil || sum.Err() != nil || sum.OK != 1 {
		t.Errorf("a good list: %v, %v, %+v", err, sum.Err(), sum)
	}
}

// A nil io.Reader where a list or data is read: an error wrapping ErrNoStdin, never a panic.
func TestAPNilReader(t *testing.T) {
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	if _, _, err := HashReader(context.Background(), SHA256, nil); !errors.Is(err, ErrNoStdin) {
		t.Errorf("HashReader: %v", err)
	}
	if _, _, err := ParseList(nil, "list", 0); !errors.Is(err, ErrNoStdin) {
		t.Errorf("ParseList: %v", err)
	}
	n := 0
	for _, err := range ReadNames(nil, false) {
		n++
		if !errors.Is(err, ErrNoStdin) {
			t.Errorf("ReadNames: %v", err)
		}
	}
	if n != 1 {
		t.Errorf("ReadNames yielded %d times, want one error", n)
	}
}

// A nil context where one is taken: an error wrapping ErrNoContext, never a panic, and
// nothing hashed or emitted.
func TestAPNilContext(t *testing.T) {
	var nilCtx context.Context // a careless caller's
	dir := t.TempDir()
	name := filepath.Join(dir, "a")
	if err := os.WriteFile(name, []byte("a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "SUMS")
	if err := os.WriteFile(list, []byte("87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7  "+name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"HashReader": func() error { _, _, err := HashReader(nilCtx, SHA256, strings.NewReader("a")); return err },
		"HashFile":   func() error { _, _, err := HashFile(nilCtx, SHA256, name); return err },
		"HashFiles": func() error {
			return HashFiles(nilCtx, []string{name}, HashOptions{}, func(FileResult) error { t.Error("HashFiles emitted"); return nil })
		},
		"HashJobs": func() error {
			return HashJobs(nilCtx, JobOptions{}, func(send func(Job) bool) { send(Job{Name: name, Algorithm: SHA256}) },
				func(Job, FileResult) error { t.Error("HashJobs consumed"); return nil })
		},
		"Check": func() error {
			sum, err := Check(nilCtx, []string{list}, CheckOptions{})
			if sum.Err() == nil {
				t.Error("Check: the summary passes")
			}
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := call(); !errors.Is(err, ErrNoContext) {
				t.Errorf("got %v, want ErrNoContext", err)
			}
		})
	}
}
