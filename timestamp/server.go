package timestamp

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"net"
	"net/http"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// DefaultPolicy is the TSA policy an Authority names when none is configured: signet's
// arc under the private enterprise number of the example documentation range (RFC 5612),
// meaning "a test TSA, no promise".
func DefaultPolicy() asn1.ObjectIdentifier {
	return asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 32473, 1, 1}
}

// Authority is a small RFC 3161 Time-Stamp Authority: it answers TimeStampReqs with tokens
// signed by Key. It is an http.Handler (POST application/timestamp-query).
type Authority struct {
	// Key signs the tokens: a software key or a token key (any crypto.Signer).
	Key crypto.Signer
	// Chain is the TSA's certificate, whose key is Key, then its issuers (no root needed).
	// The certificate must be a time-stamping certificate (CheckTSACertificate).
	Chain []*x509.Certificate
	// Policy is the TSA policy of every token; nil means DefaultPolicy(). A request asking
	// for another policy is refused (unacceptedPolicy).
	Policy asn1.ObjectIdentifier
	// Accuracy is written in every token; zero writes none.
	Accuracy time.Duration
	// Now is the clock; nil means time.Now. Tokens carry it to the microsecond.
	Now func() time.Time
	// Rand draws serial numbers; nil means crypto/rand.
	Rand io.Reader
	// Log, if not nil, gets one line per request answered (never a secret).
	Log *log.Logger
}

// Check reports whether a is usable: a key, a chain whose first certificate is a
// time-stamping certificate for that key, valid now (by a.Now), a hash CMS can name for the
// key. Its errors are ErrNoSigner, or wrap ErrKeyMismatch, ErrInvalid (with
// ErrNotTSACertificate for a certificate CheckTSACertificate refuses), ErrOutsideValidity or
// ErrUnsupported (a key type).
func (a *Authority) Check() error {
	if err := a.checkKey(); err != nil {
		return err
	}
	if err := CheckTSACertificate(a.Chain[0]); err != nil {
		return err
	}
	if err := a.checkValidity(a.now()); err != nil {
		return err
	}
	_, _, _, err := signatureFor(a.Key.Public())
	return err
}

// now is the authority's clock.
func (a *Authority) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// checkValidity refuses to sign at t outside the validity of the TSA certificate or of any
// certificate of its chain: a token whose genTime its certificate does not cover is one no
// verifier accepts (RFC 3161 4.1: the TSA's certificate is checked at genTime, and with it the
// path to the verifier's root), and a TSA whose certificate, or whose CA's, expired must stop
// issuing, not go on answering with tokens nobody can use. The error wraps ErrOutsideValidity.
func (a *Authority) checkValidity(t time.Time) error {
	for i, c := range a.Chain {
		if c == nil {
			continue
		}
		what := subjectName(c)
		if i > 0 {
			what = "the TSA certificate's issuer " + what
		}
		switch {
		case t.Before(c.NotBefore):
			return fmt.Errorf("%w: %s is not valid before %s (it is %s)",
				ErrOutsideValidity, what, c.NotBefore.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
		case t.After(c.NotAfter):
			return fmt.Errorf("%w: %s expired at %s (it is %s)",
				ErrOutsideValidity, what, c.NotAfter.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// checkKey refuses an authority without a key or a certificate, or whose certificate is not
// for its key.
func (a *Authority) checkKey() error {
	if a.Key == nil || len(a.Chain) == 0 || a.Chain[0] == nil {
		return ErrNoSigner
	}
	if leaf := a.Chain[0]; !samePublicKey(leaf.PublicKey, a.Key.Public()) {
		return fmt.Errorf("%w: the TSA certificate %s is not for the key given", ErrKeyMismatch, subjectName(leaf))
	}
	return nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// signatureFor is the hash and signature algorithm an Authority signs with for key pub:
// SHA-256 (SHA-384 for P-384, SHA-512 for P-521), the algorithm identifier OpenSSL writes,
// and the same algorithm as crypto/x509 names it (to check the signature made).
func signatureFor(pub crypto.PublicKey) (crypto.Hash, asn1.ObjectIdentifier, x509.SignatureAlgorithm, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P384():
			return crypto.SHA384, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, x509.ECDSAWithSHA384, nil
		case elliptic.P521():
			return crypto.SHA512, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, x509.ECDSAWithSHA512, nil
		}
		return crypto.SHA256, asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, x509.ECDSAWithSHA256, nil
	case *rsa.PublicKey:
		return crypto.SHA256, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, x509.SHA256WithRSA, nil
	case ed25519.PublicKey:
		return crypto.SHA512, oidEd25519, x509.PureEd25519, nil
	}
	return 0, nil, x509.UnknownSignatureAlgorithm, fmt.Errorf("%w: %T keys for a TSA", ErrUnsupported, pub)
}

// Respond answers one DER TimeStampReq with a DER TimeStampResp: a token, or a rejection
// saying why (bad request, unknown hash, another policy, a request extension). The error is
// for a failure to sign, answered as systemFailure: an authority without a key or a
// certificate (ErrNoSigner), or whose certificate is not for its key (ErrKeyMismatch), checked on every request
// as ServeHTTP may be used without Serve, or a key or token that is gone. Whether the
// certificate is a time-stamping one is Check's to say, which Serve runs and a program
// serving through ServeHTTP should run first: Respond signs with it (verifiers refuse such
// tokens, which signet's own tests make to hold them to it).
func (a *Authority) Respond(reqDER []byte) ([]byte, *Token, error) {
	if err := a.checkKey(); err != nil {
		// An authority without a key or certificate, or whose certificate does not certify
		// its key, can sign no token anyone could verify: it answers systemFailure.
		resp, merr := marshalResponse(StatusRejection, FailSystemFailure, "signet tsa: cannot sign", nil)
		if merr != nil {
			return nil, nil, merr
		}
		return resp, nil, err
	}
	genTime := a.now().UTC().Truncate(time.Microsecond)
	if err := a.checkValidity(genTime); err != nil {
		// The TSA cannot give a token its certificate covers: a failure of the TSA, not of
		// the request (RFC 3161 2.4.2: systemFailure).
		resp, merr := marshalResponse(StatusRejection, FailSystemFailure, "signet tsa: the TSA certificate is not valid at this time", nil)
		if merr != nil {
			return nil, nil, merr
		}
		return resp, nil, err
	}
	req, err := ParseRequest(reqDER)
	if err != nil {
		fail := FailBadRequest
		if errors.Is(err, ErrUnsupported) {
			fail = FailBadAlg
		}
		resp, merr := marshalResponse(StatusRejection, fail, "signet tsa: "+err.Error(), nil)
		return resp, nil, merr
	}
	if len(req.Extensions) > 0 {
		// RFC 3161 2.4.1: an extension the TSA does not know, critical or not, is refused.
		resp, err := marshalResponse(StatusRejection, FailUnacceptedExtension,
			"signet tsa: request extension "+req.Extensions[0].Id.String()+" is not supported", nil)
		return resp, nil, err
	}
	if req.Hash == crypto.SHA1 {
		resp, err := marshalResponse(StatusRejection, FailBadAlg, "signet tsa: a SHA-1 message imprint is not timestamped (collisions)", nil)
		return resp, nil, err
	}
	policy := a.Policy
	if policy == nil {
		policy = DefaultPolicy()
	}
	if req.Policy != nil && !req.Policy.Equal(policy) {
		resp, err := marshalResponse(StatusRejection, FailUnacceptedPolicy, "signet tsa: policy "+req.Policy.String()+" is not offered", nil)
		return resp, nil, err
	}
	token, err := a.issue(req, policy, genTime)
	if err != nil {
		resp, merr := marshalResponse(StatusRejection, FailSystemFailure, "signet tsa: cannot sign", nil)
		if merr != nil {
			return nil, nil, merr
		}
		return resp, nil, err
	}
	resp, err := marshalResponse(StatusGranted, failNone, "", token)
	if err != nil {
		return nil, nil, err
	}
	t, err := ParseToken(token)
	return resp, t, err
}

// issue makes a token for req at genTime (to the microsecond).
func (a *Authority) issue(req *Request, policy asn1.ObjectIdentifier, genTime time.Time) ([]byte, error) {
	leaf := a.Chain[0]
	genTime = genTime.UTC().Truncate(time.Microsecond)
	hash, sigOID, sigAlg, err := signatureFor(a.Key.Public())
	if err != nil {
		return nil, err
	}
	hashOID, _ := oidByHash(hash)
	imprintOID, ok := oidByHash(req.Hash)
	if !ok {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, req.Hash)
	}
	r := a.Rand
	if r == nil {
		r = rand.Reader
	}
	serialBytes := make([]byte, 16)
	if _, err := io.ReadFull(r, serialBytes); err != nil {
		return nil, err
	}
	serialBytes[0] &= 0x7f
	serialBytes[0] |= 0x40 // positive, and always 16 bytes long
	serial := new(big.Int).SetBytes(serialBytes)

	ti := cryptobyte.NewBuilder(nil)
	ti.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1ObjectIdentifier(policy)
		addImprint(b, imprintOID, req.HashedMessage)
		b.AddASN1BigInt(serial)
		addGeneralizedTime(b, genTime)
		if a.Accuracy > 0 {
			sec := int64(a.Accuracy / time.Second)
			ms := int64(a.Accuracy%time.Second) / int64(time.Millisecond)
			us := int64(a.Accuracy%time.Millisecond) / int64(time.Microsecond)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				if sec > 0 {
					b.AddASN1Int64(sec)
				}
				if ms > 0 {
					b.AddASN1Int64WithTag(ms, cbasn1.Tag(0).ContextSpecific())
				}
				if us > 0 {
					b.AddASN1Int64WithTag(us, cbasn1.Tag(1).ContextSpecific())
				}
			})
		}
		if req.Nonce != nil {
			b.AddASN1BigInt(req.Nonce)
		}
		// tsa [0] GeneralName: the TSA's subject as a directoryName.
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddBytes(leaf.RawSubject)
			})
		})
	})
	tstInfo, err := ti.Bytes()
	if err != nil {
		return nil, err
	}

	// Signed attributes: contentType, signingTime, messageDigest, signingCertificateV2.
	h := hash.New()
	h.Write(tstInfo)
	certHash := sha256.Sum256(leaf.Raw)
	attr := func(oid asn1.ObjectIdentifier, value func(*cryptobyte.Builder)) []byte {
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			b.AddASN1(cbasn1.SET, value)
		})
		return b.BytesOrPanic()
	}
	attrs := [][]byte{
		attr(oidContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidTSTInfo) }),
		attr(oidSigningTime, func(b *cryptobyte.Builder) {
			// RFC 5652 11.3: UTCTime for 1950 to 2049, GeneralizedTime otherwise.
			if st := genTime.UTC().Truncate(time.Second); st.Year() >= 1950 && st.Year() < 2050 {
				b.AddASN1UTCTime(st)
			} else {
				b.AddASN1GeneralizedTime(st)
			}
		}),
		attr(oidMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(h.Sum(nil)) }),
		attr(oidSigningCertV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
						// hashAlgorithm DEFAULT sha256: absent (DER).
						b.AddASN1OctetString(certHash[:])
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
									b.AddBytes(leaf.RawIssuer)
								})
							})
							b.AddASN1BigInt(leaf.SerialNumber)
						})
					})
				})
			})
		}),
	}
	slices.SortFunc(attrs, bytes.Compare) // DER orders a SET OF by encoding
	sa := cryptobyte.NewBuilder(nil)
	sa.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, a := range attrs {
			b.AddBytes(a)
		}
	})
	signed, err := sa.Bytes()
	if err != nil {
		return nil, err
	}
	var sig []byte
	if sigOID.Equal(oidEd25519) { // RFC 8419: the attributes themselves
		sig, err = a.Key.Sign(r, signed, crypto.Hash(0))
	} else {
		d := hash.New()
		d.Write(signed)
		sig, err = a.Key.Sign(r, d.Sum(nil), hash)
	}
	if err != nil {
		return nil, fmt.Errorf("timestamp: signing the token: %w", err)
	}
	// The signature is checked against the certificate's key before the token leaves: a
	// signer that signs wrongly (a token or module fault, a key swapped behind the
	// certificate) must never give a client a token that does not verify.
	if err := leaf.CheckSignature(sigAlg, signed, sig); err != nil {
		return nil, fmt.Errorf("%w: the token's signature does not verify with the key of the TSA certificate %s (a faulty signer): %v",
			ErrInvalid, subjectName(leaf), err)
	}
	certs := make([][]byte, 0, len(a.Chain))
	if req.CertReq {
		for _, c := range a.Chain {
			certs = append(certs, c.Raw)
		}
		slices.SortFunc(certs, bytes.Compare)
	}

	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(3) // eContentType is not id-data (RFC 5652 5.1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { addAlgorithm(b, hashOID) })
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidTSTInfo)
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						b.AddASN1OctetString(tstInfo)
					})
				})
				if len(certs) > 0 {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range certs {
							b.AddBytes(c)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(leaf.RawIssuer)
							b.AddASN1BigInt(leaf.SerialNumber)
						})
						addAlgorithm(b, hashOID)
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							for _, a := range attrs {
								b.AddBytes(a)
							}
						})
						addAlgorithm(b, sigOID)
						b.AddASN1OctetString(sig)
					})
				})
			})
		})
	})
	return b.Bytes()
}

// ServeHTTP answers POSTs of application/timestamp-query with application/timestamp-reply.
// A request that is not one gets an HTTP error; one that is malformed gets a rejection, as
// RFC 3161 3.4 says.
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST an RFC 3161 request (application/timestamp-query)", http.StatusMethodNotAllowed)
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != contentTypeQuery {
		http.Error(w, "the content type must be "+contentTypeQuery, http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestSize+1))
	if err != nil {
		http.Error(w, "cannot read the request", http.StatusBadRequest)
		return
	}
	if len(body) > maxRequestSize {
		http.Error(w, "the request is too large", http.StatusRequestEntityTooLarge)
		return
	}
	resp, tok, err := a.Respond(body)
	if resp == nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if a.Log != nil {
		switch {
		case tok != nil:
			a.Log.Printf("granted serial %x genTime %s to %s", tok.SerialNumber, tok.GenTime.Format(time.RFC3339Nano), r.RemoteAddr)
		case err != nil:
			a.Log.Printf("failed for %s: %v", r.RemoteAddr, err)
		default:
			a.Log.Printf("rejected a request from %s", r.RemoteAddr)
		}
	}
	w.Header().Set("Content-Type", contentTypeReply)
	_, _ = w.Write(resp)
}

// Serve answers RFC 3161 requests over HTTP on ln (any path) until ctx ends, then shuts
// down, letting requests in progress finish for up to five seconds. It returns nil when
// stopped by ctx. A nil ctx is an error wrapping ErrNoContext, ln closed unserved, as it is
// when Check fails; a nil ln is an error wrapping ErrUnsupported.
func (a *Authority) Serve(ctx context.Context, ln net.Listener) error {
	if ln == nil {
		return fmt.Errorf("%w: no listener to serve on", ErrUnsupported)
	}
	if ctx == nil {
		ln.Close()
		return fmt.Errorf("%w: a nil context was given", ErrNoContext)
	}
	if err := a.Check(); err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
