// Package typeform decodes Typeform webhooks (form_response) into feedback
// records and verifies their Typeform-Signature header.
//
// # Contract
//
// One form_response yields one survey record whose external id is
// form_response.token (the response id), so a redelivery maps to the same
// record id; event_id becomes the record's event id. Free-text answers
// become Text and Answers (with the question title from
// definition.fields), the first nps answer (else the first opinion_scale
// or rating answer) becomes Score, and hidden fields map onto customer,
// touchpoint, team, location, agent or `hidden.<name>` attributes. The
// README lists every field and attribute.
//
// form_response_partial and unknown event types return ErrIgnored.
//
// Verify checks `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw
// body)>` against every configured secret. Typeform signs no timestamp, so
// there is no replay window to enforce.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. All are prefixed "typeform:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package typeform
