package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/signet-pki/signet"

// imports maps every package of the module (by import path) to the packages its non-test
// files import.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name != "." && (strings.HasPrefix(name, ".") || name == "testdata") && path != root {
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
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !slices.Contains(out[pkg], p) {
				out[pkg] = append(out[pkg], p)
			}
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
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

// deps returns every module package pkg depends on, directly or not.
func deps(graph map[string][]string, pkg string) map[string]bool {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, d := range graph[p] {
			if !seen[d] {
				seen[d] = true
				if strings.HasPrefix(d, module) {
					walk(d)
				}
			}
		}
	}
	walk(pkg)
	return seen
}

func TestImportRules(t *testing.T) {
	g := imports(t)
	p := func(rel string) string { return module + "/" + rel }
	onlyIn := func(dep string, allowed ...string) {
		for pkg, list := range g {
			if slices.Contains(list, dep) && !slices.Contains(allowed, pkg) {
				t.Errorf("%s imports %s (only %v may)", pkg, dep, allowed)
			}
		}
	}
	onlyIn("github.com/urfave/cli/v2", p("cmd/signet"))
	onlyIn(p("cmd/signet"))
	onlyIn("github.com/miekg/pkcs11", p("hsm"))
	onlyIn("golang.org/x/term", p("internal/secret"), p("cmd/signet"))

	never := func(pkg string, transitive bool, forbidden ...string) {
		have := map[string]bool{}
		for _, d := range g[pkg] {
			have[d] = true
		}
		if transitive {
			have = deps(g, pkg)
		}
		for _, f := range forbidden {
			if have[f] {
				t.Errorf("%s depends on %s, which ARCHITECTURE.md forbids", pkg, f)
			}
		}
	}
	never(p("verify"), true, p("hsm"), p("internal/keyref"), p("internal/secret"))
	never(p("sign"), false, p("verify"))
	// digest is below sign and verify: hashing knows nothing of keys, signatures or tokens.
	never(p("digest"), true, p("sign"), p("verify"), p("hsm"), p("cmd/signet"), p("internal/keyref"), p("internal/secret"))
	never(p("x509util"), false, p("sign"), p("verify"), p("hsm"), p("internal/keyref"))
	for _, d := range g[p("internal/pkixname")] {
		if strings.HasPrefix(d, module) {
			t.Errorf("internal/pkixname imports %s", d)
		}
	}
	if _, err := os.Stat(filepath.Join("..", "..", "ARCHITECTURE.md")); err != nil {
		t.Fatal(err)
	}
}
