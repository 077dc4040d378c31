package zendesk

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

// body builds an event of type typ; edit changes it before marshalling.
func body(t *testing.T, typ string, edit func(p, detail, event map[string]any)) []byte {
	t.Helper()
	detail := map[string]any{
		"id": "35436", "subject": "App crashes on login", "description": "Since 4.2 the app crashes when I log in",
		"status": "NEW", "priority": "HIGH", "requester_id": "20978392", "organization_id": "8812034",
		"via": map[string]any{"channel": "web"}, "created_at": "2025-03-02T10:01:12Z", "updated_at": "2025-03-02T10:01:12Z",
		"tags": []any{"ios"},
	}
	event := map[string]any{"meta": map[string]any{"sequence": map[string]any{"id": "seq-1", "position": 1}}}
	if typ == EventTicketCommentAdded {
		event["comment"] = map[string]any{"id": 555, "body": "Still crashing after the update", "is_public": true, "author": map[string]any{"id": 20978392, "is_staff": false}}
	}
	if typ == EventMessagingMessageAdded {
		// Messaging events carry only the ticket id in detail.
		detail = map[string]any{"id": "35436"}
		event = map[string]any{
			"actor":           map[string]any{"id": "20978392", "name": "Priya N.", "type": "end_user"},
			"conversation_id": "65e5f0a1c3d2b4a59e7f1028",
			"message":         map[string]any{"id": "65e5f9b2d4c3a5b60f8e2139", "body": " Where is my parcel? "},
		}
	}
	p := map[string]any{"type": typ, "id": "ev-1", "time": "2025-03-02T10:02:00Z", "subject": "zen:ticket:35436", "detail": detail, "event": event}
	if edit != nil {
		edit(p, detail, event)
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

func TestDecodeTicketCreated(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventTicketCreated, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "ev-1"), rec.ID)
	assert.Equal(t, "ev-1", rec.EventID)
	assert.Equal(t, feedback.KindTicket, rec.Kind)
	assert.Equal(t, "App crashes on login\nSince 4.2 the app crashes when I log in", rec.Text)
	assert.Equal(t, feedback.Customer{ID: "20978392", AccountID: "8812034", Role: feedback.RoleUnknown}, rec.Customer)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 2, 0, 0, time.UTC), rec.OccurredAt)
	assert.Nil(t, rec.Score)
	assert.Equal(t, map[string]string{"ticket_id": "35436", "status": "new", "priority": "high", "channel": "web", "tags": "ios"}, rec.Attributes)
}

func TestDecodeCommentAdded(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventTicketCommentAdded, nil))
	require.NoError(t, err)
	assert.Equal(t, "Still crashing after the update", rec.Text)
	assert.Equal(t, "555", rec.Attributes["comment_id"])
	assert.Equal(t, "20978392", rec.Customer.ID)

	rec, err = decodeOne(t, body(t, EventTicketCommentAdded, func(_, detail, _ map[string]any) { delete(detail, "requester_id") }))
	require.NoError(t, err)
	assert.Equal(t, "20978392", rec.Customer.ID, "falls back to the comment author")

	for name, edit := range map[string]func(_, _, event map[string]any){
		"private note": func(_, _, event map[string]any) { event["comment"].(map[string]any)["is_public"] = false },
		"staff comment": func(_, _, event map[string]any) {
			event["comment"].(map[string]any)["author"] = map[string]any{"id": 1, "is_staff": true}
		},
		"empty body": func(_, _, event map[string]any) { event["comment"].(map[string]any)["body"] = " " },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, EventTicketCommentAdded, edit))
			require.ErrorIs(t, err, connectors.ErrIgnored)
		})
	}

	_, err = decodeOne(t, body(t, EventTicketCommentAdded, func(_, _, event map[string]any) { delete(event, "comment") }))
	require.ErrorIs(t, err, connectors.ErrMalformed)
	assert.ErrorContains(t, err, "event.comment")
}

func TestDecodeTicketCreatedPartialText(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(detail map[string]any)
		wantText  string
		wantScore bool
	}{
		{"subject only", func(d map[string]any) { delete(d, "description") }, "App crashes on login", false},
		{"description only", func(d map[string]any) { d["subject"] = "" }, "Since 4.2 the app crashes when I log in", false},
		{"no text but a rating", func(d map[string]any) {
			delete(d, "subject")
			delete(d, "description")
			d["satisfaction_rating"] = map[string]any{"score": "good"}
		}, "", true},
		{"no text but a rating comment", func(d map[string]any) {
			delete(d, "subject")
			delete(d, "description")
			d["satisfaction_rating"] = map[string]any{"score": "bad", "comment": "Nobody answered"}
		}, "Nobody answered", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, EventTicketCreated, func(_, detail, _ map[string]any) { tt.edit(detail) }))
			require.NoError(t, err)
			assert.Equal(t, tt.wantText, rec.Text)
			assert.Equal(t, tt.wantScore, rec.Score != nil)
		})
	}
}

func TestDecodeTags(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventTicketCreated, func(_, detail, _ map[string]any) {
		detail["tags"] = []any{"vip", "touchpoint:renewal", "team:csm-north", "location:york", "touchpoint:other", "team:", " "}
	}))
	require.NoError(t, err)
	assert.Equal(t, "renewal", rec.Touchpoint, "first touchpoint tag wins")
	assert.Equal(t, "csm-north", rec.Team)
	assert.Equal(t, "york", rec.Location)
	assert.Equal(t, "vip,touchpoint:renewal,team:csm-north,location:york,touchpoint:other,team:", rec.Attributes["tags"])
}

func TestDecodeSatisfaction(t *testing.T) {
	tests := []struct {
		name      string
		typ       string
		where     string // "event" or "detail"
		score     string
		wantValue *float64
		wantErr   error
	}{
		{"good on created", EventTicketCreated, "detail", "good", ptr(1.0), nil},
		{"bad on comment", EventTicketCommentAdded, "event", "bad", ptr(0.0), nil},
		{"offered carries no score", EventTicketCreated, "detail", "offered", nil, nil},
		{"unknown score", EventTicketCreated, "detail", "meh", nil, connectors.ErrMalformed},
		{"rating event good", "zen:event-type:ticket.satisfaction_rating_changed", "event", "Good", ptr(1.0), nil},
		{"rating event offered", "zen:event-type:ticket.satisfaction_rating_changed", "event", "offered", nil, connectors.ErrIgnored},
		{"rating only in detail of another event", "zen:event-type:ticket.status_changed", "detail", "good", nil, connectors.ErrIgnored},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, tt.typ, func(_, detail, event map[string]any) {
				r := map[string]any{"score": tt.score, "comment": "Quick and friendly"}
				if tt.where == "event" {
					event["satisfaction_rating"] = r
				} else {
					detail["satisfaction_rating"] = r
				}
			}))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.wantValue == nil {
				assert.Nil(t, rec.Score)
				return
			}
			require.NotNil(t, rec.Score)
			assert.Equal(t, feedback.ScoreCSAT, rec.Score.Type)
			assert.InDelta(t, *tt.wantValue, rec.Score.Value, 0)
			assert.InDelta(t, *tt.wantValue, rec.Score.Normalized, 0)
			assert.Contains(t, rec.Text, "Quick and friendly")
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeIDsAndTimes(t *testing.T) {
	first, err := decodeOne(t, body(t, EventTicketCreated, nil))
	require.NoError(t, err)
	again, err := decodeOne(t, body(t, EventTicketCreated, nil))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "a redelivered event has the same id")

	numeric, err := decodeOne(t, body(t, EventTicketCreated, func(p, detail, _ map[string]any) {
		detail["id"] = 35436
		detail["requester_id"] = 20978392
		detail["organization_id"] = nil
		detail["assignee_id"] = "0"
	}))
	require.NoError(t, err)
	assert.Equal(t, "35436", numeric.Attributes["ticket_id"])
	assert.Equal(t, "20978392", numeric.Customer.ID)
	assert.Empty(t, numeric.Customer.AccountID)
	assert.Empty(t, numeric.Agent, `assignee "0" means unassigned`)

	fromSubject, err := decodeOne(t, body(t, EventTicketCreated, func(_, detail, _ map[string]any) { delete(detail, "id") }))
	require.NoError(t, err)
	assert.Equal(t, "35436", fromSubject.Attributes["ticket_id"], "ticket id from subject zen:ticket:<id>")

	noTime, err := decodeOne(t, body(t, EventTicketCreated, func(p, detail, _ map[string]any) {
		delete(p, "time")
		detail["updated_at"] = "2025-03-02T11:00:00+01:00"
	}))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC), noTime.OccurredAt)
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		typ     string
		edit    func(p, detail, event map[string]any)
		want    error
		message string
	}{
		{"user event", "zen:event-type:user.active_changed", func(_, _, event map[string]any) { event["current"] = false }, connectors.ErrIgnored, "user.active_changed"},
		{"status change", "zen:event-type:ticket.status_changed", nil, connectors.ErrIgnored, "ticket.status_changed"},
		{"odd shape of an ignored event", "zen:event-type:organization.created", func(p, _, _ map[string]any) { p["detail"] = "x"; p["event"] = 3 }, connectors.ErrIgnored, "organization.created"},
		{"no type", "", nil, connectors.ErrMalformed, "type missing"},
		{"no id", EventTicketCreated, func(p, _, _ map[string]any) { delete(p, "id") }, connectors.ErrMalformed, "id missing"},
		{"no ticket id", EventTicketCreated, func(p, detail, _ map[string]any) { delete(detail, "id"); delete(p, "subject") }, connectors.ErrMalformed, "detail.id"},
		{"detail not an object", EventTicketCreated, func(p, _, _ map[string]any) { p["detail"] = []any{1} }, connectors.ErrMalformed, "detail"},
		{"bad time", EventTicketCreated, func(p, _, _ map[string]any) { p["time"] = "02/03/2025" }, connectors.ErrMalformed, "RFC 3339"},
		{"tags not strings", EventTicketCreated, func(_, detail, _ map[string]any) { detail["tags"] = []any{1} }, connectors.ErrMalformed, "detail"},
		{"created without subject or description", EventTicketCreated, func(_, detail, _ map[string]any) {
			delete(detail, "subject")
			delete(detail, "description")
		}, connectors.ErrIgnored, "ticket.created: ticket without subject or description"},
		{"created with blank subject and description", EventTicketCreated, func(_, detail, _ map[string]any) {
			detail["subject"] = " \n "
			detail["description"] = ""
		}, connectors.ErrIgnored, "ticket without subject or description"},
		{"created with only a status (minimal payload)", EventTicketCreated, func(p, _, event map[string]any) {
			p["detail"] = map[string]any{"id": "35436", "status": "Open", "via": map[string]any{"channel": "web"}}
			event["current"] = map[string]any{"status": "Open"}
		}, connectors.ErrIgnored, "ticket without subject or description"},
		{"created with only an offered rating", EventTicketCreated, func(_, detail, _ map[string]any) {
			delete(detail, "subject")
			delete(detail, "description")
			detail["satisfaction_rating"] = map[string]any{"score": "offered"}
		}, connectors.ErrIgnored, "ticket without subject or description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, tt.typ, tt.edit))
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "zendesk: decode")
		})
	}
}

// messaging edits the event of a messaging_ticket.message_added body.
func messaging(edit func(event, actor, msg map[string]any)) func(p, detail, event map[string]any) {
	return func(_, _, event map[string]any) {
		actor, _ := event["actor"].(map[string]any)
		msg, _ := event["message"].(map[string]any)
		edit(event, actor, msg)
	}
}

func TestDecodeMessagingMessageAdded(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventMessagingMessageAdded, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "ev-1"), rec.ID)
	assert.Equal(t, "ev-1", rec.EventID)
	assert.Equal(t, int64(1), rec.Version)
	assert.Equal(t, feedback.KindTicket, rec.Kind)
	assert.Equal(t, "Where is my parcel?", rec.Text)
	assert.Equal(t, feedback.Customer{ID: "20978392", Role: feedback.RoleUnknown}, rec.Customer)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 2, 0, 0, time.UTC), rec.OccurredAt)
	assert.Empty(t, rec.Agent)
	assert.Nil(t, rec.Score)
	assert.Equal(t, map[string]string{
		"ticket_id": "35436", "message_id": "65e5f9b2d4c3a5b60f8e2139", "conversation_id": "65e5f0a1c3d2b4a59e7f1028",
	}, rec.Attributes)

	again, err := decodeOne(t, body(t, EventMessagingMessageAdded, nil))
	require.NoError(t, err)
	assert.Equal(t, rec.ID, again.ID, "a redelivered event has the same id")

	other, err := decodeOne(t, body(t, EventMessagingMessageAdded, func(p, _, _ map[string]any) { p["id"] = "ev-2" }))
	require.NoError(t, err)
	assert.NotEqual(t, rec.ID, other.ID, "each event is its own record")

	noTime, err := decodeOne(t, body(t, EventMessagingMessageAdded, func(p, _, _ map[string]any) { delete(p, "time") }))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 5, 0, 0, time.UTC), noTime.OccurredAt, "no time: the receive time")
}

func TestDecodeMessagingCustomerID(t *testing.T) {
	tests := []struct {
		name string
		edit func(p, detail, event map[string]any)
		want string
	}{
		{"string id", nil, "20978392"},
		{"numeric id", messaging(func(_, actor, _ map[string]any) { actor["id"] = 20978392 }), "20978392"},
		{"opaque messaging id", messaging(func(_, actor, _ map[string]any) { actor["id"] = "65e5f0a1c3d2b4a59e7f1028" }), "65e5f0a1c3d2b4a59e7f1028"},
		{"email", messaging(func(_, actor, _ map[string]any) { actor["id"] = "priya@example.com" }), ""},
		{"phone", messaging(func(_, actor, _ map[string]any) { actor["id"] = "+44 7700 900123" }), ""},
		{"phone without spaces", messaging(func(_, actor, _ map[string]any) { actor["id"] = "+447700900123" }), ""},
		{"display name", messaging(func(_, actor, _ map[string]any) { actor["id"] = "Priya N." }), ""},
		{"the actor's name", messaging(func(_, actor, _ map[string]any) { actor["id"] = "priya"; actor["name"] = "Priya" }), ""},
		{"zero", messaging(func(_, actor, _ map[string]any) { actor["id"] = "0" }), ""},
		{"absent", messaging(func(_, actor, _ map[string]any) { delete(actor, "id") }), ""},
		{"null", messaging(func(_, actor, _ map[string]any) { actor["id"] = nil }), ""},
		{"odd name shape is no error", messaging(func(_, actor, _ map[string]any) { actor["name"] = map[string]any{"first": "Priya"} }), "20978392"},
		{"requester in detail wins", func(_, detail, _ map[string]any) { detail["requester_id"] = 777 }, "777"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, EventMessagingMessageAdded, tt.edit))
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Customer.ID)
		})
	}
}

func TestDecodeMessagingErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(p, detail, event map[string]any)
		want    error
		message string
	}{
		// Not customer voice.
		{"agent", messaging(func(_, actor, _ map[string]any) { actor["type"] = "agent"; actor["id"] = "8447388090495" }), connectors.ErrIgnored, "message by an agent"},
		{"answer bot", messaging(func(_, actor, _ map[string]any) { actor["type"] = "system"; actor["id"] = "zd:answerBot" }), connectors.ErrIgnored, "message by the system (answer bot or automation)"},
		{"trigger", messaging(func(_, actor, _ map[string]any) { actor["type"] = "trigger"; actor["id"] = "360001234567" }), connectors.ErrIgnored, "message by a trigger"},
		{"unknown actor type", messaging(func(_, actor, _ map[string]any) { actor["type"] = "ai_agent" }), connectors.ErrIgnored, `message by actor type "ai_agent", not an end user`},
		{"Zendesk integration typed end_user", messaging(func(_, actor, _ map[string]any) { actor["id"] = "zd:agentWorkspace" }), connectors.ErrIgnored, "Zendesk integration"},
		{"no actor type", messaging(func(_, actor, _ map[string]any) { delete(actor, "type") }), connectors.ErrIgnored, "message author unknown"},
		{"no actor", messaging(func(event, _, _ map[string]any) { delete(event, "actor") }), connectors.ErrIgnored, "message author unknown"},
		{"blank body", messaging(func(_, _, msg map[string]any) { msg["body"] = " \n " }), connectors.ErrIgnored, "messaging_ticket.message_added: message without text"},
		{"no body", messaging(func(_, _, msg map[string]any) { delete(msg, "body") }), connectors.ErrIgnored, "message without text"},
		{"bot without text", messaging(func(_, actor, msg map[string]any) { actor["type"] = "system"; msg["body"] = "" }), connectors.ErrIgnored, "message by the system"},
		// Malformed, naming the field.
		{"message id an object", messaging(func(_, _, msg map[string]any) { msg["id"] = map[string]any{"x": 1} }), connectors.ErrMalformed, "event.message.id"},
		{"message id a boolean", messaging(func(_, _, msg map[string]any) { msg["id"] = true }), connectors.ErrMalformed, "event.message.id"},
		{"actor id an array", messaging(func(_, actor, _ map[string]any) { actor["id"] = []any{"20978392"} }), connectors.ErrMalformed, "event.actor.id"},
		{"conversation id an object", messaging(func(event, _, _ map[string]any) { event["conversation_id"] = map[string]any{} }), connectors.ErrMalformed, "event.conversation_id"},
		{"malformed id of a bot message", messaging(func(_, actor, msg map[string]any) { actor["type"] = "system"; msg["id"] = false }), connectors.ErrMalformed, "event.message.id"},
		{"ticket id an object", func(_, detail, _ map[string]any) { detail["id"] = map[string]any{} }, connectors.ErrMalformed, "detail"},
		{"no ticket id", func(p, detail, _ map[string]any) { delete(detail, "id"); delete(p, "subject") }, connectors.ErrMalformed, "detail.id missing"},
		{"no event id", func(p, _, _ map[string]any) { delete(p, "id") }, connectors.ErrMalformed, "id missing"},
		{"no message", messaging(func(event, _, _ map[string]any) { delete(event, "message") }), connectors.ErrMalformed, "event.message missing"},
		{"no event", func(p, _, _ map[string]any) { delete(p, "event") }, connectors.ErrMalformed, "event.message missing"},
		{"message not an object", messaging(func(event, _, _ map[string]any) { event["message"] = "hi" }), connectors.ErrMalformed, "event:"},
		{"body not a string", messaging(func(_, _, msg map[string]any) { msg["body"] = 42 }), connectors.ErrMalformed, "event:"},
		{"bad time", func(p, _, _ map[string]any) { p["time"] = "yesterday" }, connectors.ErrMalformed, "RFC 3339"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, EventMessagingMessageAdded, tt.edit))
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.message)
			assert.ErrorContains(t, err, "zendesk: decode")
		})
	}
}
