package hsm

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

// etCert makes a self-signed certificate for key, valid from notBefore to notAfter.
func etCert(t *testing.T, key *ecdsa.PrivateKey, cn string, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func etKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestPairCertificateOfAnotherKey: a certificate of another key written under a key's CKA_ID
// (pkcs11-tool --write-object --id with the wrong id) is no partner of the key, whatever the
// order the token lists the objects in: the key's public key is its public key object's, and
// its certificate the one that holds that public key. The certificate labelled "a stray"
// sorts before the key's public key object, and gave the key its public key: every signature
// then failed its check (a P-384 key's for a P-256 key), and enroll found the key enrolled
// for the other key's subject.
func TestPairCertificateOfAnotherKey(t *testing.T) {
	own, other := etKey(t), etKey(t)
	now := time.Now()
	base := mustParseURI(t, "pkcs11:token=t")
	mk := func() []Object {
		objs := []Object{
			{Type: TypePrivate, Label: "key", ID: []byte{0x4a}, KeyType: "EC"},
			{Type: TypePublic, Label: "key", ID: []byte{0x4a}, KeyType: "EC", Public: own.Public()},
			{Type: TypeCert, Label: "key", ID: []byte{0x4a}, KeyType: "EC", Public: own.Public(), Certificate: etCert(t, own, "own", now.Add(-time.Hour), now.Add(time.Hour))},
			{Type: TypeCert, Label: "a stray", ID: []byte{0x4a}, KeyType: "EC", Public: other.Public(), Certificate: etCert(t, other, "other", now.Add(-time.Hour), now.Add(time.Hour))},
		}
		for i := range objs {
			objs[i].URI = objectURI(base, &objs[i]).String()
		}
		return objs
	}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {3, 0, 1, 2}} {
		in := mk()
		objs := make([]Object, len(order))
		for i, j := range order {
			objs[i] = in[j]
		}
		sortObjects(objs)
		pair(objs)
		for _, o := range objs {
			switch {
			case o.Type == TypePrivate && (!own.PublicKey.Equal(o.Public) || o.CertificateURI != in[2].URI):
				t.Errorf("order %v: the key got %v and certificate %s", order, o.Public, o.CertificateURI)
			case o.Label == "a stray" && o.PrivateKeyURI != "":
				t.Errorf("order %v: the stray certificate is paired with %s", order, o.PrivateKeyURI)
			}
		}
		if c := keyCertificate(objs, own.Public(), now); c == nil || c.Subject.CommonName != "own" {
			t.Errorf("order %v: keyCertificate chose another certificate than the key's", order)
		}
	}

	// Without a public key object, the certificate of the key's own label gives the key its
	// public key (pair prefers the key's label), and the stray one stays unpaired.
	objs := mk()
	objs = append(objs[:1], objs[2:]...)
	sortObjects(objs)
	pair(objs)
	for _, o := range objs {
		switch {
		case o.Type == TypePrivate && (!own.PublicKey.Equal(o.Public) || o.CertificateURI != in2URI(objs)):
			t.Errorf("without a public key object, the key got %v and %q", o.Public, o.CertificateURI)
		case o.Label == "a stray" && o.PrivateKeyURI != "":
			t.Errorf("without a public key object, the stray certificate is paired with %s", o.PrivateKeyURI)
		}
	}

	// Certificates of two keys under the key's own label and id give it no public key.
	objs = mk()
	objs[3].Label = "key"
	objs[3].URI = objectURI(base, &objs[3]).String()
	objs = append(objs[:1], objs[2:]...)
	sortObjects(objs)
	pair(objs)
	for _, o := range objs {
		if o.Type == TypePrivate && (o.Public != nil || o.CertificateURI != "") {
			t.Errorf("with certificates of two keys under its label and id, the key got %v and %q", o.Public, o.CertificateURI)
		}
	}
}

// in2URI returns the URI of the certificate labelled "key" among objs: the key's own.
func in2URI(objs []Object) string {
	for _, o := range objs {
		if o.Type == TypeCert && o.Label == "key" {
			return o.URI
		}
	}
	return ""
}

// TestKeyCertificateValidBeforeExpired: of two certificates of one key (a renewal left the
// expired one beside the current one, under one label and id, so with one URI), the key's is
// the one valid now, whichever the token lists first; of two valid ones, the one that ends
// last. Token order chose before: enroll refused the key as holding an expired certificate,
// and a client could present the expired one.
func TestKeyCertificateValidBeforeExpired(t *testing.T) {
	k := etKey(t)
	now := time.Now()
	expired := etCert(t, k, "expired", now.Add(-60*24*time.Hour), now.Add(-30*24*time.Hour))
	current := etCert(t, k, "current", now.Add(-time.Hour), now.Add(30*24*time.Hour))
	longer := etCert(t, k, "longer", now.Add(-time.Hour), now.Add(60*24*time.Hour))
	future := etCert(t, k, "future", now.Add(time.Hour), now.Add(90*24*time.Hour))
	obj := func(c *x509.Certificate) Object {
		return Object{Type: TypeCert, Label: "key", ID: []byte{1}, Public: c.PublicKey, Certificate: c}
	}
	for _, tc := range []struct {
		certs []*x509.Certificate
		want  string
	}{
		{[]*x509.Certificate{expired, current}, "current"},
		{[]*x509.Certificate{current, expired}, "current"},
		{[]*x509.Certificate{future, expired, current}, "current"},
		{[]*x509.Certificate{longer, current}, "longer"},
		{[]*x509.Certificate{current, longer, expired}, "longer"},
		{[]*x509.Certificate{expired}, "expired"},
	} {
		var objs []Object
		for _, c := range tc.certs {
			objs = append(objs, obj(c))
		}
		if got := keyCertificate(objs, crypto.PublicKey(k.Public()), now); got == nil || got.Subject.CommonName != tc.want {
			name := "none"
			if got != nil {
				name = got.Subject.CommonName
			}
			t.Errorf("keyCertificate chose %s, want %s", name, tc.want)
		}
	}
	if got := keyCertificate([]Object{obj(current)}, etKey(t).Public(), now); got != nil {
		t.Errorf("a certificate of another key was chosen: %v", got.Subject)
	}
}
