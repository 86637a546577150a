package sigformat

// Probes of a security review of the signature formats (rs): crafted CMS that must not be
// read as something signet verifies. Each test pins a behaviour no other test pins (the
// comment says which); the CMS is built here, field by field, and signed with a fixture key,
// so that only the field under test is wrong.

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"runtime"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidTSTInfoType = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4} // id-ct-TSTInfo
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

// rsCMS says what rsBuild writes.
type rsCMS struct {
	eType    asn1.ObjectIdentifier // encapContentInfo.eContentType; nil: id-data
	eContent []byte                // attached content, nil: detached
	attrs    [][]byte              // DER Attributes, signed in this order; nil: no signed attributes
	content  []byte                // what is signed when there are no signed attributes
	signers  int                   // SignerInfos (the same one repeated); 0: one
}

// rsAttr is the DER of an Attribute with one value per element of values (each DER).
func rsAttr(oid asn1.ObjectIdentifier, values ...[]byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, v := range values {
				b.AddBytes(v)
			}
		})
	})
	return b.BytesOrPanic()
}

func rsOID(oid asn1.ObjectIdentifier) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1ObjectIdentifier(oid)
	return b.BytesOrPanic()
}

func rsOctets(d []byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1OctetString(d)
	return b.BytesOrPanic()
}

// rsBuild writes a CMS SignedData signed by the codesign fixture (ECDSA P-256, SHA-256),
// carrying its chain without the root, its signer identified by issuer and serial number.
func rsBuild(t *testing.T, o rsCMS) []byte {
	t.Helper()
	f := mustFixture(t, "codesign")
	leaf := f.chain[0]
	eType := o.eType
	if eType == nil {
		eType = oidData
	}
	var toSign []byte
	if o.attrs != nil {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
			for _, a := range o.attrs {
				b.AddBytes(a)
			}
		})
		toSign = b.BytesOrPanic()
	} else {
		toSign = o.content
	}
	d := sha256.Sum256(toSign)
	sig, err := f.key.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgorithm(b, oidSHA256, nil) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(eType)
					if o.eContent != nil {
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(o.eContent)
						})
					}
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddBytes(f.chain[0].Raw)
					b.AddBytes(f.chain[1].Raw)
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					for range max(o.signers, 1) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddASN1Int64(1)
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddBytes(leaf.RawIssuer)
								b.AddASN1BigInt(leaf.SerialNumber)
							})
							addAlgorithm(b, oidSHA256, nil)
							if o.attrs != nil {
								b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
									for _, a := range o.attrs {
										b.AddBytes(a)
									}
								})
							}
							addAlgorithm(b, oidECDSASHA256, nil)
							b.AddASN1OctetString(sig)
						})
					}
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// A detached signature is over content of type id-data: RFC 5652 5.3 requires signed
// attributes whenever the eContentType is another, and 11.1 that the contentType attribute
// equal it. A signer's CMS over another content type (a TSTInfo, an authenticated receipt,
// any protocol's typed content) is a statement in that protocol, not "I sign this file":
// reading it as a file signature lets one protocol's signature stand for another's (with a
// bare key, the TSTInfo a TSA signed verifies as a file the TSA "signed"). Parse read both
// forms; it must refuse them. The id-data CMS of the same shape is the control.
func TestRSCMSContentTypeNotData(t *testing.T) {
	content := []byte("a TSTInfo, or any typed content\n")
	d := sha256.Sum256(content)
	attrs := func(ct asn1.ObjectIdentifier) [][]byte {
		return [][]byte{rsAttr(oidContentType, rsOID(ct)), rsAttr(oidMessageDigest, rsOctets(d[:]))}
	}
	control, err := Parse(rsBuild(t, rsCMS{attrs: attrs(oidData)}))
	if err != nil {
		t.Fatalf("control (id-data): %v", err)
	}
	if err := checkSignature(control.Certificates[0].PublicKey, control.Hash, false, control.SignedData, control.Raw); err != nil {
		t.Fatalf("control (id-data): the signature does not verify: %v", err)
	}
	for name, der := range map[string][]byte{
		"TSTInfo, with signed attributes saying so": rsBuild(t, rsCMS{eType: oidTSTInfoType, attrs: attrs(oidTSTInfoType)}),
		"TSTInfo, without signed attributes":        rsBuild(t, rsCMS{eType: oidTSTInfoType, content: content}),
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Parse(der)
			if !errors.Is(err, ErrMalformedSignature) {
				t.Fatalf("Parse = (signature %v), %v; want an error wrapping ErrMalformedSignature", s != nil, err)
			}
		})
	}
}

// The signed attributes and the shape of a SignedData that decide what the signature covers,
// each wrong in one way in an otherwise valid, correctly signed CMS: Parse must refuse them all
// (RFC 5652 5.3, 11.1, 11.2), since a verifier would otherwise compare the file with a digest
// the signer did not state once and unambiguously. No other test pins these.
func TestRSCMSSignedAttributes(t *testing.T) {
	content := []byte("the release\n")
	d := sha256.Sum256(content)
	other := sha256.Sum256([]byte("another file\n"))
	ct := rsAttr(oidContentType, rsOID(oidData))
	md := rsAttr(oidMessageDigest, rsOctets(d[:]))
	tests := []struct {
		name string
		cms  rsCMS
	}{
		{"messageDigest missing", rsCMS{attrs: [][]byte{ct}}},
		{"contentType missing", rsCMS{attrs: [][]byte{md}}},
		{"messageDigest twice, the other file's first", rsCMS{attrs: [][]byte{ct, rsAttr(oidMessageDigest, rsOctets(other[:])), md}}},
		{"messageDigest with two values", rsCMS{attrs: [][]byte{ct, rsAttr(oidMessageDigest, rsOctets(other[:]), rsOctets(d[:]))}}},
		{"messageDigest of another hash's length", rsCMS{attrs: [][]byte{ct, rsAttr(oidMessageDigest, rsOctets(make([]byte, 48)))}}},
		{"contentType twice", rsCMS{attrs: [][]byte{ct, ct, md}}},
		{"contentType with no value", rsCMS{attrs: [][]byte{rsAttr(oidContentType), md}}},
		{"two signers, both valid", rsCMS{attrs: [][]byte{ct, md}, signers: 2}},
		{"the content attached", rsCMS{attrs: [][]byte{ct, md}, eContent: content}},
	}
	if _, err := Parse(rsBuild(t, rsCMS{attrs: [][]byte{ct, md}})); err != nil {
		t.Fatalf("control: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse(rsBuild(t, tc.cms))
			if !errors.Is(err, ErrMalformedSignature) {
				t.Fatalf("Parse = (signature %v), %v; want an error wrapping ErrMalformedSignature", s != nil, err)
			}
		})
	}
}

// A signature file of 15 MiB (under verify's 16 MiB bound) nesting 62 indefinite-length
// elements around one large OCTET STRING: berToDER copied the content anew at every level, 1.9
// GiB allocated for one file. It must cost a small multiple of the file (it is refused, as
// no CMS). Memory is measured, not time; the test does not run in parallel with others.
func TestRSBERNestingMemory(t *testing.T) {
	in := []byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
	in = append(in, bytes.Repeat([]byte{0xa0, 0x80}, 62)...)
	in = append(in, 0x04, 0x84, 0x00, 0xf0, 0x00, 0x00)
	in = append(in, make([]byte, 0xf00000)...)
	in = append(in, bytes.Repeat([]byte{0, 0}, 63)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse(in)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrMalformedSignature) {
		t.Fatalf("Parse = %v, want an error wrapping ErrMalformedSignature", err)
	}
	if got, limit := after.TotalAlloc-before.TotalAlloc, 4*uint64(len(in)); got > limit {
		t.Errorf("reading %d bytes allocated %d MiB, more than %d MiB", len(in), got>>20, limit>>20)
	}
}
