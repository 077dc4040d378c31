// Package trustpilot reads Trustpilot service reviews two ways: a poller
// of a business unit's public reviews (connectors.Poller, API key) and a
// webhook decoder of Trustpilot's service-review events
// (connectors.Decoder, for a `sources:` entry of type trustpilot).
//
// # Contract
//
// Poller: NewPollerFactory builds it from a connectors.PollerConfig with the
// params business_unit_id (required) and language (optional filter, e.g.
// "en"; Trustpilot's default is the business unit's languages) and the
// credential api_key, sent in the apikey header. Requests are GET
// {base}/v1/business-units/{id}/reviews?perPage=100&page=N
// &orderBy=createdat.desc; the page token is the page number ("" is 1).
// Next is N+1 when the page links a next-page, or, when it has no links,
// when it was full.
//
// Webhook: NewFactory decodes a POST of {"events":[{eventName, version,
// eventData}]}. service-review-created and service-review-updated events
// become records; service-review-deleted and other events are ignored (an
// all-ignored payload is ErrIgnored). Trustpilot's webhook signature is not
// documented, so Verify checks a shared token (sig.Token: the ?token= of the
// subscription URL, Basic credentials, Bearer or X-Corridor-Token) against
// the configured secrets.
//
// Both make one record per review: feedback.New(<source>, review, <review
// id>), version = updatedAt, else createdAt, in Unix seconds (an update is a
// newer version of the same record; an updated event without updatedAt
// takes the receive time), occurred_at = createdAt, event id
// "<id>@<version>", a 1–5 rating score, text "title\nbody", customer.id =
// consumer.id. Consumer names are never read. The poller's source is the
// feed's id, the webhook's the configured source name.
//
// # Errors
//
// Fetch returns errors prefixed "trustpilot:" wrapping
// connectors.ErrUpstream (network, 429 and 5xx after retries, 404),
// ErrUnauthorized (401/403) or ErrMalformed (a page that does not decode or
// holds an unusable review, or an invalid page token); with ErrMalformed
// the Page carries the bytes in Raw and Next is still the following page
// number. Decode returns ErrUnsupportedMediaType, ErrMalformed (naming the
// field) or ErrIgnored; Verify returns ErrSignatureMissing or
// ErrSignatureInvalid.
//
// # Concurrency
//
// Pollers and decoders are immutable after New and safe for concurrent use.
package trustpilot
