package vendorapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Defaults of a Client built by NewPoller.
const (
	DefaultPollerAttempts = 3
	DefaultPollerMaxDelay = 15 * time.Second
	DefaultPollerMaxBody  = 16 << 20
)

// NewPoller builds a Client for a review-site poller (connectors.Poller):
// cfg.Timeout bounds each call (10s by default), a call is tried
// DefaultPollerAttempts times, Retry-After is honoured up to
// DefaultPollerMaxDelay and a page may be DefaultPollerMaxBody bytes, unless
// opts set other values.
func NewPoller(cfg connectors.PollerConfig, set connectors.Settings, opts Options) *Client {
	cfg = cfg.WithDefaults()
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = DefaultPollerMaxDelay
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultPollerMaxBody
	}
	return New(connectors.EnrichConfig{Timeout: cfg.Timeout, Attempts: DefaultPollerAttempts}, set, opts)
}

// retryAfterError is an ErrUpstream failure that came with a Retry-After
// the client did not wait out. The polling framework cannot import this
// package; it finds the wait with
//
//	var ra interface{ RetryAfter() time.Duration }
//	if errors.As(err, &ra) { … }
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.err.Error() }
func (e *retryAfterError) Unwrap() error             { return e.err }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

// GetPage GETs rawURL with the retries of GetJSON and returns the 2xx body
// as received, undecoded, so a poller can keep a page's bytes (Page.Raw)
// even when it cannot decode them. header is added to every try after
// Options.Auth (a bearer token minted per poll).
//
// Unlike GetJSON, whose callers answer a webhook, GetPage reports what a
// poller needs: 401 and 403 wrap connectors.ErrUnauthorized (credentials
// refused); a body over MaxBody wraps connectors.ErrMalformed (it will be as
// large next time, so retrying cannot help); 404 and 410 wrap
// connectors.ErrUpstream and ErrNotFound; everything else that fails wraps
// connectors.ErrUpstream. A Retry-After longer than MaxDelay is not waited
// out: the error is returned at once and has a RetryAfter() time.Duration
// method, as has the error after the last try when that try carried one.
func (c *Client) GetPage(ctx context.Context, rawURL string, header http.Header) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: invalid API URL", connectors.ErrUpstream)
	}
	what := "GET " + u.EscapedPath()

	var last string
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", connectors.ErrUpstream, what, err)
		}
		start := time.Now()
		res := c.doPage(ctx, u, header)
		took := time.Since(start)

		switch {
		case res.err != nil:
			if ctx.Err() != nil {
				c.obs.ObserveCall(connectors.OutcomeFailed, took)
				return nil, fmt.Errorf("%w: %s: %w", connectors.ErrUpstream, what, ctx.Err())
			}
			last = "request failed: " + describe(res.err)
		case res.tooLarge:
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return nil, fmt.Errorf("%w: %s: page larger than %d bytes", connectors.ErrMalformed, what, c.maxBody)
		case res.status >= 200 && res.status < 300:
			c.obs.ObserveCall(connectors.OutcomeOK, took)
			return res.body, nil
		case res.status == http.StatusUnauthorized || res.status == http.StatusForbidden:
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return nil, fmt.Errorf("%w: %s: %d %s (check the credentials and their permissions)", connectors.ErrUnauthorized, what, res.status, http.StatusText(res.status))
		case res.status == http.StatusNotFound || res.status == http.StatusGone:
			c.obs.ObserveCall(connectors.OutcomeNotFound, took)
			return nil, fmt.Errorf("%w: %s: %d %s: %w", connectors.ErrUpstream, what, res.status, http.StatusText(res.status), ErrNotFound)
		case !retryable(res.status):
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return nil, fmt.Errorf("%w: %s: %d %s", connectors.ErrUpstream, what, res.status, http.StatusText(res.status))
		default:
			last = fmt.Sprintf("%d %s", res.status, http.StatusText(res.status))
		}

		if res.retryAfter > c.maxDelay {
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			return nil, &retryAfterError{
				err:   fmt.Errorf("%w: %s: %s, Retry-After %s is longer than the %s this client waits", connectors.ErrUpstream, what, last, res.retryAfter, c.maxDelay),
				after: res.retryAfter,
			}
		}
		if attempt >= c.attempts {
			c.obs.ObserveCall(connectors.OutcomeFailed, took)
			err := fmt.Errorf("%w: %s: %s after %d attempts", connectors.ErrUpstream, what, last, attempt)
			if res.retryAfter > 0 {
				return nil, &retryAfterError{err: err, after: res.retryAfter}
			}
			return nil, err
		}
		c.obs.ObserveCall(connectors.OutcomeRetried, took)
		wait := c.backoff(attempt)
		if res.retryAfter > 0 {
			wait = res.retryAfter
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w: %s: %s, then %w while waiting to retry", connectors.ErrUpstream, what, last, err)
		}
	}
}

// doPage is do with extra request headers.
func (c *Client) doPage(ctx context.Context, u *url.URL, header http.Header) attemptResult {
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
	for k, vs := range header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
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
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return res
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return attemptResult{err: err}
	}
	if int64(len(b)) > c.maxBody {
		res.tooLarge = true
		return res
	}
	res.body = b
	return res
}

// DecodePage unmarshals a page body with the bounds connectors apply to
// webhook JSON (nesting depth, array length). Errors wrap
// connectors.ErrMalformed.
func DecodePage(body []byte, v any) error {
	return connectors.DecodeJSON(connectors.Request{ContentType: "application/json", Body: body}, v)
}

// SortNewestFirst orders a page's records as connectors.Page requires:
// Version descending, then OccurredAt descending; ties keep their order.
func SortNewestFirst(recs []feedback.Record) {
	sort.SliceStable(recs, func(i, j int) bool {
		if recs[i].Version != recs[j].Version {
			return recs[i].Version > recs[j].Version
		}
		return recs[i].OccurredAt.After(recs[j].OccurredAt)
	})
}

// CheckParams returns an error naming every key of params that is not in
// allowed (a typo in a connectors: entry must fail at start, not be
// ignored).
func CheckParams(params map[string]string, allowed ...string) error {
	var unknown []string
	for k := range params {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("params %s: unknown (want %s)", strings.Join(unknown, ", "), strings.Join(allowed, ", "))
}

// MaxReviewIDLen bounds the review ids CheckReviewID accepts.
const MaxReviewIDLen = 512

// CheckReviewID reports whether a vendor's review id can be a record's
// external id: 1..MaxReviewIDLen printable ASCII characters, no spaces.
// Pollers refuse a page holding any other id (ErrMalformed), since a
// review without a stable id cannot be deduplicated.
func CheckReviewID(id string) error {
	if id == "" {
		return errors.New("missing")
	}
	if len(id) > MaxReviewIDLen {
		return fmt.Errorf("longer than %d characters", MaxReviewIDLen)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("%q has characters other than printable ASCII", id)
		}
	}
	return nil
}

// NewReview starts the record of one review as every poller builds it:
// feedback.New(source, review, id) at version (at least 1), with event id
// "<id>@<version>" (one event per state of the review), occurred_at
// occurred (in UTC) and received_at received.
func NewReview(source, id string, version int64, occurred, received time.Time) feedback.Record {
	rec := feedback.New(source, feedback.KindReview, id)
	rec.Version = max(version, 1)
	rec.EventID = id + "@" + strconv.FormatInt(rec.Version, 10)
	rec.OccurredAt = occurred.UTC()
	rec.ReceivedAt = received
	return rec
}

// MaxPageTokenLen bounds the opaque page tokens CheckPageToken accepts.
const MaxPageTokenLen = 4096

// CheckPageToken reports whether an opaque vendor page token (Google's
// nextPageToken) can be stored as a cursor and sent back in a query: at
// most MaxPageTokenLen printable ASCII characters. Errors wrap
// connectors.ErrMalformed.
func CheckPageToken(token string) error {
	if len(token) > MaxPageTokenLen {
		return connectors.Malformedf("page token longer than %d characters", MaxPageTokenLen)
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c < ' ' || c > '~' {
			return connectors.Malformedf("page token has characters other than printable ASCII")
		}
	}
	return nil
}
