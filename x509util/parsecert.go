package x509util

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidCRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidFreshestCRL           = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidAuthorityKeyID        = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidSubjectKeyID          = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityInfoAccess   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 1}
)

// setAside reports whether parseSetAside leaves an extension out of the copy crypto/x509
// parses: the distribution point extensions (nameRelativeToCRLIssuer), and the authority and
// subject key identifiers and authority information access when marked critical (which RFC
// 5280 forbids a CA to do, and path validation refuses by rule rather than as unreadable).
func setAside(e pkix.Extension) bool {
	switch {
	case e.Id.Equal(oidCRLDistributionPoints), e.Id.Equal(oidFreshestCRL):
		return true
	case e.Critical && (e.Id.Equal(oidAuthorityKeyID) || e.Id.Equal(oidSubjectKeyID) || e.Id.Equal(oidAuthorityInfoAccess)):
		return true
	}
	return false
}

// ParseCertificate parses one DER certificate with crypto/x509. Where crypto/x509 refuses a
// certificate for something RFC 5280 allows or tells relying parties to handle, it parses the
// certificate again with that part set aside and then restores it, so that path validation
// (package verify) can judge it instead of the parser:
//
//   - a CRL distribution point named relative to the CRL issuer (nameRelativeToCRLIssuer), in
//     the CRL distribution points or freshest CRL extension: crypto/x509 reads only fullName;
//   - a negative serial number (RFC 5280 4.1.2.2: "certificate users SHOULD be prepared to
//     gracefully handle such certificates"), which path validation then refuses by rule;
//   - an authority or subject key identifier or authority information access extension marked
//     critical, which path validation then refuses by rule.
//
// The result's Raw, RawTBSCertificate, Signature, SerialNumber and Extensions are those of
// der, so signatures verify and every extension is there to inspect; CRLDistributionPoints
// lists the URIs of fullName distribution points, OCSPServer and IssuingCertificateURL those
// of the authority information access extension, and the key identifiers are restored. Anything else crypto/x509 refuses is refused.
func ParseCertificate(der []byte) (*x509.Certificate, error) {
	c, err := x509.ParseCertificate(der)
	if err == nil {
		return c, nil
	}
	if c2, ok := parseSetAside(der); ok {
		return c2, nil
	}
	return nil, err
}

// parseSetAside rebuilds the TBSCertificate without the distribution point extensions and
// with a positive serial, parses that, and restores the original parts.
func parseSetAside(der []byte) (*x509.Certificate, bool) {
	in := cryptobyte.String(der)
	var cert, tbs, sigAlg cryptobyte.String
	var sig asn1.BitString
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !in.Empty() ||
		!cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) ||
		!cert.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) ||
		!cert.ReadASN1BitString(&sig) || !cert.Empty() {
		return nil, false
	}
	origTBS := []byte(tbs)
	var body cryptobyte.String
	if !tbs.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, false
	}
	var b cryptobyte.Builder
	changed := false
	var serial *big.Int
	var exts []pkix.Extension
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		var el cryptobyte.String
		var tag cbasn1.Tag
		for !body.Empty() {
			if !body.ReadAnyASN1Element(&el, &tag) {
				b.SetError(errors.New("bad TBSCertificate"))
				return
			}
			switch {
			case tag == cbasn1.INTEGER && serial == nil:
				serial = new(big.Int)
				v := el
				if !v.ReadASN1Integer(serial) {
					b.SetError(errors.New("bad serial"))
					return
				}
				if serial.Sign() < 0 {
					b.AddASN1BigInt(new(big.Int).Neg(serial))
					changed = true
					continue
				}
			case tag == cbasn1.Tag(3).ContextSpecific().Constructed():
				var outer, list cryptobyte.String = el, nil
				if !outer.ReadASN1(&outer, tag) || !outer.ReadASN1(&list, cbasn1.SEQUENCE) {
					b.SetError(errors.New("bad extensions"))
					return
				}
				var kept [][]byte
				for !list.Empty() {
					var ext, e cryptobyte.String
					if !list.ReadASN1Element(&ext, cbasn1.SEQUENCE) {
						b.SetError(errors.New("bad extension"))
						return
					}
					e = ext
					var pe pkix.Extension
					var val cryptobyte.String
					if !e.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1ObjectIdentifier(&pe.Id) ||
						e.PeekASN1Tag(cbasn1.BOOLEAN) && !e.ReadASN1Boolean(&pe.Critical) ||
						!e.ReadASN1(&val, cbasn1.OCTET_STRING) || !e.Empty() {
						b.SetError(errors.New("bad extension"))
						return
					}
					pe.Value = val
					for _, seen := range exts {
						if seen.Id.Equal(pe.Id) {
							// RFC 5280 4.2: an extension appears once. Setting one copy aside
							// must not hide the duplicate from crypto/x509's check.
							b.SetError(errors.New("duplicate extension"))
							return
						}
					}
					exts = append(exts, pe)
					if setAside(pe) {
						changed = true
						continue
					}
					kept = append(kept, ext)
				}
				b.AddASN1(tag, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for _, k := range kept {
							b.AddBytes(k)
						}
					})
				})
				continue
			}
			b.AddBytes(el)
		}
	})
	newTBS, err := b.Bytes()
	if err != nil || !changed {
		return nil, false
	}
	var cb cryptobyte.Builder
	cb.AddASN1(cbasn1.SEQUENCE, func(cb *cryptobyte.Builder) {
		cb.AddBytes(newTBS)
		cb.AddBytes(sigAlg)
		cb.AddASN1BitString(sig.Bytes)
	})
	rebuilt, err := cb.Bytes()
	if err != nil {
		return nil, false
	}
	c, err := x509.ParseCertificate(rebuilt)
	if err != nil {
		return nil, false
	}
	c.Raw = append([]byte(nil), der...)
	c.RawTBSCertificate = origTBS
	c.SerialNumber = serial
	c.Extensions = exts
	c.CRLDistributionPoints = distributionPointURIs(exts)
	c.OCSPServer, c.IssuingCertificateURL = aiaURIs(exts)
	restoreKeyIDs(c, exts)
	return c, true
}

// restoreKeyIDs sets the subject and authority key identifiers of c from exts, which a
// reading with extensions set aside has left out.
func restoreKeyIDs(c *x509.Certificate, exts []pkix.Extension) {
	for _, e := range exts {
		v := cryptobyte.String(e.Value)
		switch {
		case e.Id.Equal(oidSubjectKeyID):
			var id cryptobyte.String
			if v.ReadASN1(&id, cbasn1.OCTET_STRING) {
				c.SubjectKeyId = id
			}
		case e.Id.Equal(oidAuthorityKeyID):
			var seq, id cryptobyte.String
			if v.ReadASN1(&seq, cbasn1.SEQUENCE) && seq.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) &&
				seq.ReadASN1(&id, cbasn1.Tag(0).ContextSpecific()) {
				c.AuthorityKeyId = id
			}
		}
	}
}

// distributionPointURIs returns the URIs of the fullName distribution points of a CRL
// distribution points extension, skipping what it cannot read.
func distributionPointURIs(exts []pkix.Extension) []string {
	for _, e := range exts {
		if e.Id.Equal(oidCRLDistributionPoints) {
			return distributionPointURIsOf(e.Value)
		}
	}
	return nil
}

// distributionPointURIsOf reads the URIs of the full names of the distribution points of a
// CRL distribution points (or freshest CRL) extension's value, as distributionPointURIs.
func distributionPointURIsOf(value []byte) []string {
	var uris []string
	s := cryptobyte.String(value)
	if !s.ReadASN1(&s, cbasn1.SEQUENCE) {
		return nil
	}
	for !s.Empty() {
		var dp, name, full cryptobyte.String
		var ok bool
		if !s.ReadASN1(&dp, cbasn1.SEQUENCE) ||
			!dp.ReadOptionalASN1(&name, &ok, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return uris
		}
		if !ok || !name.ReadASN1(&full, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			continue
		}
		for !full.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !full.ReadAnyASN1(&v, &tag) {
				break
			}
			if tag == cbasn1.Tag(6).ContextSpecific() {
				uris = append(uris, string(v))
			}
		}
	}
	return uris
}

// parseDERCertificates parses one or more concatenated DER certificates with ParseCertificate.
func parseDERCertificates(data []byte) ([]*x509.Certificate, error) {
	return parseDERCertificatesWith(data, ParseCertificate)
}

// parseDERCertificatesWith is parseDERCertificates with parse in place of ParseCertificate.
func parseDERCertificatesWith(data []byte, parse func([]byte) (*x509.Certificate, error)) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	s := cryptobyte.String(data)
	for !s.Empty() {
		var el cryptobyte.String
		if !s.ReadASN1Element(&el, cbasn1.SEQUENCE) {
			return nil, errors.New("x509: malformed certificate")
		}
		c, err := parse(el)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// PEMCertificatesLenient returns the CERTIFICATE blocks of PEM data that parse (with
// ParseCertificate), skipping the rest as x509.CertPool.AppendCertsFromPEM does: for trust
// bundles, where one odd certificate must not hide the others.
func PEMCertificatesLenient(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for len(data) > 0 {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		if c, err := ParseCertificate(block.Bytes); err == nil {
			out = append(out, c)
		}
	}
	return out
}
