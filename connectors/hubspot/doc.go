// Package hubspot decodes HubSpot Webhooks API deliveries (a JSON array of
// up to 100 CRM events) into ticket feedback records and verifies
// X-HubSpot-Signature-v3.
//
// # Contract
//
// Each ticket.creation event and each ticket.propertyChange event for the
// `content` or `subject` property yields one ticket record keyed
// ticket:<objectId>, so every event about one ticket lands on the same
// record id; Version is the event's occurredAt in Unix milliseconds, so the
// newest state wins. The generic object.creation / object.propertyChange
// events with objectTypeId 0-5 (tickets) are treated the same way. Other
// property changes and other object types are skipped. A batch in which no
// event yields a record returns ErrIgnored; one malformed event makes the
// whole batch ErrMalformed. HubSpot sends no ticket text on creation: the
// records carry ids and attributes only until an enrichment step (not
// implemented) fetches the ticket.
//
// Verify checks base64(HMAC-SHA256(client secret, method + URI + body +
// timestamp)) from X-HubSpot-Signature-v3 against every configured secret,
// where URI is the option public_url followed by the request's path and
// query, then that X-HubSpot-Request-Timestamp (Unix ms) lies within the
// tolerance. With option allow_v1 "true", requests carrying only the legacy
// v1 signature (hex SHA-256 of secret + body, no timestamp) are accepted.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the event index and field) or ErrIgnored; Verify
// returns ErrSignatureMissing, ErrSignatureInvalid or ErrTimestampStale;
// New rejects unknown options and an invalid public_url. All are prefixed
// "hubspot:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package hubspot
