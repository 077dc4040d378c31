package formbricks

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Question ids the fixtures use.
const (
	npsQ    = "kx4vq2l9mfz3dj8c1wn0ab7e"
	whyQ    = "r8b2m0c6yq1t5hz9ke4d7wfa"
	ratingQ = "ease_of_setup"
)

// withOptions is the source configuration of the fixtures: one NPS
// question and one 1..7 rating question.
func withOptions(cfg *connectors.SourceConfig) {
	cfg.Options = map[string]string{
		OptionNPSQuestions:    npsQ,
		OptionRatingQuestions: ratingQ + ":7",
	}
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory(), connectortest.WithConfig(withOptions))
}

func newTestDecoder(t *testing.T, opts map[string]string) connectors.Decoder {
	t.Helper()
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: []string{connectortest.Secret}, Options: opts}, connectortest.Settings(Type))
	require.NoError(t, err)
	return d
}

var fixtureOptions = map[string]string{OptionNPSQuestions: npsQ, OptionRatingQuestions: ratingQ + ":7"}

// decode decodes body (a JSON value) with opts and an optional webhook-id.
func decode(t *testing.T, opts map[string]string, body any, msgID string) ([]feedback.Record, error) {
	t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		b, err = json.Marshal(body)
		require.NoError(t, err)
	}
	req := connectortest.NewRequest(b)
	if msgID != "" {
		req.Header.Set(stdwebhook.IDHeader, msgID)
	}
	recs, err := newTestDecoder(t, opts).Decode(t.Context(), req)
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		return nil, err
	}
	connectortest.CheckRecords(t, recs)
	return recs, nil
}

// respData builds a data object; edit changes it.
func respData(edit func(data, answers map[string]any)) map[string]any {
	answers := map[string]any{npsQ: 8, whyQ: "Setup was quick"}
	data := map[string]any{
		"id": "resp_1", "surveyId": "srv_1", "finished": true,
		"createdAt": "2025-03-02T10:00:01.000Z", "updatedAt": "2025-03-02T10:01:12.000Z",
		"contact": map[string]any{"id": "ct_1"}, "data": answers,
	}
	if edit != nil {
		edit(data, answers)
	}
	return data
}

func delivery(event string, data any) map[string]any {
	return map[string]any{"webhookId": "wh_1", "event": event, "data": data}
}

func TestDecodeArrayAndBareObject(t *testing.T) {
	arr, err := decode(t, fixtureOptions, []any{delivery(EventResponseFinished, respData(nil))}, "msg_1")
	require.NoError(t, err)
	bare, err := decode(t, fixtureOptions, delivery(EventResponseFinished, respData(nil)), "msg_1")
	require.NoError(t, err)
	assert.Equal(t, arr, bare, "the array and the bare object decode alike")
	require.Len(t, arr, 1)
	r := arr[0]
	assert.Equal(t, feedback.NewID(Type, "resp_1"), r.ID)
	assert.Equal(t, "msg_1", r.EventID)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 1, 0, time.UTC), r.OccurredAt)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC).Unix(), r.Version)
	assert.Equal(t, "ct_1", r.Customer.ID)
	assert.Equal(t, "Setup was quick", r.Text)
	assert.Equal(t, []feedback.Answer{{Field: whyQ, Text: "Setup was quick"}}, r.Answers)
	require.NotNil(t, r.Score)
	assert.Equal(t, feedback.ScoreNPS, r.Score.Type)
	assert.Equal(t, feedback.NPSPassive, r.Score.NPSCategory)
	assert.Equal(t, map[string]string{"survey_id": "srv_1", "score_question": npsQ, "finished": "true"}, r.Attributes)
}

func TestDecodeEvents(t *testing.T) {
	unfinished := respData(func(data, _ map[string]any) { data["finished"] = false })
	tests := []struct {
		name    string
		body    any
		records int
		wantErr error
		message string
	}{
		{"finished", delivery(EventResponseFinished, respData(nil)), 1, nil, ""},
		{"updated, unfinished", delivery(EventResponseUpdated, unfinished), 1, nil, ""},
		{"created, finished", delivery(EventResponseCreated, respData(nil)), 1, nil, ""},
		{"created, unfinished", delivery(EventResponseCreated, unfinished), 0, connectors.ErrIgnored, "responseCreated"},
		{"created with bad data is ignored too", delivery(EventResponseCreated, "x"), 0, connectors.ErrIgnored, ""},
		{"unknown event", delivery("responseDeleted", respData(nil)), 0, connectors.ErrIgnored, "responseDeleted"},
		{"batch: skips unhandled items", []any{delivery(EventResponseCreated, unfinished), delivery(EventResponseFinished, respData(nil))}, 1, nil, ""},
		{"batch: two records", []any{delivery(EventResponseUpdated, unfinished), delivery(EventResponseFinished, respData(nil))}, 2, nil, ""},
		{"batch: nothing handled", []any{delivery(EventResponseCreated, unfinished), delivery("ping", nil)}, 0, connectors.ErrIgnored, "responseCreated, ping"},
		{"batch: one malformed item fails all", []any{delivery(EventResponseFinished, respData(nil)), delivery(EventResponseFinished, map[string]any{})}, 0, connectors.ErrMalformed, "[1].data.id missing"},
		{"missing event", map[string]any{"data": respData(nil)}, 0, connectors.ErrMalformed, "event missing"},
		{"missing event in batch", []any{map[string]any{"data": respData(nil)}}, 0, connectors.ErrMalformed, "[0].event missing"},
		{"missing data", delivery(EventResponseFinished, nil), 0, connectors.ErrMalformed, "data: missing"},
		{"data not an object", delivery(EventResponseFinished, []any{}), 0, connectors.ErrMalformed, "data: want an object"},
		{"missing id", delivery(EventResponseFinished, respData(func(data, _ map[string]any) { delete(data, "id") })), 0, connectors.ErrMalformed, "data.id missing"},
		{"item not an object", []any{"x"}, 0, connectors.ErrMalformed, "[0]: want an object"},
		{"empty array", []any{}, 0, connectors.ErrMalformed, "empty array"},
		{"bad createdAt", delivery(EventResponseFinished, respData(func(data, _ map[string]any) { data["createdAt"] = "yesterday" })), 0, connectors.ErrMalformed, "RFC 3339"},
		{"bad tag", delivery(EventResponseFinished, respData(func(data, _ map[string]any) { data["tags"] = []any{1} })), 0, connectors.ErrMalformed, "tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := decode(t, fixtureOptions, tt.body, "")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.ErrorContains(t, err, tt.message)
				assert.ErrorContains(t, err, "formbricks: decode")
				return
			}
			require.NoError(t, err)
			assert.Len(t, recs, tt.records)
		})
	}
}

func TestDecodeVersionsOfOneResponse(t *testing.T) {
	updated := respData(func(data, answers map[string]any) {
		data["finished"] = false
		data["updatedAt"] = "2025-03-02T10:00:30.000Z"
		delete(answers, whyQ)
	})
	a, err := decode(t, fixtureOptions, []any{delivery(EventResponseUpdated, updated)}, "msg_a")
	require.NoError(t, err)
	b, err := decode(t, fixtureOptions, []any{delivery(EventResponseFinished, respData(nil))}, "msg_b")
	require.NoError(t, err)
	assert.Equal(t, a[0].ID, b[0].ID, "one record per response")
	assert.Less(t, a[0].Version, b[0].Version, "the finished state wins")
	assert.Equal(t, a[0].OccurredAt, b[0].OccurredAt, "occurred_at is the start, stable across versions")
	assert.Empty(t, a[0].Text)
	assert.Equal(t, "false", a[0].Attributes["finished"])
}

func TestDecodeEventIDs(t *testing.T) {
	one := []any{delivery(EventResponseFinished, respData(nil))}
	recs, err := decode(t, fixtureOptions, one, "")
	require.NoError(t, err)
	assert.Equal(t, "responseFinished:resp_1@1740909672", recs[0].EventID, "without webhook-id")

	two := []any{delivery(EventResponseUpdated, respData(nil)), delivery(EventResponseFinished, respData(nil))}
	recs, err = decode(t, fixtureOptions, two, "msg_9")
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, "msg_9#0", recs[0].EventID)
	assert.Equal(t, "msg_9#1", recs[1].EventID)
}

func TestDecodeAnswers(t *testing.T) {
	tests := []struct {
		name      string
		opts      map[string]string
		answers   map[string]any
		wantText  string
		wantScore *feedback.Score
		wantAttrs map[string]string
		wantErr   string
	}{
		{
			name:      "no options: strings are text, numbers attributes",
			answers:   map[string]any{"q1": 9, "q2": "Love it"},
			wantText:  "Love it",
			wantAttrs: map[string]string{"answer.q1": "9"},
		},
		{
			name:      "nps wins over rating",
			opts:      map[string]string{OptionNPSQuestions: "n", OptionRatingQuestions: "r"},
			answers:   map[string]any{"r": 4, "n": 10},
			wantScore: &feedback.Score{Value: 10, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 1, NPSCategory: feedback.NPSPromoter},
			wantAttrs: map[string]string{"answer.r": "4", "score_question": "n"},
		},
		{
			name:      "rating when nps unanswered",
			opts:      map[string]string{OptionNPSQuestions: "n", OptionRatingQuestions: "r"},
			answers:   map[string]any{"r": 4},
			wantScore: &feedback.Score{Value: 4, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.75},
			wantAttrs: map[string]string{"score_question": "r"},
		},
		{
			name:      "first configured nps question wins",
			opts:      map[string]string{OptionNPSQuestions: "n2, n1"},
			answers:   map[string]any{"n1": 3, "n2": 6},
			wantScore: &feedback.Score{Value: 6, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.6, NPSCategory: feedback.NPSDetractor},
			wantAttrs: map[string]string{"answer.n1": "3", "score_question": "n2"},
		},
		{
			name:      "rating with a max",
			opts:      map[string]string{OptionRatingQuestions: "r:10"},
			answers:   map[string]any{"r": 10},
			wantScore: &feedback.Score{Value: 10, Min: 1, Max: 10, Type: feedback.ScoreRating, Normalized: 1},
			wantAttrs: map[string]string{"score_question": "r"},
		},
		{
			name:    "nps out of range",
			opts:    map[string]string{OptionNPSQuestions: "n"},
			answers: map[string]any{"n": 11},
			wantErr: "data.data.n: nps score: value 11 outside 0..10",
		},
		{
			name:    "rating out of range, even when not the score",
			opts:    map[string]string{OptionNPSQuestions: "n", OptionRatingQuestions: "r"},
			answers: map[string]any{"n": 5, "r": 0},
			wantErr: "data.data.r: rating score: value 0 outside 1..5",
		},
		{
			name:      "a string in an nps question is not a score",
			opts:      map[string]string{OptionNPSQuestions: "n"},
			answers:   map[string]any{"n": "9"},
			wantText:  "9",
			wantAttrs: map[string]string{},
		},
		{
			name:      "markers and dates are attributes, not text",
			answers:   map[string]any{"cta": "clicked", "consent": "accepted", "when": "2025-03-14", "cal": "booked", "skip": "Dismissed", "why": "Too slow"},
			wantText:  "Too slow",
			wantAttrs: map[string]string{"answer.cta": "clicked", "answer.consent": "accepted", "answer.when": "2025-03-14", "answer.cal": "booked", "answer.skip": "Dismissed"},
		},
		{
			name:      "text_questions restricts text; other strings dropped",
			opts:      map[string]string{OptionTextQuestions: "why"},
			answers:   map[string]any{"why": "Too slow", "choice": "Pricing", "cta": "clicked"},
			wantText:  "Too slow",
			wantAttrs: map[string]string{"answer.cta": "clicked"},
		},
		{
			name:      "personal keys, arrays, objects, booleans, blanks are skipped",
			answers:   map[string]any{"email": "a@example.com", "phone": "0123", "contact": []any{"Ana", "Lopez"}, "matrix": map[string]any{"row": "col"}, "ok": true, "blank": "  ", "nil": nil},
			wantAttrs: map[string]string{},
		},
		{
			name:    "number out of float range",
			answers: map[string]any{"q": json.RawMessage("1e400")},
			wantErr: "data.data.q: number 1e400 out of range",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := respData(nil)
			data["data"] = tt.answers
			recs, err := decode(t, tt.opts, delivery(EventResponseFinished, data), "msg_1")
			if tt.wantErr != "" {
				require.ErrorIs(t, err, connectors.ErrMalformed)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			r := recs[0]
			assert.Equal(t, tt.wantText, r.Text)
			assert.Equal(t, tt.wantScore, r.Score)
			attrs := map[string]string{}
			for k, v := range r.Attributes {
				if k != "survey_id" && k != "finished" {
					attrs[k] = v
				}
			}
			assert.Equal(t, tt.wantAttrs, attrs)
		})
	}
}

func TestDecodeTextKeepsAnswerOrder(t *testing.T) {
	body := []byte(`{"event":"responseFinished","data":{"id":"r","data":{"zz":"first","aa":"second","mm":"third","aa":"duplicate"}}}`)
	recs, err := decode(t, nil, body, "msg_1")
	require.NoError(t, err)
	assert.Equal(t, "first\nsecond\nthird", recs[0].Text)
	assert.Equal(t, []feedback.Answer{{Field: "zz", Text: "first"}, {Field: "aa", Text: "second"}, {Field: "mm", Text: "third"}}, recs[0].Answers)
}

func TestDecodeContactAndExtras(t *testing.T) {
	data := respData(func(data, _ map[string]any) {
		data["contact"] = map[string]any{"id": "ct_9", "userId": 4821}
		data["contactAttributes"] = map[string]any{"email": "x@example.com", "First Name": "X", "plan": "pro", "seats": 40, "nested": map[string]any{}}
		data["variables"] = map[string]any{"segment": "smb"}
		data["language"] = "default"
		data["meta"] = map[string]any{"country": "FR", "url": "https://example.com/?email=x@example.com", "userAgent": map[string]any{"device": "phone"}}
		data["tags"] = []any{"a", map[string]any{"name": "b"}, nil, " "}
		data["survey"] = map[string]any{"title": "Pulse", "type": "link"}
		data["singleUseId"] = "su_1"
	})
	recs, err := decode(t, fixtureOptions, delivery(EventResponseFinished, data), "msg_1")
	require.NoError(t, err)
	r := recs[0]
	assert.Equal(t, "ct_9", r.Customer.ID)
	assert.Equal(t, map[string]string{
		"contact.user_id": "4821", "contact.plan": "pro", "contact.seats": "40",
		"variable.segment": "smb", "country": "FR", "device": "phone", "tags": "a,b",
		"survey_id": "srv_1", "survey_title": "Pulse", "survey_type": "link", "single_use_id": "su_1",
		"score_question": npsQ, "finished": "true",
	}, r.Attributes, "no language attribute for \"default\", no url, no personal contact attributes")
}

// TestDecodeRespondent covers data.contact and, for releases from before
// contacts, data.person and personAttributes: the customer id and the
// contact.* attributes come from whichever is present, with the same
// filtering of personal keys.
func TestDecodeRespondent(t *testing.T) {
	legacyAttrs := map[string]any{"email": "x@example.com", "userId": "usr_77", "Last Name": "X", "plan": "pro", "seats": 12, "nested": map[string]any{"a": "b"}}
	tests := []struct {
		name     string
		edit     func(data map[string]any)
		wantID   string
		wantAttr map[string]string // contact.* attributes
	}{
		{
			name:     "contact",
			edit:     func(data map[string]any) { data["contact"] = map[string]any{"id": "ct_9", "userId": "usr_9"} },
			wantID:   "ct_9",
			wantAttr: map[string]string{"contact.user_id": "usr_9"},
		},
		{
			name:     "anonymous: contact null",
			edit:     func(data map[string]any) { data["contact"] = nil },
			wantAttr: map[string]string{},
		},
		{
			name: "2023 person with attributes, and personAttributes",
			edit: func(data map[string]any) {
				delete(data, "contact")
				data["person"] = map[string]any{"id": "pe_1", "attributes": legacyAttrs}
				data["personAttributes"] = legacyAttrs
			},
			wantID:   "pe_1",
			wantAttr: map[string]string{"contact.userId": "usr_77", "contact.plan": "pro", "contact.seats": "12"},
		},
		{
			name: "person {id, userId} and personAttributes",
			edit: func(data map[string]any) {
				delete(data, "contact")
				data["person"] = map[string]any{"id": "pe_2", "userId": "usr_2"}
				data["personAttributes"] = map[string]any{"plan": "team", "Email": "y@example.com"}
			},
			wantID:   "pe_2",
			wantAttr: map[string]string{"contact.user_id": "usr_2", "contact.plan": "team"},
		},
		{
			name: "person attributes only",
			edit: func(data map[string]any) {
				delete(data, "contact")
				data["person"] = map[string]any{"id": "pe_3", "attributes": map[string]any{"plan": "free", "phone": "0123"}}
			},
			wantID:   "pe_3",
			wantAttr: map[string]string{"contact.plan": "free"},
		},
		{
			name: "personAttributes win over person.attributes",
			edit: func(data map[string]any) {
				delete(data, "contact")
				data["person"] = map[string]any{"id": "pe_4", "attributes": map[string]any{"plan": "old"}}
				data["personAttributes"] = map[string]any{"plan": "new"}
			},
			wantID:   "pe_4",
			wantAttr: map[string]string{"contact.plan": "new"},
		},
		{
			name: "anonymous legacy: person and personAttributes null",
			edit: func(data map[string]any) {
				delete(data, "contact")
				data["person"] = nil
				data["personAttributes"] = nil
			},
			wantAttr: map[string]string{},
		},
		{
			name: "contact wins over person",
			edit: func(data map[string]any) {
				data["contact"] = map[string]any{"id": "ct_5"}
				data["contactAttributes"] = map[string]any{"plan": "contact"}
				data["person"] = map[string]any{"id": "pe_5", "userId": "usr_5"}
				data["personAttributes"] = map[string]any{"plan": "person"}
			},
			wantID:   "ct_5",
			wantAttr: map[string]string{"contact.plan": "contact"},
		},
		{
			name: "empty contactAttributes are not replaced",
			edit: func(data map[string]any) {
				data["contactAttributes"] = map[string]any{}
				data["personAttributes"] = map[string]any{"plan": "person"}
			},
			wantID:   "ct_1",
			wantAttr: map[string]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := respData(func(data, _ map[string]any) { tt.edit(data) })
			recs, err := decode(t, fixtureOptions, delivery(EventResponseFinished, data), "msg_1")
			require.NoError(t, err)
			require.Len(t, recs, 1)
			assert.Equal(t, tt.wantID, recs[0].Customer.ID)
			assert.Equal(t, tt.wantAttr, contactAttrs(recs[0]))
		})
	}

	// The legacy fields are fallbacks: another shape is ignored, never
	// ErrMalformed (Formbricks does not retry a refused delivery).
	odd := []struct {
		name, person string
		wantID       string
		wantAttr     map[string]string
	}{
		{"person a string", `"pe_1"`, "", map[string]string{}},
		{"person.id an object", `{"id":{}}`, "", map[string]string{}},
		{"person without ids", `{"attributes":{"plan":"pro"}}`, "", map[string]string{"contact.plan": "pro"}},
		{"personAttributes a list", `null,"personAttributes":["plan"]`, "", map[string]string{}},
		{"person.attributes a list", `{"id":"pe_1","attributes":["plan"]}`, "pe_1", map[string]string{}},
		{"personAttributes a list, person.attributes used", `{"id":"pe_1","attributes":{"plan":"pro"}},"personAttributes":"x"`, "pe_1", map[string]string{"contact.plan": "pro"}},
	}
	for _, tt := range odd {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(`{"event":"responseFinished","data":{"id":"r","data":{"q":"text"},"person":` + tt.person + `}}`)
			recs, err := decode(t, nil, body, "msg_1")
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, recs[0].Customer.ID)
			assert.Equal(t, tt.wantAttr, contactAttrs(recs[0]))
		})
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		opts    map[string]string
		wantErr string
	}{
		{map[string]string{OptionNPSQuestions: "a, b", OptionRatingQuestions: "c, d:10", OptionTextQuestions: "e"}, ""},
		{map[string]string{"nps_question": "a"}, "options.nps_question: unknown option"},
		{map[string]string{OptionRatingQuestions: "c:1"}, "max must be an integer 2..100"},
		{map[string]string{OptionRatingQuestions: "c:x"}, "max must be an integer"},
		{map[string]string{OptionRatingQuestions: ":5"}, "empty question id"},
		{map[string]string{OptionNPSQuestions: "a", OptionRatingQuestions: "a"}, `"a" is listed in both`},
	}
	for _, tt := range tests {
		_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: tt.opts}, connectors.Settings{})
		if tt.wantErr == "" {
			assert.NoError(t, err, "%v", tt.opts)
			continue
		}
		assert.ErrorContains(t, err, tt.wantErr, "%v", tt.opts)
		assert.ErrorContains(t, err, "formbricks:")
	}
	_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: []string{"whsec_%%%"}}, connectors.Settings{})
	require.ErrorContains(t, err, "formbricks: secrets[0]")
}

// contactAttrs returns the contact.* attributes of rec.
func contactAttrs(rec feedback.Record) map[string]string {
	got := map[string]string{}
	for k, v := range rec.Attributes {
		if strings.HasPrefix(k, "contact.") {
			got[k] = v
		}
	}
	return got
}
