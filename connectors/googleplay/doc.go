// Package googleplay polls the Google Play Developer API (androidpublisher
// v3 reviews.list) for the reviews of one app, authenticated as a service
// account (googleauth: a JWT exchanged for an OAuth token with the
// androidpublisher scope). It implements connectors.Poller.
//
// # Contract
//
// NewPollerFactory builds a poller from a connectors.PollerConfig with the
// param package_name (required) and token_url (optional, overrides the
// key's token_uri) and the credential service_account_json (a service
// account's key; an authorized_user file is accepted too). The first page
// is GET {base}/androidpublisher/v3/applications/{package_name}/reviews
// ?maxResults=100; the page token is tokenPagination.nextPageToken, sent
// back as token=.
//
// The API returns only recent reviews (created or edited in about the
// last week) that have text, newest first. A review is its reviewId; its
// version is the user comment's lastModified seconds, which is also
// occurred_at (the API gives no creation time), so an edit is a newer
// version of the same record. The comment text is "title<TAB>body" when the
// reviewer gave a title; the record text is "title\nbody". authorName is
// never read. A developerComment sets reply=true. Reviews without a user
// comment are skipped.
//
// # Errors
//
// Fetch returns errors prefixed "googleplay:" wrapping connectors.ErrUpstream
// (network, 429 and 5xx after retries, 404, the token endpoint down),
// ErrUnauthorized (401/403 from the API, or the token endpoint refusing the
// key; the cached token is dropped) or ErrMalformed (a page that does not
// decode or holds an unusable review, or an invalid page token; the Page
// then carries the bytes in Raw and no Next).
//
// # Concurrency
//
// A poller is safe for concurrent use; the token cache is guarded.
package googleplay
