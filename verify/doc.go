// Package verify decides whether a certificate may be trusted for a purpose, under an explicit
// Policy: a chain to a trusted root, validity at a given time, extended key usage, key usage,
// names, revocation by CRL, chain depth, and the RFC 5280 rules listed below. It is the engine
// of `signet cert verify`, and of artifact verification with EKU codeSigning and key usage
// digitalSignature.
//
// Verify reports the chain it found, the policy it applied and every check it made (Result,
// which marshals to stable JSON), and on refusal an *Error whose Reason callers branch on.
// "Not acceptable" (ErrInvalid, every *Error) is kept apart from "could not check"
// (ErrUnchecked, ErrPolicy).
//
// Signature checks everything a signature covers with one function, whatever the format;
// VerifyArtifacts and VerifyManifest give the one-command verdict on files: the recorded
// digest, the signature, then the signer's chain and identity under a Policy. They read the
// artifacts (hashing them with sign's engine) and the signature files beside them;
// certificates, keys and CRLs are read by the caller (x509util, keyref).
//
// # Rules
//
// Checked by crypto/x509 (x509.Certificate.Verify), and named by this package when they fail,
// each with a fixture in testdata/pki:
//   - every signature of the chain, up to a certificate of Policy.Roots (a root with the
//     issuer's name and another key is named as such);
//   - the validity period of every certificate, the intermediates' and the root's included,
//     reported with the date (expired, or not yet valid);
//   - an issuer must be a CA: basic constraints cA=TRUE, so a version 1 intermediate is
//     refused;
//   - an issuer with a key usage extension must assert keyCertSign;
//   - path length constraints; name constraints (DNS, IP, email, URI; not directory names);
//   - unhandled critical extensions; certificate policies, as crypto/x509 processes them.
//
// Added by this package:
//   - extended key usages: each one the policy requires must be allowed by the leaf and by
//     every CA of the chain; unknown OIDs included; no requirement unless the policy has one
//     (crypto/x509's empty KeyUsages means serverAuth, which is never relied on);
//   - key usage bits of the leaf the policy requires (digitalSignature for signing);
//   - keyCertSign asserted by a certificate that is not a CA is refused (RFC 5280 4.2.1.3);
//   - an empty subject needs a subjectAltName marked critical (RFC 5280 4.1.2.6, 4.2.1.6);
//   - DNS name, IP address and email against the leaf's subjectAltNames only, never the
//     common name;
//   - CRLs: signature by the issuing certificate of the chain, which must have cRLSign when
//     it has a key usage extension; thisUpdate and nextUpdate against the validation time; no
//     unhandled critical extension; serial, date and reason of a revocation; RequireCRL;
//   - the number of intermediates (MaxDepth).
//
// Deliberately not errors: authority and subject key identifier mismatches (chains are
// linked by name and signature, as crypto/x509 does); basicConstraints not marked critical
// in a CA (common in deployed roots); a leaf that is also a CA.
//
// # Limitations
//
// No OCSP and no fetching of CRLs from distribution points: the caller gives the CRLs. Delta
// CRLs, indirect CRLs and CRLs with a critical issuing distribution point are refused as
// unsupported rather than misread. A revoked certificate stays revoked whatever the
// revocation date and the validation time. The system roots (Policy.SystemRoots) can anchor
// chains but cannot be listed, so the diagnosis of an unknown authority only considers
// Policy.Roots.
package verify
