package sign

import (
	"crypto/x509"
	"errors"
	"io"

	"github.com/signet-pki/signet/digest"
	"github.com/signet-pki/signet/internal/atomicfile"
	"github.com/signet-pki/signet/sigformat"
	"github.com/signet-pki/signet/x509util"
)

// Receipt says what one signature covers and where it went. Its JSON form is stable: fields
// are only ever added.
type Receipt struct {
	// Path is the signed file as named ("-" for standard input); empty for a digest given
	// by the caller.
	Path string `json:"path"`
	// Algorithm and Digest are the signed content's digest.
	Algorithm digest.Algorithm `json:"algorithm"`
	Digest    digest.Digest    `json:"digest"`
	Format    sigformat.Format `json:"format"`
	// Signature is the signature file's path, or "-" for standard output.
	Signature string `json:"signature"`
	// KeyFingerprint is the signing key's x509util.Fingerprint.
	KeyFingerprint string `json:"key_fingerprint"`
	// Certificate is the signer's certificate, when there is one.
	Certificate *CertificateSummary `json:"certificate,omitempty"`
	// Entries is the number of files a signed manifest lists.
	Entries int `json:"entries,omitempty"`
}

// CertificateSummary names a certificate in a Receipt.
type CertificateSummary struct {
	Subject string `json:"subject"`
	// Fingerprint is "sha256:" and SHA256, the form receipts had before SHA256 was added;
	// it stays for the scripts that read it.
	Fingerprint string `json:"fingerprint"`
	// SHA256 is x509util.CertificateFingerprint, the lowercase hex SHA-256 of the DER: the
	// same value, in the same form, as the "sha256" of the certificate in signet verify,
	// cert verify and cert inspect.
	SHA256 string `json:"sha256"`
}

// SignDigestTo signs a digest computed elsewhere (under s.Algorithm()) and writes the
// signature to out ("-": to stdout), atomically.
func SignDigestTo(s *Signer, d digest.Digest, out string, force bool, stdout io.Writer) (*Receipt, error) {
	if s == nil {
		return nil, &kindError{msg: "sign: no Signer", kind: ErrUnsupported}
	}
	if out == "" {
		return nil, &kindError{msg: "sign: a signature of a digest needs an output name", kind: ErrUnsupported}
	}
	if out != "-" {
		if err := atomicfile.CheckWritable(out, force); err != nil {
			return nil, err
		}
	}
	if s.rawTimestamped() {
		if out == "-" {
			return nil, &kindError{msg: "sign: a timestamped raw signature needs a file, for its token beside it (FILE.sig.tsr), not standard output", kind: ErrUnsupported}
		}
		if err := atomicfile.CheckWritable(out+TimestampExtension, force); err != nil {
			return nil, err
		}
	}
	sig, err := s.SignDigest(d)
	if err != nil {
		return nil, err
	}
	tsr, err := s.RawTimestamp(sig)
	if err != nil {
		return nil, err
	}
	if tsr != nil {
		var b atomicfile.Batch
		defer b.Abort()
		for _, f := range []struct {
			name string
			data []byte
		}{{out, sig}, {out + TimestampExtension, tsr}} {
			if err := b.Add(f.name, f.data, atomicfile.Options{Force: force}); err != nil {
				return nil, err
			}
		}
		if err := b.Commit(); err != nil {
			return nil, err
		}
	} else if err := writeOne(out, sig, force, stdout); err != nil {
		return nil, err
	}
	r := s.receipt("", d, out)
	return &r, nil
}

func writeOne(out string, data []byte, force bool, stdout io.Writer) error {
	if out == "-" {
		if stdout == nil {
			return errors.New("sign: no standard output")
		}
		_, err := stdout.Write(data)
		return err
	}
	return atomicfile.WriteFile(out, data, atomicfile.Options{Force: force})
}

func (s *Signer) receipt(path string, d digest.Digest, out string) Receipt {
	r := Receipt{Path: path, Algorithm: s.alg, Digest: d, Format: s.opts.Format, Signature: out, KeyFingerprint: s.keyFP}
	if c := s.Certificate(); c != nil {
		r.Certificate = summarize(c)
	}
	return r
}

// summarize names the signer's certificate in a receipt, its subject escaped by
// x509util.FormatName: receipts are printed, and a subject can hold any character.
func summarize(c *x509.Certificate) *CertificateSummary {
	fp := x509util.CertificateFingerprint(c)
	return &CertificateSummary{Subject: x509util.FormatName(c.Subject), Fingerprint: x509util.FingerprintPrefix + fp, SHA256: fp}
}
