// Package generic decodes Corridor's own feedback JSON shape (see README),
// signed per Standard Webhooks, so any system that can sign a webhook can
// send feedback without a vendor connector.
//
// # Contract
//
// One request yields one record. The external id is the body's `id`, else
// the webhook-id header; the event id is webhook-id, else `id`. `kind`
// defaults to survey and `occurred_at` to the receive time. At least one of
// text, answers or score must be present; when text is empty it is the
// answers' texts joined with "\n". Unknown body fields are ignored. The
// record may also come as the data of Standard Webhooks' recommended
// envelope, {"type", "timestamp", "data"}, when data is an object and the
// top level has no text, answers or score; the envelope's timestamp is then
// the default occurred_at.
//
// Verify implements Standard Webhooks symmetric signatures: webhook-id,
// webhook-timestamp (Unix seconds) and webhook-signature (a space-separated
// list of "v1,<base64>"; any one matching any configured secret passes),
// signed over "{id}.{timestamp}.{body}" with HMAC-SHA256. A secret of the
// form whsec_<base64> is base64-decoded to get the key; any other secret is
// used as raw bytes. The timestamp must lie within the configured tolerance
// of the clock, in either direction.
//
// # Errors
//
// New fails on a whsec_ secret that is not valid base64. Decode returns
// errors wrapping connectors.ErrUnsupportedMediaType or ErrMalformed
// (naming the field); Verify returns ErrSignatureMissing,
// ErrSignatureInvalid (also for a timestamp that is not an integer) or
// ErrTimestampStale. All are prefixed "generic:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package generic
