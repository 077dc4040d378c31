package typeform

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory())
}

// body builds a form_response payload; edit changes it before marshalling.
func body(t *testing.T, edit func(p map[string]any, fr map[string]any)) []byte {
	t.Helper()
	fr := map[string]any{
		"form_id":      "f1",
		"token":        "resp-1",
		"landed_at":    "2025-03-02T10:00:01Z",
		"submitted_at": "2025-03-02T10:01:12Z",
		"definition": map[string]any{"id": "f1", "title": "NPS", "fields": []any{
			map[string]any{"id": "q1", "ref": "nps", "type": "nps", "title": "How likely?"},
			map[string]any{"id": "q2", "ref": "why", "type": "long_text", "title": "Why?"},
		}},
		"answers": []any{
			map[string]any{"type": "number", "number": 3, "field": map[string]any{"id": "q1", "type": "nps", "ref": "nps"}},
			map[string]any{"type": "text", "text": "Checkout keeps timing out", "field": map[string]any{"id": "q2", "type": "long_text", "ref": "why"}},
		},
	}
	p := map[string]any{"event_id": "ev-1", "event_type": "form_response", "form_response": fr}
	if edit != nil {
		edit(p, fr)
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return b
}

func decodeOne(t *testing.T, b []byte) (feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	recs, err := d.Decode(t.Context(), connectortest.NewRequest(b))
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

func scoreAnswer(typ string, n any) map[string]any {
	return map[string]any{"type": "number", "number": n, "field": map[string]any{"id": "s", "type": typ, "ref": "score"}}
}

func TestDecodeScore(t *testing.T) {
	tests := []struct {
		name      string
		fieldType string
		props     map[string]any
		value     any
		want      *feedback.Score
		wantErr   string
		assumed   bool // score_scale_assumed: no properties.steps
	}{
		{"nps detractor", "nps", nil, 6, &feedback.Score{Value: 6, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.6, NPSCategory: feedback.NPSDetractor}, "", false},
		{"nps passive", "nps", nil, 7, &feedback.Score{Value: 7, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.7, NPSCategory: feedback.NPSPassive}, "", false},
		{"nps promoter", "nps", nil, 10, &feedback.Score{Value: 10, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 1, NPSCategory: feedback.NPSPromoter}, "", false},
		{"nps out of range", "nps", nil, 11, nil, "outside 0..10", false},
		{"nps negative", "nps", nil, -1, nil, "outside 0..10", false},
		{"opinion scale default 0..10", "opinion_scale", nil, 5, &feedback.Score{Value: 5, Min: 0, Max: 10, Type: feedback.ScoreRating, Normalized: 0.5}, "", true},
		{"opinion scale without steps answered 11 is 1..11", "opinion_scale", nil, 11, &feedback.Score{Value: 11, Min: 1, Max: 11, Type: feedback.ScoreRating, Normalized: 1}, "", true},
		{"opinion scale without steps above 11", "opinion_scale", nil, 12, nil, "outside 1..11", false},
		{"opinion scale empty properties", "opinion_scale", map[string]any{}, 3, &feedback.Score{Value: 3, Min: 0, Max: 10, Type: feedback.ScoreRating, Normalized: 0.3}, "", true},
		{"opinion scale 5 steps from one", "opinion_scale", map[string]any{"steps": 5, "start_at_one": true}, 5, &feedback.Score{Value: 5, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 1}, "", false},
		{"opinion scale 5 steps from zero", "opinion_scale", map[string]any{"steps": 5}, 5, nil, "outside 0..4", false},
		{"rating default 1..5", "rating", nil, 4, &feedback.Score{Value: 4, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.75}, "", true},
		// Deliveries carry no properties: an answer above 5 is on
		// Typeform's largest rating scale, not malformed.
		{"rating without steps answered 8 is 1..10", "rating", nil, 8, &feedback.Score{Value: 8, Min: 1, Max: 10, Type: feedback.ScoreRating, Normalized: 7.0 / 9}, "", true},
		{"rating without steps above 10", "rating", nil, 11, nil, "outside 1..10", false},
		{"rating 10 steps", "rating", map[string]any{"steps": 10}, 10, &feedback.Score{Value: 10, Min: 1, Max: 10, Type: feedback.ScoreRating, Normalized: 1}, "", false},
		{"rating zero", "rating", nil, 0, nil, "outside 1..5", false},
		{"rating silly steps", "rating", map[string]any{"steps": 1}, 1, nil, "properties.steps 1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, func(_, fr map[string]any) {
				def := map[string]any{"id": "s", "ref": "score", "type": tt.fieldType, "title": "Score"}
				if tt.props != nil {
					def["properties"] = tt.props
				}
				fr["definition"] = map[string]any{"id": "f1", "fields": []any{def}}
				fr["answers"] = []any{scoreAnswer(tt.fieldType, tt.value)}
			}))
			if tt.wantErr != "" {
				require.ErrorIs(t, err, connectors.ErrMalformed)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Score)
			if tt.assumed {
				assert.Equal(t, "true", rec.Attributes[attrScaleAssumed])
			} else {
				assert.NotContains(t, rec.Attributes, attrScaleAssumed)
			}
		})
	}
}

func TestDecodeNPSWinsOverOtherScores(t *testing.T) {
	rec, err := decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["answers"] = []any{scoreAnswer("rating", 2), scoreAnswer("rating", 5), scoreAnswer("nps", 9), scoreAnswer("nps", 1)}
	}))
	require.NoError(t, err)
	require.NotNil(t, rec.Score)
	assert.Equal(t, feedback.ScoreNPS, rec.Score.Type)
	assert.InDelta(t, 9, rec.Score.Value, 0)

	rec, err = decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["answers"] = []any{scoreAnswer("rating", 2), scoreAnswer("rating", 5)}
	}))
	require.NoError(t, err)
	assert.InDelta(t, 2, rec.Score.Value, 0, "the first non-NPS score wins")
}

func TestDecodeHiddenFields(t *testing.T) {
	rec, err := decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["hidden"] = map[string]any{
			"user_id": "u-1", "customer_id": "c-1", "account_id": "acme", "role": "Decision-Maker",
			"touchpoint": "renewal", "team": "csm-north", "location": "york", "agent": "agent-3",
			"plan": "pro", "seats": 42, "trial": true, "nested": map[string]any{"x": 1}, "empty": "",
			"email": "a@example.com", "Full Name": "Ana",
		}
	}))
	require.NoError(t, err)
	assert.Equal(t, feedback.Customer{ID: "c-1", AccountID: "acme", Role: feedback.RoleDecisionMaker}, rec.Customer)
	assert.Equal(t, "renewal", rec.Touchpoint)
	assert.Equal(t, "csm-north", rec.Team)
	assert.Equal(t, "york", rec.Location)
	assert.Equal(t, "agent-3", rec.Agent)
	assert.Equal(t, map[string]string{
		"form_id": "f1", "form_title": "NPS",
		"hidden.plan": "pro", "hidden.seats": "42", "hidden.trial": "true",
	}, rec.Attributes, "personal, empty and non-scalar hidden fields are dropped")

	rec, err = decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["hidden"] = map[string]any{"user_id": "u-1", "role": "intern"}
	}))
	require.NoError(t, err)
	assert.Equal(t, feedback.Customer{ID: "u-1", Role: feedback.RoleUnknown}, rec.Customer)
}

func TestDecodeTextAndAnswers(t *testing.T) {
	rec, err := decodeOne(t, body(t, func(_, fr map[string]any) {
		fr["answers"] = append(fr["answers"].([]any),
			map[string]any{"type": "text", "text": " Also the app logs me out. ", "field": map[string]any{"id": "q3", "type": "short_text"}},
			map[string]any{"type": "email", "email": "a@example.com", "field": map[string]any{"id": "q4", "type": "email"}},
			// What was typed into "Other" is the respondent's words; a
			// picked label is not.
			map[string]any{"type": "choice", "choice": map[string]any{"label": "Price"}, "field": map[string]any{"id": "q5", "type": "multiple_choice"}},
			map[string]any{"type": "choice", "choice": map[string]any{"other": "The search"}, "field": map[string]any{"id": "q6", "type": "multiple_choice"}},
			map[string]any{"type": "choices", "choices": map[string]any{"labels": []any{"Speed"}, "other": "Dark mode"}, "field": map[string]any{"id": "q7", "type": "multiple_choice"}},
		)
	}))
	require.NoError(t, err)
	assert.Equal(t, "Checkout keeps timing out\nAlso the app logs me out.\nThe search\nDark mode", rec.Text)
	assert.Equal(t, []feedback.Answer{
		{Field: "why", Question: "Why?", Text: "Checkout keeps timing out"},
		{Field: "q3", Text: "Also the app logs me out."},
		{Field: "q6", Text: "The search"},
		{Field: "q7", Text: "Dark mode"},
	}, rec.Answers)
}

func TestDecodeIDsAndTimes(t *testing.T) {
	first, err := decodeOne(t, body(t, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "resp-1"), first.ID, "record id comes from the response token")
	assert.Equal(t, "ev-1", first.EventID)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), first.OccurredAt)
	assert.Equal(t, connectortest.ReceivedAt(), first.ReceivedAt)

	redelivered, err := decodeOne(t, body(t, func(p, _ map[string]any) { p["event_id"] = "ev-2" }))
	require.NoError(t, err)
	assert.Equal(t, first.ID, redelivered.ID, "same token, same record")

	noEvent, err := decodeOne(t, body(t, func(p, _ map[string]any) { delete(p, "event_id") }))
	require.NoError(t, err)
	assert.Equal(t, "resp-1", noEvent.EventID, "event id falls back to the token")

	landed, err := decodeOne(t, body(t, func(_, fr map[string]any) { fr["submitted_at"] = nil }))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 1, 0, time.UTC), landed.OccurredAt)

	none, err := decodeOne(t, body(t, func(_, fr map[string]any) { fr["submitted_at"] = ""; delete(fr, "landed_at") }))
	require.NoError(t, err)
	assert.Equal(t, connectortest.ReceivedAt(), none.OccurredAt)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(p, fr map[string]any)
		want    error
		message string
	}{
		{"partial response", func(p, _ map[string]any) { p["event_type"] = "form_response_partial" }, connectors.ErrIgnored, "form_response_partial"},
		{"unknown event", func(p, _ map[string]any) { p["event_type"] = "form_deleted" }, connectors.ErrIgnored, `"form_deleted"`},
		{"no event type", func(p, _ map[string]any) { delete(p, "event_type") }, connectors.ErrMalformed, "event_type"},
		{"no form_response", func(p, _ map[string]any) { delete(p, "form_response") }, connectors.ErrMalformed, "form_response missing"},
		{"no token", func(_, fr map[string]any) { delete(fr, "token") }, connectors.ErrMalformed, "form_response.token"},
		{"blank token", func(_, fr map[string]any) { fr["token"] = "  " }, connectors.ErrMalformed, "form_response.token"},
		{"bad timestamp", func(_, fr map[string]any) { fr["submitted_at"] = "yesterday" }, connectors.ErrMalformed, "RFC 3339"},
		{"timestamp beyond 9999", func(_, fr map[string]any) { fr["submitted_at"] = "9999-12-31T23:59:59-05:00" }, connectors.ErrMalformed, "submitted_at"},
		{"token is an object", func(_, fr map[string]any) { fr["token"] = map[string]any{} }, connectors.ErrMalformed, "invalid JSON"},
		{"non-numeric score", func(_, fr map[string]any) { fr["answers"] = []any{scoreAnswer("nps", "nine")} }, connectors.ErrMalformed, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, tt.edit))
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "typeform: decode")
		})
	}
}

func TestNewRejectsOptions(t *testing.T) {
	_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: map[string]string{"partial": "decode"}}, connectors.Settings{})
	require.ErrorContains(t, err, "partial")
}

func TestSourceName(t *testing.T) {
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type}, connectors.Settings{Name: "typeform-eu"})
	require.NoError(t, err)
	recs, err := d.Decode(t.Context(), connectortest.NewRequest(body(t, nil)))
	require.NoError(t, err)
	assert.Equal(t, "typeform-eu", recs[0].Source)
	assert.Equal(t, feedback.NewID("typeform-eu", "resp-1"), recs[0].ID)
}
