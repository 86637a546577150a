package digest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/signet-pki/signet/digest"
)

func ExampleParseAlgorithm() {
	a, err := digest.ParseAlgorithm("SHA-512/256")
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Name(), a.Tag(), a.Size(), a.CryptoHash())
	// Output: sha512-256 SHA512/256 32 SHA-512/256
}

func ExampleHashReader() {
	d, n, err := digest.HashReader(context.Background(), digest.SHA256, strings.NewReader("abc"))
	if err != nil {
		panic(err)
	}
	fmt.Println(d, n)
	// Output: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3
}

// Entry formats lines byte for byte as sha256sum does, escaping odd names.
func ExampleEntry_AppendTo() {
	d, _, _ := digest.HashReader(context.Background(), digest.SHA256, strings.NewReader(""))
	var list []byte
	list = digest.Entry{Algorithm: digest.SHA256, Digest: d, Name: "a b"}.AppendTo(list)
	list = digest.Entry{Algorithm: digest.SHA256, Digest: d, Name: "new\nline"}.AppendTo(list)
	list = digest.Entry{Algorithm: digest.SHA256, Digest: d, Name: "a b", Tagged: true}.AppendTo(list)
	fmt.Print(string(list))
	// Output:
	// e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a b
	// \e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  new\nline
	// SHA256 (a b) = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
}

// HashFiles hashes in parallel and reports in argument order, errors per file.
func ExampleHashFiles() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a"), []byte("abc"), 0o644)

	names := []string{filepath.Join(dir, "a"), filepath.Join(dir, "missing")}
	err := digest.HashFiles(context.Background(), names, digest.HashOptions{}, func(r digest.FileResult) error {
		if r.Err != nil {
			fmt.Println("error:", strings.TrimPrefix(r.Err.Error(), dir+"/"))
			return nil
		}
		fmt.Println(r.Digest, filepath.Base(r.Name), r.Size)
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a 3
	// error: missing: no such file or directory
}

// Check verifies a list like sha256sum -c, writing the same report.
func ExampleCheck() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a"), []byte("abc"), 0o644)
	os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a\n"+
			"SHA256 (a) = 0000000000000000000000000000000000000000000000000000000000000000\n"), 0o644)
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)

	sum, err := digest.Check(context.Background(), []string{"SHA256SUMS"}, digest.CheckOptions{
		Out:  os.Stdout,
		Diag: func(d digest.Diagnostic) { fmt.Println("stderr:", d.Msg) },
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(sum.OK, sum.Mismatched, sum.Err())
	// Output:
	// a: OK
	// a: FAILED
	// stderr: 1 computed checksum did NOT match
	// 1 1 sign: check failed: 1 mismatched, 0 unreadable, 0 malformed
}
