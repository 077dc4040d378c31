// Package helpscout decodes Help Scout webhooks (payload version V2) into
// ticket and survey feedback records and verifies their
// X-HelpScout-Signature header.
//
// # Contract
//
// The event comes from the X-HelpScout-Event header (see README):
//
//   - convo.created and convo.customer.reply.created: one ticket record for
//     the conversation's newest customer thread, keyed
//     <conversation id>:<thread id>, text = the thread body with HTML
//     stripped (convo.created prefixes the subject). Without embedded
//     threads the conversation's preview is the text;
//   - satisfaction.ratings: one ticket record keyed rating:<rating id>, a
//     CSAT score on 1..3 (Great 3, Okay 2, Bad 1) and the comments as text;
//     Version is modifiedAt, so a changed rating supersedes it;
//   - message.survey.response.received: one survey record keyed
//     survey:<customer id>:<response timestamp>; a response value "0".."10"
//     is an NPS score, a Faces or Thumbs response.name is a CSAT score
//     (Happy 3, Neutral 2, Sad 1 on 1..3; Thumbs Up 1, Thumbs Down 0 on
//     0..1), any other answer (custom emoji, choice) is kept in the
//     response.name and response.value attributes without a score; the
//     comment is the text.
//
// Every other event returns ErrIgnored. Without the header (replays, curl)
// the event is inferred from the body's shape (see README). Help Scout
// sends no delivery id, so ids come from the objects.
//
// Verify checks `X-HelpScout-Signature: base64(HMAC-SHA1(secret, raw
// body))` against every configured secret. Help Scout signs no timestamp.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. All are prefixed "helpscout:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package helpscout
