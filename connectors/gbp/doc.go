// Package gbp polls the reviews of one Google Business Profile location
// (My Business API v4 accounts.locations.reviews.list) with an OAuth token
// from googleauth. It implements connectors.Poller; one configured feed is
// one location, and its records carry that location.
//
// # Contract
//
// NewPollerFactory builds a poller from a connectors.PollerConfig with the
// params account_id and location_id (required, numeric), location (the
// record's location value, e.g. "leeds"; without it the framework's
// defaults.location applies) and token_url (optional), and one credential:
// authorized_user_json (a user's OAuth client and refresh token, the
// documented way) or service_account_json (a service account that is a
// manager of the location). The first page is GET
// {base}/v4/accounts/{account_id}/locations/{location_id}/reviews
// ?pageSize=50&orderBy=updateTime desc; the page token is nextPageToken.
//
// A review is its reviewId; its version is updateTime in Unix seconds, so
// an edited review is a newer version of the same record; occurred_at is
// createTime. starRating ONE..FIVE is a 1–5 rating score,
// STAR_RATING_UNSPECIFIED none. The reviewer object (display name, photo)
// is never read. reviewReply sets reply=true.
//
// # Errors
//
// Fetch returns errors prefixed "gbp:" wrapping connectors.ErrUpstream
// (network, 429 and 5xx after retries, 404, the token endpoint down),
// ErrUnauthorized (401/403, or the token endpoint refusing the credentials;
// the cached token is dropped) or ErrMalformed (a page that does not decode
// or holds an unusable review, or an invalid page token; the Page then
// carries the bytes in Raw and no Next).
//
// # Concurrency
//
// A poller is safe for concurrent use; the token cache is guarded.
package gbp
