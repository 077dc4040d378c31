package surveymonkey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/vendorapi"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Bounds on scales read from survey details.
const (
	npsChoices       = 11
	maxRatingChoices = 100
	maxCustomAttrs   = 50
)

// responseDetails is GET /v3/surveys/{id}/responses/{id}/details.
type responseDetails struct {
	ID              wire.ID         `json:"id"`
	ResponseStatus  string          `json:"response_status"`
	CustomValue     wire.Scalar     `json:"custom_value"`
	CustomVariables json.RawMessage `json:"custom_variables"`
	DateModified    string          `json:"date_modified"`
	Pages           []struct {
		ID        wire.ID `json:"id"`
		Questions []struct {
			ID      wire.ID `json:"id"`
			Answers []struct {
				ChoiceID wire.ID `json:"choice_id"`
				RowID    wire.ID `json:"row_id"`
				OtherID  wire.ID `json:"other_id"`
				Text     string  `json:"text"`
			} `json:"answers"`
		} `json:"questions"`
	} `json:"pages"`
}

// surveyDetails is GET /v3/surveys/{id}/details, fields we read.
type surveyDetails struct {
	ID    wire.ID `json:"id"`
	Title string  `json:"title"`
	Pages []struct {
		Questions []struct {
			ID       wire.ID `json:"id"`
			Family   string  `json:"family"`
			Subtype  string  `json:"subtype"`
			Headings []struct {
				Heading string `json:"heading"`
			} `json:"headings"`
			DisplayOptions *struct {
				DisplayType string `json:"display_type"`
			} `json:"display_options"`
			Answers struct {
				Rows    []option `json:"rows"`
				Choices []option `json:"choices"`
			} `json:"answers"`
		} `json:"questions"`
	} `json:"pages"`
}

type option struct {
	ID       wire.ID  `json:"id"`
	Text     string   `json:"text"`
	Position *float64 `json:"position"`
	Weight   *float64 `json:"weight"`
	IsNA     bool     `json:"is_na"` // the "N/A" column of a rating scale: no score
}

// survey is what Enrich keeps of a survey's details.
type survey struct {
	title     string
	questions map[string]*question
}

type question struct {
	heading     string
	family      string
	subtype     string
	displayType string
	rows        map[string]string // row id → plain text
	choices     map[string]int    // choice id → 0-based position on the scale (N/A left out)
	nChoices    int               // choices on the scale, N/A left out
	npsScale    bool              // a rating whose 11 choices are NPS's 0..10
}

// Enrich completes each record from the SurveyMonkey API. Records whose
// response is gone or not completed are dropped; if none is left the error
// wraps ErrIgnored. Any other failure fails the whole call with ErrUpstream.
func (d *decoder) Enrich(ctx context.Context, recs []feedback.Record) ([]feedback.Record, error) {
	out, err := wire.EnrichEach(ctx, recs, d.enrich)
	if err != nil {
		return nil, fmt.Errorf("surveymonkey: enrich: %w", err)
	}
	return out, nil
}

// enrich completes rec in place; ok=false (with why) drops it.
func (d *decoder) enrich(ctx context.Context, rec *feedback.Record) (ok bool, why string, err error) {
	surveyID, responseID := rec.Attributes["survey_id"], rec.Attributes["response_id"]
	if surveyID == "" || responseID == "" {
		return false, "", fmt.Errorf("%w: record %s has no survey_id or response_id attribute (not decoded by this connector)", connectors.ErrMalformed, rec.ID)
	}
	if d.token == "" {
		return false, "", fmt.Errorf("%w: no API token configured (sources.%s.api.token or CORRIDOR_API_TOKEN_<SOURCE>)", connectors.ErrUpstream, d.name)
	}

	var resp responseDetails
	path := "/v3/surveys/" + url.PathEscape(surveyID) + "/responses/" + url.PathEscape(responseID) + "/details"
	if err := d.api.GetJSON(ctx, d.baseURL+path, &resp); err != nil {
		return d.notFound(rec, "response "+responseID, err)
	}
	if st := strings.ToLower(strings.TrimSpace(resp.ResponseStatus)); st != "" && st != "completed" {
		return false, fmt.Sprintf("response %s is %s, not completed", responseID, st), nil
	}

	sv, err := d.survey(ctx, surveyID, &resp)
	if err != nil {
		return d.notFound(rec, "survey "+surveyID, err)
	}

	rec.Attributes = maps.Clone(rec.Attributes)
	applyAnswers(rec, sv, &resp)
	applyCustom(rec, resp.CustomVariables)
	if v := strings.TrimSpace(resp.CustomValue.Value); resp.CustomValue.Valid && v != "" && !strings.Contains(v, "@") {
		wire.SetAttr(rec, "custom_value", v)
	}
	wire.SetAttr(rec, "survey_title", sv.title)
	wire.SetAttr(rec, "response_status", strings.ToLower(strings.TrimSpace(resp.ResponseStatus)))
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(resp.DateModified)); err == nil {
		if u, ok, _ := wire.Instant(t); ok && u.Unix() > 0 {
			rec.OccurredAt = u
			rec.Version = u.Unix()
		}
	}
	return true, "", nil
}

// notFound passes errors other than a 404 through; a 404 is "deleted"
// (the record is dropped) only after the grace period, else a retryable
// error (not visible yet): see wire.NotFound.
func (d *decoder) notFound(rec *feedback.Record, what string, err error) (bool, string, error) {
	if !errors.Is(err, vendorapi.ErrNotFound) {
		return false, "", err
	}
	return wire.NotFound(err, what, d.now().Sub(rec.OccurredAt), d.grace)
}

// survey returns the survey's details from the cache, refetching when the
// response answers a question the cached copy does not know (the survey
// was edited).
func (d *decoder) survey(ctx context.Context, id string, resp *responseDetails) (*survey, error) {
	if sv, ok := d.surveys.Get(id); ok && sv.covers(resp) {
		return sv, nil
	}
	var det surveyDetails
	if err := d.api.GetJSON(ctx, d.baseURL+"/v3/surveys/"+url.PathEscape(id)+"/details", &det); err != nil {
		return nil, err
	}
	sv := newSurvey(&det)
	d.surveys.Put(id, sv)
	return sv, nil
}

func (s *survey) covers(resp *responseDetails) bool {
	for _, p := range resp.Pages {
		for _, q := range p.Questions {
			if _, ok := s.questions[q.ID.String()]; !ok {
				return false
			}
		}
	}
	return true
}

func newSurvey(det *surveyDetails) *survey {
	sv := &survey{title: vendorapi.PlainText(det.Title), questions: map[string]*question{}}
	for _, p := range det.Pages {
		for _, q := range p.Questions {
			id := q.ID.String()
			if id == "" {
				continue
			}
			qi := &question{
				family:  strings.ToLower(q.Family),
				subtype: strings.ToLower(q.Subtype),
				rows:    map[string]string{},
				choices: map[string]int{},
			}
			if len(q.Headings) > 0 {
				qi.heading = vendorapi.PlainText(q.Headings[0].Heading)
			}
			if q.DisplayOptions != nil {
				qi.displayType = strings.ToLower(q.DisplayOptions.DisplayType)
			}
			for _, r := range q.Answers.Rows {
				qi.rows[r.ID.String()] = vendorapi.PlainText(r.Text)
			}
			scale := slices.DeleteFunc(ordered(q.Answers.Choices), func(c option) bool { return c.IsNA })
			for i, c := range scale {
				qi.choices[c.ID.String()] = i
			}
			qi.nChoices = len(scale)
			qi.npsScale = qi.family == "matrix" && qi.subtype == "rating" && npsScale(qi.heading, scale)
			sv.questions[id] = qi
		}
	}
	return sv
}

// ordered sorts choices by position (stable; no position keeps the listed
// order), the order of the scale.
func ordered(opts []option) []option {
	out := append([]option(nil), opts...)
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].Position, out[j].Position
		return pi != nil && pj != nil && *pi < *pj
	})
	return out
}

// textual reports whether free text typed into q is feedback. Contact
// information (demographic), dates, numbers, sliders and file uploads are
// not; choice questions are only for their "other" comment.
func (q *question) textual() bool {
	switch q.family {
	case "open_ended":
		return q.subtype != "numerical" && q.displayType != "slider" && q.displayType != "file_upload"
	case "single_choice", "multiple_choice", "matrix":
		return true
	}
	return false
}

// nps reports whether q is a Net Promoter question: one SurveyMonkey
// types as such, or a matrix rating whose choices are NPS's 0..10
// (SurveyMonkey's question bank serves its NPS question that way).
func (q *question) nps() bool {
	return q.subtype == "nps" || q.displayType == "nps" || q.npsScale
}

// npsScale reports whether scale, in order, is NPS's 0..10: 11 choices
// whose weights are NPS's -100 (0-6), 0 (7-8) and 100 (9-10), or whose
// texts end in 0 to 10 under a heading that asks about recommending (a
// 0..10 satisfaction scale is no NPS).
func npsScale(heading string, scale []option) bool {
	if len(scale) != npsChoices {
		return false
	}
	byText, byWeight := true, true
	for i, c := range scale {
		fields := strings.Fields(vendorapi.PlainText(c.Text))
		byText = byText && len(fields) > 0 && fields[len(fields)-1] == strconv.Itoa(i)
		want := -100.0
		switch {
		case i >= 9:
			want = 100
		case i >= 7:
			want = 0
		}
		byWeight = byWeight && c.Weight != nil && *c.Weight == want
	}
	return byWeight || byText && strings.Contains(strings.ToLower(heading), "recommend")
}

// applyAnswers fills Text, Answers and Score.
func applyAnswers(rec *feedback.Record, sv *survey, resp *responseDetails) {
	var texts []string
	var answers []feedback.Answer
	var nps, rating *feedback.Score
	for _, p := range resp.Pages {
		for _, rq := range p.Questions {
			qid := rq.ID.String()
			q, ok := sv.questions[qid]
			if !ok {
				continue // unknown question: cannot tell contact data from feedback
			}
			for _, a := range rq.Answers {
				if text := strings.TrimSpace(a.Text); text != "" && q.textual() {
					if q.family != "open_ended" && a.OtherID == "" && a.ChoiceID != "" {
						continue // text on a choice that is not "other"
					}
					field, title := qid, q.heading
					if row := a.RowID.String(); row != "" {
						field += "_" + row
						if rt := q.rows[row]; rt != "" && q.family == "open_ended" {
							if title == "" {
								title = rt
							} else {
								title += " — " + rt
							}
						}
					}
					if a.OtherID != "" {
						field += "_other"
					}
					texts = append(texts, text)
					answers = append(answers, feedback.Answer{Field: field, Question: title, Text: text})
					continue
				}
				if a.ChoiceID == "" || (q.family != "matrix" && !q.nps()) {
					continue
				}
				pos, ok := q.choices[a.ChoiceID.String()]
				if !ok {
					continue
				}
				switch {
				case q.nps() && nps == nil && q.nChoices == npsChoices:
					nps, _ = feedback.NewScore(feedback.ScoreNPS, float64(pos), 0, 10)
				case !q.nps() && q.subtype == "rating" && rating == nil && q.nChoices >= 2 && q.nChoices <= maxRatingChoices:
					rating, _ = feedback.NewScore(feedback.ScoreRating, float64(pos+1), 1, float64(q.nChoices))
				}
			}
		}
	}
	rec.Text = wire.JoinText(texts...)
	rec.Answers = answers
	switch {
	case nps != nil:
		rec.Score = nps
	case rating != nil:
		rec.Score = rating
	}
}

// applyCustom maps custom variables onto the record like Typeform hidden
// fields: customer_id (else user_id), account_id, role, touchpoint, team,
// location and agent set those fields; others become custom.<name>
// attributes unless the name looks personal.
func applyCustom(rec *feedback.Record, raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return // absent, null, or the [] some APIs send for "none"
	}
	var vars map[string]wire.Scalar
	if json.Unmarshal(raw, &vars) != nil {
		return
	}
	custom := 0
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		v := vars[name]
		val := strings.TrimSpace(v.Value)
		if !v.Valid || val == "" {
			continue
		}
		switch key := strings.ToLower(name); {
		case key == "customer_id":
			rec.Customer.ID = val
		case key == "user_id":
			if rec.Customer.ID == "" { // customer_id sorts first and wins
				rec.Customer.ID = val
			}
		case wire.SetField(rec, key, val):
		case wire.Personal(name) || custom >= maxCustomAttrs:
		default:
			custom++
			wire.SetAttr(rec, "custom."+name, val)
		}
	}
}
