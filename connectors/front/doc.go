// Package front decodes Front application-webhook events into ticket
// feedback records, verifies X-Front-Signature and answers Front's
// x-front-challenge validation request (connectors.Handshaker).
//
// # Contract
//
// Application webhooks wrap Front's Event object in an envelope,
// {"type": "inbound_received", "authorization": {"id": "cmp_…"},
// "payload": {"id": "evt_…", "type": "inbound", …}}; a flat body is the
// Event object itself. When payload is an object the event fields are read
// from it (errors name them "payload.…") and the outer type decides; Events
// API type names ("inbound", "outbound", "archive", …) are accepted as
// their application-webhook equivalents in either shape.
//
// inbound_received (a message from a customer) yields one ticket record
// keyed by the message id (target.data.id), so a redelivery maps to the
// same record; its text is target.data.text, else the HTML body stripped
// to text. outbound_sent (an agent reply), new_comment_added (an internal
// teammate comment), tag, assignee, move and other conversation events,
// and the sync validation body are ErrIgnored, before the payload is
// read. The customer is the Front contact id of the `from` recipient,
// never its handle (an email address or phone number).
//
// Verify checks base64(HMAC-SHA256(app signing key, timestamp + ":" + raw
// body)) from X-Front-Signature against every configured secret, then that
// X-Front-Request-Timestamp (Unix ms) lies within the tolerance.
//
// Handshake answers a request carrying x-front-challenge, once its
// signature verifies, with 200 and the challenge echoed as the JSON body
// {"challenge": "<value>"} and in the x-front-challenge response header.
// It returns ok=false for every other request.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify and Handshake
// return ErrSignatureMissing, ErrSignatureInvalid or ErrTimestampStale;
// Handshake returns ErrMalformed for an unusable challenge. All are
// prefixed "front:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package front
