// Package appstore polls Apple App Store reviews of one app, either from
// the public customer-reviews RSS feed (JSON flavour, per storefront
// country, no credentials) or from the App Store Connect API
// (customerReviews of the app, with an ES256 JWT made from an API key).
// It implements connectors.Poller; the gateway's polling framework owns
// scheduling, cursors and Kafka.
//
// # Contract
//
// NewPollerFactory builds a poller from a connectors.PollerConfig whose
// params are app_id, source (rss, the default, or connect), country (rss:
// the storefront, e.g. "us", required) and territory (connect: an optional
// ISO 3166 alpha-3 filter). Unknown params, a missing app_id, and for
// connect missing or unusable credentials (key_id, issuer_id, private_key)
// fail New.
//
// RSS: the page token is the page number ("" is page 1, then "2" … "10");
// Next is the following number while the page held reviews and is below
// 10. Entries without im:rating (the app itself, first in older feeds) are
// skipped, and a single entry sent as an object is accepted. Version is
// the entry's updated time in Unix seconds, which is also occurred_at.
//
// Connect: the first page is GET /v1/apps/{app_id}/customerReviews
// ?sort=-createdDate&limit=200&include=response; the page token is the
// links.next URL, accepted only on the configured API host. The API has one
// timestamp, createdDate: it is occurred_at and, in Unix seconds, the
// version (README, Versions). Each
// request carries a fresh JWT (kid=key_id, iss=issuer_id,
// aud=appstoreconnect-v1, a 15-minute lifetime).
//
// Records are feedback.New(cfg.ID, review, <review id>) with event id
// "<review id>@<version>", a 1–5 rating score, text "title\nbody",
// newest first. Reviewer names are never read; see README for attributes.
//
// # Errors
//
// Fetch returns errors prefixed "appstore:" wrapping connectors.ErrUpstream
// (network, 429 and 5xx after retries, 404), ErrUnauthorized (401/403) or
// ErrMalformed (a page that does not decode or holds an unusable review, a
// links.next off the API host, or an invalid page token). With ErrMalformed
// the returned Page carries the page's bytes in Raw and, for RSS, Next is
// still the following page number, so the framework can dead-letter the
// page and go on.
//
// # Concurrency
//
// A poller is immutable after New and safe for concurrent use.
package appstore
