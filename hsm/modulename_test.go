package hsm

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestModuleNameCaseInsensitive: RFC 7512 section 2.3 makes module-name a case-insensitive
// module name without the system's prefix and suffix, so module-name=SoftHSM2 finds p11-kit's
// registration softhsm2.module, and in a module-path directory libsofthsm2.so. Both were
// looked up with the name's case as given, and not found.
func TestModuleNameCaseInsensitive(t *testing.T) {
	cfg := t.TempDir()
	mods := filepath.Join(cfg, "pkcs11", "modules")
	lib := filepath.Join(t.TempDir(), "libsofthsm2.so")
	if err := os.MkdirAll(mods, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mods, "softhsm2.module"), []byte("# a comment\nmodule: "+lib+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lib, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := &Options{Getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}}
	for _, tc := range []struct{ uri, want string }{
		{"pkcs11:?module-name=softhsm2", lib},
		{"pkcs11:?module-name=SoftHSM2", lib},
		{"pkcs11:?module-name=SOFTHSM2&module-path=" + filepath.Dir(lib), lib},
		{"pkcs11:?module-name=LibSoftHSM2.so&module-path=" + filepath.Dir(lib), lib},
	} {
		got, src, err := resolveModule(mustParseURI(t, tc.uri), o)
		if err != nil || got != tc.want || src != fromURI {
			t.Errorf("%s: %q, %v, %v; want %q", tc.uri, got, src, err, tc.want)
		}
	}
	if _, _, err := resolveModule(mustParseURI(t, "pkcs11:?module-name=no-such-module-x"), o); !errors.Is(err, ErrModule) {
		t.Errorf("an unknown module-name: %v, want ErrModule", err)
	}
}
