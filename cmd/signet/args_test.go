package main

import (
	"bytes"
	"slices"
	"testing"
)

func TestPermuteArgs(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	app := newApp(&env{stdout: &out, stderr: &errOut})
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"flags first unchanged", []string{"signet", "hash", "-a", "sha512", "f"}, []string{"signet", "hash", "-a", "sha512", "f"}},
		{"value flag after file", []string{"signet", "hash", "f", "-a", "sha512"}, []string{"signet", "hash", "-a", "sha512", "f"}},
		{"bool flag after file", []string{"signet", "hash", "f", "--tag", "g"}, []string{"signet", "hash", "--tag", "f", "g"}},
		{"name=value", []string{"signet", "hash", "f", "--algorithm=sha384"}, []string{"signet", "hash", "--algorithm=sha384", "f"}},
		{"double dash keeps the rest", []string{"signet", "hash", "f", "--", "-a"}, []string{"signet", "hash", "f", "--", "-a"}},
		{"stdin dash is positional", []string{"signet", "hash", "-", "--tag"}, []string{"signet", "hash", "--tag", "-"}},
		{"subcommand", []string{"signet", "token", "delete", "pkcs11:token=a", "--yes"}, []string{"signet", "token", "delete", "--yes", "pkcs11:token=a"}},
		{"global flag", []string{"signet", "--version"}, []string{"signet", "--version"}},
		{"unknown command untouched", []string{"signet", "nope", "x", "--y"}, []string{"signet", "nope", "x", "--y"}},
		{"help after a file", []string{"signet", "hash", "f", "--help"}, []string{"signet", "hash", "--help"}},
		{"-h before a file", []string{"signet", "cert", "verify", "-h", "leaf.pem", "--roots", "r.pem"}, []string{"signet", "cert", "verify", "--help"}},
		{"help after a URI", []string{"signet", "token", "delete", "pkcs11:token=a", "--help"}, []string{"signet", "token", "delete", "--help"}},
		{"--help after -- is a file", []string{"signet", "hash", "--", "--help"}, []string{"signet", "hash", "--", "--help"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := permuteArgs(app, tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("permuteArgs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
