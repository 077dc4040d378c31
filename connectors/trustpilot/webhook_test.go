package trustpilot

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory(), connectortest.WithTokenAuth())
}

func decode(t *testing.T, body string) ([]feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	recs, err := d.Decode(t.Context(), connectortest.NewRequest([]byte(body)))
	if err != nil {
		connectortest.RequireSentinel(t, err)
		require.Empty(t, recs)
		return nil, err
	}
	connectortest.CheckRecords(t, recs)
	return recs, nil
}

func TestDecodeCreated(t *testing.T) {
	recs, err := decode(t, `{"events":[{"eventName":"service-review-created","version":"1","eventData":{
		"id":"65e2f0c1a1b2c3d4e5f60718","language":"en","title":"Slow refund","text":"Took a month.","referenceId":"ORD-9912",
		"stars":2,"createdAt":"2025-03-02T10:01:12.000Z","isVerified":true,"locationId":"loc-1",
		"consumer":{"id":"5f1c0a9b8c7d6e5f4a3b2c1d","name":"Ana Lopez","link":"https://api.trustpilot.com/v1/consumers/5f1c0a9b8c7d6e5f4a3b2c1d"}}}]}`)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, feedback.NewID(Type, "65e2f0c1a1b2c3d4e5f60718"), r.ID)
	assert.Equal(t, int64(1740909672), r.Version, "createdAt when never updated")
	assert.Equal(t, "65e2f0c1a1b2c3d4e5f60718@1740909672", r.EventID)
	assert.Equal(t, "Slow refund\nTook a month.", r.Text)
	assert.Equal(t, "5f1c0a9b8c7d6e5f4a3b2c1d", r.Customer.ID)
	assert.Equal(t, map[string]string{
		"event": "service-review-created", "language": "en", "verified": "true", "reference_id": "ORD-9912", "location_id": "loc-1",
	}, r.Attributes)
	b, _ := json.Marshal(r)
	assert.NotContains(t, string(b), "Ana Lopez")
}

func TestDecodeUpdatedIsANewerVersion(t *testing.T) {
	created, err := decode(t, `{"events":[{"eventName":"service-review-created","eventData":{"id":"r1","stars":2,"createdAt":"2025-03-02T10:01:12Z"}}]}`)
	require.NoError(t, err)
	updated, err := decode(t, `{"events":[{"eventName":"service-review-updated","eventData":{"id":"r1","stars":4,"createdAt":"2025-03-02T10:01:12Z","updatedAt":"2025-03-02T10:03:00Z"}}]}`)
	require.NoError(t, err)
	assert.Equal(t, created[0].ID, updated[0].ID)
	assert.Greater(t, updated[0].Version, created[0].Version)

	noUpdatedAt, err := decode(t, `{"events":[{"eventName":"service-review-updated","eventData":{"id":"r1","stars":4,"createdAt":"2025-03-02T10:01:12Z"}}]}`)
	require.NoError(t, err)
	assert.Equal(t, connectortest.ReceivedAt().Unix(), noUpdatedAt[0].Version, "an update without updatedAt is versioned by its receive time")
}

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		records int
		wantErr error
		message string
	}{
		{"two reviews", `{"events":[{"eventName":"service-review-created","eventData":{"id":"a","createdAt":"2025-03-02T10:01:12Z"}},{"eventName":"service-review-created","eventData":{"id":"b","createdAt":"2025-03-02T10:01:13Z"}}]}`, 2, nil, ""},
		{"deleted ignored", `{"events":[{"eventName":"service-review-deleted","eventData":{"id":"a"}}]}`, 0, connectors.ErrIgnored, "service-review-deleted"},
		{"other events ignored", `{"events":[{"eventName":"product-review-created"},{"eventName":"product-review-created"}]}`, 0, connectors.ErrIgnored, "event types product-review-created"},
		{"created and deleted", `{"events":[{"eventName":"service-review-deleted","eventData":{"id":"a"}},{"eventName":"service-review-created","eventData":{"id":"b","createdAt":"2025-03-02T10:01:12Z"}}]}`, 1, nil, ""},
		{"no events", `{"events":[]}`, 0, connectors.ErrMalformed, "events missing or empty"},
		{"no event name", `{"events":[{"eventData":{"id":"a"}}]}`, 0, connectors.ErrMalformed, "eventName missing"},
		{"no eventData", `{"events":[{"eventName":"service-review-created"}]}`, 0, connectors.ErrMalformed, "eventData missing"},
		{"no id", `{"events":[{"eventName":"service-review-created","eventData":{"createdAt":"2025-03-02T10:01:12Z"}}]}`, 0, connectors.ErrMalformed, "id: missing"},
		{"no createdAt", `{"events":[{"eventName":"service-review-created","eventData":{"id":"a"}}]}`, 0, connectors.ErrMalformed, "createdAt missing"},
		{"stars 0", `{"events":[{"eventName":"service-review-created","eventData":{"id":"a","stars":0,"createdAt":"2025-03-02T10:01:12Z"}}]}`, 0, connectors.ErrMalformed, "stars"},
		{"bad createdAt", `{"events":[{"eventName":"service-review-created","eventData":{"id":"a","createdAt":"yesterday"}}]}`, 0, connectors.ErrMalformed, "RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := decode(t, tt.body)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.ErrorContains(t, err, tt.message)
				return
			}
			require.NoError(t, err)
			assert.Len(t, recs, tt.records)
		})
	}
}

func TestNewRejectsOptions(t *testing.T) {
	_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: map[string]string{"x": "1"}}, connectors.Settings{})
	assert.ErrorContains(t, err, "trustpilot takes no options")
}

func TestVerifyTokenInURL(t *testing.T) {
	d := connectortest.New(t, NewFactory(), connectortest.Secret).(connectors.Verifier)
	req := connectortest.NewRequest([]byte(`{}`))
	req.URI = "/v1/webhooks/trustpilot?token=" + connectortest.Secret
	require.NoError(t, d.Verify(req), "the subscription URL carries the token")
	req.URI = "/v1/webhooks/trustpilot?token=nope"
	require.ErrorIs(t, d.Verify(req), connectors.ErrSignatureInvalid)
	req.URI = "/v1/webhooks/trustpilot"
	require.ErrorIs(t, d.Verify(req), connectors.ErrSignatureMissing)
}
