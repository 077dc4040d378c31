// Package zendesk decodes Zendesk event-subscription webhooks
// (zen:event-type:ticket.created, zen:event-type:ticket.comment_added and
// zen:event-type:messaging_ticket.message_added) into ticket feedback
// records and verifies X-Zendesk-Webhook-Signature.
//
// # Contract
//
// One event yields one ticket record whose external id is the event `id`,
// so a redelivered event maps to the same record id. ticket.created carries
// subject and description (a ticket with neither and no score is
// ErrIgnored); ticket.comment_added carries the comment body of a public,
// non-staff comment (private notes, agent replies and blank comments are
// ErrIgnored).
//
// messaging_ticket.message_added (Zendesk messaging: web and mobile SDKs,
// social channels) carries event.message.body when event.actor.type is
// "end_user"; the ticket.comment_added events of messaging tickets are
// private transcripts (observed, not documented), so the customer's words
// arrive only here. Messages by an agent, a trigger or the system (the
// answer bot), by a zd:<name> actor, with no actor type, or without text
// are ErrIgnored. The actor.id becomes the customer id only when it looks
// like an opaque id: not an email, a "+" phone number, a handle or a name
// (a phone number written as bare digits cannot be told from an id). How AI
// agents appear, and what id space actor.id uses for end users, is
// UNCONFIRMED (see README).
//
// A satisfaction_rating{score: good|bad} on the event becomes a CSAT score
// on 0..1 (best effort; see README). Tags of the form touchpoint:<x>,
// team:<x> and location:<x> set those record fields. Other event types
// return ErrIgnored.
//
// Verify checks base64(HMAC-SHA256(secret, timestamp + raw body)) from
// X-Zendesk-Webhook-Signature against every configured secret, then that
// X-Zendesk-Webhook-Signature-Timestamp (ISO 8601) lies within the
// configured tolerance of the clock, in either direction.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing, ErrSignatureInvalid (also for an unparsable
// timestamp header) or ErrTimestampStale. All are prefixed "zendesk:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package zendesk
