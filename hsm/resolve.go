package hsm

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/signet-pki/signet/internal/secret"
)

// moduleSource says where the module path came from; an explicit source (URI or option) is
// carried into the URIs signet prints, so that they work without --module.
type moduleSource int

const (
	fromURI moduleSource = iota
	fromOption
	fromEnv
	fromProxy
)

// multiarchTriplet is Debian's library directory name for this architecture.
func multiarchTriplet() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64-linux-gnu"
	case "arm64":
		return "aarch64-linux-gnu"
	case "386":
		return "i386-linux-gnu"
	case "arm":
		return "arm-linux-gnueabihf"
	case "ppc64le":
		return "powerpc64le-linux-gnu"
	case "s390x":
		return "s390x-linux-gnu"
	case "riscv64":
		return "riscv64-linux-gnu"
	}
	return runtime.GOARCH + "-linux-gnu"
}

// proxyCandidates are where distributions install the p11-kit proxy module, which forwards to
// every module registered with p11-kit (Debian's multiarch directory, Fedora's lib64, Arch's
// lib, Homebrew).
func proxyCandidates() []string {
	return []string{
		"/usr/lib/" + multiarchTriplet() + "/p11-kit-proxy.so",
		"/usr/lib64/p11-kit-proxy.so",
		"/usr/lib/p11-kit-proxy.so",
		"/usr/local/lib/p11-kit-proxy.so",
		"/opt/homebrew/lib/p11-kit-proxy.dylib",
		"/usr/local/lib/p11-kit-proxy.dylib",
	}
}

// ProxyModule returns the path of the installed p11-kit proxy module, or "" when there is none.
func ProxyModule() string {
	for _, p := range proxyCandidates() {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// p11kitModuleDirs are the directories p11-kit loads relative module names from.
func p11kitModuleDirs() []string {
	return []string{"/usr/lib/" + multiarchTriplet() + "/pkcs11", "/usr/lib64/pkcs11", "/usr/lib/pkcs11", "/usr/local/lib/pkcs11"}
}

// p11kitConfigDirs are the directories of p11-kit's module registrations (NAME.module).
func (o *Options) p11kitConfigDirs() []string {
	dirs := []string{"/etc/pkcs11/modules", "/usr/share/p11-kit/modules"}
	if x := o.getenv("XDG_CONFIG_HOME"); x != "" {
		dirs = append([]string{filepath.Join(x, "pkcs11", "modules")}, dirs...)
	} else if h := o.getenv("HOME"); h != "" {
		dirs = append([]string{filepath.Join(h, ".config", "pkcs11", "modules")}, dirs...)
	}
	return dirs
}

// resolveModule decides which module file to load: the URI's module-path (a file, or a
// directory to find module-name in), the URI's module-name (in any case: a p11-kit registration NAME.module
// or NAME.so / libNAME.so in p11-kit's module directory), Options.Module,
// $SIGNET_PKCS11_MODULE, then the p11-kit proxy.
func resolveModule(u *URI, o *Options) (string, moduleSource, error) {
	if u.ModulePath != "" {
		fi, err := os.Stat(u.ModulePath)
		if err == nil && fi.IsDir() {
			if u.ModuleName == "" {
				return "", fromURI, newError(ErrModule, nil, fmt.Sprintf("module-path %s is a directory and the URI has no module-name to look for in it", u.ModulePath))
			}
			if p := findModuleIn([]string{u.ModulePath}, u.ModuleName); p != "" {
				return p, fromURI, nil
			}
			return "", fromURI, newError(ErrModule, nil, fmt.Sprintf("module %q: not found in %s", u.ModuleName, u.ModulePath))
		}
		return u.ModulePath, fromURI, nil // loadModule reports a missing file
	}
	if u.ModuleName != "" {
		if p := o.findRegisteredModule(u.ModuleName); p != "" {
			return p, fromURI, nil
		}
		if p := findModuleIn(p11kitModuleDirs(), u.ModuleName); p != "" {
			return p, fromURI, nil
		}
		return "", fromURI, newError(ErrModule, nil, fmt.Sprintf("module-name %q: no p11-kit registration %s.module and no such library in %s", u.ModuleName, u.ModuleName, strings.Join(p11kitModuleDirs(), ", ")))
	}
	if o.Module != "" {
		return o.Module, fromOption, nil
	}
	if m := o.getenv(EnvModule); m != "" {
		return m, fromEnv, nil
	}
	if p := ProxyModule(); p != "" {
		return p, fromProxy, nil
	}
	return "", fromProxy, newError(ErrModule, nil, "no PKCS#11 module: add ?module-path=/path/to/module.so to the URI, pass --module, set "+EnvModule+", or install p11-kit's proxy module (Debian: p11-kit-modules)")
}

// findModuleIn returns the module file name names in one of dirs: NAME, NAME.so, libNAME.so,
// NAME.dylib or libNAME.dylib, the name compared without regard to case (RFC 7512: module-name
// is case-insensitive).
func findModuleIn(dirs []string, name string) string {
	for _, d := range dirs {
		if p := findFold(d, name, name+".so", "lib"+name+".so", name+".dylib", "lib"+name+".dylib"); p != "" {
			return p
		}
	}
	return ""
}

// findFold returns the first regular file of dir whose name is one of names, compared without
// regard to case; a name of the exact case wins over one that differs only in case.
func findFold(dir string, names ...string) string {
	for _, f := range names {
		p := filepath.Join(dir, f)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	for _, f := range names {
		for _, e := range entries {
			if !strings.EqualFold(e.Name(), f) {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// findRegisteredModule reads p11-kit's NAME.module registration (NAME in any case) and returns
// its "module:" path.
func (o *Options) findRegisteredModule(name string) string {
	for _, d := range o.p11kitConfigDirs() {
		reg := findFold(d, name+".module")
		if reg == "" {
			continue
		}
		f, err := os.Open(reg)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		var mod string
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "module" {
				mod = strings.TrimSpace(v)
			}
		}
		f.Close()
		if mod == "" {
			continue
		}
		if filepath.IsAbs(mod) {
			return mod
		}
		for _, md := range p11kitModuleDirs() {
			if _, err := os.Stat(filepath.Join(md, mod)); err == nil {
				return filepath.Join(md, mod)
			}
		}
	}
	return ""
}

// checkModuleFile explains why a module path cannot be loaded, before dlopen gets a chance to
// fail without a reason.
func checkModuleFile(path string) error {
	if !filepath.IsAbs(path) && !strings.Contains(path, string(filepath.Separator)) {
		// A bare name would make dlopen search the library path; signet wants a file.
		if _, err := os.Stat(path); err != nil {
			return newError(ErrModule, nil, fmt.Sprintf("module %s: give the path of the module file, not a bare name", path))
		}
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return newError(ErrModule, nil, fmt.Sprintf("module %s: no such file", path))
	case errors.Is(err, fs.ErrPermission):
		return newError(ErrModule, nil, fmt.Sprintf("module %s: permission denied", path))
	case err != nil:
		return newError(ErrModule, err, fmt.Sprintf("module %s", path))
	case fi.IsDir():
		return newError(ErrModule, nil, fmt.Sprintf("module %s: is a directory", path))
	case !fi.Mode().IsRegular():
		return newError(ErrModule, nil, fmt.Sprintf("module %s: not a regular file", path))
	}
	return nil
}

// readPIN returns the user PIN for a token: the URI's pin-source file (its first line), the
// URI's pin-value, $SIGNET_PIN, then Options.PIN. The caller wipes the result.
func (o *Options) readPIN(u *URI, t TokenInfo) ([]byte, error) {
	if u.PINSource != "" {
		path, err := pinSourcePath(u.PINSource)
		if err != nil {
			return nil, err
		}
		b, err := secret.ReadFile(path)
		if err != nil {
			return nil, wrapError(ErrPIN, err, fmt.Sprintf("PIN for token %q: pin-source: %v", t.Label, err))
		}
		if len(b) == 0 {
			return nil, newError(ErrPIN, nil, fmt.Sprintf("pin-source file %s for token %q is empty", path, t.Label))
		}
		// Only the mode bits are looked at (an ACL or a closed directory may still protect
		// the file), which is why this is a warning.
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
			o.warn("pin-source %s can be accessed by users other than its owner (mode %04o); restrict it with: chmod 600 %s", path, fi.Mode().Perm(), path)
		}
		return b, nil
	}
	if u.has(aPINValue) {
		return []byte(u.PINValue), nil
	}
	if v := o.getenv(EnvPIN); v != "" {
		return []byte(v), nil
	}
	if o.PIN != nil {
		b, err := o.PIN(t)
		if err != nil {
			return nil, wrapError(ErrPIN, err, fmt.Sprintf("token %q: %v", t.Label, err))
		}
		return b, nil
	}
	return nil, newError(ErrPIN, nil, fmt.Sprintf("token %q needs a PIN: set %s or add pin-source=file:PATH to the URI", t.Label, EnvPIN))
}
