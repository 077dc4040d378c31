// Package jotform decodes Jotform submission webhooks (multipart/form-data
// with formID, submissionID, type, formTitle and rawRequest, a JSON string
// of the answers keyed q<N>_<name>) into survey feedback records, and
// authenticates them with a shared token.
//
// # Contract
//
// One request yields one record whose external id is submissionID, so a
// redelivery maps to the same record. Jotform sends neither question labels
// nor types nor a timestamp: text and score are found by heuristics on the
// question names and values (README), which SourceConfig.Options can
// override (score_field, score_type, score_min, score_max, text_fields).
// Names, emails, phone numbers and addresses are never copied into text or
// attributes. occurred_at is the receive time.
//
// Jotform signs nothing, so Verify uses sig.Token: the request must carry a
// configured secret, normally as ?token=<secret> on the webhook URL since
// Jotform cannot set headers (Authorization: Bearer, Basic and
// X-Corridor-Token also work).
//
// # Errors
//
// New fails on an unknown or invalid option. Decode returns errors wrapping
// connectors.ErrUnsupportedMediaType (anything but multipart/form-data) or
// ErrMalformed (naming the field). Verify returns ErrSignatureMissing (no
// token) or ErrSignatureInvalid (no match, or no secret configured). All are
// prefixed "jotform:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package jotform
