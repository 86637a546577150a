package archtest

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/signet-pki/signet"

func p(rel string) string { return module + "/" + rel }

// graph is what the rules look at: for every package of the module (by import path), the
// packages its non-test files import directly, and every package it depends on, directly or
// not (standard library and third-party packages included).
type graph struct {
	direct map[string][]string
	deps   map[string]map[string]bool
}

// root is the module's directory.
func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// directImports parses every non-test Go file of the module, whatever its build constraints
// (a file for another system or for a build without cgo counts too), and maps each package to
// what its files import.
func directImports(t *testing.T) map[string][]string {
	t.Helper()
	r := root(t)
	out := map[string][]string{}
	err := filepath.WalkDir(r, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != r && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r, filepath.Dir(path))
		pkg := module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if !slices.Contains(out[pkg], ip) {
				out[pkg] = append(out[pkg], ip)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d packages", len(out))
	}
	return out
}

// listDeps runs `go list -deps` over the module: for each package, every package the build
// links in for it (on this system, with this cgo setting).
func listDeps(t *testing.T) map[string]map[string]bool {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", "./...")
	cmd.Dir = root(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	deps := map[string]map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		deps[f[0]] = map[string]bool{}
		for _, d := range f[1:] {
			deps[f[0]][d] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return deps
}

// transitive adds to g.deps, for each package, what its direct imports reach within the
// module, whatever their build constraints: go list sees one configuration, the parsed files
// all of them.
func (g *graph) transitive() {
	if g.deps == nil {
		g.deps = map[string]map[string]bool{}
	}
	for pkg := range g.direct {
		seen := g.deps[pkg]
		if seen == nil {
			seen = map[string]bool{}
			g.deps[pkg] = seen
		}
		var walk func(string)
		walk = func(q string) {
			for _, d := range g.direct[q] {
				if !seen[d] {
					seen[d] = true
					if strings.HasPrefix(d, module) {
						walk(d)
					}
				}
			}
		}
		walk(pkg)
	}
}

// violations checks the rules of ARCHITECTURE.md on g and returns one line per broken rule.
func violations(g *graph) []string {
	var bad []string
	report := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	lib := func(pkg string) bool { return pkg != p("cmd/signet") && !strings.HasPrefix(pkg, p("bench")) }
	pkgs := make([]string, 0, len(g.direct))
	for pkg := range g.direct {
		pkgs = append(pkgs, pkg)
	}
	slices.Sort(pkgs)

	// Only these packages may import these, directly.
	onlyIn := func(dep string, allowed ...string) {
		for _, pkg := range pkgs {
			if slices.Contains(g.direct[pkg], dep) && !slices.Contains(allowed, pkg) {
				report("%s imports %s (only %v may)", pkg, dep, allowed)
			}
		}
	}
	onlyIn(p("cmd/signet"))
	onlyIn("github.com/miekg/pkcs11", p("hsm"))
	onlyIn("golang.org/x/term", p("internal/secret"), p("cmd/signet"))

	// No library depends on the CLI framework, even through another package.
	for _, pkg := range pkgs {
		if lib(pkg) && g.deps[pkg]["github.com/urfave/cli/v2"] {
			report("%s depends on github.com/urfave/cli/v2: libraries never parse flags", pkg)
		}
	}

	never := func(pkg, why string, forbidden ...string) {
		for _, f := range forbidden {
			if g.deps[pkg][f] {
				report("%s depends on %s: %s", pkg, f, why)
			}
		}
	}
	never(p("verify"), "verifying never opens a key, a token or a prompt, and never needs the signer",
		p("hsm"), p("internal/keyref"), p("internal/secret"), p("sign"), "github.com/miekg/pkcs11")
	never(p("sign"), "signing does not verify", p("verify"), p("hsm"), "github.com/miekg/pkcs11")
	for _, low := range []string{"digest", "sigformat", "timestamp"} {
		never(p(low), "hashing, encoding and timestamps sit below signing and verifying",
			p("sign"), p("verify"), p("hsm"), p("cmd/signet"), p("internal/keyref"), p("internal/secret"))
	}
	never(p("digest"), "hashing knows no signature format", p("sigformat"))
	never(p("sign"), "signing takes its timestamp through a hook", p("timestamp"))
	never(p("timestamp"), "a timestamp knows no signature format", p("sigformat"), p("digest"))
	never(p("x509util"), "the bottom layer imports no other layer",
		p("sign"), p("verify"), p("hsm"), p("digest"), p("sigformat"), p("timestamp"), p("internal/keyref"), p("internal/secret"))
	for _, leaf := range []string{"internal/pkixname", "internal/readlimit", "internal/secret", "internal/atomicfile", "internal/hashoid", "internal/dertime", "internal/offheap", "internal/namespool", "internal/connlimit",
		// the hand-written primitives and parsers: each stands alone, tested against its reference
		"verify/internal/ecdsap384", "x509util/internal/sshkey", "x509util/internal/rc2"} {
		for _, d := range g.direct[p(leaf)] {
			if strings.HasPrefix(d, module) {
				report("%s imports %s: it stands alone", p(leaf), d)
			}
		}
	}
	return bad
}

// TestImportRules checks the rules on the module as it is: the imports of every file, and
// what `go list -deps` says each package links in.
func TestImportRules(t *testing.T) {
	g := &graph{direct: directImports(t), deps: listDeps(t)}
	for _, pkg := range []string{"cmd/signet", "sign", "verify", "digest", "sigformat", "timestamp", "x509util", "hsm"} {
		if _, ok := g.deps[p(pkg)]; !ok {
			t.Fatalf("go list does not list %s", p(pkg))
		}
	}
	g.transitive()
	for _, v := range violations(g) {
		t.Error(v)
	}
	if _, err := os.Stat(filepath.Join(root(t), "ARCHITECTURE.md")); err != nil {
		t.Fatal(err)
	}
}

// TestRulesCatch feeds the checker graphs that each break one rule, so that a rule that
// stopped working (a typo in a path, a check that looks at the wrong map) fails here rather
// than letting the real graph pass unchecked.
func TestRulesCatch(t *testing.T) {
	clean := map[string][]string{
		p("cmd/signet"): {p("sign"), p("verify"), "github.com/urfave/cli/v2", "golang.org/x/term"},
		p("sign"):       {p("digest"), p("sigformat"), p("x509util")},
		p("verify"):     {p("digest"), p("sigformat"), p("x509util")},
		p("sigformat"):  {p("digest")},
		p("digest"):     {"crypto/sha256"},
		p("hsm"):        {"github.com/miekg/pkcs11", p("x509util")},
		p("x509util"):   {p("internal/pkixname")},
	}
	with := func(pkg string, extra ...string) map[string][]string {
		m := map[string][]string{}
		for k, v := range clean {
			m[k] = slices.Clone(v)
		}
		m[pkg] = append(m[pkg], extra...)
		for _, e := range extra {
			if _, ok := m[e]; !ok && strings.HasPrefix(e, module) {
				m[e] = nil
			}
		}
		return m
	}
	check := func(direct map[string][]string) []string {
		g := &graph{direct: direct}
		g.transitive()
		return violations(g)
	}
	if v := check(clean); len(v) > 0 {
		t.Fatalf("the clean graph breaks rules: %v", v)
	}
	for _, tc := range []struct {
		name   string
		direct map[string][]string
		want   string
	}{
		{"verify imports sign", with(p("verify"), p("sign")), "verify depends on " + p("sign")},
		{"verify reaches hsm through another package", with(p("sigformat"), p("hsm")), "verify depends on " + p("hsm")},
		{"digest imports sign", with(p("digest"), p("sign")), "digest depends on " + p("sign")},
		{"digest imports sigformat", with(p("digest"), p("sigformat")), "digest depends on " + p("sigformat")},
		{"sigformat imports verify", with(p("sigformat"), p("verify")), "sigformat depends on " + p("verify")},
		{"sigformat imports the CLI", with(p("sigformat"), p("cmd/signet")), "imports " + p("cmd/signet")},
		{"sign imports verify", with(p("sign"), p("verify")), "sign depends on " + p("verify")},
		{"x509util imports sign", with(p("x509util"), p("sign")), "x509util depends on " + p("sign")},
		{"a library reaches urfave/cli", with(p("x509util"), "github.com/urfave/cli/v2"), "x509util depends on github.com/urfave/cli/v2"},
		{"PKCS#11 outside hsm", with(p("sign"), "github.com/miekg/pkcs11"), "imports github.com/miekg/pkcs11"},
		{"a terminal outside secret", with(p("verify"), "golang.org/x/term"), "imports golang.org/x/term"},
		{"pkixname imports signet", with(p("internal/pkixname"), p("x509util")), "internal/pkixname imports"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := check(tc.direct)
			if !slices.ContainsFunc(v, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Fatalf("violations %q, want one containing %q", v, tc.want)
			}
		})
	}
}

// TestExportedVariablesAreSentinels: a library package exports no variable but its sentinel
// errors (ErrX). Anything else exported as a variable (a list of accepted hashes, of file
// extensions, a table of names) is policy any importer could change for the whole process;
// it is a function that returns a copy, or a constant. Known exceptions are listed with the
// reason they stay.
func TestExportedVariablesAreSentinels(t *testing.T) {
	exceptions := map[string]string{
		// internal/pkixname belongs to the verification engine's owner; issue 14's report
		// asks for it to become a function.
		p("internal/pkixname") + ".OIDEmailAddress": "owned elsewhere",
	}
	r := root(t)
	var bad []string
	err := filepath.WalkDir(r, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != r && (strings.HasPrefix(name, ".") || name == "testdata" || name == "cmd" || name == "bench") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(r, filepath.Dir(path))
		pkg := p(filepath.ToSlash(rel))
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				for _, n := range spec.(*ast.ValueSpec).Names {
					if n.IsExported() && !strings.HasPrefix(n.Name, "Err") && exceptions[pkg+"."+n.Name] == "" {
						bad = append(bad, pkg+"."+n.Name)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("exported variables that are not sentinel errors (make them functions returning a copy): %v", bad)
	}
}
