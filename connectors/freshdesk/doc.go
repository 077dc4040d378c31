// Package freshdesk decodes the webhooks Freshdesk automation rules send
// ("Trigger Webhook" action) into ticket feedback records, and
// authenticates them with a shared token, because Freshdesk signs nothing.
//
// # Contract
//
// Freshdesk has no fixed webhook schema: the tenant writes the body. Two
// layouts are decoded (see README for the exact templates and field names):
//
//   - "advanced" JSON, the template we ask tenants to paste:
//     {"event": …, "ticket": {…}, "reply": {…}, "csat": …};
//   - "simple" content, which Freshdesk wraps in a freshdesk_webhook root
//     with ticket_* keys, as JSON ({"freshdesk_webhook": {"ticket_id": …}})
//     or application/x-www-form-urlencoded (freshdesk_webhook[ticket_id]=…;
//     bare ticket_id=… keys are accepted too).
//
// The event (ticket_created, ticket_updated, reply_added) comes from the
// body's `event` field, else the `event` query parameter of the callback
// URL, else Freshdesk's {{triggered_event}} ({ticket_action:created},
// {reply_sent:sent}, {status:{from:2,to:3}}, …; notes, deletions and spam
// marks are ErrIgnored), else is inferred: a reply body makes reply_added.
// A ticket event
// yields the record keyed ticket:<id> with Version = updated_at (Unix
// seconds), so later updates supersede it; reply_added yields a record
// keyed reply:<ticket id>:<reply id | updated_at | text hash>. Text is the
// subject plus the description (HTML stripped) or the reply text. Status
// and priority numbers or names become the `status` and `priority`
// attributes; a best-effort `csat` field (Freshdesk's -103..103 codes)
// becomes a CSAT score on 1..7. Other event values return ErrIgnored.
//
// Verify accepts one of the configured secrets as a Bearer token, as the
// password of Basic auth, in the X-Corridor-Token header or in the `token`
// query parameter (see sig.Token).
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. All are prefixed "freshdesk:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package freshdesk
