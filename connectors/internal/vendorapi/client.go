package vendorapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
)

// ErrNotFound: the vendor answered 404 or 410.
var ErrNotFound = errors.New("not found")

// Defaults of Options.
const (
	DefaultBaseDelay = 200 * time.Millisecond
	DefaultMaxDelay  = 5 * time.Second
	DefaultMaxBody   = 4 << 20
)

// Options are the settings of a Client that do not come from EnrichConfig.
type Options struct {
	// Auth sets the credentials on each request's header. Default: none.
	Auth func(h http.Header)
	// BaseDelay is the backoff before the second try; it doubles per try.
	// Default: DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps the backoff and any Retry-After wait. Default:
	// DefaultMaxDelay.
	MaxDelay time.Duration
	// MaxBody bounds a response body in bytes. Default: DefaultMaxBody.
	MaxBody int64
}

// Client GETs JSON from a vendor API; see the package documentation.
type Client struct {
	http      *http.Client
	obs       connectors.CallObserver
	timeout   time.Duration
	attempts  int
	auth      func(http.Header)
	baseDelay time.Duration
	maxDelay  time.Duration
	maxBody   int64
	// jitter returns a number in [0, 1); replaced in tests.
	jitter func() float64
}

// New builds a Client from the source's API config (defaults applied), the
// settings' HTTP client and call observer, and opts.
func New(cfg connectors.EnrichConfig, set connectors.Settings, opts Options) *Client {
	cfg = cfg.WithDefaults()
	hc := *set.HTTP() // a copy, so the shared client keeps its redirect policy
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &Client{
		http:      &hc,
		obs:       set.Observer(),
		timeout:   cfg.Timeout,
		attempts:  max(cfg.Attempts, 1),
		auth:      opts.Auth,
		baseDelay: opts.BaseDelay,
		maxDelay:  opts.MaxDelay,
		maxBody:   opts.MaxBody,
		jitter:    rand.Float64,
	}
	if c.baseDelay <= 0 {
		c.baseDelay = DefaultBaseDelay
	}
	if c.maxDelay <= 0 {
		c.maxDelay = DefaultMaxDelay
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	return c
}

// attemptResult is the outcome of one HTTP call.
type attemptResult struct {
	body       []byte
	status     int
	retryAfter time.Duration // from a 429 or 503, 0 when absent
	tooLarge   bool          // a 2xx body over MaxBody
	err        error         // transport or body read error
}

// GetJSON GETs rawURL and unmarshals the JSON body into v.
func (c *Client) GetJSON(ctx context.Context, rawURL string, v any) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: invalid API URL", connectors.ErrUpstream)
	}
	what := "GET " + u.EscapedPath()

	var last string
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%w: %s: %w", connectors.ErrUpstream, what, err)
		}
		start := time.Now()
		res := c.do(ctx, u)
		took := time.Since(start)
		final := attempt >= c.attempts

		switch {
		case res.err != nil:
			if ctx.Err() != nil {
				c.obs.ObserveCall(connectors.OutcomeFailed, took)
				return fmt.Errorf("%w: %s: %w", connectors.ErrUpstream, what, ctx.Err())
			}
			last = "request failed: " + describe(res.err)
		case res.tooLarge:
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return fmt.Errorf("%w: %s: response body larger than %d bytes", connectors.ErrUpstream, what, c.maxBody)
		case res.status >= 200 && res.status < 300:
			if err := decode(res.body, v); err != nil {
				c.obs.ObserveCall(connectors.OutcomeFailed, took)
				return fmt.Errorf("%w: %s: malformed response: %v", connectors.ErrUpstream, what, err)
			}
			c.obs.ObserveCall(connectors.OutcomeOK, took)
			return nil
		case res.status == http.StatusNotFound || res.status == http.StatusGone:
			c.obs.ObserveCall(connectors.OutcomeNotFound, took)
			return fmt.Errorf("%s: %d %s: %w", what, res.status, http.StatusText(res.status), ErrNotFound)
		case res.status == http.StatusUnauthorized || res.status == http.StatusForbidden:
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return fmt.Errorf("%w: %s: %d %s (check the API token and its scopes)", connectors.ErrUpstream, what, res.status, http.StatusText(res.status))
		case !retryable(res.status):
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return fmt.Errorf("%w: %s: %d %s", connectors.ErrUpstream, what, res.status, http.StatusText(res.status))
		default:
			last = fmt.Sprintf("%d %s", res.status, http.StatusText(res.status))
		}

		if final {
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return fmt.Errorf("%w: %s: %s after %d attempts", connectors.ErrUpstream, what, last, attempt)
		}
		c.obs.ObserveCall(connectors.OutcomeRetried, took)
		wait := c.backoff(attempt)
		if res.retryAfter > 0 {
			wait = min(res.retryAfter, c.maxDelay)
		}
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w: %s: %s, then %w while waiting to retry", connectors.ErrUpstream, what, last, err)
		}
	}
}

// do makes one call bounded by the per-call timeout and reads the body.
func (c *Client) do(ctx context.Context, u *url.URL) attemptResult {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return attemptResult{err: err}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "corridor")
	if c.auth != nil {
		c.auth(req.Header)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return attemptResult{err: err}
	}
	defer resp.Body.Close()
	res := attemptResult{status: resp.StatusCode}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		res.retryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		// Drain a little so the connection can be reused; the body of an
		// error is not reported (it may echo request details).
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return res
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return attemptResult{err: err}
	}
	if int64(len(b)) > c.maxBody {
		// Not retried: the same object will be as large next time.
		res.tooLarge = true
		return res
	}
	res.body = b
	return res
}

// backoff is the wait after the given failed attempt: BaseDelay·2^(n-1),
// capped at MaxDelay, of which a random half is jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.maxDelay
	if shift := attempt - 1; shift < 30 {
		if b := c.baseDelay << shift; b > 0 && b < d {
			d = b
		}
	}
	half := d / 2
	return half + time.Duration(c.jitter()*float64(half))
}

func retryable(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); 0 when
// absent or unparsable.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		if s > 86400 {
			s = 86400
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// sleep waits d or until ctx is done. A wait that would end after ctx's
// deadline is not started.
func sleep(ctx context.Context, d time.Duration) error {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("%w (the %s backoff outlasts the deadline)", context.DeadlineExceeded, d.Round(time.Millisecond))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// describe reports a transport error without the URL (url.Error repeats
// it, with the query).
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return err.Error()
}

// decode unmarshals b with the bounds connectors apply to webhook JSON.
func decode(b []byte, v any) error {
	err := connectors.DecodeJSON(connectors.Request{ContentType: "application/json", Body: b}, v)
	if err == nil {
		return nil
	}
	// Report the detail only: the caller wraps ErrUpstream, and an error
	// must wrap exactly one sentinel.
	return errors.New(strings.TrimPrefix(err.Error(), connectors.ErrMalformed.Error()+": "))
}

// BaseURL checks a configured API base URL (absolute http or https, a
// host, no query, fragment or credentials) and returns it without a
// trailing slash. An empty raw returns "".
func BaseURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New("want an http or https URL")
	case u.Host == "":
		return "", errors.New("no host")
	case u.User != nil:
		return "", errors.New("must not carry credentials; use api.token")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", errors.New("must not have a query or fragment")
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// MaxIDLen bounds the ids CheckPathID accepts.
const MaxIDLen = 64

// CheckPathID reports whether a vendor id taken from a webhook can go into
// an API path as is: 1..MaxIDLen ASCII letters, digits, '-' or '_'. Decoders
// check ids with it so a signed but odd payload cannot steer API calls.
func CheckPathID(id string) error {
	if id == "" {
		return errors.New("missing")
	}
	if len(id) > MaxIDLen {
		return fmt.Errorf("longer than %d characters", MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return fmt.Errorf("%q has characters other than letters, digits, '-' and '_'", id)
		}
	}
	return nil
}
