// Package intercom decodes Intercom webhook notifications about
// conversations into ticket feedback records and verifies their
// X-Hub-Signature header.
//
// # Contract
//
// Topics decoded (see README):
//
//   - conversation.user.created: one record keyed conversation:<id>; text is
//     data.item.source subject and body, HTML stripped, else (API 1.x)
//     data.item.conversation_message's;
//   - conversation.user.replied: one record keyed part:<part id> for the
//     last conversation part written by the customer (user, lead or
//     contact), HTML stripped; admin, bot and note parts are never text;
//   - conversation.rating.added (and conversation.rating.remarked, same
//     shape, UNCONFIRMED): one record keyed rating:<conversation id> with
//     a CSAT score on 1..5 and the remark as text; Version is the rating's
//     updated_at (else created_at), so a later remark supersedes it.
//
// EventID is the notification id (notif_…). ping (Intercom's test and
// periodic ping) and every other topic return ErrIgnored. app_id becomes
// the workspace_id attribute, the team assignee team_id, the admin
// assignee (or the rated teammate; API 1.x: an assignee of type admin)
// the agent, and tag names `tags`. Timestamps are Unix seconds, or RFC
// 3339 strings as a fallback.
//
// Verify checks `X-Hub-Signature: sha1=<hex HMAC-SHA1(client_secret, raw
// body)>` against every configured secret. Intercom signs no timestamp.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. All are prefixed "intercom:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package intercom
