// Package qualtrics decodes Qualtrics event-subscription deliveries for the
// surveyengine.completedResponse topic into survey feedback records,
// verifies their HMAC form field, and enriches the records from the
// Qualtrics API, since the delivery carries ids only.
//
// # Contract
//
// Qualtrics POSTs application/x-www-form-urlencoded fields Topic, MSG (a
// JSON object) and HMAC. Decode is pure: a Topic ending in
// surveyengine.completedResponse.<SurveyID> (any brand prefix) yields one
// record whose external id and event id are MSG.ResponseID; CompletedDate
// (no zone, read as UTC) is its occurred_at. The ids the enricher needs go
// into attributes (survey_id, response_id, brand_id, …). Other topics are
// ErrIgnored.
//
// Enrich fetches the response (GET /API/v3/surveys/{SurveyID}/responses/
// {ResponseID}) and the survey (GET /API/v3/surveys/{SurveyID}, cached per
// survey for 10 minutes, at most 256 surveys) and fills the text (every
// QID…_TEXT answer except contact-form fields), the answers with their
// question texts, the NPS score, customer fields from embedded data and
// externalDataReference, and occurred_at from endDate. The API base URL is
// per data center, so api.base_url must be configured; New accepts it empty
// (the connector list builds every factory without config) and Enrich then
// fails with ErrUpstream naming the setting.
//
// Verify checks hex(HMAC-SHA512(secret, MSG value)) from the HMAC field
// against every configured secret. Sign rewrites req.Body: it replaces or
// appends the HMAC field, because Qualtrics signs inside the body.
//
// # Errors
//
// Decode returns errors wrapping connectors.ErrUnsupportedMediaType,
// ErrMalformed (naming the field) or ErrIgnored; Verify returns
// ErrSignatureMissing or ErrSignatureInvalid. Enrich returns errors wrapping
// ErrUpstream (retry later), or ErrIgnored when the response was deleted (a
// 404 more than options.not_found_grace after CompletedDate). All are
// prefixed "qualtrics:".
//
// # Concurrency
//
// The decoder is safe for concurrent use; its survey cache is guarded.
package qualtrics
