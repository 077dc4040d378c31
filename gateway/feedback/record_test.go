package feedback_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/gateway/feedback"
)

func fullRecord(t *testing.T) feedback.Record {
	t.Helper()
	r := feedback.New("typeform", feedback.KindSurvey, "resp-1")
	r.OccurredAt = time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC)
	r.ReceivedAt = r.OccurredAt.Add(time.Minute)
	r.Customer = feedback.Customer{ID: "cust-1", AccountID: "acme", Role: feedback.RoleBuyer}
	r.Touchpoint, r.Team, r.Location, r.Agent = "onboarding", "emea", "leeds", "agent-7"
	s, err := feedback.NewScore(feedback.ScoreNPS, 3, 0, 10)
	require.NoError(t, err)
	r.Score = s
	r.Apply(feedback.Analysis{
		Text:      "Checkout keeps timing out, mail [EMAIL]",
		Language:  "en",
		Themes:    []feedback.Theme{{ID: "checkout", Label: "Checkout", Confidence: 0.8, Sentiment: &feedback.Sentiment{Score: -0.4, Label: "negative"}, Matches: []feedback.Match{{Text: "Checkout", Start: 0, End: 8}}}},
		Sentiment: &feedback.Sentiment{Score: -0.4, Label: "negative"},
		PII:       map[string]int{"email": 1},
	})
	r.Answers = []feedback.Answer{{Field: "why", Question: "Why?", Text: "Checkout keeps timing out"}}
	r.Attributes = map[string]string{"form_id": "aBc123"}
	return r
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(feedback.SchemaJSON))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("record.v1.schema.json", doc))
	s, err := c.Compile("record.v1.schema.json")
	require.NoError(t, err)
	return s
}

func TestRecordMatchesJSONSchema(t *testing.T) {
	schema := compileSchema(t)
	minimal := feedback.New("zendesk", feedback.KindTicket, "ev-1")
	minimal.OccurredAt = time.Now().UTC()
	minimal.ReceivedAt = minimal.OccurredAt
	for name, r := range map[string]feedback.Record{"full": fullRecord(t), "minimal": minimal} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, r.Validate())
			b, err := json.Marshal(r)
			require.NoError(t, err)
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			require.NoError(t, err)
			require.NoError(t, schema.Validate(v), "%s", b)
		})
	}
}

func TestSchemaRejectsContractBreaks(t *testing.T) {
	schema := compileSchema(t)
	base, err := json.Marshal(fullRecord(t))
	require.NoError(t, err)
	for name, mutate := range map[string]func(m map[string]any){
		"missing id":       func(m map[string]any) { delete(m, "id") },
		"bad kind":         func(m map[string]any) { m["kind"] = "tweet" },
		"bad role":         func(m map[string]any) { m["customer"].(map[string]any)["role"] = "ceo" },
		"unknown field":    func(m map[string]any) { m["extra"] = 1 },
		"score over 1":     func(m map[string]any) { m["score"].(map[string]any)["normalized"] = 1.5 },
		"sentiment range":  func(m map[string]any) { m["sentiment"].(map[string]any)["score"] = -2 },
		"non-string attrs": func(m map[string]any) { m["attributes"].(map[string]any)["n"] = 3 },
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(base, &m))
			mutate(m)
			b, _ := json.Marshal(m)
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			require.NoError(t, err)
			assert.Error(t, schema.Validate(v))
		})
	}
}

func TestNewIDIsDeterministicAndSourceScoped(t *testing.T) {
	a := feedback.NewID("typeform", "resp-1")
	assert.Equal(t, a, feedback.NewID("typeform", "resp-1"))
	assert.NotEqual(t, a, feedback.NewID("delighted", "resp-1"))
	assert.NotEqual(t, feedback.NewID("a", "bc"), feedback.NewID("ab", "c"), "source and id are separated")
	assert.Regexp(t, `^fb_[0-9a-f]{32}$`, a)
}

func TestKeyPrefersCustomerThenAccountThenID(t *testing.T) {
	r := feedback.New("s", feedback.KindSurvey, "x")
	assert.Equal(t, r.ID, r.Key())
	r.Customer.AccountID = "acme"
	assert.Equal(t, "acme", r.Key())
	r.Customer.ID = "c1"
	assert.Equal(t, "c1", r.Key())
}

func TestNewScore(t *testing.T) {
	tests := []struct {
		typ       feedback.ScoreType
		v, lo, hi float64
		norm      float64
		cat       string
		wantErr   bool
	}{
		{feedback.ScoreNPS, 10, 0, 10, 1, "promoter", false},
		{feedback.ScoreNPS, 9, 0, 10, 0.9, "promoter", false},
		{feedback.ScoreNPS, 8, 0, 10, 0.8, "passive", false},
		{feedback.ScoreNPS, 7, 0, 10, 0.7, "passive", false},
		{feedback.ScoreNPS, 6, 0, 10, 0.6, "detractor", false},
		{feedback.ScoreNPS, 0, 0, 10, 0, "detractor", false},
		{feedback.ScoreRating, 4, 1, 5, 0.75, "", false},
		{feedback.ScoreCSAT, 0, 0, 1, 0, "", false},
		{feedback.ScoreNPS, 11, 0, 10, 0, "", true},
		{feedback.ScoreRating, 3, 5, 5, 0, "", true},
		{"stars", 3, 1, 5, 0, "", true},
	}
	for _, tt := range tests {
		s, err := feedback.NewScore(tt.typ, tt.v, tt.lo, tt.hi)
		if tt.wantErr {
			assert.Error(t, err, "%+v", tt)
			continue
		}
		require.NoError(t, err)
		assert.InDelta(t, tt.norm, s.Normalized, 1e-9)
		assert.Equal(t, tt.cat, s.NPSCategory)
	}
}

func TestValidateRejectsWhatJSONCannotCarry(t *testing.T) {
	valid := func() feedback.Record {
		r := feedback.New("generic", feedback.KindSurvey, "e1")
		r.OccurredAt = time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC)
		r.ReceivedAt = r.OccurredAt
		return r
	}
	for _, tc := range []struct {
		name string
		set  func(*feedback.Record)
		want string // "" when valid
	}{
		{"ordinary", func(*feedback.Record) {}, ""},
		{"year 9999", func(r *feedback.Record) { r.OccurredAt = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) }, ""},
		{"year 10000", func(r *feedback.Record) { r.OccurredAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "occurred_at: 10000-01-01T00:00:00Z is outside years 0..9999"},
		{"year -1", func(r *feedback.Record) { r.ReceivedAt = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) }, "received_at: "},
		{"offset of a day", func(r *feedback.Record) { r.ReceivedAt = r.ReceivedAt.In(time.FixedZone("X", 24*60*60)) }, "received_at: zone offset of 86400s"},
		{"NaN normalized score", func(r *feedback.Record) {
			r.Score = &feedback.Score{Value: 1, Min: 0, Max: 10, Type: feedback.ScoreRating, Normalized: math.NaN()}
		}, "score: normalized NaN outside 0..1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := valid()
			tc.set(&r)
			err := r.Validate()
			_, marshalErr := r.AppendJSON(nil)
			if tc.want == "" {
				require.NoError(t, err)
				require.NoError(t, marshalErr)
				return
			}
			require.ErrorContains(t, err, tc.want)
			require.Error(t, marshalErr, "Validate rejects exactly what cannot be encoded")
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	r := feedback.Record{Kind: "tweet", Customer: feedback.Customer{Role: "ceo"}, Sentiment: &feedback.Sentiment{Score: 3, Label: "meh"}}
	err := r.Validate()
	require.Error(t, err)
	for _, want := range []string{"schema_version", "id", "version", "source", "kind", "event_id", "occurred_at", "received_at", "customer.role", "sentiment"} {
		assert.Contains(t, err.Error(), want)
	}
}

// echoAnalyzer records the texts it is given and returns them unchanged.
type echoAnalyzer struct{ seen []string }

func (e *echoAnalyzer) Analyze(text string) feedback.Analysis {
	e.seen = append(e.seen, text)
	return feedback.Analysis{Text: text}
}

func (e *echoAnalyzer) Redact(text string) (string, map[string]int) {
	e.seen = append(e.seen, text)
	return text, map[string]int{}
}

// Record.Analyze hands the analyzer valid UTF-8 only: valid text as it is,
// each run of invalid bytes as one U+FFFD.
func TestRecordAnalyzeRepairsInvalidUTF8(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ascii", "Slow delivery, kind staff.", "Slow delivery, kind staff."},
		{"valid multibyte", "café ☕ naïve 😀", "café ☕ naïve 😀"},
		{"real U+FFFD kept", "\uFFFD stays", "\uFFFD stays"},
		{"lone byte", "caf\xe9 ok", "caf\uFFFD ok"},
		{"run of invalid bytes", "a\xff\xfe\xfdb", "a\uFFFDb"},
		{"truncated sequence at end", "euro \xe2\x82", "euro \uFFFD"},
		{"surrogate half", "x\xed\xa0\x80y", "x\uFFFDy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := feedback.New("typeform", feedback.KindSurvey, "r1")
			r.Text = tc.in
			r.Answers = []feedback.Answer{{Field: "q1", Text: tc.in}}
			var a echoAnalyzer
			r.Analyze(&a)
			assert.Equal(t, []string{tc.want, tc.want}, a.seen)
			assert.Equal(t, tc.want, r.Answers[0].Text)
		})
	}
}
