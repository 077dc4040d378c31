package formbricks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
	"github.com/corridorhq/corridor/connectors/internal/wire"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Type is the connector's type, folder name and default route segment.
const Type = "formbricks"

// Webhook triggers Formbricks sends.
const (
	EventResponseCreated  = "responseCreated"
	EventResponseUpdated  = "responseUpdated"
	EventResponseFinished = "responseFinished"
)

// NewFactory returns the Formbricks connector factory.
func NewFactory() connectors.Factory {
	return connectors.Factory{Type: Type, Kind: feedback.KindSurvey, New: newDecoder}
}

type decoder struct {
	name string
	opts options
	sv   stdwebhook.Verifier
}

var (
	_ connectors.Decoder  = (*decoder)(nil)
	_ connectors.Verifier = (*decoder)(nil)
	_ connectors.Signer   = (*decoder)(nil)
)

func newDecoder(cfg connectors.SourceConfig, set connectors.Settings) (connectors.Decoder, error) {
	opts, err := parseOptions(cfg.Options)
	if err != nil {
		return nil, fmt.Errorf("formbricks: %w", err)
	}
	sv, err := stdwebhook.New(cfg, set)
	if err != nil {
		return nil, fmt.Errorf("formbricks: %w", err)
	}
	return &decoder{name: wire.SourceName(set, Type), opts: opts, sv: sv}, nil
}

// item is one element of the body: {webhookId, event, data}.
type item struct {
	WebhookID wire.ID         `json:"webhookId"`
	Event     string          `json:"event"`
	Data      json.RawMessage `json:"data"`
}

// response is data: a Formbricks response.
type response struct {
	ID        wire.ID   `json:"id"`
	SurveyID  wire.ID   `json:"surveyId"`
	Finished  bool      `json:"finished"`
	Language  string    `json:"language"`
	CreatedAt wire.Time `json:"createdAt"`
	UpdatedAt wire.Time `json:"updatedAt"`
	Contact   *struct {
		ID     wire.ID `json:"id"`
		UserID wire.ID `json:"userId"`
	} `json:"contact"`
	ContactAttributes map[string]wire.Scalar `json:"contactAttributes"`
	Data              orderedObject          `json:"data"`
	Variables         map[string]wire.Scalar `json:"variables"`
	Tags              []tag                  `json:"tags"`
	SingleUseID       wire.ID                `json:"singleUseId"`
	Meta              struct {
		Country   string `json:"country"`
		UserAgent struct {
			Device string `json:"device"`
		} `json:"userAgent"`
	} `json:"meta"`
	Survey struct {
		Title string `json:"title"`
		Type  string `json:"type"`
	} `json:"survey"`

	// Releases from before Formbricks replaced people with contacts (still
	// run self-hosted) send the respondent as person, {id, userId} or
	// {id, attributes}, and the attributes as personAttributes. Each is
	// read only when its contact counterpart is absent; see legacyRespondent.
	Person           json.RawMessage `json:"person"`
	PersonAttributes json.RawMessage `json:"personAttributes"`
}

// legacyPerson is data.person of releases from before contacts.
type legacyPerson struct {
	ID         wire.ID         `json:"id"`
	UserID     wire.ID         `json:"userId"`
	Attributes json.RawMessage `json:"attributes"`
}

// legacyRespondent decodes data.person and the person attributes
// (personAttributes, else person.attributes). They are fallbacks only, so a
// shape other than the documented objects is ignored rather than failing a
// delivery that Formbricks does not retry: person is nil, attrs nil.
func legacyRespondent(r *response) (person *legacyPerson, attrs map[string]wire.Scalar) {
	var p legacyPerson
	if unmarshalObject(r.Person, &p) == nil {
		person = &p
	}
	attrs = attributes(r.PersonAttributes)
	if attrs == nil && person != nil {
		attrs = attributes(person.Attributes)
	}
	return person, attrs
}

// attributes decodes raw, a JSON object of attributes; anything else is nil.
func attributes(raw json.RawMessage) map[string]wire.Scalar {
	var m map[string]wire.Scalar
	if unmarshalObject(raw, &m) != nil {
		return nil
	}
	return m
}

// Decode turns each handled item of the body into one survey record.
func (d *decoder) Decode(_ context.Context, req connectors.Request) ([]feedback.Record, error) {
	recs, err := d.decode(req)
	if err != nil {
		return nil, fmt.Errorf("formbricks: decode: %w", err)
	}
	return recs, nil
}

func (d *decoder) decode(req connectors.Request) ([]feedback.Record, error) {
	var raw json.RawMessage
	if err := connectors.DecodeJSON(req, &raw); err != nil {
		return nil, err
	}
	items, batch, err := splitItems(raw)
	if err != nil {
		return nil, err
	}
	msgID := strings.TrimSpace(req.Header.Get(stdwebhook.IDHeader))
	var (
		recs    []feedback.Record
		skipped []string
	)
	for i, it := range items {
		where := ""
		if batch {
			where = fmt.Sprintf("[%d].", i)
		}
		rec, ok, err := d.decodeItem(req, it, where)
		if err != nil {
			return nil, err
		}
		if !ok {
			skipped = append(skipped, it.Event)
			continue
		}
		switch {
		case msgID != "" && len(items) == 1:
			rec.EventID = msgID
		case msgID != "":
			rec.EventID = msgID + "#" + strconv.Itoa(i)
		}
		recs = append(recs, rec)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%w: event %s", connectors.ErrIgnored, strings.Join(skipped, ", "))
	}
	return recs, nil
}

// splitItems accepts a JSON array of items or one bare item.
func splitItems(raw json.RawMessage) (items []item, batch bool, err error) {
	b := bytes.TrimSpace(raw)
	switch {
	case len(b) > 0 && b[0] == '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(b, &elems); err != nil {
			return nil, false, connectors.Malformedf("invalid JSON: %v", err)
		}
		if len(elems) == 0 {
			return nil, true, connectors.Malformedf("empty array")
		}
		items = make([]item, len(elems))
		for i, e := range elems {
			if err := unmarshalObject(e, &items[i]); err != nil {
				return nil, true, connectors.Malformedf("[%d]: %v", i, err)
			}
		}
		return items, true, nil
	case len(b) > 0 && b[0] == '{':
		var it item
		if err := json.Unmarshal(b, &it); err != nil {
			return nil, false, connectors.Malformedf("invalid JSON: %v", err)
		}
		return []item{it}, false, nil
	}
	return nil, false, connectors.Malformedf("body is not a JSON array or object")
}

// decodeItem returns ok=false for events that are not turned into records.
func (d *decoder) decodeItem(req connectors.Request, it item, where string) (feedback.Record, bool, error) {
	switch it.Event {
	case EventResponseCreated, EventResponseUpdated, EventResponseFinished:
	case "":
		return feedback.Record{}, false, connectors.Malformedf("%sevent missing", where)
	default:
		return feedback.Record{}, false, nil
	}
	var r response
	err := errors.New("missing")
	if data := bytes.TrimSpace(it.Data); len(data) > 0 && string(data) != "null" {
		err = unmarshalObject(data, &r)
	}
	if it.Event == EventResponseCreated && (err != nil || !r.Finished) {
		// A response created already finished (a one-question survey) is
		// complete; any other is decoded from its responseUpdated and
		// responseFinished deliveries.
		return feedback.Record{}, false, nil
	}
	if err != nil {
		return feedback.Record{}, false, connectors.Malformedf("%sdata: %v", where, err)
	}
	if r.ID == "" {
		return feedback.Record{}, false, connectors.Malformedf("%sdata.id missing", where)
	}

	rec := feedback.New(d.name, feedback.KindSurvey, r.ID.String())
	rec.ReceivedAt = req.ReceivedAt
	created, createdOK, err := wire.Instant(r.CreatedAt.Time)
	if err != nil {
		return feedback.Record{}, false, connectors.Malformedf("%sdata.createdAt: %v", where, err)
	}
	updated, updatedOK, err := wire.Instant(r.UpdatedAt.Time)
	if err != nil {
		return feedback.Record{}, false, connectors.Malformedf("%sdata.updatedAt: %v", where, err)
	}
	// occurred_at: when the response was started (stable across versions).
	// version: when it last changed, so later deliveries win.
	switch {
	case createdOK:
		rec.OccurredAt = created
	case updatedOK:
		rec.OccurredAt = updated
	default:
		rec.OccurredAt = req.ReceivedAt
	}
	switch {
	case updatedOK:
		rec.Version = version(updated)
	case createdOK:
		rec.Version = version(created)
	}
	rec.EventID = fmt.Sprintf("%s:%s@%d", it.Event, r.ID, rec.Version)

	if err := d.answers(&rec, r.Data, where); err != nil {
		return feedback.Record{}, false, err
	}

	person, personAttrs := legacyRespondent(&r)
	switch {
	case r.Contact != nil:
		rec.Customer.ID = r.Contact.ID.String()
		wire.SetAttr(&rec, "contact.user_id", r.Contact.UserID.String())
	case person != nil:
		rec.Customer.ID = person.ID.String()
		wire.SetAttr(&rec, "contact.user_id", person.UserID.String())
	}
	// Person attributes are contact attributes under their older name.
	attrs := r.ContactAttributes
	if attrs == nil {
		attrs = personAttrs
	}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if v := attrs[k]; v.Valid && !wire.Personal(k) {
			wire.SetAttr(&rec, "contact."+k, strings.TrimSpace(v.Value))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Variables)) {
		if v := r.Variables[k]; v.Valid && !wire.Personal(k) {
			wire.SetAttr(&rec, "variable."+k, strings.TrimSpace(v.Value))
		}
	}
	wire.SetAttr(&rec, "survey_id", r.SurveyID.String())
	wire.SetAttr(&rec, "survey_title", strings.TrimSpace(r.Survey.Title))
	wire.SetAttr(&rec, "survey_type", strings.TrimSpace(r.Survey.Type))
	wire.SetAttr(&rec, "single_use_id", r.SingleUseID.String())
	wire.SetAttr(&rec, "country", strings.TrimSpace(r.Meta.Country))
	wire.SetAttr(&rec, "device", strings.TrimSpace(r.Meta.UserAgent.Device))
	if lang := strings.TrimSpace(r.Language); lang != "default" {
		wire.SetAttr(&rec, "language", lang)
	}
	var tags []string
	for _, t := range r.Tags {
		if t != "" {
			tags = append(tags, string(t))
		}
	}
	wire.SetAttr(&rec, "tags", strings.Join(tags, ","))
	wire.SetAttr(&rec, "finished", strconv.FormatBool(r.Finished))
	return rec, true, nil
}

// version is t in Unix seconds, at least 1.
func version(t time.Time) int64 {
	return max(t.Unix(), 1)
}

// Markers are the fixed string values Formbricks stores for call-to-action,
// consent and scheduling questions; they are not free text.
var markers = map[string]bool{"clicked": true, "dismissed": true, "accepted": true, "booked": true}

// answers fills Text, Answers, Score and the answer.<id> attributes from
// data.data; see README.
func (d *decoder) answers(rec *feedback.Record, data orderedObject, where string) error {
	var texts []string
	numbers := map[string]float64{}
	literal := map[string]string{}
	for _, f := range data {
		qid := strings.TrimSpace(f.key)
		if qid == "" || wire.Personal(qid) {
			continue // hidden fields such as email share data.data; never copy them
		}
		v := bytes.TrimSpace(f.value)
		if len(v) == 0 {
			continue
		}
		switch c := v[0]; {
		case c == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return connectors.Malformedf("%sdata.data.%s: %v", where, qid, err)
			}
			s = strings.TrimSpace(s)
			switch {
			case s == "":
			case d.isText(qid, s):
				texts = append(texts, s)
				rec.Answers = append(rec.Answers, feedback.Answer{Field: qid, Text: s})
			case markers[strings.ToLower(s)] || isDate(s):
				wire.SetAttr(rec, "answer."+qid, s)
			}
		case c == '-' || (c >= '0' && c <= '9'):
			n, err := strconv.ParseFloat(string(v), 64)
			if err != nil || math.IsInf(n, 0) {
				return connectors.Malformedf("%sdata.data.%s: number %.40s out of range", where, qid, v)
			}
			if err := d.checkScore(qid, n); err != nil {
				return connectors.Malformedf("%sdata.data.%s: %v", where, qid, err)
			}
			if _, dup := numbers[qid]; !dup {
				numbers[qid] = n
				literal[qid] = string(v)
			}
		}
		// Booleans, arrays (multiple choice, ranking, contact info,
		// address, file uploads) and objects (matrix) are not decoded.
	}
	rec.Text = wire.JoinText(texts...)

	scored := ""
	for _, q := range d.opts.nps {
		if _, ok := numbers[q]; ok {
			scored = q
			break
		}
	}
	if scored == "" {
		for _, r := range d.opts.ratings {
			if _, ok := numbers[r.id]; ok {
				scored = r.id
				break
			}
		}
	}
	if scored != "" {
		rec.Score, _ = d.score(scored, numbers[scored]) // checked above
		wire.SetAttr(rec, "score_question", scored)
	}
	for qid := range numbers {
		if qid != scored {
			wire.SetAttr(rec, "answer."+qid, literal[qid])
		}
	}
	return nil
}

func (d *decoder) isText(qid, s string) bool {
	if d.opts.text != nil {
		return d.opts.text[qid]
	}
	return !markers[strings.ToLower(s)] && !isDate(s)
}

// isDate reports whether s is a date answer (YYYY-MM-DD).
func isDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// score returns the score of a configured question, nil otherwise.
func (d *decoder) score(qid string, v float64) (*feedback.Score, error) {
	if d.opts.isNPS(qid) {
		s, err := feedback.NewScore(feedback.ScoreNPS, v, 0, 10)
		if err != nil {
			return nil, fmt.Errorf("nps score: %w", err)
		}
		return s, nil
	}
	if hi, ok := d.opts.ratingMax(qid); ok {
		s, err := feedback.NewScore(feedback.ScoreRating, v, 1, float64(hi))
		if err != nil {
			return nil, fmt.Errorf("rating score: %w", err)
		}
		return s, nil
	}
	return nil, nil
}

func (d *decoder) checkScore(qid string, v float64) error {
	_, err := d.score(qid, v)
	return err
}

// orderedObject is a JSON object whose members keep their document order
// (answers in the order they were given); a repeated key keeps its first
// value. null decodes to an empty object.
type orderedObject []member

type member struct {
	key   string
	value json.RawMessage
}

// UnmarshalJSON reads an object member by member.
func (o *orderedObject) UnmarshalJSON(b []byte) error {
	*o = nil
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return errors.New("want an object")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("want an object key")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if !seen[key] {
			seen[key] = true
			*o = append(*o, member{key: key, value: v})
		}
	}
	_, err = dec.Token()
	return err
}

// tag is a response tag, sent as {id, name, …} or as a plain name.
type tag string

// UnmarshalJSON accepts a string, an object with a name, or null.
func (t *tag) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*t = ""
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = tag(strings.TrimSpace(s))
	case len(b) > 0 && b[0] == '{':
		var v struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*t = tag(strings.TrimSpace(v.Name))
	case bytes.Equal(b, []byte("null")):
	default:
		return errors.New("tag: want a string or an object")
	}
	return nil
}

// unmarshalObject decodes raw into v, which must be a JSON object.
func unmarshalObject(raw json.RawMessage, v any) error {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("want an object")
	}
	return json.Unmarshal(b, v)
}
