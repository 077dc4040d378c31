// Package stdwebhook implements the symmetric (HMAC-SHA256, "v1") signature
// scheme of Standard Webhooks
// (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md),
// shared by the connectors whose senders use it: generic, Formbricks and our
// Google Forms Apps Script.
//
// # Contract
//
// A request carries webhook-id (the message id, the same across retries),
// webhook-timestamp (integer Unix seconds of the attempt) and
// webhook-signature (a space-separated list of "v1,<base64>"; any one entry
// matching any key passes, "v1a" and unknown versions are skipped, at most
// MaxSignatures entries are tried). The signed content is
// "{id}.{timestamp}.{body}". A secret of the form whsec_<base64> is
// base64-decoded to get the key; any other secret is used as raw bytes.
// Verify checks the signature first and then the timestamp against the
// tolerance, in both directions, so a stale timestamp is only ever reported
// for an authentic request.
//
// # Errors
//
// Verify returns errors wrapping connectors.ErrSignatureMissing (a header is
// absent), ErrSignatureInvalid (no match, no v1 entry, no key configured,
// or a correctly signed timestamp that is not an integer) or
// ErrTimestampStale. Sign returns ErrNoSecret, or ErrMalformed for a
// webhook-id containing '.'. Errors carry no vendor prefix; callers add it.
//
// # Concurrency
//
// A Verifier is a value that is not modified after construction; Verify and
// Sign are safe for concurrent use.
package stdwebhook
