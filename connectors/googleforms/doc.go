// Package googleforms decodes Google Forms responses posted by our Apps
// Script sender (apps_script.gs, an installable onFormSubmit trigger) into
// survey feedback records, and verifies their Standard Webhooks signature.
//
// # Contract
//
// Google Forms has no webhooks; the body is our own documented contract
// (README): {event_id, event_type: "form_response", form_response:
// {form_id, form_title, response_id, submitted_at, hidden, answers:
// [{field: {id, title, type, min, max}, response}]}}. One request yields one
// record whose external id is the response id (form_response.response_id,
// else event_id, else the webhook-id header), so a resend and an edited
// response map to the same record; Version is submitted_at in Unix seconds,
// so an edit wins. Text comes from TEXT and PARAGRAPH_TEXT items; the score
// from SCALE (a 0..10 scale is NPS) and RATING items. Other event types
// return ErrIgnored.
//
// Verify implements Standard Webhooks (connectors/internal/stdwebhook):
// webhook-id, webhook-timestamp, webhook-signature "v1,<base64>" over
// "{id}.{timestamp}.{body}" with the key from the whsec_ secret, within the
// configured tolerance in both directions.
//
// # Errors
//
// New fails on an invalid whsec_ secret or any option (there are none).
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored. Verify returns
// ErrSignatureMissing, ErrSignatureInvalid or ErrTimestampStale. All are
// prefixed "googleforms:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package googleforms
