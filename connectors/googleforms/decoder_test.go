package googleforms

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/stdwebhook"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory())
}

// body builds a form_response; edit changes it before marshalling.
func body(t *testing.T, edit func(p, fr map[string]any)) []byte {
	t.Helper()
	fr := map[string]any{
		"form_id": "form_1", "form_title": "Pulse", "response_id": "resp_1", "submitted_at": "2025-03-02T10:01:12.000Z",
		"answers": []any{
			field(1, "Recommend?", "SCALE", 0, 10, "9"),
			field(2, "Why?", "PARAGRAPH_TEXT", nil, nil, "Fast support"),
		},
	}
	p := map[string]any{"event_id": "resp_1", "event_type": "form_response", "form_response": fr}
	if edit != nil {
		edit(p, fr)
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return b
}

func field(id any, title, typ string, lo, hi, response any) map[string]any {
	f := map[string]any{"id": id, "title": title, "type": typ}
	if lo != nil {
		f["min"] = lo
	}
	if hi != nil {
		f["max"] = hi
	}
	return map[string]any{"field": f, "response": response}
}

func decodeOne(t *testing.T, b []byte, msgID string) (feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	req := connectortest.NewRequest(b)
	if msgID != "" {
		req.Header.Set(stdwebhook.IDHeader, msgID)
	}
	recs, err := d.Decode(t.Context(), req)
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

func TestDecode(t *testing.T) {
	rec, err := decodeOne(t, body(t, nil), "")
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "resp_1"), rec.ID)
	assert.Equal(t, "resp_1", rec.EventID)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), rec.OccurredAt)
	assert.Equal(t, rec.OccurredAt.Unix(), rec.Version)
	assert.Equal(t, "Fast support", rec.Text)
	assert.Equal(t, []feedback.Answer{{Field: "2", Question: "Why?", Text: "Fast support"}}, rec.Answers)
	assert.Equal(t, &feedback.Score{Value: 9, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.9, NPSCategory: feedback.NPSPromoter}, rec.Score)
	assert.Equal(t, map[string]string{"form_id": "form_1", "form_title": "Pulse", "score_field": "1"}, rec.Attributes)
}

func TestDecodeIDs(t *testing.T) {
	rec, err := decodeOne(t, body(t, func(p, fr map[string]any) { delete(fr, "response_id") }), "msg_1")
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "resp_1"), rec.ID, "falls back to event_id")
	assert.Equal(t, "resp_1", rec.EventID)

	rec, err = decodeOne(t, body(t, func(p, fr map[string]any) { delete(fr, "response_id"); delete(p, "event_id") }), "msg_1")
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "msg_1"), rec.ID, "falls back to webhook-id")
	assert.Equal(t, "msg_1", rec.EventID)

	_, err = decodeOne(t, body(t, func(p, fr map[string]any) { delete(fr, "response_id"); delete(p, "event_id") }), "")
	require.ErrorIs(t, err, connectors.ErrMalformed)
	assert.ErrorContains(t, err, "webhook-id")

	rec, err = decodeOne(t, body(t, func(_, fr map[string]any) { delete(fr, "submitted_at") }), "")
	require.NoError(t, err)
	assert.Equal(t, connectortest.ReceivedAt(), rec.OccurredAt)
	assert.Equal(t, int64(1), rec.Version)
}

func TestDecodeEditedResponseIsANewerVersion(t *testing.T) {
	first, err := decodeOne(t, body(t, nil), "")
	require.NoError(t, err)
	edited, err := decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["submitted_at"] = "2025-03-02T12:00:00Z"
		fr["answers"] = []any{field(1, "Recommend?", "SCALE", 0, 10, "4")}
	}), "")
	require.NoError(t, err)
	assert.Equal(t, first.ID, edited.ID)
	assert.Greater(t, edited.Version, first.Version)
}

func TestDecodeScores(t *testing.T) {
	tests := []struct {
		name      string
		answers   []any
		want      *feedback.Score
		wantAttrs map[string]string
		wantErr   string
	}{
		{"scale default 1..5", []any{field(1, "Rate", "SCALE", nil, nil, "2")}, &feedback.Score{Value: 2, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.25}, map[string]string{"score_field": "1"}, ""},
		{"scale 0..10 is nps", []any{field(1, "Recommend", "scale", 0, 10, "10")}, &feedback.Score{Value: 10, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 1, NPSCategory: feedback.NPSPromoter}, map[string]string{"score_field": "1"}, ""},
		{"scale 1..10 is a rating", []any{field(1, "Rate", "SCALE", 1, 10, "10")}, &feedback.Score{Value: 10, Min: 1, Max: 10, Type: feedback.ScoreRating, Normalized: 1}, map[string]string{"score_field": "1"}, ""},
		{"scale 0..4", []any{field(1, "Rate", "SCALE", 0, 4, "1")}, &feedback.Score{Value: 1, Min: 0, Max: 4, Type: feedback.ScoreRating, Normalized: 0.25}, map[string]string{"score_field": "1"}, ""},
		{"rating default 1..5", []any{field(1, "Stars", "RATING", nil, nil, "5")}, &feedback.Score{Value: 5, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 1}, map[string]string{"score_field": "1"}, ""},
		{"rating of 10", []any{field(1, "Hearts", "RATING", 1, 10, "7")}, &feedback.Score{Value: 7, Min: 1, Max: 10, Type: feedback.ScoreRating, Normalized: 6.0 / 9}, map[string]string{"score_field": "1"}, ""},
		{"nps wins over an earlier rating", []any{field(1, "Stars", "RATING", nil, nil, "3"), field(2, "Recommend", "SCALE", 0, 10, "6")}, &feedback.Score{Value: 6, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.6, NPSCategory: feedback.NPSDetractor}, map[string]string{"score_field": "2", "answer.1": "3"}, ""},
		{"first rating wins", []any{field(1, "A", "RATING", nil, nil, "3"), field(2, "B", "SCALE", nil, nil, "4")}, &feedback.Score{Value: 3, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.5}, map[string]string{"score_field": "1", "answer.2": "4"}, ""},
		{"unanswered scale", []any{field(1, "Rate", "SCALE", nil, nil, ""), field(2, "Null", "SCALE", nil, nil, nil)}, nil, map[string]string{}, ""},
		{"number response", []any{field(1, "Rate", "SCALE", nil, nil, 3)}, &feedback.Score{Value: 3, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.5}, map[string]string{"score_field": "1"}, ""},
		{"out of range", []any{field(1, "Rate", "SCALE", nil, nil, "6")}, nil, nil, "answers[0] (1): SCALE score: value 6 outside 1..5"},
		{"out of range, not the score", []any{field(1, "Recommend", "SCALE", 0, 10, "6"), field(2, "Stars", "RATING", nil, nil, "0")}, nil, nil, "answers[1] (2): RATING score"},
		{"not a number", []any{field(1, "Rate", "SCALE", nil, nil, "great")}, nil, nil, `SCALE response "great" is not a number`},
		{"NaN", []any{field(1, "Rate", "SCALE", nil, nil, "NaN")}, nil, nil, "is not a number"},
		{"bad scale", []any{field(1, "Rate", "SCALE", 5, 5, "5")}, nil, nil, "scale 5..5 is not within 0..100"},
		{"negative scale", []any{field(1, "Rate", "SCALE", -5, 5, "0")}, nil, nil, "scale -5..5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, func(_, fr map[string]any) { fr["answers"] = tt.answers }), "")
			if tt.wantErr != "" {
				require.ErrorIs(t, err, connectors.ErrMalformed)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Score)
			attrs := map[string]string{}
			for k, v := range rec.Attributes {
				if k != "form_id" && k != "form_title" {
					attrs[k] = v
				}
			}
			assert.Equal(t, tt.wantAttrs, attrs)
		})
	}
}

func TestDecodeText(t *testing.T) {
	rec, err := decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["answers"] = []any{
			field(1, "What went wrong?", "PARAGRAPH_TEXT", nil, nil, "  Refund never arrived  "),
			field(2, "Your name", "TEXT", nil, nil, "Ana"),
			field(3, "E-mail", "TEXT", nil, nil, "ana@example.com"),
			field(4, "Phone number", "TEXT", nil, nil, "0123"),
			field(5, "One word to describe us", "text", nil, nil, "Reliable"),
			field(6, "Please leave your name and the address you contacted us from", "PARAGRAPH_TEXT", nil, nil, "Long story: the mobile app crashed"),
			field(7, "Which?", "CHECKBOX", nil, nil, []any{"A", "B"}),
			field(8, "Grid", "CHECKBOX_GRID", nil, nil, []any{[]any{"x", "y"}, nil}),
			field(9, "Choice", "MULTIPLE_CHOICE", nil, nil, "Other: my email is ana@example.com"),
			field(10, "Blank", "PARAGRAPH_TEXT", nil, nil, " "),
			field(11, "List", "PARAGRAPH_TEXT", nil, nil, []any{"one", "two"}),
			field(12, "Object", "PARAGRAPH_TEXT", nil, nil, map[string]any{"a": 1}),
		}
	}), "")
	require.NoError(t, err)
	assert.Equal(t, "Refund never arrived\nReliable\nLong story: the mobile app crashed\none, two", rec.Text)
	assert.Equal(t, []feedback.Answer{
		{Field: "1", Question: "What went wrong?", Text: "Refund never arrived"},
		{Field: "5", Question: "One word to describe us", Text: "Reliable"},
		{Field: "6", Question: "Please leave your name and the address you contacted us from", Text: "Long story: the mobile app crashed"},
		{Field: "11", Question: "List", Text: "one, two"},
	}, rec.Answers, "short answers asking for a name, email or phone are skipped; paragraphs never are")
	assert.Nil(t, rec.Score)
	assert.Equal(t, map[string]string{"form_id": "form_1", "form_title": "Pulse"}, rec.Attributes)
}

func TestDecodeHidden(t *testing.T) {
	rec, err := decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["hidden"] = map[string]any{
			"customer_id": "c1", "account_id": 42, "role": "Buyer", "touchpoint": "qbr", "team": "emea",
			"location": "leeds", "agent": "a7", "plan": "pro", "email": "x@example.com", "full_name": "X", "obj": map[string]any{}, "blank": " ",
		}
	}), "")
	require.NoError(t, err)
	assert.Equal(t, feedback.Customer{ID: "c1", AccountID: "42", Role: feedback.RoleBuyer}, rec.Customer)
	assert.Equal(t, []string{"qbr", "emea", "leeds", "a7"}, []string{rec.Touchpoint, rec.Team, rec.Location, rec.Agent})
	assert.Equal(t, "pro", rec.Attributes["hidden.plan"])
	assert.NotContains(t, rec.Attributes, "hidden.email")
	assert.NotContains(t, rec.Attributes, "hidden.full_name")
	assert.NotContains(t, rec.Attributes, "hidden.obj")
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		want    error
		message string
	}{
		{"other event", body(t, func(p, _ map[string]any) { p["event_type"] = "form_opened" }), connectors.ErrIgnored, `"form_opened"`},
		{"no event type", body(t, func(p, _ map[string]any) { delete(p, "event_type") }), connectors.ErrMalformed, "event_type missing"},
		{"no form_response", body(t, func(p, _ map[string]any) { delete(p, "form_response") }), connectors.ErrMalformed, "form_response missing"},
		{"bad submitted_at", body(t, func(_, fr map[string]any) { fr["submitted_at"] = "02/03/2025" }), connectors.ErrMalformed, "RFC 3339"},
		{"min not a number", body(t, func(_, fr map[string]any) { fr["answers"] = []any{field(1, "R", "SCALE", "0", nil, "1")} }), connectors.ErrMalformed, "invalid JSON"},
		{"answers not a list", body(t, func(_, fr map[string]any) { fr["answers"] = map[string]any{} }), connectors.ErrMalformed, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, tt.body, "")
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "googleforms: decode")
		})
	}
}

func TestNewRejectsOptions(t *testing.T) {
	_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: map[string]string{"x": "y"}}, connectors.Settings{})
	require.ErrorContains(t, err, "googleforms takes no options")
	_, err = NewFactory().New(connectors.SourceConfig{Type: Type, Secrets: []string{"whsec_!"}}, connectors.Settings{})
	require.ErrorContains(t, err, "googleforms: secrets[0]")
}

// TestREADMEEmbedsTheAppsScript keeps the copy-pasteable script in the
// README identical to apps_script.gs.
func TestREADMEEmbedsTheAppsScript(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	script, err := os.ReadFile("apps_script.gs")
	require.NoError(t, err)
	assert.Contains(t, string(readme), "```javascript\n"+string(script)+"```\n", "README.md and apps_script.gs differ")
}
