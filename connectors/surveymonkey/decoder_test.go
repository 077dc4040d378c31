package surveymonkey

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

// body builds a callback of type typ; edit changes it before marshalling.
func body(t *testing.T, typ string, edit func(p, resources map[string]any)) []byte {
	t.Helper()
	resources := map[string]any{
		"respondent_id": "118822334455", "recipient_id": "0", "collector_id": "9988",
		"survey_id": "401234567", "user_id": "77",
	}
	p := map[string]any{
		"name": "corridor", "filter_type": "survey", "filter_id": "401234567",
		"event_type": typ, "event_id": "5119088203", "object_type": "response", "object_id": "118822334455",
		"event_datetime": "2025-03-02T10:01:12.182613+00:00", "resources": resources,
	}
	if edit != nil {
		edit(p, resources)
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return b
}

func decodeOne(t *testing.T, b []byte) (feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	req := connectortest.NewRequest(b)
	req.ContentType = "application/vnd.surveymonkey.response.v1+json"
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

func TestDecodeResponseCompleted(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventResponseCompleted, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "118822334455"), rec.ID)
	assert.Equal(t, "5119088203", rec.EventID)
	assert.Equal(t, feedback.KindSurvey, rec.Kind)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 182613000, time.UTC), rec.OccurredAt)
	assert.Equal(t, rec.OccurredAt.Unix(), rec.Version)
	assert.Empty(t, rec.Text, "the webhook carries no answers; Enrich fills them")
	assert.Nil(t, rec.Score)
	assert.Equal(t, map[string]string{
		"survey_id": "401234567", "response_id": "118822334455", "collector_id": "9988",
		"respondent_id": "118822334455", "event_type": "response_completed",
	}, rec.Attributes, `recipient "0" is absent; user_id is the survey owner, not kept`)
}

func TestDecodeResponseUpdatedIsANewVersion(t *testing.T) {
	completed, err := decodeOne(t, body(t, EventResponseCompleted, nil))
	require.NoError(t, err)
	updated, err := decodeOne(t, body(t, EventResponseUpdated, func(p, _ map[string]any) {
		p["event_id"] = "5119099999"
		p["event_datetime"] = "2025-03-02T11:30:00+00:00"
	}))
	require.NoError(t, err)
	assert.Equal(t, completed.ID, updated.ID, "same response, same record")
	assert.NotEqual(t, completed.EventID, updated.EventID)
	assert.Greater(t, updated.Version, completed.Version)
	assert.Equal(t, EventResponseUpdated, updated.Attributes["event_type"])
}

func TestDecodeIDs(t *testing.T) {
	numeric, err := decodeOne(t, body(t, EventResponseCompleted, func(p, r map[string]any) {
		p["object_id"] = 118822334455
		p["event_id"] = 5119088203
		r["survey_id"] = 401234567
		r["recipient_id"] = 88123456
	}))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "118822334455"), numeric.ID)
	assert.Equal(t, "5119088203", numeric.EventID)
	assert.Equal(t, "401234567", numeric.Attributes["survey_id"])
	assert.Equal(t, "88123456", numeric.Attributes["recipient_id"])

	fromFilter, err := decodeOne(t, body(t, EventResponseCompleted, func(_, r map[string]any) { delete(r, "survey_id") }))
	require.NoError(t, err)
	assert.Equal(t, "401234567", fromFilter.Attributes["survey_id"], "filter_id of a survey filter")

	noEventID, err := decodeOne(t, body(t, EventResponseCompleted, func(p, _ map[string]any) { delete(p, "event_id") }))
	require.NoError(t, err)
	assert.Equal(t, "118822334455", noEventID.EventID, "falls back to the response id")

	noTime, err := decodeOne(t, body(t, EventResponseCompleted, func(p, _ map[string]any) { delete(p, "event_datetime") }))
	require.NoError(t, err)
	assert.Equal(t, connectortest.ReceivedAt(), noTime.OccurredAt)
	assert.Equal(t, int64(1), noTime.Version)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		edit    func(p, r map[string]any)
		want    error
		message string
	}{
		{"response created", "response_created", nil, connectors.ErrIgnored, `"response_created"`},
		{"response deleted", "response_deleted", nil, connectors.ErrIgnored, "response_deleted"},
		{"disqualified", "response_disqualified", nil, connectors.ErrIgnored, "response_disqualified"},
		{"collector event of any shape", "collector_updated", func(p, _ map[string]any) { p["object_type"] = "collector"; p["resources"] = 7 }, connectors.ErrIgnored, "collector_updated"},
		{"no event type", "", nil, connectors.ErrMalformed, "event_type missing"},
		{"not a response object", EventResponseCompleted, func(p, _ map[string]any) { p["object_type"] = "survey" }, connectors.ErrMalformed, "object_type"},
		{"no object id", EventResponseCompleted, func(p, _ map[string]any) { delete(p, "object_id") }, connectors.ErrMalformed, "object_id missing"},
		{"path in object id", EventResponseCompleted, func(p, _ map[string]any) { p["object_id"] = "../../users/me" }, connectors.ErrMalformed, "object_id"},
		{"long survey id", EventResponseCompleted, func(_, r map[string]any) { r["survey_id"] = string(make([]byte, 65)) }, connectors.ErrMalformed, "resources.survey_id"},
		{"no survey id", EventResponseCompleted, func(p, r map[string]any) { delete(r, "survey_id"); p["filter_type"] = "collector" }, connectors.ErrMalformed, "resources.survey_id missing"},
		{"bad time", EventResponseCompleted, func(p, _ map[string]any) { p["event_datetime"] = "02/03/2025" }, connectors.ErrMalformed, "RFC 3339"},
		{"time out of range", EventResponseCompleted, func(p, _ map[string]any) { p["event_datetime"] = "0000-01-01T00:00:00+01:00" }, connectors.ErrMalformed, "event_datetime"},
		{"object id not scalar", EventResponseCompleted, func(p, _ map[string]any) { p["object_id"] = []any{1} }, connectors.ErrMalformed, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, tt.typ, tt.edit))
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "surveymonkey: decode")
		})
	}
}

func TestDecodeContentTypes(t *testing.T) {
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	for ct, ok := range map[string]bool{
		"application/vnd.surveymonkey.response.v1+json":  true,
		"application/vnd.surveymonkey.collector.v1+json": true,
		"application/json":                  true,
		"application/x-www-form-urlencoded": false,
		"text/plain":                        false,
	} {
		req := connectortest.NewRequest(body(t, EventResponseCompleted, nil))
		req.ContentType = ct
		_, err := d.Decode(t.Context(), req)
		if ok {
			assert.NoError(t, err, ct)
		} else {
			assert.ErrorIs(t, err, connectors.ErrUnsupportedMediaType, ct)
		}
	}
}

func TestNewOptionsAndBaseURL(t *testing.T) {
	tests := []struct {
		name    string
		cfg     connectors.SourceConfig
		message string
	}{
		{"defaults", connectors.SourceConfig{}, ""},
		{"grace", connectors.SourceConfig{Options: map[string]string{OptionNotFoundGrace: "1h"}}, ""},
		{"zero grace", connectors.SourceConfig{Options: map[string]string{OptionNotFoundGrace: "0s"}}, ""},
		{"bad grace", connectors.SourceConfig{Options: map[string]string{OptionNotFoundGrace: "soon"}}, "options.not_found_grace"},
		{"negative grace", connectors.SourceConfig{Options: map[string]string{OptionNotFoundGrace: "-1m"}}, "options.not_found_grace"},
		{"unknown option", connectors.SourceConfig{Options: map[string]string{"colour": "red"}}, "options colour: unknown"},
		{"eu base", connectors.SourceConfig{API: connectors.EnrichConfig{BaseURL: "https://api.eu.surveymonkey.com/"}}, ""},
		{"bad base", connectors.SourceConfig{API: connectors.EnrichConfig{BaseURL: "api.surveymonkey.com"}}, "sources.feedback-sm.api.base_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Type = Type
			d, err := NewFactory().New(tt.cfg, connectors.Settings{Name: "feedback-sm"})
			if tt.message == "" {
				require.NoError(t, err)
				require.NotNil(t, d)
				return
			}
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "surveymonkey:")
		})
	}
	d, err := NewFactory().New(connectors.SourceConfig{Type: Type, API: connectors.EnrichConfig{BaseURL: "https://api.eu.surveymonkey.com/"}}, connectors.Settings{})
	require.NoError(t, err)
	assert.Equal(t, "https://api.eu.surveymonkey.com", d.(*decoder).baseURL)
	d, err = NewFactory().New(connectors.SourceConfig{Type: Type}, connectors.Settings{})
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, d.(*decoder).baseURL)
	assert.Equal(t, DefaultNotFoundGrace, d.(*decoder).grace)
	assert.Equal(t, Type, d.(*decoder).name)
}
