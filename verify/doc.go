// Package verify decides whether a certificate may be trusted for a purpose, under an explicit
// Policy, and verifies signatures and artifacts against it. It is the engine of `signet cert
// verify`, `signet verify` and `signet tls check`.
//
// Verify builds and validates certification paths as RFC 5280 section 6 describes, with
// crypto/x509 kept for parsing certificates and checking signatures only: paths are built by
// issuer name (RFC 5280 7.1 comparison, package internal/pkixname), the authority and subject
// key identifiers order the candidates but never decide, a path that fails validation sends
// the builder back to the next candidate (cross-signed and rolled-over CAs), and the work is
// bounded (signature checks, candidate paths, name comparisons). Each path goes through the
// section 6.1 state machine: validity, signatures, basic constraints and pathLenConstraint
// (self-issued certificates not counted), key usage, name constraints of every form
// (self-issued intermediates exempt), the certificate policy graph of RFC 9618 with policy
// mappings and the three policy inputs, and unknown critical extensions; then revocation as
// section 6.3 describes, and the rules of Policy.Profile about each certificate's contents.
//
// Verify reports the chain it found, the policy it applied and every check it made (Result,
// which marshals to stable JSON), and on refusal an *Error whose Reason callers branch on and
// whose Rule names the rule broken. "Not acceptable" (ErrInvalid, every *Error) is kept apart
// from "could not check" (ErrUnchecked, ErrPolicy).
//
// Signature checks everything a signature covers with one function, whatever the format;
// VerifyArtifacts and VerifyManifest give the one-command verdict on files: the recorded
// digest, the signature, then the signer's chain and identity under a Policy.
//
// # Trust anchors
//
// Every certificate of Policy.Roots is a trust anchor, self-signed or not (openssl's
// -partial_chain); a path ends at the first one reached. The anchor's name and key start the
// path, its basicConstraints pathLenConstraint and name constraints apply below it (RFC 5937),
// its validity is checked, and so are its contents (unknown critical extensions, the rules
// marked "anchor" below); its own self-signature is not checked. Roots of the system trust
// store (Policy.SystemRoots) are the exception: their contents are the store vendor's to
// judge (12 of the 144 roots Debian ships break an RFC 5280 rule, a zero serial or a
// non-critical basicConstraints among them), so the profile's content rules are not applied
// to them; their name, key, validity, constraints (pathLenConstraint, name constraints, the
// EKU they restrict their CAs to) and critical extensions are.
//
// # Rules
//
// Every refusal names its rule. The id is stable; the reason is the Reason of the *Error.
//
//	rule                                       reason            standard
//	signet.no-path                             unknown-authority RFC 5280 6.1: no path to a trust anchor (missing issuer, impostor, loop, budget)
//	rfc5280.signature                          unknown-authority RFC 5280 6.1.3 (a)(1): a signature does not verify
//	signet.unsupported-algorithm               unknown-authority no path: an issuer's key or signature algorithm is one signet cannot verify (ML-DSA of RFC 9881, DSA)
//	sigstore.trusted-root-path                 unknown-authority a chain anchored in a Sigstore trusted root whose CA certificates are not all in the certChain of one authority valid (validFor) at the signing time
//	sigstore.trusted-root-tsa                  unknown-authority a timestamp's TSA chain anchored in a Sigstore trusted root that is not the certChain of one of its timestampAuthorities valid (validFor) at genTime (its TSA certificate, when the certChain names one, and CA certificates)
//	signet.weak-signature                      unknown-authority MD5, SHA-1 or DSA signatures on certificates, CRLs, OCSP (signet's policy)
//	rfc5280.validity                           expired / not-yet-valid RFC 5280 6.1.3 (a)(2), 4.1.2.5, every certificate and the anchor, to the second
//	rfc5280.unknown-critical-extension         constraint        RFC 5280 4.2, 6.1.4 (o): a critical extension signet does not process
//	rfc5280.issuer-not-ca                      constraint        RFC 5280 6.1.4 (k), 4.2.1.9: an issuer without basicConstraints cA
//	rfc5280.issuer-no-keycertsign              constraint        RFC 5280 6.1.4 (n), 4.2.1.3: an issuer whose key usage lacks keyCertSign
//	rfc5280.pathlen                            constraint        RFC 5280 6.1.4 (l), (m), 4.2.1.9: pathLenConstraint exceeded
//	rfc5280.nc-permitted                       constraint        RFC 5280 6.1.3 (b), 4.2.1.10: a name outside the permitted subtrees (an IPv4-mapped IPv6 iPAddress must be inside an IPv4 and an IPv6 one; either excludes it)
//	rfc5280.nc-excluded                        constraint        RFC 5280 6.1.3 (c), 4.2.1.10: a name inside an excluded subtree
//	rfc5280.nc-unsupported-form                constraint        RFC 5280 4.2.1.10: a constrained name form signet cannot match (otherName, an SmtpUTF8Mailbox's included, x400Address, ediPartyName, registeredID)
//	rfc5280.nc-unchecked-name                  constraint        RFC 5280 4.2.1.10: a name that cannot be checked against a constraint of its form (a URI without host; an SmtpUTF8Mailbox under rfc822Name constraints that is not a UTF8String mailbox, or whose domain is not IDNA2008 in LDH labels)
//	signet.nc-too-much-work                    constraint        more than 131072 name comparisons for one path, or names times constraints of any form for one certificate (denial of service)
//	signet.leaf-is-ca                          constraint        a CA certificate as the leaf for an end-entity purpose (an EKU is required)
//	rfc5280.policy-required                    constraint        RFC 5280 6.1.3 (f), 6.1.5 (g): no acceptable policy and an explicit policy is required
//	rfc5280.policy-mapping-any                 constraint        RFC 5280 6.1.4 (a): anyPolicy in a policy mapping
//	rfc5280.serial-zero                        malformed         RFC 5280 4.1.2.2: serial number zero
//	rfc5280.serial-negative                    malformed         RFC 5280 4.1.2.2: negative serial number
//	rfc5280.serial-too-long                    malformed         RFC 5280 4.1.2.2: serial number longer than 20 octets
//	rfc5280.issuer-empty                       malformed         RFC 5280 4.1.2.4: empty issuer name
//	rfc5280.ca-subject-empty                   malformed         RFC 5280 4.1.2.6: a CA, or a CRL issuer (cRLSign asserted), with an empty subject
//	rfc5280.subject-empty-no-san               malformed         RFC 5280 4.1.2.6: empty subject without subjectAltName
//	rfc5280.subject-empty-san-not-critical     malformed         RFC 5280 4.2.1.6: empty subject with a non-critical subjectAltName
//	rfc5280.validity-encoding                  malformed         RFC 5280 4.1.2.5.1, 4.1.2.5.2: a validity time not written YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime): without seconds, with a time zone offset
//	rfc5280.extension-encoding                 malformed         RFC 5280 4.1: an extension signet processes whose extnValue is not one DER value (bytes after it)
//	rfc5280.extensions-in-v1                   malformed         RFC 5280 4.1.2.9: extensions in a version 1 or 2 certificate
//	rfc5280.name-encoding                      malformed         RFC 5280 4.1.2.4: a name that does not parse
//	rfc5280.aki-critical                       malformed         RFC 5280 4.2.1.1: authority key identifier marked critical
//	rfc5280.aki-encoding                       malformed         RFC 5280 4.2.1.1: authority key identifier that does not parse, or issuer without serial
//	rfc5280.aki-missing                        malformed         RFC 5280 4.2.1.1: no authority key identifier in a certificate neither self-issued nor signed by its own key (anchors included)
//	rfc5280.aki-missing-keyid                  malformed         RFC 5280 4.2.1.1: authority key identifier without keyIdentifier
//	rfc5280.ski-missing                        malformed         RFC 5280 4.2.1.2: a CA without subject key identifier (anchors included)
//	rfc5280.ski-critical                       malformed         RFC 5280 4.2.1.2: subject key identifier marked critical
//	rfc5280.aia-critical                       malformed         RFC 5280 4.2.2.1: authority information access marked critical
//	rfc5280.ku-empty                           malformed         RFC 5280 4.2.1.3: key usage with no bit set
//	rfc5280.keycertsign-not-ca                 malformed         RFC 5280 4.2.1.3: keyCertSign in a certificate that is not a CA
//	rfc5280.pathlen-not-ca                     malformed         RFC 5280 4.2.1.9: pathLenConstraint (0 included) without cA, or in a CA whose key usage is absent or lacks keyCertSign
//	rfc5280.bc-not-critical                    malformed         RFC 5280 4.2.1.9: a trust anchor whose basicConstraints is not critical (intermediates: webpki only, as PKITS 4.6.4 requires)
//	rfc5280.nc-not-ca                          malformed         RFC 5280 4.2.1.10: name constraints in a certificate that is not a CA
//	rfc5280.nc-not-critical                    malformed         RFC 5280 4.2.1.10: name constraints not marked critical (rfc5280 profile only)
//	rfc5280.nc-invalid                         constraint        RFC 5280 4.2.1.10: name constraints written invalidly (dNSName with a leading period or a wildcard, an iPAddress without a valid mask, a bad mailbox, an empty rfc822Name or URI, empty subtrees, minimum or maximum)
//	rfc5280.pc-empty                           malformed         RFC 5280 4.2.1.11: empty policy constraints
//	rfc5280.pc-not-critical                    malformed         RFC 5280 4.2.1.11: a trust anchor's policy constraints not critical (intermediates: webpki only, as PKITS requires)
//	rfc5280.eku-empty                          malformed         RFC 5280 4.2.1.12: extended key usage with no usage
//	rfc5280.san-encoding                       malformed         RFC 5280 4.2.1.6: subjectAltName that does not parse (an otherName or registeredID included)
//	rfc5280.san-empty                          malformed         RFC 5280 4.2.1.6: empty subjectAltName
//	rfc5280.san-dns-invalid                    malformed         RFC 5280 4.2.1.6, RFC 1034 3.5: a dNSName that is not a host name (underscore, empty label, partial wildcard, "*")
//	rfc5280.san-email-invalid                  malformed         RFC 5280 4.2.1.6, RFC 5321 4.1.2: an rfc822Name that is not a mailbox
//	rfc5280.san-ip-invalid                     malformed         RFC 5280 4.2.1.6: an iPAddress that is not 4 or 16 octets
//	rfc5280.crldp-encoding                     malformed         RFC 5280 4.2.1.13: CRL distribution points that do not parse
//	signet.rsa-key-too-small                   malformed         an RSA key under 2048 bits (NIST SP 800-131A)
//	signet.rsa-key-size                        malformed         an RSA modulus not a multiple of 8 bits (Baseline Requirements 6.1.5)
//	signet.dsa-key                             malformed         a DSA key (FIPS 186-5 withdrew DSA)
//	signet.unsupported-key                     malformed         a public key algorithm crypto/x509 cannot use
//	signet.max-depth                           depth             Policy.MaxDepth: more non-self-issued intermediates than allowed
//	rfc5280.key-usage                          key-usage         RFC 5280 4.2.1.3: the leaf lacks a key usage bit the policy requires
//	rfc5280.eku                                eku               RFC 5280 4.2.1.12: the leaf's EKU lacks a required usage
//	signet.ca-eku                              eku               a CA's EKU excludes a required usage (nesting, as browsers and crypto/x509 apply it)
//	signet.eku-missing                         eku               Policy.ExplicitEKU or webpki: the leaf has no EKU
//	signet.eku-any                             eku               Policy.ExplicitEKU or webpki: the leaf relies on anyExtendedKeyUsage (webpki: lists it at all, BR 7.1.2.7.10)
//	rfc6125.host                               name-mismatch     RFC 6125 6.4: no dNSName matches the host (wildcards: the whole leftmost label, standing for one host-name label: letters, digits, hyphens, underscores; a host with any other byte, a NUL or a space, matches none)
//	rfc6125.ip                                 name-mismatch     RFC 6125 6.2.1: no iPAddress matches
//	rfc5280.email                              name-mismatch     RFC 5280 4.2.1.6: no rfc822Name matches
//	rfc5280.revoked                            revoked           RFC 5280 6.3.3 (i): listed on a CRL (or on a delta CRL of its scope, Policy.CRLs); a usable complete CRL that lists it for any reason but certificateHold revokes it though a newer one leaves it out (RFC 5280 3.3, 5.3.1: only a hold is lifted)
//	rfc6960.revoked                            revoked           RFC 6960 2.2: an OCSP response says revoked, whatever else it answers about the certificate
//	rfc5280.crl-signature                      crl-invalid       RFC 5280 6.3.3 (f), (g): a CRL in the issuer's name that no key of the issuer signed
//	rfc5280.crl-signer-no-crlsign              crl-invalid       RFC 5280 6.3.3 (f), 4.2.1.3: the CRL signer's key usage lacks cRLSign
//	rfc5280.crl-signer-invalid                 crl-invalid       RFC 5280 6.3.3 (f): the CRL signer's certificate has no valid path to the same anchor
//	rfc5280.crl-not-yet-valid                  crl-invalid       RFC 5280 5.1.2.4: thisUpdate after the validation time
//	rfc5280.crl-expired                        crl-invalid       RFC 5280 6.3.3 (a), 5.1.2.5: nextUpdate before the validation time
//	rfc5280.crl-next-update-missing            crl-invalid       RFC 5280 5.1.2.5: no nextUpdate
//	rfc5280.crl-time-encoding                  crl-invalid       RFC 5280 5.1.2.4 to 5.1.2.6: thisUpdate, nextUpdate or a revocationDate not written YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime)
//	rfc5280.crl-number-missing                 crl-invalid       RFC 5280 5.2.3: no CRL number
//	rfc5280.crl-number-critical                crl-invalid       RFC 5280 5.2.3: CRL number marked critical
//	rfc5280.crl-unknown-critical-extension     crl-invalid       RFC 5280 5.2: a critical CRL extension signet does not process
//	rfc5280.crl-entry-unknown-critical-extension crl-invalid     RFC 5280 5.3: a critical entry extension signet does not process
//	rfc5280.crl-entry-issuer                   crl-invalid       RFC 5280 5.3.3: an unreadable certificateIssuer, or one in a CRL that is not indirect
//	rfc5280.crl-duplicate-entry                crl-invalid       RFC 5280 5.1.2.6: one certificate listed twice
//	rfc5280.crl-idp-encoding                   crl-invalid       RFC 5280 5.2.5: issuing distribution point that does not parse
//	rfc5280.crl-delta-encoding                 crl-invalid       RFC 5280 5.2.4: delta CRL indicator that does not parse
//	rfc5280.crl-delta-not-critical             crl-invalid       RFC 5280 5.2.4: delta CRL indicator not critical
//	rfc5280.crl-delta-signer                   crl-invalid       RFC 5280 6.3.3 (h): a delta CRL signed by another key of its issuer than the one that verified the complete CRL it would be combined with (as any delta that cannot be used, it leaves the status undetermined unless the complete CRL lists the certificate)
//	rfc6960.forged                             crl-invalid       RFC 6960 4.2.2.2, 3.2: an OCSP response about a certificate of the chain (its CertID names the serial and the issuer's name and key) that no key of the issuer's name signed, nor a responder such a key certified: a forgery or a corrupted response, which fails the certificate even beside a genuine answer (as rfc5280.crl-signature)
//	rfc6960.*                                  crl-invalid       RFC 6960 4.2.2.2, 4.2.2.1: an OCSP response not signed by the issuer or its delegated responder (signed by another key of the issuer's name than the CertID's: signature; a responder certified by such a key, or by the issuer's key in another name: responder; a responder without id-kp-OCSPSigning: responder-eku; not valid: responder-validity; a responderID that does not name the signer: responder-id; a delegated responder a current CRL of the issuer given lists: responder-revoked; one with an RSA key under 2048 bits or a key signet does not accept: responder-key), not current (not-yet-valid, expired; without nextUpdate, older than a day; nextUpdate before thisUpdate, expired), an error response or a critical extension signet does not process, in the answer or the response (response)
//	rfc5280.crl-scope                          crl-missing       RFC 5280 6.3.3 (b), (c), (j): CRLs of the issuer (in its name, or signed by its key in another name) were given but none covers the certificate, or only some reasons
//	rfc6960.unknown                            crl-missing       RFC 6960 2.2: an OCSP response says the certificate's status is unknown, and no CRL or other response settles it; an answer unknown is taken over a good one of the same response
//	signet.crl-required                        crl-missing       Policy.RequireCRL: no CRL of the issuer
//	signet.ocsp-unused                         crl-missing       Policy.OCSPAboutChain, OCSPUse, CheckOCSPUsed: an OCSP response given to a run answers about no certificate of the chains it validated (the signer's and each TSA's), as openssl ocsp's "No Status found"
//	rfc6960.produced-at                        crl-invalid       RFC 6960 4.2.1, 2.5: an OCSP response whose producedAt is after the validation time (beyond 5 minutes of clock skew), after its answer's nextUpdate (signed stale), or more than 5 minutes before its thisUpdate (vouching for a time to come); openssl ocsp does not compare producedAt
//
// ProfileWebPKI adds the CA/Browser Forum Baseline Requirements for TLS server certificates,
// and requires serverAuth when Policy.EKUs is empty:
//
//	webpki.leaf-is-ca                          malformed         BR 7.1.2.7.8: the leaf is a CA
//	webpki.leaf-san-missing                    malformed         BR 7.1.2.7.12: the leaf has no subjectAltName
//	webpki.san-critical-with-subject           malformed         BR 7.1.2.7.12: a critical subjectAltName beside a non-empty subject
//	webpki.cn-not-in-san                       malformed         BR 7.1.4.3: the subject CN is not a copy of a SAN (IP text, case, P-labels)
//	webpki.san-public-suffix                   malformed         BR 3.2.2.4, 7.1.2.7.12: a dNSName that is itself a public suffix of the ICANN section ("com", "co.uk")
//	webpki.san-dns-root-label                  malformed         BR 7.1.2.7.12: a dNSName ending in a period (the root zone's empty label)
//	webpki.wildcard-public-suffix              malformed         BR 3.2.2.6: a wildcard over a public suffix of the ICANN section ("*.co.uk"; golang.org/x/net/publicsuffix)
//	webpki.wildcard-public-suffix-match        name-mismatch     BR 3.2.2.6: the host is named only by a wildcard over a public suffix of the private section ("*.s3.amazonaws.com"), which its owner may hold but no host matches
//	webpki.leaf-key-usage                      malformed         BR 7.1.2.7.11, RFC 5280 4.2.1.12: the leaf's key usage without digitalSignature (ECDSA), or without digitalSignature and keyEncipherment (RSA): no use of the key a TLS server makes
//	webpki.leaf-eku-critical                   malformed         BR 7.1.2.7.10: the leaf's EKU marked critical
//	webpki.leaf-eku-forbidden                  malformed         BR 7.1.2.7.10: the leaf's EKU includes codeSigning, emailProtection, timeStamping, OCSPSigning or precertificate signing
//	webpki.root-eku                            malformed         BR 7.1.2.1.2: a root with an EKU
//	webpki.root-aki                            malformed         BR 7.1.2.1.3: a root's authority key identifier more than a keyIdentifier, or not its SKI
//	webpki.ca-eku                              malformed         BR 7.1.2.10.6: a CA's EKU with other usages than serverAuth and clientAuth
//	webpki.key-algorithm                       malformed         BR 6.1.5: a key other than RSA or ECDSA on P-256, P-384, P-521 (Ed25519, P-224), in any certificate of the path
//	webpki.rsa-exponent                        malformed         BR 6.1.6: an RSA public exponent even or under 3
//	webpki.bc-not-critical                     malformed         BR 7.1.2.10.4: a CA's basicConstraints not critical
//	webpki.pc-not-critical                     malformed         BR 7.1.2.10: a CA's policy constraints not critical
//	webpki.crldp-not-uri, webpki.crldp-form    crl-invalid       BR 7.1.2.11.2: CRL distribution points other than full URIs
//	webpki.crl-idp-not-uri, webpki.crl-idp-relative, webpki.crl-indirect, webpki.crl-only-some-reasons
//	                                           crl-invalid       BR 7.2.2: CRL forms the Baseline Requirements forbid
//
// The webpki profile does not apply rfc5280.nc-not-critical (the Baseline Requirements allow
// non-critical name constraints).
//
// # Empty name constraints
//
// An empty dNSName constraint holds every DNS name (RFC 5280 4.2.1.10: names made by adding
// zero or more labels to its left). An empty rfc822Name or URI constraint is refused as
// written invalidly (rfc5280.nc-invalid): RFC 5280 4.2.1.10 writes an rfc822Name constraint as
// a mailbox, a host or a domain with a leading period, and a URI constraint as a fully
// qualified domain name, and the empty string is none of these. Other verifiers read it in
// opposite ways (crypto/x509 as holding every name, openssl as holding none), so a CA that
// writes one has not said what it permits.
//
// # Name constraints on internationalized e-mail addresses
//
// An SmtpUTF8Mailbox (an otherName of type 1.3.6.1.5.5.7.8.9, RFC 9598) is held to the
// rfc822Name constraints of its chain as RFC 9598 6 says: its domain, U-labels converted to
// A-labels without mappings (IDNA2008) and ASCII letters lower-cased, is compared with the
// constraint's host (".example.com" holds every host below example.com, "example.com" that
// host alone); its local part is not compared. A constraint naming one mailbox
// ("bob@example.com", which RFC 9598 deprecates) is read to fail closed: excluded, it excludes
// every SmtpUTF8Mailbox at its host (RFC 9598 6 strips its local part); permitted, it holds
// none (an rfc822Name is never equal to an SmtpUTF8Mailbox, RFC 9598 5). An SmtpUTF8Mailbox
// that cannot be compared (not a UTF8String mailbox, a domain that is not IDNA2008 in LDH
// labels, or that ends with a period) fails with rfc5280.nc-unchecked-name, and under an
// otherName constraint, which signet cannot match, with rfc5280.nc-unsupported-form. openssl
// 3.0 compares the mailbox's domain with the constraint turned into U-labels (RFC 8398), so it
// refuses a domain written in A-labels, as RFC 9598 writes it, under a constraint it matches.
//
// # Limitations
//
// No fetching of CRLs, OCSP responses or issuer certificates: the caller gives them. An OCSP
// response is tied to a certificate by its CertID (serial, issuer name and key hashes, which
// signet reads itself because golang.org/x/crypto/ocsp does not expose them) and to the
// issuer by signature, its own or a delegated responder's found among every certificate the
// response carries (the one its responderID names, wherever it is listed); thisUpdate may be up to five minutes ahead of the validation time
// (clock skew, RFC 5019 2.2.4). Policy qualifiers are not kept. A revoked certificate stays revoked whatever the revocation
// date and the validation time. The system roots are read from the usual Linux and BSD bundle
// files (SSL_CERT_FILE, SSL_CERT_DIR); other systems' stores are not read.
package verify
