package helpscout

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// TestConformance runs the suite. It posts fixtures without
// X-HelpScout-Event, so it also checks that the event is inferred from the
// body's shape; TestDecodeFixturesWithHeader checks the same fixtures with
// the header Help Scout sends.
func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory())
}

func decode(t *testing.T, event string, b []byte) (feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	req := connectortest.NewRequest(b)
	if event != "" {
		req.Header.Set(EventHeader, event)
	}
	recs, err := d.Decode(t.Context(), req)
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		assert.ErrorContains(t, err, "helpscout: decode")
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestDecodeFixturesWithHeader(t *testing.T) {
	for fixture, event := range map[string]string{
		"convo_created":                EventConvoCreated,
		"convo_customer_reply_created": EventConvoCustomerReply,
		"satisfaction_ratings":         EventSatisfactionRatings,
		"survey_response_nps":          EventSurveyResponse,
		"survey_response_emoji":        EventSurveyResponse,
		"survey_response_faces":        EventSurveyResponse,
		"survey_response_thumbs":       EventSurveyResponse,
	} {
		t.Run(fixture, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + fixture + ".json")
			require.NoError(t, err)
			withHeader, err := decode(t, event, b)
			require.NoError(t, err)
			inferred, err := decode(t, "", b)
			require.NoError(t, err)
			assert.Equal(t, inferred, withHeader, "inference must agree with the header")
		})
	}
}

// convo returns a V2 conversation; edit changes it.
func convo(edit func(c map[string]any)) map[string]any {
	c := map[string]any{
		"id": 100, "number": 7, "threads": 1, "type": "chat", "status": "active", "subject": "Login loop",
		"preview": "I keep getting logged out", "mailboxId": 85,
		"createdBy": map[string]any{"id": 12, "type": "customer"}, "createdAt": "2025-03-02T10:00:00Z",
		"primaryCustomer": map[string]any{"id": 12, "email": "a@b.c", "first": "A"},
		"_embedded": map[string]any{"threads": []any{
			map[string]any{"id": 1, "type": "customer", "body": "<p>I keep getting logged out</p>", "createdBy": map[string]any{"id": 12, "type": "customer"}, "createdAt": "2025-03-02T10:00:00Z"},
		}},
	}
	if edit != nil {
		edit(c)
	}
	return c
}

func TestDecodeConversation(t *testing.T) {
	rec, err := decode(t, EventConvoCreated, marshal(t, convo(nil)))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "100:1"), rec.ID)
	assert.Equal(t, "Login loop\nI keep getting logged out", rec.Text)
	assert.Equal(t, "12", rec.Customer.ID)
	assert.Equal(t, feedback.KindTicket, rec.Kind)
	assert.Equal(t, "chat", rec.Attributes["channel"])

	// The same thread delivered as a reply is the same record.
	reply, err := decode(t, EventConvoCustomerReply, marshal(t, convo(nil)))
	require.NoError(t, err)
	assert.Equal(t, rec.ID, reply.ID)
	assert.Equal(t, "I keep getting logged out", reply.Text, "no subject on replies")

	threads := func(list ...any) func(c map[string]any) {
		return func(c map[string]any) { c["_embedded"] = map[string]any{"threads": list} }
	}
	tests := []struct {
		name     string
		edit     func(c map[string]any)
		wantID   string
		wantText string
		wantCust string
	}{
		{"newest by time", threads(
			map[string]any{"id": 5, "type": "customer", "body": "old", "createdAt": "2025-03-02T10:00:00Z"},
			map[string]any{"id": 3, "type": "customer", "body": "new", "createdAt": "2025-03-02T10:02:00Z"},
		), "100:3", "new", "12"},
		{"same time, higher id", threads(
			map[string]any{"id": 5, "type": "customer", "body": "five", "createdAt": "2025-03-02T10:00:00Z"},
			map[string]any{"id": 6, "type": "customer", "body": "six", "createdAt": "2025-03-02T10:00:00Z"},
		), "100:6", "six", "12"},
		{"no times: first listed", threads(
			map[string]any{"id": "a", "type": "customer", "body": "first"},
			map[string]any{"id": "b", "type": "customer", "body": "second"},
		), "100:a", "first", "12"},
		{"agent, note, draft and empty threads skipped", threads(
			map[string]any{"id": 9, "type": "message", "body": "agent", "createdAt": "2025-03-02T10:09:00Z"},
			map[string]any{"id": 8, "type": "note", "body": "note", "createdAt": "2025-03-02T10:08:00Z"},
			map[string]any{"id": 7, "type": "customer", "state": "draft", "body": "draft", "createdAt": "2025-03-02T10:07:00Z"},
			map[string]any{"id": 6, "type": "customer", "body": "<p> </p>", "createdAt": "2025-03-02T10:06:00Z"},
			map[string]any{"id": 5, "type": "chat", "body": "agent chat", "createdBy": map[string]any{"id": 99, "type": "user"}, "createdAt": "2025-03-02T10:05:00Z"},
			map[string]any{"id": 4, "type": "chat", "body": "customer chat", "createdBy": map[string]any{"id": 44, "type": "customer"}, "createdAt": "2025-03-02T10:04:00Z"},
		), "100:4", "customer chat", "44"},
		{"thread customer when author is absent", threads(
			map[string]any{"id": 2, "type": "customer", "body": "x", "customer": map[string]any{"id": 77}},
		), "100:2", "x", "77"},
		{"v1 shape", func(c map[string]any) {
			delete(c, "_embedded")
			delete(c, "primaryCustomer")
			delete(c, "mailboxId")
			c["threads"] = []any{map[string]any{"id": 31, "type": "customer", "body": "v1 body", "createdBy": map[string]any{"id": 12, "type": "customer"}}}
			c["customer"] = map[string]any{"id": 12}
			c["mailbox"] = map[string]any{"id": 86, "name": "Support"}
			c["owner"] = map[string]any{"id": 98}
			c["tags"] = []any{"vip", "location:oslo"}
		}, "100:31", "v1 body", "12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decode(t, EventConvoCustomerReply, marshal(t, convo(tt.edit)))
			require.NoError(t, err)
			assert.Equal(t, feedback.NewID(Type, tt.wantID), rec.ID)
			assert.Equal(t, tt.wantText, rec.Text)
			assert.Equal(t, tt.wantCust, rec.Customer.ID)
		})
	}

	v1, err := decode(t, EventConvoCreated, marshal(t, convo(tests[len(tests)-1].edit)))
	require.NoError(t, err)
	assert.Equal(t, "98", v1.Agent)
	assert.Equal(t, "oslo", v1.Location)
	assert.Equal(t, "86", v1.Attributes["mailbox_id"])
}

func TestDecodeConversationWithoutThreads(t *testing.T) {
	noThreads := func(edit func(c map[string]any)) map[string]any {
		return convo(func(c map[string]any) {
			delete(c, "_embedded")
			c["threads"] = 3
			if edit != nil {
				edit(c)
			}
		})
	}
	created, err := decode(t, EventConvoCreated, marshal(t, noThreads(nil)))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "100"), created.ID)
	assert.Equal(t, "Login loop\nI keep getting logged out", created.Text)

	reply, err := decode(t, EventConvoCustomerReply, marshal(t, noThreads(func(c map[string]any) {
		c["customerWaitingSince"] = map[string]any{"time": "2025-03-02T10:04:00Z"}
	})))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "100@1740909840"), reply.ID)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 4, 0, 0, time.UTC), reply.OccurredAt)

	hashed, err := decode(t, EventConvoCustomerReply, marshal(t, noThreads(nil)))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(hashed.EventID, "100@h"), hashed.EventID)

	_, err = decode(t, EventConvoCreated, marshal(t, noThreads(func(c map[string]any) { c["createdBy"] = map[string]any{"id": 9, "type": "user"} })))
	require.ErrorIs(t, err, connectors.ErrIgnored)
	assert.ErrorContains(t, err, "started by a user")

	_, err = decode(t, EventConvoCreated, marshal(t, noThreads(func(c map[string]any) { c["preview"] = "" })))
	require.ErrorIs(t, err, connectors.ErrIgnored)
}

func TestDecodeAttributesAndPII(t *testing.T) {
	rec, err := decode(t, EventConvoCreated, marshal(t, convo(func(c map[string]any) {
		c["assignee"] = map[string]any{"id": 99, "email": "agent@x.test"}
		c["tags"] = []any{map[string]any{"tag": "touchpoint:checkout"}, map[string]any{"tag": "a,b"}, map[string]any{"name": "legacy"}}
		c["customFields"] = []any{
			map[string]any{"name": "Plan", "value": "3", "text": "Pro"},
			map[string]any{"name": "Seats", "value": 12},
			map[string]any{"name": "Customer email", "value": "a@b.c"},
			map[string]any{"name": "", "value": "x"},
		}
	})))
	require.NoError(t, err)
	assert.Equal(t, "99", rec.Agent)
	assert.Equal(t, "checkout", rec.Touchpoint)
	assert.Equal(t, map[string]string{
		"event": "convo.created", "conversation_id": "100", "conversation_number": "7", "thread_id": "1", "mailbox_id": "85",
		"status": "active", "channel": "chat", "tags": "touchpoint:checkout,a b,legacy", "custom.Plan": "Pro", "custom.Seats": "12",
	}, rec.Attributes)
}

func TestDecodeRating(t *testing.T) {
	rating := func(edit func(r map[string]any)) []byte {
		r := map[string]any{
			"id": 5434, "customer": map[string]any{"id": 449379, "firstName": "J", "emails": []any{map[string]any{"value": "j@x.test"}}},
			"ticketId": 1560011, "threadId": 3002084, "mailbox": map[string]any{"id": 1234, "name": "My Mailbox"},
			"rating": "Great", "comments": "he was really helpful", "createdAt": "2025-03-02T10:00:00Z", "modifiedAt": "2025-03-02T10:04:00Z",
		}
		if edit != nil {
			edit(r)
		}
		b, err := json.Marshal(r)
		require.NoError(t, err)
		return b
	}
	for value, want := range map[string]float64{"Great": 3, "great": 3, "Okay": 2, "OK": 2, "Bad": 1, "Not Good": 1, "notGood": 1} {
		rec, err := decode(t, EventSatisfactionRatings, rating(func(r map[string]any) { r["rating"] = value }))
		require.NoError(t, err, value)
		assert.InDelta(t, want, rec.Score.Value, 0, value)
		assert.Equal(t, feedback.ScoreCSAT, rec.Score.Type)
		assert.Equal(t, feedback.NewID(Type, "rating:5434"), rec.ID)
		assert.Equal(t, int64(1740909840), rec.Version)
		assert.Equal(t, "rating:5434@1740909840", rec.EventID)
		assert.Equal(t, "449379", rec.Customer.ID)
		assert.Equal(t, "he was really helpful", rec.Text)
	}
	changed, err := decode(t, EventSatisfactionRatings, rating(func(r map[string]any) { r["rating"] = "Bad"; r["modifiedAt"] = "2025-03-02T11:00:00Z" }))
	require.NoError(t, err)
	assert.Equal(t, int64(1740913200), changed.Version, "a changed rating supersedes the first")

	noModified, err := decode(t, EventSatisfactionRatings, rating(func(r map[string]any) { delete(r, "modifiedAt"); r["user"] = map[string]any{"id": 7} }))
	require.NoError(t, err)
	assert.Equal(t, int64(1740909600), noModified.Version)
	assert.Equal(t, "7", noModified.Agent)

	for name, edit := range map[string]func(r map[string]any){
		"unknown rating": func(r map[string]any) { r["rating"] = "Meh" },
		"no rating":      func(r map[string]any) { delete(r, "rating") },
		"no id":          func(r map[string]any) { delete(r, "id") },
		"bad time":       func(r map[string]any) { r["createdAt"] = "13/03/2025" },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decode(t, EventSatisfactionRatings, rating(edit))
			require.ErrorIs(t, err, connectors.ErrMalformed)
		})
	}
}

func TestDecodeSurvey(t *testing.T) {
	survey := func(value any, category string, edit func(s map[string]any)) []byte {
		s := map[string]any{
			"message":   map[string]any{"name": "Monthly NPS"},
			"response":  map[string]any{"value": value, "category": category, "comment": "ok", "timestamp": "2025-03-02T10:01:12Z"},
			"_embedded": map[string]any{"customer": map[string]any{"id": 500, "firstName": "Ana", "lastName": "Lopez"}},
		}
		if edit != nil {
			edit(s)
		}
		b, err := json.Marshal(s)
		require.NoError(t, err)
		return b
	}
	tests := []struct {
		value    any
		category string
		score    *float64
		wantCat  string
	}{
		{"0", "detractor", ptr(0.0), feedback.NPSDetractor},
		{"10", "promoter", ptr(10.0), feedback.NPSPromoter},
		{"9", "passive", ptr(9.0), feedback.NPSPromoter}, // Help Scout's own example pairs 9 with passive; we compute the category
		{9, "", ptr(9.0), feedback.NPSPromoter},
		{" 7 ", "", ptr(7.0), feedback.NPSPassive},
		{"11", "", nil, ""},
		{"-1", "", nil, ""},
		{"4", "positive", nil, ""}, // another survey type's category: no NPS
		{"😀", "", nil, ""},
		{"Very easy", "", nil, ""},
		{"7.5", "", nil, ""},
	}
	for _, tt := range tests {
		rec, err := decode(t, EventSurveyResponse, survey(tt.value, tt.category, nil))
		require.NoError(t, err, "%v", tt.value)
		assert.Equal(t, feedback.KindSurvey, rec.Kind)
		if tt.score == nil {
			assert.Nil(t, rec.Score, "%v", tt.value)
		} else {
			require.NotNil(t, rec.Score, "%v", tt.value)
			assert.InDelta(t, *tt.score, rec.Score.Value, 0)
			assert.Equal(t, tt.wantCat, rec.Score.NPSCategory)
		}
		assert.Equal(t, strings.TrimSpace(strings.Trim(marshalValue(tt.value), `"`)), rec.Attributes["response.value"])
		assert.Equal(t, feedback.NewID(Type, "survey:500:1740909672"), rec.ID)
		assert.NotContains(t, rec.Attributes, "customer.name")
	}

	anon := func() []byte {
		return survey("3", "", func(s map[string]any) { s["_embedded"] = map[string]any{} })
	}
	a, err := decode(t, EventSurveyResponse, anon())
	require.NoError(t, err)
	b, err := decode(t, EventSurveyResponse, anon())
	require.NoError(t, err)
	assert.Equal(t, a.ID, b.ID, "anonymous redelivery maps to the same record")
	assert.Empty(t, a.Customer.ID)
	assert.True(t, strings.HasPrefix(a.EventID, "survey:anon-"), a.EventID)

	_, err = decode(t, EventSurveyResponse, survey("", "", func(s map[string]any) { s["response"].(map[string]any)["comment"] = " " }))
	require.ErrorIs(t, err, connectors.ErrIgnored)

	commentOnly, err := decode(t, EventSurveyResponse, survey(nil, "", nil))
	require.NoError(t, err)
	assert.Nil(t, commentOnly.Score)
	assert.Equal(t, "ok", commentOnly.Text)

	for name, edit := range map[string]func(s map[string]any){
		"no response":   func(s map[string]any) { delete(s, "response") },
		"no timestamp":  func(s map[string]any) { delete(s["response"].(map[string]any), "timestamp") },
		"bad timestamp": func(s map[string]any) { s["response"].(map[string]any)["timestamp"] = "yesterday" },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decode(t, EventSurveyResponse, survey("9", "", edit))
			require.ErrorIs(t, err, connectors.ErrMalformed)
		})
	}
}

// TestDecodeSurveyOptions scores Faces and Thumbs surveys by response.name,
// the documented option name; Emoji surveys (the account's own set) and
// unknown names keep the raw name and value but get no score.
func TestDecodeSurveyOptions(t *testing.T) {
	score := func(typ feedback.ScoreType, v, lo, hi float64) *feedback.Score {
		s, err := feedback.NewScore(typ, v, lo, hi)
		require.NoError(t, err)
		return s
	}
	csat := func(v, lo, hi float64) *feedback.Score { return score(feedback.ScoreCSAT, v, lo, hi) }
	tests := []struct {
		name     string
		response map[string]any
		want     *feedback.Score
		wantName string
	}{
		{"faces happy", map[string]any{"name": "Happy", "value": "😀"}, csat(3, 1, 3), "Happy"},
		{"faces neutral", map[string]any{"name": "Neutral", "value": "😐"}, csat(2, 1, 3), "Neutral"},
		{"faces sad", map[string]any{"name": "Sad", "value": "🙁"}, csat(1, 1, 3), "Sad"},
		{"thumbs up", map[string]any{"name": "Thumbs Up", "value": "👍"}, csat(1, 0, 1), "Thumbs Up"},
		{"thumbs down", map[string]any{"name": "Thumbs Down", "value": "👎"}, csat(0, 0, 1), "Thumbs Down"},
		{"case and spaces", map[string]any{"name": "  thumbs   DOWN ", "value": "👎"}, csat(0, 0, 1), "thumbs   DOWN"},
		{"name without value", map[string]any{"name": "Sad"}, csat(1, 1, 3), "Sad"},
		{"custom emoji set", map[string]any{"name": "Rocket", "value": "🚀"}, nil, "Rocket"},
		{"faces emoji without name", map[string]any{"value": "😀"}, nil, ""},
		{"unknown name", map[string]any{"name": "Very Happy", "value": "🤩"}, nil, "Very Happy"},
		{"name not matched inside a longer one", map[string]any{"name": "Happy Cat", "value": "😺"}, nil, "Happy Cat"},
		{"NPS value wins over a name", map[string]any{"name": "Sad", "value": "8"}, score(feedback.ScoreNPS, 8, 0, 10), "Sad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := map[string]any{"comment": "ok", "timestamp": "2025-03-02T10:01:12Z"}
			for k, v := range tt.response {
				resp[k] = v
			}
			rec, err := decode(t, EventSurveyResponse, marshal(t, map[string]any{
				"message":   map[string]any{"name": "Support check-in"},
				"response":  resp,
				"_embedded": map[string]any{"customer": map[string]any{"id": 500}},
			}))
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Score)
			if tt.wantName == "" {
				assert.NotContains(t, rec.Attributes, "response.name")
			} else {
				assert.Equal(t, tt.wantName, rec.Attributes["response.name"])
			}
			assert.Equal(t, "ok", rec.Text)
		})
	}

	// A Faces or Thumbs answer without a comment is still a record.
	rec, err := decode(t, EventSurveyResponse, marshal(t, map[string]any{
		"response": map[string]any{"name": "Thumbs Up", "timestamp": "2025-03-02T10:01:12Z"},
	}))
	require.NoError(t, err)
	assert.Equal(t, csat(1, 0, 1), rec.Score)
	assert.Empty(t, rec.Text)
}

func marshalValue(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ptr[T any](v T) *T { return &v }

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		name  string
		event string
		body  string
		want  error
		msg   string
	}{
		{"agent reply", "convo.agent.reply.created", `{"id":1,"subject":"x"}`, connectors.ErrIgnored, "convo.agent.reply.created"},
		{"customer created", "customer.created", `{"id":1}`, connectors.ErrIgnored, "customer.created"},
		{"deleted, minimal body", "convo.deleted", `{"id":1}`, connectors.ErrIgnored, "convo.deleted"},
		{"ignored event, not JSON", "convo.deleted", `id=1`, connectors.ErrMalformed, "invalid JSON"},
		{"unknown shape without header", "", `{"id":1}`, connectors.ErrMalformed, "X-HelpScout-Event header missing"},
		{"conversation body as rating", EventSatisfactionRatings, `{"id":1,"subject":"x"}`, connectors.ErrMalformed, "rating"},
		{"rating body not an object", EventSatisfactionRatings, `{"id":1,"customer":7}`, connectors.ErrMalformed, "invalid JSON"},
		{"conversation without id", EventConvoCreated, `{"subject":"x"}`, connectors.ErrMalformed, "id missing"},
		{"conversation thread without id", EventConvoCreated, `{"id":1,"_embedded":{"threads":[{"type":"customer","body":"x"}]}}`, connectors.ErrMalformed, "threads[].id missing"},
		{"conversation threads of agents only", EventConvoCustomerReply, `{"id":1,"_embedded":{"threads":[{"id":2,"type":"message","body":"x"}]}}`, connectors.ErrIgnored, "no customer thread"},
		{"tags not an array", EventConvoCreated, `{"id":1,"tags":"vip"}`, connectors.ErrMalformed, "tags"},
		{"tags of numbers", EventConvoCreated, `{"id":1,"tags":[1]}`, connectors.ErrMalformed, "tags"},
		{"bad thread time", EventConvoCreated, `{"id":1,"_embedded":{"threads":[{"id":2,"type":"customer","body":"x","createdAt":"0000-00-00"}]}}`, connectors.ErrMalformed, "RFC 3339"},
		{"response not an object", EventSurveyResponse, `{"response":"9"}`, connectors.ErrMalformed, "invalid JSON"},
		{"response not an object, inferred", "", `{"response":"9"}`, connectors.ErrMalformed, "invalid JSON"},
		{"array body", EventConvoCreated, `[{"id":1}]`, connectors.ErrMalformed, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(t, tt.event, []byte(tt.body))
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}
