package x509util_test

import (
	"crypto/ed25519"
	"fmt"
	"log"

	"github.com/signet-pki/signet/x509util"
)

func ExampleParseDN() {
	// Both forms give the same name; RFC 4514 writes it most specific first.
	for _, s := range []string{"CN=alice,O=Example Corp,C=US", "/C=US/O=Example Corp/CN=alice"} {
		name, err := x509util.ParseDN(s)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(name.CommonName, "|", name.String())
	}
	_, err := x509util.ParseDN("CN=alice,C=USA")
	fmt.Println(err)
	// Output:
	// alice | CN=alice,O=Example Corp,C=US
	// alice | CN=alice,O=Example Corp,C=US
	// x509util: invalid name: distinguished name "CN=alice,C=USA": C must be a two-letter country code (ISO 3166), not "USA"
}

func ExampleParseSANs() {
	sans, err := x509util.ParseSANs([]string{"dns:www.example.com", "ip:192.0.2.1", "email:ops@example.com", "uri:spiffe://example.org/ci"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sans.DNSNames, sans.IPAddresses, sans.EmailAddresses, sans.URIs[0])
	_, err = x509util.ParseSANs([]string{"dns:www.example.com."})
	fmt.Println(err)
	// Output:
	// [www.example.com] [192.0.2.1] [ops@example.com] spiffe://example.org/ci
	// x509util: invalid name: subject alternative name "dns:www.example.com.": remove the trailing '.'
}

func ExampleFingerprint() {
	// A fixed Ed25519 key (all-zero seed). The value equals what
	//   openssl pkey -pubin -in key.pub -outform DER | sha256sum
	// prints for its public key.
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	fp, err := x509util.Fingerprint(key.Public())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fp)
	// Output:
	// sha256:339e2ff917630507b6a423b5ce084e285d1fa65d93b3e27a6195d3bbebc9ae23
}

func ExampleCreateCSR() {
	key, err := x509util.GenerateKey(x509util.KeyECP256)
	if err != nil {
		log.Fatal(err)
	}
	subject, err := x509util.ParseRDNSequence("CN=Release Bot,O=Example Corp,C=US")
	if err != nil {
		log.Fatal(err)
	}
	sans, err := x509util.ParseSANs([]string{"email:release@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	csr, err := x509util.CreateCSR(key, subject, sans)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(csr.Subject, csr.EmailAddresses, csr.SignatureAlgorithm)
	// Output:
	// CN=Release Bot,O=Example Corp,C=US [release@example.com] ECDSA-SHA256
}

func ExampleParsePrivateKey() {
	key, _ := x509util.GenerateKey(x509util.KeyEd25519)
	pemBytes, err := x509util.MarshalPrivateKey(key, nil) // nil: not encrypted
	if err != nil {
		log.Fatal(err)
	}
	asked := false
	back, err := x509util.ParsePrivateKey(pemBytes, func() ([]byte, error) {
		asked = true // only for an encrypted key
		return []byte("correct horse"), nil
	})
	if err != nil {
		log.Fatal(err)
	}
	info, _ := x509util.Inspect(back.Public())
	fmt.Println(info.Type, info.Algorithm, info.Bits, "passphrase asked:", asked)
	// Output:
	// ed25519 Ed25519 256 passphrase asked: false
}
