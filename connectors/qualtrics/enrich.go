package qualtrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// maxEmbeddedAttrs bounds the embedded.<name> attributes of one record.
const maxEmbeddedAttrs = 50

// responseEnvelope is GET /API/v3/surveys/{SurveyID}/responses/{ResponseID}.
type responseEnvelope struct {
	Result *struct {
		ResponseID wire.ID                    `json:"responseId"`
		Values     map[string]json.RawMessage `json:"values"`
	} `json:"result"`
}

// surveyEnvelope is GET /API/v3/surveys/{SurveyID}, fields we read.
type surveyEnvelope struct {
	Result *struct {
		ID        wire.ID `json:"id"`
		Name      string  `json:"name"`
		Questions map[string]struct {
			QuestionText string `json:"questionText"`
			QuestionType struct {
				Type     string `json:"type"`
				Selector string `json:"selector"`
			} `json:"questionType"`
		} `json:"questions"`
	} `json:"result"`
}

type survey struct {
	name      string
	questions map[string]question
}

type question struct {
	text     string
	typ      string
	selector string
}

// form reports a contact-information form (TE/FORM), whose fields are
// personal data, not feedback.
func (q question) form() bool { return q.typ == "TE" && q.selector == "FORM" }

func (q question) nps() bool { return q.typ == "MC" && q.selector == "NPS" }

// metadata are the response values that are neither answers nor embedded
// data. Personal ones (names, email, IP, location) are never copied.
var metadata = map[string]bool{
	"startDate": true, "endDate": true, "status": true, "ipAddress": true, "progress": true,
	"duration": true, "finished": true, "recordedDate": true, "_recordId": true,
	"locationLatitude": true, "locationLongitude": true, "recipientLastName": true,
	"recipientFirstName": true, "recipientEmail": true, "externalDataReference": true,
	"distributionChannel": true, "userLanguage": true,
}

// Enrich completes each record from the Qualtrics API. Records whose
// response is gone are dropped; if none is left the error wraps ErrIgnored.
// Any other failure fails the whole call with ErrUpstream.
func (d *decoder) Enrich(ctx context.Context, recs []feedback.Record) ([]feedback.Record, error) {
	out, err := wire.EnrichEach(ctx, recs, d.enrich)
	if err != nil {
		return nil, fmt.Errorf("qualtrics: enrich: %w", err)
	}
	return out, nil
}

func (d *decoder) enrich(ctx context.Context, rec *feedback.Record) (ok bool, why string, err error) {
	surveyID, responseID := rec.Attributes["survey_id"], rec.Attributes["response_id"]
	if surveyID == "" || responseID == "" {
		return false, "", fmt.Errorf("%w: record %s has no survey_id or response_id attribute (not decoded by this connector)", connectors.ErrMalformed, rec.ID)
	}
	if d.baseURL == "" {
		return false, "", fmt.Errorf("%w: no API base URL configured: set sources.%s.api.base_url to https://<datacenter>.qualtrics.com", connectors.ErrUpstream, d.name)
	}
	if d.token == "" {
		return false, "", fmt.Errorf("%w: no API token configured (sources.%s.api.token or CORRIDOR_API_TOKEN_<SOURCE>)", connectors.ErrUpstream, d.name)
	}

	var resp responseEnvelope
	path := "/API/v3/surveys/" + url.PathEscape(surveyID) + "/responses/" + url.PathEscape(responseID)
	if err := d.api.GetJSON(ctx, d.baseURL+path, &resp); err != nil {
		return d.notFound(rec, "response "+responseID, err)
	}
	if resp.Result == nil || resp.Result.Values == nil {
		return false, "", fmt.Errorf("%w: GET %s: malformed response: result.values missing", connectors.ErrUpstream, path)
	}
	values := resp.Result.Values

	sv, err := d.survey(ctx, surveyID, values)
	if err != nil {
		return d.notFound(rec, "survey "+surveyID, err)
	}

	rec.Attributes = maps.Clone(rec.Attributes)
	applyAnswers(rec, sv, values)
	applyEmbedded(rec, values)
	wire.SetAttr(rec, "survey_name", sv.name)
	wire.SetAttr(rec, "language", scalar(values["userLanguage"]))
	wire.SetAttr(rec, "channel", strings.ToLower(scalar(values["distributionChannel"])))
	// endDate carries a zone, unlike the delivery's CompletedDate.
	for _, k := range []string{"endDate", "recordedDate"} {
		if t, err := time.Parse(time.RFC3339Nano, scalar(values[k])); err == nil {
			if u, ok, _ := wire.Instant(t); ok {
				rec.OccurredAt = u
				break
			}
		}
	}
	return true, "", nil
}

// notFound passes errors other than a 404 through; a 404 is "deleted"
// (the record is dropped) only after the grace period (wire.NotFound).
func (d *decoder) notFound(rec *feedback.Record, what string, err error) (bool, string, error) {
	if !errors.Is(err, vendorapi.ErrNotFound) {
		return false, "", err
	}
	return wire.NotFound(err, what, d.now().Sub(rec.OccurredAt), d.grace)
}

// survey returns the survey definition from the cache, refetching when the
// response has an answer to a question the cached copy does not know.
func (d *decoder) survey(ctx context.Context, id string, values map[string]json.RawMessage) (*survey, error) {
	if sv, ok := d.surveys.Get(id); ok && sv.covers(values) {
		return sv, nil
	}
	var env surveyEnvelope
	path := "/API/v3/surveys/" + url.PathEscape(id)
	if err := d.api.GetJSON(ctx, d.baseURL+path, &env); err != nil {
		return nil, err
	}
	if env.Result == nil {
		return nil, fmt.Errorf("%w: GET %s: malformed response: result missing", connectors.ErrUpstream, path)
	}
	sv := &survey{name: vendorapi.PlainText(env.Result.Name), questions: map[string]question{}}
	for qid, q := range env.Result.Questions {
		sv.questions[qid] = question{text: vendorapi.PlainText(q.QuestionText), typ: q.QuestionType.Type, selector: q.QuestionType.Selector}
	}
	d.surveys.Put(id, sv)
	return sv, nil
}

func (s *survey) covers(values map[string]json.RawMessage) bool {
	for k := range values {
		if qid, ok := questionID(k); ok {
			if _, known := s.questions[qid]; !known {
				return false
			}
		}
	}
	return true
}

// questionID returns "QID<n>" for a value key QID<n>[_…], also with the
// iteration prefix of a loop-and-merge block (1_QID<n>…) or the column of a
// side-by-side question (QID<n>#1_1…).
func questionID(key string) (string, bool) {
	if i := strings.IndexByte(key, '_'); i > 0 && strings.HasPrefix(key[i+1:], "QID") && digitsOnly(key[:i]) {
		key = key[i+1:]
	}
	if !strings.HasPrefix(key, "QID") {
		return "", false
	}
	n := 3
	for n < len(key) && key[n] >= '0' && key[n] <= '9' {
		n++
	}
	if n == 3 || (n < len(key) && key[n] != '_' && key[n] != '#') {
		return "", false
	}
	return key[:n], true
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// applyAnswers fills Text and Answers from QID…_TEXT values and Score from
// the first NPS question (QID<n> with a QID<n>_NPS_GROUP value, or an MC
// question with the NPS selector).
func applyAnswers(rec *feedback.Record, sv *survey, values map[string]json.RawMessage) {
	keys := make([]string, 0, len(values))
	for k := range values {
		if _, ok := questionID(k); ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return answerLess(keys[i], keys[j]) })

	var texts []string
	var answers []feedback.Answer
	for _, k := range keys {
		qid, _ := questionID(k)
		q, known := sv.questions[qid]
		if !known {
			continue // cannot tell a contact form from feedback
		}
		if field, ok := strings.CutSuffix(k, "_TEXT"); ok {
			text := strings.TrimSpace(scalar(values[k]))
			if text == "" || q.form() {
				continue
			}
			texts = append(texts, text)
			answers = append(answers, feedback.Answer{Field: field, Question: q.text, Text: text})
			continue
		}
		if rec.Score != nil || k != qid {
			continue
		}
		if _, grouped := values[qid+"_NPS_GROUP"]; !grouped && !q.nps() {
			continue
		}
		v, err := strconv.ParseFloat(scalar(values[k]), 64)
		if err != nil {
			continue
		}
		// A value off the 0..10 scale (recoded choices) gives no score.
		if s, err := feedback.NewScore(feedback.ScoreNPS, v, 0, 10); err == nil {
			rec.Score = s
		}
	}
	rec.Text = wire.JoinText(texts...)
	rec.Answers = answers
}

// applyEmbedded maps embedded data and externalDataReference onto the
// record: embedded customer_id, else externalDataReference, else embedded
// user_id is the customer id; account_id, role, touchpoint, team, location
// and agent set those fields; other scalar embedded data become
// embedded.<name> attributes unless the name looks personal.
func applyEmbedded(rec *feedback.Record, values map[string]json.RawMessage) {
	names := make([]string, 0, len(values))
	for k := range values {
		// Anything that names a question or a typed answer is never an
		// attribute, whatever its shape: attributes are not redacted.
		if metadata[k] || strings.HasPrefix(k, "Q_") || strings.HasPrefix(k, "_") || strings.Contains(k, "QID") ||
			len(k) >= 5 && strings.EqualFold(k[len(k)-5:], "_TEXT") {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var customerID, userID string
	n := 0
	for _, name := range names {
		val := strings.TrimSpace(scalar(values[name]))
		if val == "" {
			continue
		}
		switch key := strings.ToLower(name); {
		case key == "customer_id":
			customerID = val
		case key == "user_id":
			userID = val
		case wire.SetField(rec, key, val):
		case wire.Personal(name) || n >= maxEmbeddedAttrs:
		default:
			n++
			wire.SetAttr(rec, "embedded."+name, val)
		}
	}
	for _, id := range []string{customerID, strings.TrimSpace(scalar(values["externalDataReference"])), userID} {
		if id != "" {
			rec.Customer.ID = id
			break
		}
	}
}

// scalar returns a string, number or boolean value as text, else "".
func scalar(raw json.RawMessage) string {
	var s wire.Scalar
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil || !s.Valid {
		return ""
	}
	return s.Value
}

// naturalLess orders value keys as QID2 < QID10 < QID10_2 < QID10_TEXT.
// answerLess orders answer keys by question number (QID2 < QID10), then
// naturally within a question, so that the loop-and-merge (1_QID4_TEXT) and
// side-by-side (QID5#1_1_1_TEXT) forms sit with their question.
func answerLess(a, b string) bool {
	qa, _ := questionID(a)
	qb, _ := questionID(b)
	if qa != qb {
		na, _ := strconv.Atoi(strings.TrimPrefix(qa, "QID"))
		nb, _ := strconv.Atoi(strings.TrimPrefix(qb, "QID"))
		if na != nb {
			return na < nb
		}
	}
	return naturalLess(a, b)
}

func naturalLess(a, b string) bool {
	as, bs := strings.Split(a, "_"), strings.Split(b, "_")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		an, aErr := strconv.Atoi(strings.TrimPrefix(as[i], "QID"))
		bn, bErr := strconv.Atoi(strings.TrimPrefix(bs[i], "QID"))
		switch {
		case aErr == nil && bErr == nil && an != bn:
			return an < bn
		case aErr == nil && bErr != nil:
			return true // numbers before words (QID1_1 before QID1_TEXT)
		case aErr != nil && bErr == nil:
			return false
		}
		return as[i] < bs[i]
	}
	return len(as) < len(bs)
}
