package tlsaudit

import (
	"fmt"
	"sync"
)

// Protocol versions as they appear on the wire.
const (
	VersionSSL30 uint16 = 0x0300
	VersionTLS10 uint16 = 0x0301
	VersionTLS11 uint16 = 0x0302
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// VersionName is the name of a protocol version ("TLS 1.2"), or its number in hex.
func VersionName(v uint16) string {
	switch v {
	case VersionSSL30:
		return "SSL 3.0"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}

// Weaknesses of a cipher suite, stable strings for JSON.
const (
	WeakNoForwardSecrecy = "no-forward-secrecy" // RSA key exchange: a stolen server key decrypts recorded traffic
	WeakCBC              = "cbc"                // CBC mode with MAC-then-encrypt (Lucky13, POODLE-style padding oracles)
	Weak3DES             = "3des"               // 64-bit blocks (Sweet32)
	WeakRC4              = "rc4"                // RC4 biases (RFC 7465 forbids it)
	WeakExport           = "export"             // 40/56-bit export grade
	WeakNull             = "null"               // no encryption at all
	WeakAnonymous        = "anonymous"          // no server authentication
	WeakDES              = "des"                // single DES, 56-bit
	WeakMD5              = "md5"                // an MD5 MAC
)

// severe weaknesses make a suite a failure; the others a warning.
var severe = map[string]bool{Weak3DES: true, WeakRC4: true, WeakExport: true, WeakNull: true, WeakAnonymous: true, WeakDES: true, WeakMD5: true}

// suiteInfo describes a cipher suite: its IANA name and what is weak about it.
type suiteInfo struct {
	id    uint16
	name  string
	tls13 bool     // a TLS 1.3 suite (AEAD and hash only)
	tls12 bool     // needs TLS 1.2 (SHA-256/384 PRF, AEAD)
	kex   string   // key exchange: ECDHE, DHE, RSA, ECDH, DH, "" for TLS 1.3
	auth  string   // RSA, ECDSA, DSS, anon
	weak  []string // what is wrong with it, most serious first
}

// The suites the raw probes offer: every suite a server still in service might pick, weak
// ones included (finding those is the point). IANA names, from the TLS Cipher Suites registry.
// Built on first use, not at the start-up of every signet command.
var suites = sync.OnceValue(func() []suiteInfo {
	type s = suiteInfo
	list := []s{
		{id: 0x1301, name: "TLS_AES_128_GCM_SHA256", tls13: true},
		{id: 0x1302, name: "TLS_AES_256_GCM_SHA384", tls13: true},
		{id: 0x1303, name: "TLS_CHACHA20_POLY1305_SHA256", tls13: true},
		{id: 0x1304, name: "TLS_AES_128_CCM_SHA256", tls13: true},
		{id: 0x1305, name: "TLS_AES_128_CCM_8_SHA256", tls13: true},

		{id: 0xc02b, name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc02c, name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xcca9, name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc0ac, name: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc0ad, name: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc0ae, name: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc0af, name: "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc05c, name: "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc05d, name: "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc086, name: "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc087, name: "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", tls12: true, kex: "ECDHE", auth: "ECDSA"},
		{id: 0xc02f, name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", tls12: true, kex: "ECDHE", auth: "RSA"},
		{id: 0xc030, name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", tls12: true, kex: "ECDHE", auth: "RSA"},
		{id: 0xcca8, name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", tls12: true, kex: "ECDHE", auth: "RSA"},
		{id: 0xc060, name: "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", tls12: true, kex: "ECDHE", auth: "RSA"},
		{id: 0xc061, name: "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", tls12: true, kex: "ECDHE", auth: "RSA"},
		{id: 0xc08a, name: "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", tls12: true, kex: "ECDHE", auth: "RSA"},
		{id: 0xc08b, name: "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", tls12: true, kex: "ECDHE", auth: "RSA"},
		{id: 0x009e, name: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0x009f, name: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xccaa, name: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc09e, name: "TLS_DHE_RSA_WITH_AES_128_CCM", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc09f, name: "TLS_DHE_RSA_WITH_AES_256_CCM", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc0a2, name: "TLS_DHE_RSA_WITH_AES_128_CCM_8", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc0a3, name: "TLS_DHE_RSA_WITH_AES_256_CCM_8", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc052, name: "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc053, name: "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc07c, name: "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0xc07d, name: "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", tls12: true, kex: "DHE", auth: "RSA"},
		{id: 0x00a2, name: "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", tls12: true, kex: "DHE", auth: "DSS"},
		{id: 0x00a3, name: "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", tls12: true, kex: "DHE", auth: "DSS"},
		{id: 0xc056, name: "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", tls12: true, kex: "DHE", auth: "DSS"},
		{id: 0xc057, name: "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", tls12: true, kex: "DHE", auth: "DSS"},
		{id: 0xc080, name: "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", tls12: true, kex: "DHE", auth: "DSS"},
		{id: 0xc081, name: "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", tls12: true, kex: "DHE", auth: "DSS"},

		{id: 0xc023, name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", tls12: true, kex: "ECDHE", auth: "ECDSA", weak: []string{WeakCBC}},
		{id: 0xc024, name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", tls12: true, kex: "ECDHE", auth: "ECDSA", weak: []string{WeakCBC}},
		{id: 0xc009, name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", kex: "ECDHE", auth: "ECDSA", weak: []string{WeakCBC}},
		{id: 0xc00a, name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", kex: "ECDHE", auth: "ECDSA", weak: []string{WeakCBC}},
		{id: 0xc072, name: "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", tls12: true, kex: "ECDHE", auth: "ECDSA", weak: []string{WeakCBC}},
		{id: 0xc073, name: "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", tls12: true, kex: "ECDHE", auth: "ECDSA", weak: []string{WeakCBC}},
		{id: 0xc027, name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", tls12: true, kex: "ECDHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0xc028, name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", tls12: true, kex: "ECDHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0xc013, name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", kex: "ECDHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0xc014, name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", kex: "ECDHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0xc076, name: "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", tls12: true, kex: "ECDHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0xc077, name: "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", tls12: true, kex: "ECDHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x0067, name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", tls12: true, kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x006b, name: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", tls12: true, kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x0033, name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x0039, name: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x0045, name: "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x0088, name: "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x00be, name: "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", tls12: true, kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x00c4, name: "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", tls12: true, kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x009a, name: "TLS_DHE_RSA_WITH_SEED_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{WeakCBC}},
		{id: 0x0032, name: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},
		{id: 0x0038, name: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},
		{id: 0x0040, name: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", tls12: true, kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},
		{id: 0x006a, name: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", tls12: true, kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},
		{id: 0x0044, name: "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},
		{id: 0x0087, name: "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},
		{id: 0x00bd, name: "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", tls12: true, kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},
		{id: 0x00c3, name: "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", tls12: true, kex: "DHE", auth: "DSS", weak: []string{WeakCBC}},

		{id: 0x009c, name: "TLS_RSA_WITH_AES_128_GCM_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0x009d, name: "TLS_RSA_WITH_AES_256_GCM_SHA384", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc09c, name: "TLS_RSA_WITH_AES_128_CCM", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc09d, name: "TLS_RSA_WITH_AES_256_CCM", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc0a0, name: "TLS_RSA_WITH_AES_128_CCM_8", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc0a1, name: "TLS_RSA_WITH_AES_256_CCM_8", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc050, name: "TLS_RSA_WITH_ARIA_128_GCM_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc051, name: "TLS_RSA_WITH_ARIA_256_GCM_SHA384", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc07a, name: "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0xc07b, name: "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy}},
		{id: 0x003c, name: "TLS_RSA_WITH_AES_128_CBC_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x003d, name: "TLS_RSA_WITH_AES_256_CBC_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x002f, name: "TLS_RSA_WITH_AES_128_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x0035, name: "TLS_RSA_WITH_AES_256_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x0041, name: "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x0084, name: "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x00ba, name: "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x00c0, name: "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x0096, name: "TLS_RSA_WITH_SEED_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x0007, name: "TLS_RSA_WITH_IDEA_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakNoForwardSecrecy, WeakCBC}},

		{id: 0xc012, name: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", kex: "ECDHE", auth: "RSA", weak: []string{Weak3DES, WeakCBC}},
		{id: 0xc008, name: "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", kex: "ECDHE", auth: "ECDSA", weak: []string{Weak3DES, WeakCBC}},
		{id: 0x0016, name: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{Weak3DES, WeakCBC}},
		{id: 0x0013, name: "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", kex: "DHE", auth: "DSS", weak: []string{Weak3DES, WeakCBC}},
		{id: 0x000a, name: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{Weak3DES, WeakNoForwardSecrecy, WeakCBC}},
		{id: 0xc011, name: "TLS_ECDHE_RSA_WITH_RC4_128_SHA", kex: "ECDHE", auth: "RSA", weak: []string{WeakRC4}},
		{id: 0xc007, name: "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", kex: "ECDHE", auth: "ECDSA", weak: []string{WeakRC4}},
		{id: 0x0066, name: "TLS_DHE_DSS_WITH_RC4_128_SHA", kex: "DHE", auth: "DSS", weak: []string{WeakRC4}},
		{id: 0x0005, name: "TLS_RSA_WITH_RC4_128_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakRC4, WeakNoForwardSecrecy}},
		{id: 0x0004, name: "TLS_RSA_WITH_RC4_128_MD5", kex: "RSA", auth: "RSA", weak: []string{WeakRC4, WeakMD5, WeakNoForwardSecrecy}},
		{id: 0x0009, name: "TLS_RSA_WITH_DES_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakDES, WeakNoForwardSecrecy, WeakCBC}},
		{id: 0x0015, name: "TLS_DHE_RSA_WITH_DES_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{WeakDES, WeakCBC}},
		{id: 0x0003, name: "TLS_RSA_EXPORT_WITH_RC4_40_MD5", kex: "RSA", auth: "RSA", weak: []string{WeakExport, WeakRC4, WeakMD5}},
		{id: 0x0006, name: "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", kex: "RSA", auth: "RSA", weak: []string{WeakExport, WeakMD5, WeakCBC}},
		{id: 0x0008, name: "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakExport, WeakCBC}},
		{id: 0x0014, name: "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", kex: "DHE", auth: "RSA", weak: []string{WeakExport, WeakCBC}},
		{id: 0x0062, name: "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakExport, WeakCBC}},
		{id: 0x0064, name: "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakExport, WeakRC4}},
		{id: 0x0001, name: "TLS_RSA_WITH_NULL_MD5", kex: "RSA", auth: "RSA", weak: []string{WeakNull, WeakMD5}},
		{id: 0x0002, name: "TLS_RSA_WITH_NULL_SHA", kex: "RSA", auth: "RSA", weak: []string{WeakNull}},
		{id: 0x003b, name: "TLS_RSA_WITH_NULL_SHA256", tls12: true, kex: "RSA", auth: "RSA", weak: []string{WeakNull}},
		{id: 0xc010, name: "TLS_ECDHE_RSA_WITH_NULL_SHA", kex: "ECDHE", auth: "RSA", weak: []string{WeakNull}},
		{id: 0xc006, name: "TLS_ECDHE_ECDSA_WITH_NULL_SHA", kex: "ECDHE", auth: "ECDSA", weak: []string{WeakNull}},
		{id: 0x0018, name: "TLS_DH_anon_WITH_RC4_128_MD5", kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakRC4, WeakMD5}},
		{id: 0x001b, name: "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", kex: "DH", auth: "anon", weak: []string{WeakAnonymous, Weak3DES, WeakCBC}},
		{id: 0x0034, name: "TLS_DH_anon_WITH_AES_128_CBC_SHA", kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x003a, name: "TLS_DH_anon_WITH_AES_256_CBC_SHA", kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x006c, name: "TLS_DH_anon_WITH_AES_128_CBC_SHA256", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x006d, name: "TLS_DH_anon_WITH_AES_256_CBC_SHA256", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x0046, name: "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x0089, name: "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x00bf, name: "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x00c5, name: "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0x00a6, name: "TLS_DH_anon_WITH_AES_128_GCM_SHA256", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous}},
		{id: 0x00a7, name: "TLS_DH_anon_WITH_AES_256_GCM_SHA384", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous}},
		{id: 0xc084, name: "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous}},
		{id: 0xc085, name: "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", tls12: true, kex: "DH", auth: "anon", weak: []string{WeakAnonymous}},
		{id: 0xc018, name: "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", kex: "ECDH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0xc019, name: "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", kex: "ECDH", auth: "anon", weak: []string{WeakAnonymous, WeakCBC}},
		{id: 0xc015, name: "TLS_ECDH_anon_WITH_NULL_SHA", kex: "ECDH", auth: "anon", weak: []string{WeakAnonymous, WeakNull}},
		{id: 0xc016, name: "TLS_ECDH_anon_WITH_RC4_128_SHA", kex: "ECDH", auth: "anon", weak: []string{WeakAnonymous, WeakRC4}},
		{id: 0xc017, name: "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", kex: "ECDH", auth: "anon", weak: []string{WeakAnonymous, Weak3DES, WeakCBC}},
	}
	return list
})

// suiteByID indexes suites by id.
var suiteByID = sync.OnceValue(func() map[uint16]*suiteInfo {
	list := suites()
	m := make(map[uint16]*suiteInfo, len(list))
	for i := range list {
		m[list[i].id] = &list[i]
	}
	return m
})

// suiteName is the IANA name of a suite, or its number.
func suiteName(id uint16) string {
	if s, ok := suiteByID()[id]; ok {
		return s.name
	}
	return fmt.Sprintf("0x%04x", id)
}

// suitesFor returns the ids of the suites that may be offered at version v.
func suitesFor(v uint16) []uint16 {
	var ids []uint16
	for _, s := range suites() {
		switch {
		case v == VersionTLS13 && s.tls13,
			v == VersionTLS12 && !s.tls13,
			v < VersionTLS12 && !s.tls13 && !s.tls12:
			ids = append(ids, s.id)
		}
	}
	return ids
}

// Signalling cipher suite values.
const (
	scsvRenegotiation = 0x00ff // TLS_EMPTY_RENEGOTIATION_INFO_SCSV, RFC 5746
	scsvFallback      = 0x5600 // TLS_FALLBACK_SCSV, RFC 7507
)

// Named groups (the TLS Supported Groups registry).
const (
	groupP256           uint16 = 0x0017
	groupP384           uint16 = 0x0018
	groupP521           uint16 = 0x0019
	groupX25519         uint16 = 0x001d
	groupX448           uint16 = 0x001e
	groupFFDHE2048      uint16 = 0x0100
	groupFFDHE3072      uint16 = 0x0101
	groupFFDHE4096      uint16 = 0x0102
	groupX25519MLKEM768 uint16 = 0x11ec
)

// groups are the groups probed, in the order reported.
var groups = []uint16{groupX25519MLKEM768, groupX25519, groupP256, groupP384, groupP521, groupX448, groupFFDHE2048, groupFFDHE3072, groupFFDHE4096}

// GroupName is the registry name of a named group.
func GroupName(g uint16) string {
	switch g {
	case groupP256:
		return "secp256r1"
	case groupP384:
		return "secp384r1"
	case groupP521:
		return "secp521r1"
	case groupX25519:
		return "x25519"
	case groupX448:
		return "x448"
	case groupFFDHE2048:
		return "ffdhe2048"
	case groupFFDHE3072:
		return "ffdhe3072"
	case groupFFDHE4096:
		return "ffdhe4096"
	case groupX25519MLKEM768:
		return "X25519MLKEM768"
	}
	return fmt.Sprintf("0x%04x", g)
}

// ecGroup reports whether g is an elliptic-curve group, usable with ECDHE suites in TLS 1.2.
func ecGroup(g uint16) bool {
	return g == groupP256 || g == groupP384 || g == groupP521 || g == groupX25519 || g == groupX448
}
