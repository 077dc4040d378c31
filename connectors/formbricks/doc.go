// Package formbricks decodes Formbricks response webhooks
// (responseUpdated, responseFinished, and responseCreated when already
// finished) into survey feedback records, and verifies their Standard
// Webhooks signature.
//
// # Contract
//
// The body is a JSON array of {webhookId, event, data} items (as the
// Formbricks docs show) or one bare item (as older releases send); both are
// accepted. Every handled item yields one record whose external id is the
// response id data.id, so responseUpdated and responseFinished deliveries of
// one response are versions of the same record, ordered by Version =
// data.updatedAt in Unix seconds. responseCreated is ignored unless
// data.finished is true. Other events are skipped; a request in which no
// item yields a record returns ErrIgnored.
//
// Question labels and types are not in the payload, so answers are read by
// value type and the source Options (README): strings are free text
// (optionally restricted by text_questions), numbers of questions listed in
// nps_questions or rating_questions become the score, and other numbers are
// exposed as answer.<questionId> attributes.
//
// Verify implements Standard Webhooks (connectors/internal/stdwebhook):
// webhook-id, webhook-timestamp, webhook-signature "v1,<base64>" over
// "{id}.{timestamp}.{body}" with the key from the whsec_ secret, within the
// configured tolerance in both directions.
//
// # Errors
//
// New fails on an invalid whsec_ secret or an unknown or invalid option.
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the item and field; one malformed item makes the
// whole request malformed) or ErrIgnored. Verify returns
// ErrSignatureMissing, ErrSignatureInvalid or ErrTimestampStale. All are
// prefixed "formbricks:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package formbricks
