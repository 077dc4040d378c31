// Package vendorapi holds what connectors.Enricher implementations share to
// call a vendor's REST API: a JSON GET with a per-call timeout, retries with
// exponential backoff and jitter, Retry-After handling and call metrics; a
// small bounded TTL cache for survey definitions; a plain-text helper for
// the HTML vendors put in question titles; and checks for configured base
// URLs (BaseURL) and for webhook ids that go into API paths (CheckPathID).
//
// # Contract
//
// Client.GetJSON tries a GET up to EnrichConfig.Attempts times. It retries
// network errors, per-call timeouts, 408, 429 and 5xx (a 429 or 503 waits
// its Retry-After instead of the backoff, capped at MaxDelay); it does not
// retry other statuses. Every HTTP call is
// reported to the CallObserver: OutcomeRetried when another try follows,
// else OutcomeOK, OutcomeNotFound (404/410) or OutcomeFailed. Redirects are
// not followed, so credentials set by Auth never leave the configured host.
// The backoff sleep ends early when ctx is done, and a wait that would
// outlast ctx's deadline is not started.
//
// # Errors
//
// A 404 or 410 returns an error wrapping ErrNotFound (and no sentinel of
// connectors: the vendor decides what a missing object means). Every other
// failure wraps connectors.ErrUpstream: exhausted retries, 401/403 (named as
// a token problem), other 4xx, 3xx, an oversized body, JSON that does not
// decode, and ctx cancellation (which also wraps ctx.Err()). Errors name the
// method, path and status, never the query, the headers or the token.
//
// # Concurrency
//
// Client and Cache are safe for concurrent use.
package vendorapi
