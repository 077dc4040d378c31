// Package delighted decodes Delighted webhooks (survey_response.created and
// survey_response.updated) into survey records and verifies their
// X-Delighted-Webhook-Signature header.
//
// # Contract
//
// One survey_response event yields one survey record whose external id is
// event_data.id (the response id), so the created event (score only) and
// the later updated events (comment added, score changed) upsert the same
// record; Version is event_data.updated_at in Unix seconds, so the newest
// state wins. Text is the comment plus any free-text additional answers;
// Score uses the survey type's scale (see README; only NPS is confirmed);
// a missing survey_type (older, NPS-only payloads) is NPS.
// person.id is the customer id; person_properties map onto record fields or
// `person.<key>` attributes, never the person's email or name.
//
// unsubscribe.created and other event types return ErrIgnored.
//
// Verify checks `X-Delighted-Webhook-Signature: sha256=<hex HMAC-SHA256(
// secret, raw body)>` against every configured secret (the secret is the
// account's private API key). Delighted signs no timestamp.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. All are prefixed "delighted:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package delighted
