package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name     string
		existing []byte // nil: no file before the write
		opts     Options
		wantErr  error
		want     []byte
		wantMode fs.FileMode
	}{
		{name: "new file default mode", want: []byte("data"), wantMode: 0o644},
		{name: "new private key", opts: Options{Perm: 0o600}, want: []byte("data"), wantMode: 0o600},
		{name: "existing refused", existing: []byte("old"), wantErr: ErrExists, want: []byte("old")},
		{name: "existing forced", existing: []byte("old"), opts: Options{Force: true, Perm: 0o600}, want: []byte("data"), wantMode: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out")
			if tt.existing != nil {
				if err := os.WriteFile(path, tt.existing, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFile(path, []byte("data"), tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WriteFile error = %v, want %v", err, tt.wantErr)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if string(got) != string(tt.want) {
				t.Errorf("content = %q, want %q", got, tt.want)
			}
			if tt.wantMode != 0 {
				fi, _ := os.Stat(path)
				if fi.Mode().Perm() != tt.wantMode {
					t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tt.wantMode)
				}
			}
			assertOnly(t, dir, "out")
		})
	}
}

func TestWriteFileDirectoryTarget(t *testing.T) {
	dir := t.TempDir()
	err := WriteFile(dir, []byte("x"), Options{Force: true})
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != dir {
		t.Fatalf("error = %v, want a PathError naming %s", err, dir)
	}
}

func TestBatchAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.key"), filepath.Join(dir, "b.pub")
	var batch Batch
	if err := batch.Add(a, []byte("A"), Options{Perm: 0o600}); err != nil {
		t.Fatal(err)
	}
	if err := batch.Add(b, []byte("B"), Options{}); err != nil {
		t.Fatal(err)
	}
	// Another writer takes b's name between staging and commit: the batch must fail and leave
	// neither a.key nor its temporary files behind, and b.pub as the other writer left it.
	if err := os.WriteFile(b, []byte("other"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := batch.Commit(); !errors.Is(err, ErrExists) {
		t.Fatalf("Commit error = %v, want ErrExists", err)
	}
	if got, _ := os.ReadFile(b); string(got) != "other" {
		t.Errorf("b.pub = %q, want the other writer's content", got)
	}
	assertOnly(t, dir, "b.pub")
}

func TestBatchAbort(t *testing.T) {
	dir := t.TempDir()
	var batch Batch
	if err := batch.Add(filepath.Join(dir, "x"), []byte("x"), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := batch.Add(filepath.Join(dir, "x"), []byte("y"), Options{}); err == nil {
		t.Error("the same output named twice was accepted")
	}
	batch.Abort()
	batch.Abort()
	assertOnly(t, dir)
}

// assertOnly fails unless dir holds exactly the named entries (no temporary files left).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("directory holds %q, want %q", got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("directory holds %q, want %q", got, names)
		}
	}
}
