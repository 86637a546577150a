package sign

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// mustTree writes files (name: content, names with slashes in subdirectories) into a new
// temporary directory and returns it.
func mustTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// smallFiles writes n files of size bytes for the benchmarks and returns their names.
func smallFiles(b *testing.B, n, size int) []string {
	b.Helper()
	dir := b.TempDir()
	data := bytes.Repeat([]byte{0xa5}, size)
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("f%04d", i))
		if err := os.WriteFile(names[i], data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return names
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
