package hubspot

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

// withPublicURL is the option set the conformance suite, the signature
// vectors and the fuzzer run with.
var withPublicURL = connectortest.WithConfig(func(c *connectors.SourceConfig) {
	c.Options = map[string]string{OptionPublicURL: "https://hooks.example.com"}
})

func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory(), withPublicURL)
}

// ev builds one event; edit changes it.
func ev(typ string, edit func(e map[string]any)) map[string]any {
	e := map[string]any{
		"eventId": 101, "subscriptionId": 7, "portalId": 62515, "appId": 54321, "occurredAt": 1740909672000,
		"subscriptionType": typ, "attemptNumber": 0, "objectId": 1246965, "changeSource": "CRM_UI",
	}
	if edit != nil {
		edit(e)
	}
	return e
}

func prop(name, value string) func(e map[string]any) {
	return func(e map[string]any) { e["propertyName"] = name; e["propertyValue"] = value }
}

func decode(t *testing.T, events ...map[string]any) ([]feedback.Record, error) {
	t.Helper()
	b, err := json.Marshal(events)
	require.NoError(t, err)
	return decodeBody(t, b)
}

func decodeBody(t *testing.T, b []byte) ([]feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	recs, err := d.Decode(t.Context(), connectortest.NewRequest(b))
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		assert.ErrorContains(t, err, "hubspot: decode")
		return nil, err
	}
	connectortest.CheckRecords(t, recs)
	return recs, nil
}

func TestDecodeTicketCreation(t *testing.T) {
	recs, err := decode(t, ev(EventTicketCreation, nil))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	r := recs[0]
	assert.Equal(t, feedback.NewID(Type, "ticket:1246965"), r.ID)
	assert.Equal(t, "101", r.EventID)
	assert.Equal(t, int64(1740909672000), r.Version)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), r.OccurredAt)
	assert.Equal(t, feedback.KindTicket, r.Kind)
	assert.Empty(t, r.Text, "HubSpot sends no ticket text on creation")
	assert.Equal(t, feedback.Customer{Role: feedback.RoleUnknown}, r.Customer)
	assert.Equal(t, map[string]string{
		"portal_id": "62515", "app_id": "54321", "subscription_type": "ticket.creation", "object_id": "1246965", "change_source": "crm_ui",
	}, r.Attributes)
}

func TestDecodePropertyChanges(t *testing.T) {
	t.Run("content and subject are new versions of the ticket record", func(t *testing.T) {
		recs, err := decode(t,
			ev(EventTicketCreation, nil),
			ev(EventTicketPropertyChange, func(e map[string]any) {
				prop("content", "  The app logs me out every hour.  ")(e)
				e["eventId"], e["occurredAt"] = 102, 1740909700000
			}),
		)
		require.NoError(t, err)
		require.Len(t, recs, 2)
		assert.Equal(t, recs[0].ID, recs[1].ID, "same ticket, same record")
		assert.Greater(t, recs[1].Version, recs[0].Version)
		assert.Equal(t, "The app logs me out every hour.", recs[1].Text)
		assert.Equal(t, "content", recs[1].Attributes["property_name"])
		assert.Nil(t, recs[1].Answers)
	})
	t.Run("events of one instant merge: subject, then content", func(t *testing.T) {
		recs, err := decode(t,
			ev(EventTicketPropertyChange, prop("content", "Body text")),
			ev(EventTicketCreation, func(e map[string]any) { e["eventId"] = 99 }),
			ev(EventTicketPropertyChange, func(e map[string]any) { prop("subject", "Subject line")(e); e["eventId"] = 103 }),
		)
		require.NoError(t, err)
		require.Len(t, recs, 1)
		assert.Equal(t, "Subject line\nBody text", recs[0].Text)
		assert.Equal(t, "101", recs[0].EventID, "the first event's id is kept")
		assert.Equal(t, []feedback.Answer{{Field: "subject", Text: "Subject line"}, {Field: "content", Text: "Body text"}}, recs[0].Answers)
		assert.Equal(t, "content,subject", recs[0].Attributes["property_name"])
		assert.Equal(t, EventTicketPropertyChange, recs[0].Attributes["subscription_type"])
	})
	t.Run("other properties are skipped", func(t *testing.T) {
		_, err := decode(t, ev(EventTicketPropertyChange, prop("hs_pipeline_stage", "4")), ev(EventTicketPropertyChange, prop("hs_ticket_priority", "HIGH")))
		require.ErrorIs(t, err, connectors.ErrIgnored)
		assert.ErrorContains(t, err, "ticket.propertyChange(hs_pipeline_stage) (1)")
	})
	t.Run("null value gives an empty text", func(t *testing.T) {
		recs, err := decode(t, ev(EventTicketPropertyChange, func(e map[string]any) { e["propertyName"] = "content"; e["propertyValue"] = nil }))
		require.NoError(t, err)
		assert.Empty(t, recs[0].Text)
	})
}

func TestDecodeGenericObjectEvents(t *testing.T) {
	recs, err := decode(t,
		ev(EventObjectCreation, func(e map[string]any) { e["objectTypeId"] = "0-5" }),
		ev(EventObjectPropertyChange, func(e map[string]any) {
			e["objectTypeId"] = "0-5"
			e["objectId"] = "77"
			e["eventId"] = "abc"
			prop("subject", "Wrong size delivered")(e)
		}),
		ev(EventObjectCreation, func(e map[string]any) { e["objectTypeId"] = "0-1" }),
	)
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, feedback.NewID(Type, "ticket:77"), recs[1].ID, "object.* tickets share the ticket:<id> key")
	assert.Equal(t, "Wrong size delivered", recs[1].Text)
	assert.Equal(t, "abc", recs[1].EventID)
}

func TestDecodeIgnored(t *testing.T) {
	_, err := decode(t,
		ev("contact.creation", nil),
		ev("deal.propertyChange", prop("amount", "10")),
		ev(EventObjectCreation, func(e map[string]any) { e["objectTypeId"] = "0-1"; e["objectId"] = []any{"odd shape is fine"} }),
	)
	require.ErrorIs(t, err, connectors.ErrIgnored)
	assert.ErrorContains(t, err, "contact.creation (1)")
	assert.ErrorContains(t, err, "object.creation(0-1) (1)")
}

func TestDecodeMalformed(t *testing.T) {
	tests := []struct {
		name string
		body string
		msg  string
	}{
		{"object", `{"eventId":1}`, "not a JSON array"},
		{"empty batch", `[]`, "empty batch"},
		{"item not an object", `[1]`, "event 0"},
		{"no type", `[{"eventId":1}]`, "event 0: subscriptionType missing"},
		{"no object id", `[{"subscriptionType":"ticket.creation","eventId":1,"occurredAt":1740909672000}]`, "event 0 (ticket.creation): objectId missing"},
		{"no event id", `[{"subscriptionType":"ticket.creation","objectId":1,"occurredAt":1740909672000}]`, "eventId missing"},
		{"no occurredAt", `[{"subscriptionType":"ticket.creation","objectId":1,"eventId":1}]`, "occurredAt missing"},
		{"occurredAt not ms", `[{"subscriptionType":"ticket.creation","objectId":1,"eventId":1,"occurredAt":"yesterday"}]`, "milliseconds"},
		{"occurredAt too late", `[{"subscriptionType":"ticket.creation","objectId":1,"eventId":1,"occurredAt":999999999999999999}]`, "after year 9999"},
		{"propertyValue not a string", `[{"subscriptionType":"ticket.propertyChange","propertyName":"content","propertyValue":{"x":1},"objectId":1,"eventId":1,"occurredAt":1}]`, "event 0 (ticket.propertyChange)"},
		{"one bad item fails the batch", `[{"subscriptionType":"ticket.creation","objectId":1,"eventId":1,"occurredAt":1},{"subscriptionType":"ticket.creation"}]`, "event 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeBody(t, []byte(tt.body))
			require.ErrorIs(t, err, connectors.ErrMalformed)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestDecodeEventTypeKey(t *testing.T) {
	// The docs' field table names the type `eventType`; payload examples
	// use `subscriptionType`. Both are read.
	recs, err := decodeBody(t, []byte(`[{"eventType":"ticket.creation","objectId":5,"eventId":6,"occurredAt":1740909672000}]`))
	require.NoError(t, err)
	assert.Equal(t, "ticket.creation", recs[0].Attributes["subscription_type"])
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]string
		wantErr string
		public  string
		v1      bool
	}{
		{"none", nil, "", "", false},
		{"public url trailing slash", map[string]string{OptionPublicURL: " https://hooks.example.com/ "}, "", "https://hooks.example.com", false},
		{"public url with prefix", map[string]string{OptionPublicURL: "https://example.com/corridor"}, "", "https://example.com/corridor", false},
		{"allow v1", map[string]string{OptionAllowV1: "true"}, "", "", true},
		{"relative url", map[string]string{OptionPublicURL: "/hooks"}, "absolute http(s) URL", "", false},
		{"url with query", map[string]string{OptionPublicURL: "https://h.example.com/?a=1"}, "no query", "", false},
		{"bad bool", map[string]string{OptionAllowV1: "yes please"}, "not true or false", "", false},
		{"unknown", map[string]string{"client_id": "x", OptionAllowV1: "nope"}, "options client_id: unknown", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: tt.options}, connectors.Settings{})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, tt.wantErr)
				assert.ErrorContains(t, err, "hubspot:")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.public, d.(*decoder).publicURL)
			assert.Equal(t, tt.v1, d.(*decoder).allowV1)
		})
	}
}
