package generic

import (
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

// decode decodes body with an optional webhook-id header.
func decode(t *testing.T, body, msgID string) (feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	req := connectortest.NewRequest([]byte(body))
	if msgID != "" {
		req.Header.Set(IDHeader, msgID)
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

func TestDecodeIDs(t *testing.T) {
	rec, err := decode(t, `{"id":"resp-1","text":"ok"}`, "msg_1")
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "resp-1"), rec.ID)
	assert.Equal(t, "msg_1", rec.EventID)

	rec, err = decode(t, `{"text":"ok"}`, "msg_1")
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "msg_1"), rec.ID, "external id falls back to webhook-id")
	assert.Equal(t, "msg_1", rec.EventID)

	rec, err = decode(t, `{"id":42,"text":"ok"}`, "")
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "42"), rec.ID)
	assert.Equal(t, "42", rec.EventID, "event id falls back to id")

	_, err = decode(t, `{"text":"ok"}`, "")
	require.ErrorIs(t, err, connectors.ErrMalformed)
	assert.ErrorContains(t, err, "webhook-id")
}

func TestDecodeDefaults(t *testing.T) {
	rec, err := decode(t, `{"text":"  Late again.  "}`, "msg_1")
	require.NoError(t, err)
	assert.Equal(t, feedback.KindSurvey, rec.Kind)
	assert.Equal(t, connectortest.ReceivedAt(), rec.OccurredAt)
	assert.Equal(t, "Late again.", rec.Text)
	assert.Equal(t, feedback.Customer{Role: feedback.RoleUnknown}, rec.Customer)
	assert.Nil(t, rec.Attributes)

	rec, err = decode(t, `{"kind":"Ticket","occurred_at":"2025-03-02T11:00:00+01:00","answers":[{"field":"a","text":"One"},{"question":"Two?","text":"Two"}]}`, "msg_1")
	require.NoError(t, err)
	assert.Equal(t, feedback.KindTicket, rec.Kind)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC), rec.OccurredAt)
	assert.Equal(t, "One\nTwo", rec.Text, "text defaults to the answers joined")
	assert.Len(t, rec.Answers, 2)
}

func TestDecodeScore(t *testing.T) {
	tests := []struct {
		score   string
		want    *feedback.Score
		wantErr string
	}{
		{`{"value":9,"type":"nps"}`, &feedback.Score{Value: 9, Min: 0, Max: 10, Type: feedback.ScoreNPS, Normalized: 0.9, NPSCategory: feedback.NPSPromoter}, ""},
		{`{"value":3,"type":"CSAT"}`, &feedback.Score{Value: 3, Min: 1, Max: 5, Type: feedback.ScoreCSAT, Normalized: 0.5}, ""},
		{`{"value":7,"type":"ces"}`, &feedback.Score{Value: 7, Min: 1, Max: 7, Type: feedback.ScoreCES, Normalized: 1}, ""},
		{`{"value":4,"min":1,"max":5,"type":"rating"}`, &feedback.Score{Value: 4, Min: 1, Max: 5, Type: feedback.ScoreRating, Normalized: 0.75}, ""},
		{`{"value":4,"type":"rating"}`, nil, "required for type rating"},
		{`{"value":4,"min":1,"type":"rating"}`, nil, "both min and max"},
		{`{"value":11,"type":"nps"}`, nil, "outside 0..10"},
		{`{"value":1,"min":5,"max":5,"type":"rating"}`, nil, "must exceed"},
		{`{"type":"nps"}`, nil, "score.value missing"},
		{`{"value":5}`, nil, "score.type missing"},
		{`{"value":5,"type":"stars"}`, nil, `"stars"`},
		{`{"value":"5","type":"nps"}`, nil, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.score, func(t *testing.T) {
			rec, err := decode(t, `{"score":`+tt.score+`}`, "msg_1")
			if tt.wantErr != "" {
				require.ErrorIs(t, err, connectors.ErrMalformed)
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Score)
			assert.Empty(t, rec.Text, "a score alone is enough")
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, body, message string
	}{
		{"nothing to say", `{"id":"x","customer":{"id":"c"}}`, "one of text, answers or score"},
		{"blank text", `{"id":"x","text":"   "}`, "one of text, answers or score"},
		{"bad kind", `{"id":"x","kind":"complaint","text":"t"}`, `kind "complaint"`},
		{"bad role", `{"id":"x","customer":{"role":"ceo"},"text":"t"}`, `customer.role "ceo"`},
		{"empty answer", `{"id":"x","answers":[{"field":"a","text":""}]}`, "answers[0].text"},
		{"bad time", `{"id":"x","occurred_at":"2025-03-02","text":"t"}`, "RFC 3339"},
		{"attribute not a string", `{"id":"x","text":"t","attributes":{"seats":40}}`, "invalid JSON"},
		{"empty attribute key", `{"id":"x","text":"t","attributes":{" ":"v"}}`, "attributes: empty key"},
		{"id is an object", `{"id":{},"text":"t"}`, "invalid JSON"},
		{"envelope data not a record", `{"type":"feedback.created","data":{"id":"x","score":"high"}}`, "data:"},
		{"envelope with an empty record", `{"type":"feedback.created","data":{"id":"x"}}`, "one of text, answers or score"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(t, tt.body, "msg_1")
			require.ErrorIs(t, err, connectors.ErrMalformed)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "generic: decode")
		})
	}
}

func TestDecodeRolesAndAttributes(t *testing.T) {
	rec, err := decode(t, `{"id":"x","text":"t","customer":{"id":7,"account_id":"acme","role":"Decision-Maker"},"attributes":{"plan":"pro","empty":""}}`, "")
	require.NoError(t, err)
	assert.Equal(t, feedback.Customer{ID: "7", AccountID: "acme", Role: feedback.RoleDecisionMaker}, rec.Customer)
	assert.Equal(t, map[string]string{"plan": "pro"}, rec.Attributes)
}

// Standard Webhooks recommends {type, timestamp, data}: the record is data,
// and the envelope's timestamp is its time when data has none.
func TestDecodeEnvelope(t *testing.T) {
	rec, err := decode(t, `{"type":"feedback.created","timestamp":"2025-03-02T09:30:00Z","data":{"id":"resp-9","kind":"review","text":"Late again.","customer":{"id":"c-1"}}}`, "msg_1")
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "resp-9"), rec.ID)
	assert.Equal(t, feedback.KindReview, rec.Kind)
	assert.Equal(t, "Late again.", rec.Text)
	assert.Equal(t, "c-1", rec.Customer.ID)
	assert.Equal(t, time.Date(2025, 3, 2, 9, 30, 0, 0, time.UTC), rec.OccurredAt)

	rec, err = decode(t, `{"type":"feedback.created","timestamp":"2025-03-02T09:30:00Z","data":{"id":"resp-9","occurred_at":"2025-03-01T08:00:00Z","text":"t"}}`, "msg_1")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), rec.OccurredAt, "data's own time wins")

	// A record with fields of the envelope's names is still a record: the
	// body is an envelope only when data is an object and the top level
	// has no text, answers or score of its own.
	for _, body := range []string{
		`{"id":"x","text":"t","timestamp":1700000000,"type":7}`,
		`{"id":"x","text":"t","data":"extra"}`,
		`{"id":"x","text":"t","data":{"source":"crm","text":"not this"}}`,
	} {
		rec, err := decode(t, body, "msg_1")
		require.NoError(t, err, body)
		assert.Equal(t, "t", rec.Text, body)
	}
}
