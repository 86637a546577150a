package digest

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// TestReadNames: newline- and NUL-separated lists, the separator found from the first 64 KiB
// or forced, names byte for byte, empty records skipped, "-" a file, and refusals of a name
// too long and of a NUL byte in a newline-separated list.
func TestReadNames(t *testing.T) {
	for _, tc := range []struct {
		name, list string
		null       bool
		want       []string
		wantErr    error
	}{
		{name: "newlines", list: "a\nb c\n\n./d\n", want: []string{"a", "b c", "./d"}},
		{name: "no final newline", list: "a\nb", want: []string{"a", "b"}},
		{name: "spaces and CR kept", list: " a \nb\r\n", want: []string{" a ", "b\r"}},
		{name: "NUL found", list: "a\x00b\nc\x00\x00d\x00", want: []string{"a", "b\nc", "d"}},
		{name: "NUL forced", list: "a b\x00c", null: true, want: []string{"a b", "c"}},
		{name: "forced, no NUL", list: "a\nb", null: true, want: []string{"a\nb"}},
		{name: "dash is a file", list: "-\n", want: []string{"./-"}},
		{name: "empty", list: "", want: nil},
		{name: "too long", list: "a\n" + strings.Repeat("x", MaxListedName+1) + "\n", want: []string{"a"}, wantErr: ErrNameList},
		{name: "longest", list: strings.Repeat("x", MaxListedName) + "\n", want: []string{strings.Repeat("x", MaxListedName)}},
		{name: "NUL after 64 KiB in a newline list", list: strings.Repeat("a\n", 40000) + "b\x00c\n", wantErr: ErrNameList},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var gotErr error
			for name, err := range ReadNames(strings.NewReader(tc.list), tc.null) {
				if err != nil {
					gotErr = err
					continue
				}
				got = append(got, name)
			}
			if !errors.Is(gotErr, tc.wantErr) || (tc.wantErr == nil) != (gotErr == nil) {
				t.Fatalf("error %v, want %v", gotErr, tc.wantErr)
			}
			if tc.name == "NUL after 64 KiB in a newline list" {
				if len(got) != 40000 {
					t.Fatalf("%d names before the error, want 40000", len(got))
				}
				return
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestReadNamesStreams: names come as they are read, before the list ends, whether the
// separator is given or found.
func TestReadNamesStreams(t *testing.T) {
	for _, null := range []bool{true, false} {
		pr, pw := io.Pipe()
		go pw.Write([]byte("first\x00"))
		for name, err := range ReadNames(pr, null) {
			if err != nil || name != "first" {
				t.Fatalf("null=%v: got %q, %v", null, name, err)
			}
			break // the writer has not closed the list: the name came before its end
		}
		pw.Close()
	}
}

// FuzzReadNames: any list gives names that are not empty, hold no separator and are at most
// MaxListedName bytes, or stops at an error; reading never loops or panics.
func FuzzReadNames(f *testing.F) {
	f.Add([]byte("a\nb\n\n-\n"), false)
	f.Add([]byte("a\x00b\nc\x00"), false)
	f.Add([]byte("x\x00"), true)
	f.Fuzz(func(t *testing.T, list []byte, null bool) {
		for name, err := range ReadNames(strings.NewReader(string(list)), null) {
			if err != nil {
				return
			}
			if name == "" || len(name) > MaxListedName || strings.ContainsRune(name, 0) || name == "-" {
				t.Fatalf("name %q", name)
			}
		}
	})
}
