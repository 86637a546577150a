package verify_test

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	mrand "math/rand"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The generator of the times campaign (tv_diff_test.go): from one seed, a time written byte
// by byte as a UTCTime or a GeneralizedTime, well or badly (no seconds, a fraction, trailing
// zeros in it, a comma for the point, a time zone offset, a lower-case "z", no "Z", second 60,
// 29 February of a common year, month 13, year 0000, a UTCTime of 2050 or later, a
// GeneralizedTime before 2050, 99991231235959Z), put in one place (a certificate's notBefore
// or notAfter, a CRL's thisUpdate or nextUpdate or an entry's revocationDate, an OCSP
// response's thisUpdate, nextUpdate or producedAt, a TSTInfo's genTime, a CMS signingTime),
// everything around it signed properly so that only the time is
// under test, and a validation time at the boundary that time makes, a second before, at it or
// a second after. Keys come from the chain campaign's pool (rxKey): a seed replays the same
// case.

// tvTime is one time as written.
type tvTime struct {
	kind string     // what was drawn
	tag  cbasn1.Tag // UTCTime or GeneralizedTime
	raw  string
	// at is the instant the bytes name, as X.680 reads them (offsets applied, a UTCTime's
	// year 50 to 99 in the 1900s); zero when they name none (no such date, no readable form).
	at time.Time
	// strict: written as RFC 5280 4.1.2.5.1/4.1.2.5.2 and RFC 5652 11.3 require, Zulu with
	// seconds and no fraction (YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ).
	strict bool
	// rightType: UTCTime for the years 1950 to 2049, GeneralizedTime otherwise (RFC 5280
	// 4.1.2.5, RFC 5652 11.3).
	rightType bool
	// genTime: written as RFC 3161 2.4.2 requires of genTime: GeneralizedTime
	// YYYYMMDDhhmmss[.s...]Z, a "." point, no trailing zeros.
	genTime bool
}

func (e tvTime) String() string { return fmt.Sprintf("%s %q", e.kind, e.raw) }

// tvKinds are the ways a time is written, each with its weight.
var tvKinds = []struct {
	kind   string
	weight int
}{
	{"canonical", 30}, {"gen-early", 6}, {"utc-late", 4}, {"utc-noseconds", 4}, {"gen-noseconds", 3},
	{"utc-offset", 5}, {"gen-offset", 4}, {"gen-fraction", 8}, {"gen-fraction-trailing0", 4},
	{"gen-fraction-zero", 3}, {"gen-comma", 3}, {"lower-z", 3}, {"no-z", 3}, {"leap-second", 3},
	{"feb29-common-year", 3}, {"month-13", 2}, {"year-0000", 2}, {"y9999", 2},
}

// tvBase draws the instant the case turns on: mostly around now, sometimes at a pivot of the
// encodings (1950, the last second of 2049, the first of 2050).
func tvBase(r *mrand.Rand) time.Time {
	switch r.Intn(8) {
	case 0:
		return time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)
	case 1:
		return time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)
	case 2:
		return time.Date(1950, 1, 1, 0, 0, r.Intn(2), 0, time.UTC)
	case 3:
		return time.Date(2030+r.Intn(60), time.Month(1+r.Intn(12)), 1+r.Intn(28), r.Intn(24), r.Intn(60), r.Intn(60), 0, time.UTC)
	}
	return time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int63n(int64(400*24*time.Hour))) - 200*24*time.Hour).Truncate(time.Second)
}

// tvDraw writes t in a drawn way; genTime limits the kinds to those a GeneralizedTime takes
// (for a TSTInfo, where a UTCTime is simply wrong) and fraction lets the fraction kinds carry
// a fraction of a second of their own.
func tvDraw(r *mrand.Rand, t time.Time, genOnly bool) tvTime {
	total := 0
	for _, k := range tvKinds {
		total += k.weight
	}
	n := r.Intn(total)
	kind := ""
	for _, k := range tvKinds {
		if n -= k.weight; n < 0 {
			kind = k.kind
			break
		}
	}
	utcYear := t.Year() >= 1950 && t.Year() < 2050
	if genOnly && strings.HasPrefix(kind, "utc") {
		kind = "gen-" + strings.TrimPrefix(kind, "utc-")
		if kind == "gen-late" {
			kind = "canonical"
		}
	}
	if strings.HasPrefix(kind, "utc-") && kind != "utc-late" && !utcYear {
		kind = "gen-" + strings.TrimPrefix(kind, "utc-") // a UTCTime's digits would name another century
	}
	if kind == "utc-late" && t.Year() < 2050 {
		t = t.AddDate(100, 0, 0) // written as its own two digits, read a century early
		if t.Year() >= 2150 {
			kind = "canonical"
		}
	}
	gen := func(s string) tvTime {
		return tvTime{kind: kind, tag: cbasn1.GeneralizedTime, raw: s}
	}
	utc := func(s string) tvTime { return tvTime{kind: kind, tag: cbasn1.UTCTime, raw: s} }
	g14 := t.Format("20060102150405")
	var e tvTime
	switch kind {
	case "canonical":
		if utcYear && !genOnly {
			e = utc(t.Format("060102150405Z"))
		} else {
			e = gen(g14 + "Z")
		}
		e.at, e.strict, e.rightType = t, true, !genOnly || !utcYear
	case "gen-early":
		e = gen(g14 + "Z")
		e.at, e.strict, e.rightType = t, true, !utcYear
	case "utc-late":
		e = utc(t.Format("060102150405Z"))
		e.at, e.strict, e.rightType = t.AddDate(-100, 0, 0), true, true
	case "utc-noseconds":
		t = t.Truncate(time.Minute)
		e = utc(t.Format("0601021504Z"))
		e.at = t
	case "gen-noseconds":
		t = t.Truncate(time.Minute)
		e = gen(t.Format("200601021504Z"))
		e.at = t
	case "utc-offset", "gen-offset":
		off := []int{60, -330, 840, -720, 0, 345}[r.Intn(6)]
		local := t.In(time.FixedZone("", off*60))
		if local.Year() < 1950 || local.Year() >= 2050 {
			kind = "gen-offset" // a UTCTime's digits would name another century
		}
		layout := "20060102150405-0700"
		if kind == "utc-offset" {
			layout = "060102150405-0700"
		}
		s := local.Format(layout)
		if off == 0 {
			s = s[:len(s)-5] + []string{"+0000", "-0000"}[r.Intn(2)]
		}
		e = tvTime{kind: kind, tag: map[bool]cbasn1.Tag{true: cbasn1.UTCTime, false: cbasn1.GeneralizedTime}[kind == "utc-offset"], raw: s}
		e.at = t
	case "gen-fraction":
		frac := []string{"5", "001", "999", "25", "123456789", "000000001"}[r.Intn(6)]
		ns, _ := time.ParseDuration("0." + frac + "s")
		e = gen(g14 + "." + frac + "Z")
		e.at, e.genTime = t.Add(ns), true
	case "gen-fraction-trailing0":
		e = gen(g14 + []string{".50", ".100", ".9990"}[r.Intn(3)] + "Z")
		ns, _ := time.ParseDuration("0" + e.raw[14:len(e.raw)-1] + "s")
		e.at = t.Add(ns)
	case "gen-fraction-zero":
		e = gen(g14 + []string{".0", ".000"}[r.Intn(2)] + "Z")
		e.at = t
	case "gen-comma":
		e = gen(g14 + ",5Z")
		e.at = t.Add(500 * time.Millisecond)
	case "lower-z":
		if utcYear && !genOnly {
			e = utc(t.Format("060102150405z"))
		} else {
			e = gen(g14 + "z")
		}
	case "no-z":
		if utcYear && !genOnly {
			e = utc(t.Format("060102150405"))
		} else {
			e = gen(g14)
		}
	case "leap-second":
		// 23:59:60 of the day: a positive leap second (X.680 allows 60), which no reader
		// here takes as a time.
		d := time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 0, 0, time.UTC)
		if utcYear && !genOnly {
			e = utc(d.Format("0601021504") + "60Z")
		} else {
			e = gen(d.Format("200601021504") + "60Z")
		}
	case "feb29-common-year":
		y := t.Year()
		for y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			y++
		}
		if utcYear && !genOnly && y < 2050 {
			e = utc(fmt.Sprintf("%02d0229120000Z", y%100))
		} else {
			e = gen(fmt.Sprintf("%04d0229120000Z", y))
		}
	case "month-13":
		if utcYear && !genOnly {
			e = utc(t.Format("06") + "1301000000Z")
		} else {
			e = gen(t.Format("2006") + "1301000000Z")
		}
	case "year-0000":
		e = gen("00000101000000Z")
		e.at, e.strict, e.rightType = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), true, true
	case "y9999":
		// "no well-defined expiration date" (RFC 5280 4.1.2.5).
		e = gen("99991231235959Z")
		e.at, e.strict, e.rightType = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), true, true
	}
	e.kind = kind
	if e.tag == cbasn1.GeneralizedTime && e.strict {
		e.genTime = true
	}
	return e
}

// add writes the time into b.
func (e tvTime) add(b *cryptobyte.Builder) {
	b.AddASN1(e.tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(e.raw)) })
}

// tvCanon is t written as RFC 5280 requires.
func tvCanon(t time.Time) tvTime {
	if t.Year() >= 1950 && t.Year() < 2050 {
		return tvTime{kind: "canonical", tag: cbasn1.UTCTime, raw: t.UTC().Format("060102150405Z"), at: t, strict: true, rightType: true}
	}
	return tvTime{kind: "canonical", tag: cbasn1.GeneralizedTime, raw: t.UTC().Format("20060102150405Z"), at: t, strict: true, rightType: true, genTime: true}
}

// tvCert writes a certificate with the validity nb, na, signed by signer under issuer name iss.
func tvCert(subj, iss []byte, key, signer crypto.Signer, serial int64, nb, na tvTime, ca bool) []byte {
	var exts []byte
	{
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			if ca {
				b.AddBytes(tsMust(asn1.Marshal(tsExt(asn1.ObjectIdentifier{2, 5, 29, 19}, true, struct{ CA bool }{true}))))
				b.AddBytes(tsMust(asn1.Marshal(tsExt(asn1.ObjectIdentifier{2, 5, 29, 15}, true, asn1.BitString{Bytes: []byte{0x06}, BitLength: 7}))))
			} else {
				b.AddBytes(tsMust(asn1.Marshal(tsExt(asn1.ObjectIdentifier{2, 5, 29, 15}, true, asn1.BitString{Bytes: []byte{0x80}, BitLength: 1}))))
			}
			ski := sha256.Sum256(dSPKI(key))
			b.AddBytes(tsMust(asn1.Marshal(tsExt(asn1.ObjectIdentifier{2, 5, 29, 14}, false, ski[:20]))))
			aki := sha256.Sum256(dSPKI(signer))
			b.AddBytes(tsMust(asn1.Marshal(tsExt(asn1.ObjectIdentifier{2, 5, 29, 35}, false, struct {
				ID []byte `asn1:"optional,tag:0"`
			}{aki[:20]}))))
		})
		exts = b.BytesOrPanic()
	}
	alg, _ := rxSign(signer, []byte{}, 0)
	tb := cryptobyte.NewBuilder(nil)
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddASN1Int64(2) })
		b.AddASN1BigInt(big.NewInt(serial))
		b.AddBytes(alg)
		b.AddBytes(iss)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { nb.add(b); na.add(b) })
		b.AddBytes(subj)
		b.AddBytes(dSPKI(key))
		b.AddASN1(cbasn1.Tag(3).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(exts) })
	})
	return tvSigned(signer, tb.BytesOrPanic())
}

// tvSigned is tbs (a certificate's or CRL's) signed by signer: SEQUENCE { tbs, algorithm,
// signature }.
func tvSigned(signer crypto.Signer, tbs []byte) []byte {
	alg, sig := rxSign(signer, tbs, 0)
	cb := cryptobyte.NewBuilder(nil)
	cb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		b.AddBytes(alg)
		b.AddASN1BitString(sig)
	})
	return cb.BytesOrPanic()
}

// tvRevoked is one entry of a CRL.
type tvRevoked struct {
	serial int64
	at     tvTime
}

// tvCRL writes a CRL of issuer name iss signed by signer (nextUpdate omitted when its raw is
// empty), with the CRL number and authority key identifier extensions.
func tvCRL(iss []byte, signer crypto.Signer, this, next tvTime, entries []tvRevoked) []byte {
	alg, _ := rxSign(signer, []byte{}, 0)
	aki := sha256.Sum256(dSPKI(signer))
	tb := cryptobyte.NewBuilder(nil)
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddBytes(alg)
		b.AddBytes(iss)
		this.add(b)
		if next.raw != "" {
			next.add(b)
		}
		if len(entries) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, en := range entries {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(en.serial)
						en.at.add(b)
					})
				}
			})
		}
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(tsMust(asn1.Marshal(tsExt(asn1.ObjectIdentifier{2, 5, 29, 35}, false, struct {
					ID []byte `asn1:"optional,tag:0"`
				}{aki[:20]}))))
				b.AddBytes(tsMust(asn1.Marshal(tsExt(asn1.ObjectIdentifier{2, 5, 29, 20}, false, big.NewInt(7)))))
			})
		})
	})
	return tvSigned(signer, tb.BytesOrPanic())
}

// tvCMS writes a detached CMS SignedData over data by the ECDSA P-256 key of cert, its signed
// attributes contentType, messageDigest and, when st.raw is not empty, signingTime st.
func tvCMS(cert *x509.Certificate, key crypto.Signer, data []byte, st tvTime) []byte {
	d := sha256.Sum256(data)
	attrs := [][]byte{
		tsAttr(oidTSContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSData) }),
		tsAttr(oidTSMsgDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(d[:]) }),
	}
	if st.raw != "" {
		attrs = append(attrs, tsAttr(oidTSSigningTime, st.add))
	}
	slices.SortFunc(attrs, bytes.Compare)
	sa := cryptobyte.NewBuilder(nil)
	sa.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	_, sig := rxSign(key, sa.BytesOrPanic(), 0)
	sha256OID := tsHashOID[crypto.SHA256]
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidTSSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(sha256OID) })
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSData) })
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(cert.Raw) })
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					tsSignerInfo(b, cert, false, sha256OID, oidECDSASHA256, attrs, sig)
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// element is the time's DER element (tag, length, bytes).
func (e tvTime) element() []byte {
	b := cryptobyte.NewBuilder(nil)
	e.add(b)
	return b.BytesOrPanic()
}
