package delighted

import (
	"encoding/json"
	"fmt"
	"os"
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

// body builds a survey_response event; edit changes it before marshalling.
func body(t *testing.T, edit func(p, data map[string]any)) []byte {
	t.Helper()
	data := map[string]any{
		"id": "88120", "survey_type": "nps", "score": 9, "comment": "Fast delivery",
		"created_at": 1740909600, "updated_at": 1740909900,
		"person":            map[string]any{"id": "5512", "email": "ana@example.com", "name": "Ana"},
		"person_properties": map[string]any{},
	}
	p := map[string]any{"event_type": EventResponseUpdated, "event_id": "ev-1", "event_data": data}
	if edit != nil {
		edit(p, data)
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

func TestCreatedThenUpdatedUpserts(t *testing.T) {
	read := func(name string) feedback.Record {
		b, err := os.ReadFile("testdata/" + name + ".json")
		require.NoError(t, err)
		rec, err := decodeOne(t, b)
		require.NoError(t, err)
		return rec
	}
	created := read("survey_response_created")
	updated := read("survey_response_updated")

	assert.Equal(t, created.ID, updated.ID, "created and updated are the same record")
	assert.Equal(t, feedback.NewID(Type, "88120"), created.ID)
	assert.NotEqual(t, created.EventID, updated.EventID)
	assert.Greater(t, updated.Version, created.Version, "the updated event wins")
	assert.Equal(t, created.OccurredAt, updated.OccurredAt, "occurred_at is when the response was given")
	assert.Empty(t, created.Text)
	assert.NotEmpty(t, updated.Text)
	assert.Equal(t, created.Customer, updated.Customer)
}

// noType marks a TestDecodeScales row whose payload has no survey_type key.
const noType = "(absent)"

func TestDecodeScales(t *testing.T) {
	tests := []struct {
		surveyType any // noType: key deleted
		score      any
		want       *feedback.Score
		wantErr    bool
	}{
		{"nps", 4, &feedback.Score{Value: 4, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.4, NPSCategory: feedback.NPSDetractor}, false},
		{"nps", 8, &feedback.Score{Value: 8, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.8, NPSCategory: feedback.NPSPassive}, false},
		{"NPS", 9, &feedback.Score{Value: 9, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.9, NPSCategory: feedback.NPSPromoter}, false},
		{"nps", 11, nil, true},
		{"csat", 5, &feedback.Score{Value: 5, Min: 1, Max: 5, Type: feedback.ScoreCSAT, Normalized: 1}, false},
		{"csat", 0, nil, true},
		{"ces", 7, &feedback.Score{Value: 7, Min: 1, Max: 7, Type: feedback.ScoreCES, Normalized: 1}, false},
		{"ces", 8, nil, true},
		{"smileys", 3, &feedback.Score{Value: 3, Min: 0, Max: 10, Type: feedback.ScoreRating, Normalized: 0.3}, false},
		{"enps", 10, &feedback.Score{Value: 10, Min: 0, Max: 10, Type: feedback.ScoreRating, Normalized: 1}, false},
		{"thumbs", -1, nil, true},
		{"nps", nil, nil, false},
		// Older NPS-only payloads carry no survey_type: NPS, not the catch-all.
		{noType, 5, &feedback.Score{Value: 5, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.5, NPSCategory: feedback.NPSDetractor}, false},
		{noType, 9, &feedback.Score{Value: 9, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.9, NPSCategory: feedback.NPSPromoter}, false},
		{noType, 11, nil, true},
		{noType, nil, nil, false},
		{"", 7, &feedback.Score{Value: 7, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.7, NPSCategory: feedback.NPSPassive}, false},
		{"  ", 0, &feedback.Score{Value: 0, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0, NPSCategory: feedback.NPSDetractor}, false},
		{nil, 10, &feedback.Score{Value: 10, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 1, NPSCategory: feedback.NPSPromoter}, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%v", tt.surveyType, tt.score), func(t *testing.T) {
			rec, err := decodeOne(t, body(t, func(_, data map[string]any) {
				if tt.surveyType == noType {
					delete(data, "survey_type")
				} else {
					data["survey_type"] = tt.surveyType
				}
				data["score"] = tt.score
			}))
			if tt.wantErr {
				require.ErrorIs(t, err, connectors.ErrMalformed)
				assert.ErrorContains(t, err, "event_data.score")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Score)
		})
	}
}

func TestDecodeTextAndAnswers(t *testing.T) {
	rec, err := decodeOne(t, body(t, nil))
	require.NoError(t, err)
	assert.Equal(t, "Fast delivery", rec.Text)
	assert.Nil(t, rec.Answers, "a single comment needs no answers")

	rec, err = decodeOne(t, body(t, func(_, data map[string]any) {
		data["additional_answers"] = []any{
			map[string]any{"id": "1", "value": map[string]any{"free_response": "More colours"}, "question": map[string]any{"id": "q1", "type": "free_response", "text": "What should we add?"}},
			map[string]any{"id": "2", "value": map[string]any{"scale": 3}, "question": map[string]any{"id": "q2", "type": "scale", "text": "How easy?"}},
			map[string]any{"id": "3", "value": "odd shape"},
			map[string]any{"id": "4", "value": map[string]any{"free_response": "  "}},
		}
	}))
	require.NoError(t, err)
	assert.Equal(t, "Fast delivery\nMore colours", rec.Text)
	assert.Equal(t, []feedback.Answer{
		{Field: "comment", Text: "Fast delivery"},
		{Field: "q1", Question: "What should we add?", Text: "More colours"},
	}, rec.Answers)
}

func TestDecodePerson(t *testing.T) {
	rec, err := decodeOne(t, body(t, func(_, data map[string]any) {
		data["person"] = map[string]any{"id": 5512, "email": "ana@example.com", "name": "Ana"}
		data["person_properties"] = map[string]any{
			"Account ID": "acme", "role": "Executive", "Touchpoint": "renewal", "team": "csm", "location": "leeds", "agent": "agent-9",
			"plan": "pro", "seats": 40, "beta": true, "nested": map[string]any{"a": "b"},
			"email": "ana@example.com", "Full Name": "Ana Example", "Phone": "+44 7700 900000",
		}
	}))
	require.NoError(t, err)
	assert.Equal(t, feedback.Customer{ID: "5512", AccountID: "acme", Role: feedback.RoleDecisionMaker}, rec.Customer)
	assert.Equal(t, "renewal", rec.Touchpoint)
	assert.Equal(t, "csm", rec.Team)
	assert.Equal(t, "leeds", rec.Location)
	assert.Equal(t, "agent-9", rec.Agent)
	assert.Equal(t, map[string]string{"survey_type": "nps", "person.plan": "pro"}, rec.Attributes,
		"strings only, and never the person's email, name or phone")
	raw, err := json.Marshal(rec)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "ana@example.com")
	assert.NotContains(t, string(raw), "Ana")
}

func TestDecodeVersionAndTimes(t *testing.T) {
	rec, err := decodeOne(t, body(t, nil))
	require.NoError(t, err)
	assert.Equal(t, int64(1740909900), rec.Version)
	assert.Equal(t, time.Unix(1740909600, 0).UTC(), rec.OccurredAt)
	assert.Equal(t, "ev-1", rec.EventID)

	rec, err = decodeOne(t, body(t, func(p, data map[string]any) { delete(data, "updated_at"); delete(p, "event_id") }))
	require.NoError(t, err)
	assert.Equal(t, int64(1740909600), rec.Version, "falls back to created_at")
	assert.Equal(t, "88120@1740909600", rec.EventID, "event id falls back to id@version")

	rec, err = decodeOne(t, body(t, func(_, data map[string]any) { data["created_at"] = nil; data["updated_at"] = "0" }))
	require.NoError(t, err)
	assert.Equal(t, int64(1), rec.Version)
	assert.Equal(t, connectortest.ReceivedAt(), rec.OccurredAt)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(p, data map[string]any)
		want    error
		message string
	}{
		{"unsubscribe", func(p, _ map[string]any) {
			p["event_type"] = EventUnsubscribeCreated
			p["event_data"] = map[string]any{"person_id": "5512", "unsubscribed_at": 1740909600}
		}, connectors.ErrIgnored, EventUnsubscribeCreated},
		{"unknown event", func(p, _ map[string]any) { p["event_type"] = "autopilot_membership.created" }, connectors.ErrIgnored, "autopilot_membership.created"},
		{"no event type", func(p, _ map[string]any) { delete(p, "event_type") }, connectors.ErrMalformed, "event_type"},
		{"no event data", func(p, _ map[string]any) { delete(p, "event_data") }, connectors.ErrMalformed, "event_data missing"},
		{"no response id", func(_, data map[string]any) { delete(data, "id") }, connectors.ErrMalformed, "event_data.id"},
		{"score is text", func(_, data map[string]any) { data["score"] = "nine" }, connectors.ErrMalformed, "event_data"},
		{"date is text", func(_, data map[string]any) { data["created_at"] = "yesterday" }, connectors.ErrMalformed, "event_data"},
		{"date beyond 9999", func(_, data map[string]any) { data["updated_at"] = int64(1) << 40 }, connectors.ErrMalformed, "updated_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, tt.edit))
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "delighted: decode")
		})
	}
}
