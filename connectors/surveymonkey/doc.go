// Package surveymonkey decodes SurveyMonkey v3 webhooks (response_completed
// and response_updated) into survey feedback records, verifies Sm-Signature,
// and enriches the records from the SurveyMonkey API, since the webhook
// carries ids only.
//
// # Contract
//
// Decode is pure: one event yields one record whose external id is the
// response id (`object_id`), so every event about a response maps to the
// same record id; event_id is the record's event id and event_datetime its
// occurred_at and version. The ids the enricher needs go into attributes
// (survey_id, response_id, collector_id, …). Other event types are
// ErrIgnored.
//
// Enrich fetches the response details and the survey details (cached per
// survey for 10 minutes, at most 256 surveys) and fills the text (open-ended
// answers and "other" comments, never contact-information answers), the
// answers with their question headings, an NPS or rating score, customer
// fields from custom variables, and sets version and occurred_at from the
// response's date_modified. A response that is not completed (partial,
// disqualified, over quota) is ErrIgnored.
//
// Verify checks base64(HMAC-SHA1(key, raw body)) from Sm-Signature, where
// the key is the configured secret "<client_id>&<client_secret>", against
// every configured secret.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. Enrich returns errors wrapping
// ErrUpstream (retry later), or ErrIgnored when no record is left: the
// response was deleted (a 404 more than options.not_found_grace after the
// event), or is not completed. All are prefixed "surveymonkey:".
//
// # Concurrency
//
// The decoder is safe for concurrent use; its survey cache is guarded.
package surveymonkey
