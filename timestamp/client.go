package timestamp

import (
	"bytes"
	"context"
	"crypto"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"
)

// Client asks Time-Stamp Authorities for tokens over HTTP (RFC 3161 3.4).
type Client struct {
	// URLs are the TSAs, asked in order until one answers with a token that checks.
	URLs []string
	// Hash is the hash of the message imprint; zero means SHA-256.
	Hash crypto.Hash
	// HTTP is the client; nil means one with a 30-second timeout.
	HTTP *http.Client
}

// TSAError is one TSA's failure, in the error Client.Timestamp returns when none answered.
type TSAError struct {
	URL string
	Err error
}

func (e *TSAError) Error() string { return fmt.Sprintf("%s: %v", e.URL, e.Err) }
func (e *TSAError) Unwrap() error { return e.Err }

type unavailableError struct{ errs []error }

func (e *unavailableError) Error() string {
	var b bytes.Buffer
	b.WriteString("no time-stamp authority gave a token (")
	for i, err := range e.errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	b.WriteString(")")
	return b.String()
}

func (e *unavailableError) Unwrap() []error { return append([]error{ErrUnavailable}, e.errs...) }

// Timestamp asks for a token over data (for a signature, the signature value). The request
// carries a fresh nonce and certReq; the answer is checked before it is returned: a granted
// status, a token whose signature, ESS signing certificate and time-stamping certificate
// Verify accepts, whose imprint is the digest of data and whose nonce is the request's. The
// TSAs are asked in order; the first that answers so gives the token (DER). When none does,
// the error wraps ErrUnavailable and each TSA's error (a *TSAError: a *ResponseError for a
// refusal, ErrInvalid or ErrMismatch for a bad token). A nil ctx is an error wrapping
// ErrNoContext, no TSA asked.
func (c *Client) Timestamp(ctx context.Context, data []byte) (*Token, error) {
	if ctx == nil {
		return nil, fmt.Errorf("%w: a nil context was given", ErrNoContext)
	}
	if len(c.URLs) == 0 {
		return nil, fmt.Errorf("%w: no TSA URL was given", ErrUnavailable)
	}
	req, err := NewRequest(data, c.Hash)
	if err != nil {
		return nil, err
	}
	der, err := req.Marshal()
	if err != nil {
		return nil, err
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	var errs []error
	for _, u := range c.URLs {
		t, err := ask(ctx, hc, u, der)
		if err == nil {
			err = check(t, req, data)
		}
		if err == nil {
			return t, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		errs = append(errs, &TSAError{URL: u, Err: err})
	}
	return nil, &unavailableError{errs: errs}
}

// check is what Timestamp requires of a TSA's token for req over data.
func check(t *Token, req *Request, data []byte) error {
	if _, err := t.Verify(nil); err != nil {
		return err
	}
	if err := t.Covers(data); err != nil {
		return err
	}
	if t.Hash != req.Hash {
		return fmt.Errorf("%w: the token's imprint uses %v, the request %v", ErrMismatch, t.Hash, req.Hash)
	}
	if t.Nonce == nil || t.Nonce.Cmp(req.Nonce) != 0 {
		return fmt.Errorf("%w: the token's nonce is not the request's (a replayed or misrouted answer)", ErrMismatch)
	}
	return nil
}

func ask(ctx context.Context, hc *http.Client, url string, der []byte) (*Token, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(der))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Content-Type", contentTypeQuery)
	hr.Header.Set("Accept", contentTypeReply)
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != contentTypeReply {
		return nil, fmt.Errorf("the answer is %q, not %s", resp.Header.Get("Content-Type"), contentTypeReply)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxResponseSize {
		return nil, malformed("the answer is larger than %d bytes", maxResponseSize)
	}
	return ParseResponse(body)
}
