// Package jotform decodes Jotform submission webhooks (multipart/form-data,
// or application/x-www-form-urlencoded, with formID, submissionID, type,
// formTitle and rawRequest, a JSON string of the answers keyed
// q<N>_<name>) into survey feedback records, and authenticates them with a
// shared token.
//
// # Contract
//
// One request yields one record whose external id is submissionID, so a
// redelivery maps to the same record. Jotform sends neither question labels
// nor types: text and score are found by heuristics on the question names
// and values (README), which SourceConfig.Options can override
// (score_field, score_type, score_min, score_max, text_fields,
// attribute_fields). String answers are HTML-unescaped and their line
// breaks normalised to \n.
//
// Attributes are not redacted downstream, so personal data is kept out of
// them by construction, not by recognising it: an answer becomes an
// answer.<key> attribute only when it is a number, or, when
// attribute_fields is set, only when its key is listed there (short
// strings and lists of choices). Unlisted short strings are never copied,
// whatever their question is called. Names, emails, phone numbers and
// addresses recognised by question name or value are skipped even when
// listed. Free text goes to Text, which the NLP stage redacts.
//
// occurred_at is rawRequest.submitDate (Unix ms, stamped by the
// respondent's browser) when it is valid and no later than the receive time
// plus connectors.DefaultTolerance, else the receive time.
//
// Jotform signs nothing, so Verify uses sig.Token: the request must carry a
// configured secret, normally as ?token=<secret> on the webhook URL since
// Jotform cannot set headers (Authorization: Bearer, Basic and
// X-Corridor-Token also work). The body is never searched for a token.
//
// # Errors
//
// New fails on an unknown or invalid option. Decode returns errors wrapping
// connectors.ErrUnsupportedMediaType (anything but multipart/form-data or
// application/x-www-form-urlencoded) or ErrMalformed (naming the field).
// Verify returns ErrSignatureMissing (no token) or ErrSignatureInvalid (no
// match, or no secret configured). All are prefixed "jotform:".
//
// # Concurrency
//
// The decoder is immutable after New and safe for concurrent use.
package jotform
