package intercom

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

// body builds a notification of topic; edit changes it before marshalling.
func body(t *testing.T, topic string, edit func(n, item map[string]any)) []byte {
	t.Helper()
	item := map[string]any{
		"type": "conversation", "id": "1911149811", "created_at": 1740909670, "updated_at": 1740909860,
		"source":            map[string]any{"type": "conversation", "subject": "", "body": "<p>Dark mode please!</p>", "author": map[string]any{"type": "lead", "id": "lead-1"}},
		"contacts":          map[string]any{"type": "contact.list", "contacts": []any{map[string]any{"type": "contact", "id": "contact-1"}}},
		"admin_assignee_id": 814860,
		"conversation_parts": map[string]any{"type": "conversation_part.list", "conversation_parts": []any{
			map[string]any{"id": "p1", "part_type": "comment", "body": "<p>When?</p>", "created_at": 1740909800, "author": map[string]any{"type": "user", "id": "user-1"}},
			map[string]any{"id": "p2", "part_type": "comment", "body": "<p>Soon.</p>", "created_at": 1740909850, "author": map[string]any{"type": "admin", "id": "814860"}},
		}},
		"conversation_rating": map[string]any{"rating": 5, "remark": "Great help", "created_at": 1740909700, "updated_at": 1740909800, "contact": map[string]any{"id": "contact-9"}},
	}
	n := map[string]any{"type": "notification_event", "id": "notif_1", "topic": topic, "app_id": "abc123", "created_at": 1740909870, "data": map[string]any{"item": item}}
	if edit != nil {
		edit(n, item)
	}
	b, err := json.Marshal(n)
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
		assert.ErrorContains(t, err, "intercom: decode")
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

func TestDecodeCreated(t *testing.T) {
	rec, err := decodeOne(t, body(t, TopicUserCreated, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "conversation:1911149811"), rec.ID)
	assert.Equal(t, "notif_1", rec.EventID)
	assert.Equal(t, "Dark mode please!", rec.Text)
	assert.Equal(t, "lead-1", rec.Customer.ID, "the source author, a lead")
	assert.Equal(t, "814860", rec.Agent)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 10, 0, time.UTC), rec.OccurredAt)
	assert.Equal(t, "abc123", rec.Attributes["workspace_id"])

	rec, err = decodeOne(t, body(t, TopicUserCreated, func(_, item map[string]any) {
		item["source"] = map[string]any{"subject": "Billing &amp; invoices", "body": "<div>Wrong VAT</div>", "author": map[string]any{"type": "admin", "id": "1"}}
		delete(item, "created_at")
		item["admin_assignee_id"] = 0
	}))
	require.NoError(t, err)
	assert.Equal(t, "Billing & invoices\nWrong VAT", rec.Text)
	assert.Equal(t, "contact-1", rec.Customer.ID, "an admin author is not the customer: contacts[0]")
	assert.Empty(t, rec.Agent, "0 is unassigned")
	assert.Equal(t, time.Date(2025, 3, 2, 10, 4, 30, 0, time.UTC), rec.OccurredAt, "falls back to the notification time")

	_, err = decodeOne(t, body(t, TopicUserCreated, func(_, item map[string]any) { item["source"] = map[string]any{"body": "<p><img src=x></p>"} }))
	require.ErrorIs(t, err, connectors.ErrIgnored)
	assert.ErrorContains(t, err, "without text")
}

func TestDecodeReplied(t *testing.T) {
	rec, err := decodeOne(t, body(t, TopicUserReplied, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "part:p1"), rec.ID, "the last customer part, not the later admin part")
	assert.Equal(t, "When?", rec.Text)
	assert.Equal(t, "user-1", rec.Customer.ID)
	assert.Equal(t, "p1", rec.Attributes["part_id"])
	assert.Equal(t, time.Date(2025, 3, 2, 10, 3, 20, 0, time.UTC), rec.OccurredAt)

	// Bare arrays (older API versions) work too; the newest customer part wins.
	rec, err = decodeOne(t, body(t, TopicUserReplied, func(_, item map[string]any) {
		item["contacts"] = []any{map[string]any{"id": "c-arr"}}
		item["conversation_parts"] = []any{
			map[string]any{"id": "p1", "body": "<p>first</p>", "author": map[string]any{"type": "user", "id": "u"}},
			map[string]any{"id": 99, "body": "<p>second</p>", "author": map[string]any{"type": "lead", "id": "u"}},
			map[string]any{"id": "p3", "body": "<p> </p>", "author": map[string]any{"type": "user", "id": "u"}},
			map[string]any{"id": "p4", "part_type": "note", "body": "<p>internal</p>", "author": map[string]any{"type": "user", "id": "u"}},
			map[string]any{"id": "p5", "body": "<p>bot</p>", "author": map[string]any{"type": "bot", "id": "b"}},
		}
	}))
	require.NoError(t, err)
	assert.Equal(t, "second", rec.Text)
	assert.Equal(t, feedback.NewID(Type, "part:99"), rec.ID)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 4, 20, 0, time.UTC), rec.OccurredAt, "no part time: the conversation's updated_at")

	for name, edit := range map[string]func(_, item map[string]any){
		"only admin parts": func(_, item map[string]any) {
			item["conversation_parts"] = []any{map[string]any{"id": "p", "body": "<p>x</p>", "author": map[string]any{"type": "admin", "id": "1"}}}
		},
		"attachment only": func(_, item map[string]any) {
			item["conversation_parts"] = []any{map[string]any{"id": "p", "body": "", "author": map[string]any{"type": "user", "id": "1"}}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, TopicUserReplied, edit))
			require.ErrorIs(t, err, connectors.ErrIgnored)
		})
	}
}

func TestDecodeRating(t *testing.T) {
	rec, err := decodeOne(t, body(t, TopicRatingAdded, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "rating:1911149811"), rec.ID)
	require.NotNil(t, rec.Score)
	assert.Equal(t, feedback.ScoreCSAT, rec.Score.Type)
	assert.InDelta(t, 5, rec.Score.Value, 0)
	assert.InDelta(t, 1, rec.Score.Normalized, 0)
	assert.Equal(t, "Great help", rec.Text)
	assert.Equal(t, "contact-9", rec.Customer.ID)
	assert.Equal(t, int64(1740909800), rec.Version)
	assert.Equal(t, "814860", rec.Agent, "no teammate on the rating: the admin assignee")

	remarked, err := decodeOne(t, body(t, TopicRatingRemarked, func(_, item map[string]any) {
		item["conversation_rating"] = map[string]any{"rating": 1, "remark": "Slow", "created_at": 1740909700, "updated_at": 1740909850, "customer": map[string]any{"id": "old-api"}, "teammate": map[string]any{"id": 42}}
	}))
	require.NoError(t, err)
	assert.Equal(t, rec.ID, remarked.ID, "same conversation, same rating record")
	assert.Greater(t, remarked.Version, rec.Version)
	assert.InDelta(t, 0, remarked.Score.Normalized, 0)
	assert.Equal(t, "old-api", remarked.Customer.ID)
	assert.Equal(t, "42", remarked.Agent)

	tests := []struct {
		name   string
		rating any
		want   error
	}{
		{"null rating object", nil, connectors.ErrIgnored},
		{"rating requested, not given", map[string]any{"rating": nil, "remark": nil}, connectors.ErrIgnored},
		{"zero", map[string]any{"rating": 0}, connectors.ErrMalformed},
		{"six", map[string]any{"rating": 6}, connectors.ErrMalformed},
		{"fraction", map[string]any{"rating": 3.5}, connectors.ErrMalformed},
		{"string", map[string]any{"rating": "4"}, connectors.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, TopicRatingAdded, func(_, item map[string]any) { item["conversation_rating"] = tt.rating }))
			require.ErrorIs(t, err, tt.want)
		})
	}

	remarkOnly, err := decodeOne(t, body(t, TopicRatingAdded, func(_, item map[string]any) {
		item["conversation_rating"] = map[string]any{"remark": "No score but words"}
	}))
	require.NoError(t, err)
	assert.Nil(t, remarkOnly.Score)
	assert.Equal(t, int64(1), remarkOnly.Version)
}

func TestDecodeAttributes(t *testing.T) {
	rec, err := decodeOne(t, body(t, TopicUserCreated, func(_, item map[string]any) {
		item["team_assignee_id"] = "5"
		item["state"] = "Open"
		item["priority"] = "priority"
		item["tags"] = map[string]any{"type": "tag.list", "tags": []any{
			map[string]any{"name": "vip"}, map[string]any{"name": "team:support, tier 2"}, map[string]any{"name": "location:berlin"}, map[string]any{"name": ""},
		}}
		item["custom_attributes"] = map[string]any{"plan": "Pro", "seats": 12, "email": "a@b.c", "Phone Number": "1", "nested": map[string]any{"a": 1}, "trial": false}
	}))
	require.NoError(t, err)
	assert.Equal(t, "support, tier 2", rec.Team)
	assert.Equal(t, "berlin", rec.Location)
	assert.Equal(t, map[string]string{
		"conversation_id": "1911149811", "workspace_id": "abc123", "team_id": "5", "state": "open", "priority": "priority",
		"channel": "conversation", "tags": "vip,team:support  tier 2,location:berlin",
		"custom.plan": "Pro", "custom.seats": "12", "custom.trial": "false",
	}, rec.Attributes)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name  string
		topic string
		edit  func(n, item map[string]any)
		want  error
		msg   string
	}{
		{"ping", TopicPing, func(n, _ map[string]any) {
			n["data"] = map[string]any{"item": map[string]any{"type": "ping", "message": "hi"}}
		}, connectors.ErrIgnored, "ping"},
		{"admin replied", "conversation.admin.replied", nil, connectors.ErrIgnored, "conversation.admin.replied"},
		{"contact created, odd shape", "contact.user.created", func(n, _ map[string]any) { n["data"] = "x" }, connectors.ErrIgnored, "contact.user.created"},
		{"no topic", "", nil, connectors.ErrMalformed, "topic missing"},
		{"no item", TopicUserCreated, func(n, _ map[string]any) { n["data"] = map[string]any{} }, connectors.ErrMalformed, "data.item missing"},
		{"item not a conversation", TopicUserCreated, func(_, item map[string]any) { item["type"] = "ticket" }, connectors.ErrMalformed, "want conversation"},
		{"item an array", TopicUserCreated, func(n, _ map[string]any) { n["data"] = map[string]any{"item": []any{1}} }, connectors.ErrMalformed, "data.item"},
		{"no conversation id", TopicUserCreated, func(_, item map[string]any) { delete(item, "id") }, connectors.ErrMalformed, "data.item.id missing"},
		{"no parts", TopicUserReplied, func(_, item map[string]any) { delete(item, "conversation_parts") }, connectors.ErrMalformed, "conversation_parts missing"},
		{"part without id", TopicUserReplied, func(_, item map[string]any) {
			item["conversation_parts"] = []any{map[string]any{"body": "<p>x</p>", "author": map[string]any{"type": "user", "id": "1"}}}
		}, connectors.ErrMalformed, "conversation_parts[].id"},
		{"parts not a list", TopicUserReplied, func(_, item map[string]any) { item["conversation_parts"] = "x" }, connectors.ErrMalformed, "conversation_parts"},
		{"bad created_at", TopicUserCreated, func(_, item map[string]any) { item["created_at"] = "yesterday" }, connectors.ErrMalformed, `data.item: unix timestamp "yesterday"`},
		{"data not an object", TopicUserCreated, func(n, _ map[string]any) { n["data"] = "x" }, connectors.ErrMalformed, "data:"},
		{"far-future notification time", TopicUserCreated, func(n, _ map[string]any) { n["created_at"] = 253402300800 }, connectors.ErrMalformed, "created_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, tt.topic, tt.edit))
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

// bodyV1 is body in the API 1.x shape: the opening message in
// conversation_message, the customer in user, the assignee as an object;
// no source, contacts or admin_assignee_id.
func bodyV1(t *testing.T, topic string, edit func(n, item map[string]any)) []byte {
	t.Helper()
	return body(t, topic, func(n, item map[string]any) {
		delete(item, "source")
		delete(item, "contacts")
		delete(item, "admin_assignee_id")
		item["conversation_message"] = map[string]any{"type": "conversation_message", "id": "331", "subject": "Export &amp; import", "body": "<p>CSV export is broken.</p>", "author": map[string]any{"type": "user", "id": "user-1"}}
		item["user"] = map[string]any{"type": "lead", "id": "lead-7", "name": "Someone"}
		item["assignee"] = map[string]any{"type": "admin", "id": "1957471"}
		if edit != nil {
			edit(n, item)
		}
	})
}

func TestDecodeAPIv1(t *testing.T) {
	tests := []struct {
		name      string
		topic     string
		v1        bool // bodyV1, else body (2.x)
		edit      func(n, item map[string]any)
		wantID    string // external id
		wantText  string
		wantCust  string
		wantAgent string
	}{
		{name: "created: conversation_message, author, assignee", topic: TopicUserCreated, v1: true,
			wantID: "conversation:1911149811", wantText: "Export & import\nCSV export is broken.", wantCust: "user-1", wantAgent: "1957471"},
		{name: "created: admin-initiated message, customer is item.user", topic: TopicUserCreated, v1: true,
			edit: func(_, item map[string]any) {
				item["conversation_message"].(map[string]any)["author"] = map[string]any{"type": "admin", "id": "25"}
			},
			wantID: "conversation:1911149811", wantText: "Export & import\nCSV export is broken.", wantCust: "lead-7", wantAgent: "1957471"},
		{name: "created: unassigned (nobody_admin, null id)", topic: TopicUserCreated, v1: true,
			edit:   func(_, item map[string]any) { item["assignee"] = map[string]any{"type": "nobody_admin", "id": nil} },
			wantID: "conversation:1911149811", wantText: "Export & import\nCSV export is broken.", wantCust: "user-1"},
		{name: "created: team assignee is not an agent", topic: TopicUserCreated, v1: true,
			edit:   func(_, item map[string]any) { item["assignee"] = map[string]any{"type": "team", "id": "77"} },
			wantID: "conversation:1911149811", wantText: "Export & import\nCSV export is broken.", wantCust: "user-1"},
		{name: "created: empty source falls back to conversation_message", topic: TopicUserCreated, v1: true,
			edit: func(_, item map[string]any) {
				item["source"] = map[string]any{"type": "conversation", "body": "<p> </p>", "author": map[string]any{"type": "user", "id": "src-author"}}
			},
			wantID: "conversation:1911149811", wantText: "Export & import\nCSV export is broken.", wantCust: "user-1", wantAgent: "1957471"},
		{name: "replied: agent from assignee", topic: TopicUserReplied, v1: true,
			wantID: "part:p1", wantText: "When?", wantCust: "user-1", wantAgent: "1957471"},
		{name: "rating: no customer on the rating, item.user", topic: TopicRatingAdded, v1: true,
			edit: func(_, item map[string]any) {
				item["conversation_rating"] = map[string]any{"rating": 4, "customer": map[string]any{"id": nil}, "teammate": map[string]any{"id": nil}}
			},
			wantID: "rating:1911149811", wantCust: "lead-7", wantAgent: "1957471"},
		{name: "2.x unchanged: source wins over conversation_message", topic: TopicUserCreated,
			edit: func(_, item map[string]any) {
				item["conversation_message"] = map[string]any{"body": "<p>1.x text</p>", "author": map[string]any{"type": "user", "id": "v1-author"}}
				item["user"] = map[string]any{"type": "user", "id": "v1-user"}
			},
			wantID: "conversation:1911149811", wantText: "Dark mode please!", wantCust: "lead-1", wantAgent: "814860"},
		{name: "2.x unchanged: admin_assignee_id wins over assignee", topic: TopicUserReplied,
			edit:   func(_, item map[string]any) { item["assignee"] = map[string]any{"type": "admin", "id": "999"} },
			wantID: "part:p1", wantText: "When?", wantCust: "user-1", wantAgent: "814860"},
		{name: "2.x unchanged: contacts win over user", topic: TopicUserCreated,
			edit: func(_, item map[string]any) {
				item["source"].(map[string]any)["author"] = map[string]any{"type": "bot", "id": "b"}
				item["user"] = map[string]any{"type": "user", "id": "v1-user"}
			},
			wantID: "conversation:1911149811", wantText: "Dark mode please!", wantCust: "contact-1", wantAgent: "814860"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			build := body
			if tt.v1 {
				build = bodyV1
			}
			rec, err := decodeOne(t, build(t, tt.topic, tt.edit))
			require.NoError(t, err)
			assert.Equal(t, feedback.NewID(Type, tt.wantID), rec.ID)
			assert.Equal(t, tt.wantText, rec.Text)
			assert.Equal(t, tt.wantCust, rec.Customer.ID)
			assert.Equal(t, tt.wantAgent, rec.Agent)
		})
	}

	_, err := decodeOne(t, bodyV1(t, TopicUserCreated, func(_, item map[string]any) {
		item["conversation_message"] = map[string]any{"subject": "", "body": "<p><img src=x></p>", "author": map[string]any{"type": "user", "id": "u"}}
	}))
	require.ErrorIs(t, err, connectors.ErrIgnored, "1.x attachment only")
	assert.ErrorContains(t, err, "without text")
}

func TestDecodeStringTimestamps(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v.UTC()
	}
	notified := time.Date(2025, 3, 2, 10, 4, 30, 0, time.UTC) // body's notification created_at
	tests := []struct {
		name        string
		topic       string
		edit        func(n, item map[string]any)
		want        time.Time
		wantVersion int64 // rating topics only
	}{
		{"created: RFC 3339 with fraction and offset", TopicUserCreated,
			func(_, item map[string]any) { item["created_at"] = "2025-03-02T11:01:10.820+01:00" },
			at("2025-03-02T10:01:10.82Z"), 0},
		{"created: numeric string, as before", TopicUserCreated,
			func(_, item map[string]any) { item["created_at"] = "1740909670" },
			at("2025-03-02T10:01:10Z"), 0},
		{"created: empty string is absent", TopicUserCreated,
			func(_, item map[string]any) { item["created_at"] = "" },
			notified, 0},
		{"created: epoch is absent, like 0", TopicUserCreated,
			func(_, item map[string]any) { item["created_at"] = "1970-01-01T00:00:00Z" },
			notified, 0},
		{"created: notification time as a string", TopicUserCreated,
			func(n, item map[string]any) { delete(item, "created_at"); n["created_at"] = "2025-03-02T10:04:31Z" },
			at("2025-03-02T10:04:31Z"), 0},
		{"replied: part and updated_at as strings", TopicUserReplied,
			func(_, item map[string]any) {
				item["updated_at"] = "2025-03-02T10:04:00Z"
				parts := item["conversation_parts"].(map[string]any)["conversation_parts"].([]any)
				parts[0].(map[string]any)["created_at"] = "2025-03-02T10:03:21Z"
			},
			at("2025-03-02T10:03:21Z"), 0},
		{"rating: updated_at as a string sets the version", TopicRatingAdded,
			func(_, item map[string]any) {
				item["conversation_rating"] = map[string]any{"rating": 3, "created_at": "2025-03-02T10:01:40Z", "updated_at": "2025-03-02T10:03:20Z"}
			},
			at("2025-03-02T10:03:20Z"), 1740909800},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, tt.topic, tt.edit))
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.OccurredAt)
			if tt.wantVersion != 0 {
				assert.Equal(t, tt.wantVersion, rec.Version)
			}
		})
	}

	for name, v := range map[string]any{
		"not a time":       "yesterday",
		"month 13":         "2025-13-01T00:00:00Z",
		"no zone":          "2025-03-02 10:01:10",
		"an object":        map[string]any{"at": 1},
		"a string in JSON": `"2025-03-02T10:01:10Z"`,
	} {
		t.Run("malformed: "+name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, TopicUserCreated, func(_, item map[string]any) { item["created_at"] = v }))
			require.ErrorIs(t, err, connectors.ErrMalformed)
			assert.ErrorContains(t, err, "data.item")
		})
	}
}
