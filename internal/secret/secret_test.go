package secret

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		src     Source
		env     map[string]string
		want    string
		wantErr error
	}{
		{name: "file wins over env", src: Source{File: write("a", "from-file\n"), Env: "T_SECRET"}, env: map[string]string{"T_SECRET": "from-env"}, want: "from-file"},
		{name: "crlf stripped, spaces kept", src: Source{File: write("b", " sp ace \r\nsecond line\n")}, want: " sp ace "},
		{name: "no trailing newline", src: Source{File: write("c", "bare")}, want: "bare"},
		{name: "empty file", src: Source{File: write("d", "\n")}, wantErr: ErrEmpty},
		{name: "env", src: Source{Env: "T_SECRET"}, env: map[string]string{"T_SECRET": "from-env"}, want: "from-env"},
		{name: "empty env", src: Source{Env: "T_SECRET"}, env: map[string]string{"T_SECRET": ""}, wantErr: ErrEmpty},
		{name: "nothing and no terminal", src: Source{Env: "T_UNSET_SECRET", NoTerminal: true}, wantErr: ErrNoSource},
		{name: "missing file", src: Source{File: filepath.Join(dir, "nope")}, wantErr: os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := tt.src.Read("")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Read error = %v, want %v", err, tt.wantErr)
			}
			if string(got) != tt.want {
				t.Errorf("Read = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadFileDirectory(t *testing.T) {
	if _, err := ReadFile(t.TempDir()); err == nil {
		t.Fatal("a directory was accepted as a secret file")
	}
}

// TestReadInjectedEnvironment: with LookupEnv set, Source reads the environment it is given,
// not the process's: a variable only the injected one has is read, one only the process has
// is not, and set-but-empty is still ErrEmpty.
func TestReadInjectedEnvironment(t *testing.T) {
	t.Setenv("T_PROCESS_SECRET", "from-process")
	injected := map[string]string{"T_INJECTED_SECRET": "from-injected", "T_EMPTY_SECRET": ""}
	lookup := func(k string) (string, bool) { v, ok := injected[k]; return v, ok }
	for _, tc := range []struct {
		env     string
		want    string
		wantErr error
	}{
		{"T_INJECTED_SECRET", "from-injected", nil},
		{"T_PROCESS_SECRET", "", ErrNoSource},
		{"T_EMPTY_SECRET", "", ErrEmpty},
	} {
		got, err := Source{Env: tc.env, NoTerminal: true, LookupEnv: lookup}.Read("")
		if !errors.Is(err, tc.wantErr) || string(got) != tc.want {
			t.Errorf("%s: got %q, %v; want %q, %v", tc.env, got, err, tc.want, tc.wantErr)
		}
	}
}
