package tlsprobe

import (
	"crypto/tls"
	"testing"
)

// cbcSuites are the TLS 1.2 CBC suites crypto/tls still enables by default: signet's own
// audit warns of them ("weak: cbc").
func cbcSuites() []uint16 {
	return []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}
}

// TestServeOffersOnlyAEADSuites: under TLS 1.2 Serve agrees only to ECDHE suites with an AEAD
// cipher; a client that offers CBC suites alone is refused (crypto/tls's defaults took them).
func TestServeOffersOnlyAEADSuites(t *testing.T) {
	p := makePKI(t)
	addr, _ := startServer(t, p, false, 0)
	dial := func(suites []uint16) error {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: poolOf(p.root), ServerName: "localhost",
			MaxVersion: tls.VersionTLS12, CipherSuites: suites})
		if err == nil {
			c.Close()
		}
		return err
	}
	if err := dial(cbcSuites()); err == nil {
		t.Error("a client offering only CBC suites was served under TLS 1.2")
	}
	if err := dial([]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}); err != nil {
		t.Errorf("an AES-GCM client: %v", err)
	}
	if err := dial([]uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}); err != nil {
		t.Errorf("a ChaCha20-Poly1305 client: %v", err)
	}
}
