// Package yelp polls the Yelp Fusion business reviews endpoint for one
// business. Yelp returns review excerpts, not full texts, and only a few
// reviews per business (three on basic plans), so records are marked
// excerpt=true. It implements connectors.Poller.
//
// # Contract
//
// NewPollerFactory builds a poller from a connectors.PollerConfig with the
// params business_id (id or alias, required), limit (1..50, default 50) and
// locale (optional, e.g. en_US), and the credential api_key, sent as
// Authorization: Bearer. Requests are GET
// {base}/v3/businesses/{business_id}/reviews?limit=&sort_by=newest&offset=;
// the page token is the next offset ("" is 0), given while a full page
// came back and total says more exist, and offset+limit stays within
// Yelp's 1000.
//
// A review is its id. time_created, a local time without offset that Yelp
// documents as Pacific time, is converted to UTC with the
// America/Los_Angeles zone (embedded, so it works without system tzdata);
// it is occurred_at and, being the only timestamp, the version in Unix
// seconds (README, Versions). customer.id is
// user.id; the user's name, profile URL and photo are never read.
//
// # Errors
//
// Fetch returns errors prefixed "yelp:" wrapping connectors.ErrUpstream
// (network, 429 and 5xx after retries, 404), ErrUnauthorized (401/403) or
// ErrMalformed (a page that does not decode or holds an unusable review, or
// an invalid offset token; the Page then carries the bytes in Raw and no
// Next).
//
// # Concurrency
//
// A poller is immutable after New and safe for concurrent use.
package yelp
