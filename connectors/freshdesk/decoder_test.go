package freshdesk

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/gateway/feedback"
)

var idPattern = regexp.MustCompile(`^fb_[0-9a-f]{32}$`)

// TestConformance runs the shared suite on the JSON fixtures. Freshdesk
// authenticates with a token (a tampered body still verifies) and also
// accepts form bodies, so the suite is told both.
func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory(),
		connectortest.WithTokenAuth(),
		connectortest.WithAcceptedMediaTypes(mediaForm))
}

// TestFormFixtures decodes the "simple content" form bodies against their
// goldens.
func TestFormFixtures(t *testing.T) {
	forms, err := filepath.Glob("testdata/form/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, forms)
	for _, p := range forms {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			req := connectortest.NewRequest(b)
			req.ContentType = mediaForm
			checkFixture(t, p, req)
		})
	}
}

func checkFixture(t *testing.T, path string, req connectors.Request) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	require.NoError(t, d.(connectors.Signer).Sign(&req, connectortest.ReceivedAt()))
	require.NoError(t, d.(connectors.Verifier).Verify(req))
	recs, err := connectortest.Decode(t, d, req)
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	connectortest.CheckRecords(t, recs)
	for i, r := range recs {
		assert.Equalf(t, Type, r.Source, "record %d", i)
		assert.Truef(t, r.ReceivedAt.Equal(connectortest.ReceivedAt()), "record %d: received_at", i)
		assert.Equalf(t, time.UTC, r.OccurredAt.Location(), "record %d: occurred_at must be UTC", i)
		assert.Regexpf(t, idPattern, r.ID, "record %d", i)
		assert.NotEmptyf(t, r.EventID, "record %d", i)
	}
	got, err := json.MarshalIndent(recs, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	golden := strings.TrimSuffix(strings.TrimSuffix(path, ".json"), ".txt") + ".golden.json"
	if os.Getenv(connectortest.UpdateGoldenEnv) != "" {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "missing golden; run %s=1 go test ./connectors/freshdesk/", connectortest.UpdateGoldenEnv)
	assert.Equal(t, string(want), string(got))

	again, err := d.Decode(context.Background(), req)
	require.NoError(t, err)
	againJSON, err := json.MarshalIndent(again, "", "  ")
	require.NoError(t, err)
	assert.Equal(t, string(got), string(append(againJSON, '\n')), "Decode is not deterministic")
}

// decodeJSON decodes an advanced-template body built from parts.
func decodeJSON(t *testing.T, p map[string]any) (feedback.Record, error) {
	t.Helper()
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return decodeReq(t, connectortest.NewRequest(b))
}

func decodeReq(t *testing.T, req connectors.Request) (feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	recs, err := d.Decode(t.Context(), req)
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		assert.ErrorContains(t, err, "freshdesk: decode")
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

func form(body string, uri string) connectors.Request {
	req := connectortest.NewRequest([]byte(body))
	req.ContentType = mediaForm
	req.URI = uri
	return req
}

// advanced returns a ticket_created body; edit changes it.
func advanced(edit func(p, ticket map[string]any)) map[string]any {
	ticket := map[string]any{
		"id": "1042", "subject": "Refund not received", "description": "<p>Still waiting.</p>",
		"status": "Open", "priority": "High", "requester": map[string]any{"id": "8001"},
		"created_at": "2025-03-02 10:01:12 UTC", "updated_at": "2025-03-02 10:01:12 UTC",
	}
	p := map[string]any{"event": "ticket_created", "ticket": ticket}
	if edit != nil {
		edit(p, ticket)
	}
	return p
}

func TestDecodeEvents(t *testing.T) {
	created, err := decodeJSON(t, advanced(nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "ticket:1042"), created.ID)
	assert.Equal(t, "Refund not received\nStill waiting.", created.Text)
	assert.Equal(t, int64(1740909672), created.Version)
	assert.Equal(t, "8001", created.Customer.ID)

	updated, err := decodeJSON(t, advanced(func(p, ticket map[string]any) {
		p["event"] = "ticket_updated"
		ticket["updated_at"] = "2025-03-02T11:00:00Z"
		ticket["status"] = "Resolved"
	}))
	require.NoError(t, err)
	assert.Equal(t, created.ID, updated.ID, "an update supersedes the ticket record")
	assert.Greater(t, updated.Version, created.Version)
	assert.Equal(t, time.Date(2025, 3, 2, 11, 0, 0, 0, time.UTC), updated.OccurredAt)
	assert.Equal(t, "resolved", updated.Attributes["status"])

	reply, err := decodeJSON(t, advanced(func(p, ticket map[string]any) {
		p["event"] = "reply_added"
		ticket["updated_at"] = "2025-03-02T11:00:00Z"
		p["reply"] = map[string]any{"body_text": "  It arrived, thanks!  ", "body": "<p>ignored</p>"}
	}))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "reply:1042:1740913200"), reply.ID)
	assert.Equal(t, "It arrived, thanks!", reply.Text, "body_text wins over body")
	assert.Equal(t, int64(1), reply.Version)
	assert.Equal(t, "reply_added", reply.Attributes["event"])
}

func TestDecodeEventInference(t *testing.T) {
	tests := []struct {
		name string
		edit func(p, ticket map[string]any)
		uri  string
		want string
	}{
		{"explicit wins", func(p, _ map[string]any) { p["reply"] = map[string]any{"body_text": "x"} }, "", EventTicketCreated},
		{"case-insensitive", func(p, _ map[string]any) { p["event"] = " Ticket_Updated " }, "", EventTicketUpdated},
		{"reply body", func(p, _ map[string]any) {
			delete(p, "event")
			p["reply"] = map[string]any{"body": "<p>Any news?</p>"}
		}, "", EventReplyAdded},
		{"updated after created", func(p, ticket map[string]any) {
			delete(p, "event")
			ticket["updated_at"] = "2025-03-02T12:00:00Z"
		}, "", EventTicketUpdated},
		{"nothing", func(p, _ map[string]any) { delete(p, "event") }, "", EventTicketCreated},
		{"query parameter", func(p, _ map[string]any) {
			delete(p, "event")
			p["reply"] = map[string]any{"body": "<p>Any news?</p>"}
		}, "/v1/webhooks/freshdesk?token=x&event=reply_added", EventReplyAdded},
		{"body beats query", nil, "/v1/webhooks/freshdesk?event=reply_added", EventTicketCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(advanced(tt.edit))
			require.NoError(t, err)
			req := connectortest.NewRequest(b)
			req.URI = tt.uri
			rec, err := decodeReq(t, req)
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Attributes["event"])
		})
	}
}

func TestDecodeReplyKeys(t *testing.T) {
	tests := []struct {
		name  string
		reply map[string]any
		want  string
	}{
		{"reply id", map[string]any{"id": 5001, "body_text": "x", "created_at": "2025-03-02T10:30:00Z"}, "reply:1042:5001"},
		{"reply created_at", map[string]any{"body_text": "x", "created_at": "2025-03-02T10:30:00Z"}, "reply:1042:1740911400"},
		{"ticket updated_at", map[string]any{"body_text": "x"}, "reply:1042:1740909672"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeJSON(t, advanced(func(p, _ map[string]any) { p["event"] = "reply_added"; p["reply"] = tt.reply }))
			require.NoError(t, err)
			assert.Equal(t, feedback.NewID(Type, tt.want), rec.ID)
		})
	}

	// Without any id or time the text identifies the reply.
	noTimes := func(text string) map[string]any {
		return advanced(func(p, ticket map[string]any) {
			p["event"] = "reply_added"
			delete(ticket, "created_at")
			delete(ticket, "updated_at")
			p["reply"] = map[string]any{"body": text}
		})
	}
	a, err := decodeJSON(t, noTimes("<p>Where is my refund?</p>"))
	require.NoError(t, err)
	again, err := decodeJSON(t, noTimes("<p>Where is my refund?</p>"))
	require.NoError(t, err)
	other, err := decodeJSON(t, noTimes("<p>Any update?</p>"))
	require.NoError(t, err)
	assert.Equal(t, a.ID, again.ID, "a redelivery maps to the same record")
	assert.NotEqual(t, a.ID, other.ID)
	assert.True(t, strings.HasPrefix(a.EventID, "reply:1042:h"), a.EventID)
	assert.Equal(t, connectortest.ReceivedAt(), a.OccurredAt)
}

func TestDecodeReplyText(t *testing.T) {
	tests := []struct{ body, want string }{
		{"Ana Lopez : <div>Still broken.</div>", "Still broken."},
		{"<div>No prefix here: fine.</div>", "No prefix here: fine."},
		{"Plain text : not HTML", "Plain text : not HTML"},
		{"A : <b>x</b> and B : <i>y</i>", "x and B : y"},
	}
	for _, tt := range tests {
		rec, err := decodeJSON(t, advanced(func(p, _ map[string]any) { p["event"] = "reply_added"; p["reply"] = map[string]any{"body": tt.body} }))
		require.NoError(t, err)
		assert.Equal(t, tt.want, rec.Text, tt.body)
	}
	for _, body := range []string{"", "  ", "<p> </p>", "Agent : <div></div>"} {
		_, err := decodeJSON(t, advanced(func(p, _ map[string]any) { p["event"] = "reply_added"; p["reply"] = map[string]any{"body": body} }))
		require.ErrorIs(t, err, connectors.ErrIgnored, "%q", body)
		assert.ErrorContains(t, err, "reply without text")
	}
}

func TestDecodeAttributes(t *testing.T) {
	tests := []struct {
		status, priority, source any
		wantStatus, wantPriority string
		wantSource               string
	}{
		{2, 1, 1, "open", "low", "email"},
		{"3", "2", "2", "pending", "medium", "portal"},
		{4, 3, 3, "resolved", "high", "phone"},
		{5, 4, 7, "closed", "urgent", "7"},
		{"Waiting on Customer", "Urgent", "Chat", "waiting on customer", "urgent", "chat"},
		{6, nil, "", "6", "", ""},
	}
	for _, tt := range tests {
		rec, err := decodeJSON(t, advanced(func(_, ticket map[string]any) {
			ticket["status"], ticket["priority"], ticket["source"] = tt.status, tt.priority, tt.source
		}))
		require.NoError(t, err)
		assert.Equal(t, tt.wantStatus, rec.Attributes["status"])
		assert.Equal(t, tt.wantPriority, rec.Attributes["priority"])
		assert.Equal(t, tt.wantSource, rec.Attributes["source"])
	}

	rec, err := decodeJSON(t, advanced(func(_, ticket map[string]any) {
		ticket["tags"] = []any{"vip", " team:billing ", "touchpoint:checkout", "location:york", ""}
		ticket["requester"] = map[string]any{"id": 8001, "email": "ana@example.com", "name": "Ana"}
		ticket["company_id"] = "0"
		ticket["agent_id"] = "null"
		ticket["responder_id"] = 77
		ticket["group_id"] = 12
		ticket["ticket_type"] = "Question"
		ticket["custom_fields"] = map[string]any{"cf_email_address": "a@b.c", "cf_plan": "Pro", "cf_seats": 12, "cf_nested": map[string]any{"x": 1}, "cf_mobile": "1"}
	}))
	require.NoError(t, err)
	assert.Equal(t, "8001", rec.Customer.ID)
	assert.Empty(t, rec.Customer.AccountID, `"0" means none`)
	assert.Empty(t, rec.Agent, `an unset placeholder is absent; agent_id is used when present`)
	assert.Equal(t, "billing", rec.Team)
	assert.Equal(t, "checkout", rec.Touchpoint)
	assert.Equal(t, "york", rec.Location)
	assert.Equal(t, map[string]string{
		"ticket_id": "1042", "event": "ticket_created", "status": "open", "priority": "high",
		"ticket_type": "question", "group_id": "12", "tags": "vip,team:billing,touchpoint:checkout,location:york",
		"custom.cf_plan": "Pro", "custom.cf_seats": "12",
	}, rec.Attributes, "no email, name or phone in attributes")

	rec, err = decodeJSON(t, advanced(func(_, ticket map[string]any) { delete(ticket, "agent_id"); ticket["responder_id"] = 77 }))
	require.NoError(t, err)
	assert.Equal(t, "77", rec.Agent, "responder_id is the API name of the agent")
}

func TestDecodeCSAT(t *testing.T) {
	for code, want := range map[any]float64{103: 7, "102": 6, 101: 5, 100: 4, -101: 3, "-102": 2, -103: 1} {
		rec, err := decodeJSON(t, advanced(func(p, _ map[string]any) { p["csat"] = code }))
		require.NoError(t, err)
		require.NotNil(t, rec.Score)
		assert.Equal(t, feedback.ScoreCSAT, rec.Score.Type)
		assert.InDelta(t, want, rec.Score.Value, 0)
		assert.InDelta(t, (want-1)/6, rec.Score.Normalized, 1e-9)
	}
	for _, empty := range []any{"", nil, " "} {
		rec, err := decodeJSON(t, advanced(func(p, _ map[string]any) { p["csat"] = empty }))
		require.NoError(t, err)
		assert.Nil(t, rec.Score)
	}
	for _, bad := range []any{5, "happy", 104, "1.5"} {
		_, err := decodeJSON(t, advanced(func(p, _ map[string]any) { p["csat"] = bad }))
		require.ErrorIs(t, err, connectors.ErrMalformed, "%v", bad)
		assert.ErrorContains(t, err, "csat")
	}
}

func TestDecodeTimestamps(t *testing.T) {
	tests := []struct {
		in   any
		want time.Time
		err  string
	}{
		{"2025-03-02T10:01:12Z", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), ""},
		{"2025-03-02T15:31:12.5+05:30", time.Date(2025, 3, 2, 10, 1, 12, 5e8, time.UTC), ""},
		{"2025-03-02 10:01:12 UTC", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), ""},
		{"2025-03-02 15:31:12 +0530", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), ""},
		{"2025-03-02 10:01:12", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), ""},
		{1740909672, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), ""},
		{"1740909672", time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), ""},
		{"", connectortest.ReceivedAt(), ""},
		{"2025-03-02 15:31:12 IST", time.Time{}, "ticket.created_at"},
		{"Sun, 2 Mar 2025 at 10:01 AM", time.Time{}, "not a timestamp"},
		{"99999-01-01T00:00:00Z", time.Time{}, "ticket.created_at"},
	}
	for _, tt := range tests {
		rec, err := decodeJSON(t, advanced(func(_, ticket map[string]any) {
			ticket["created_at"] = tt.in
			delete(ticket, "updated_at")
		}))
		if tt.err != "" {
			require.ErrorIs(t, err, connectors.ErrMalformed, "%v", tt.in)
			assert.ErrorContains(t, err, tt.err)
			continue
		}
		require.NoError(t, err, "%v", tt.in)
		assert.Equal(t, tt.want, rec.OccurredAt, "%v", tt.in)
	}
}

func TestDecodeVersionBefore1970(t *testing.T) {
	// Regression (fuzz crasher testdata/fuzz/FuzzDecode/0b4705ee7afd782f):
	// a timestamp before 1970 gave a negative version.
	for _, at := range []string{"0001-01-01T00:01:00Z", "1969-12-31T23:59:59Z"} {
		rec, err := decodeJSON(t, advanced(func(_, ticket map[string]any) {
			ticket["created_at"] = ""
			ticket["updated_at"] = at
		}))
		require.NoError(t, err, at)
		assert.Equal(t, int64(1), rec.Version, at)
	}
}

func TestDecodeSimpleContent(t *testing.T) {
	rec, err := decodeReq(t, form("freshdesk_webhook%5Bticket_id%5D=77&freshdesk_webhook%5Bticket_subject%5D=Hi&ticket_id=1&freshdesk_webhook%5Bticket_cf_order%5D=A1&freshdesk_webhook%5Bticket_requester_email%5D=a%40b.c", ""))
	require.NoError(t, err)
	assert.Equal(t, "77", rec.Attributes["ticket_id"], "the wrapped key wins")
	assert.Equal(t, "A1", rec.Attributes["custom.cf_order"])
	assert.NotContains(t, rec.Attributes, "custom.cf_requester_email")

	rec, err = decodeReq(t, form("ticket_id=9&ticket_subject=Login+broken&ticket_status=2&event=ticket_updated&ticket_updated_at=2025-03-02T11%3A00%3A00Z&ticket_requester_id=55&ticket_company_id=66", ""))
	require.NoError(t, err)
	assert.Equal(t, "ticket_updated", rec.Attributes["event"])
	assert.Equal(t, "open", rec.Attributes["status"])
	assert.Equal(t, int64(1740913200), rec.Version)
	assert.Equal(t, feedback.Customer{ID: "55", AccountID: "66", Role: feedback.RoleUnknown}, rec.Customer)

	rec, err = decodeReq(t, form("freshdesk_webhook%5Bticket_id%5D=9&freshdesk_webhook%5Bticket_latest_public_comment%5D=Bo+%3A+%3Cp%3EStill+broken%3C%2Fp%3E", "/v1/webhooks/freshdesk?event=reply_added"))
	require.NoError(t, err)
	assert.Equal(t, "Still broken", rec.Text)
	assert.True(t, strings.HasPrefix(rec.EventID, "reply:9:h"))

	b := []byte(`{"freshdesk_webhook":{"ticket_id":12,"ticket_subject":"Hi","ticket_status":"Closed","ticket_tags":"a,b","ticket_group_name":"Tier 2","event":"ticket_updated","nested":{"x":1}}}`)
	rec, err = decodeReq(t, connectortest.NewRequest(b))
	require.NoError(t, err)
	assert.Equal(t, "12", rec.Attributes["ticket_id"])
	assert.Equal(t, "closed", rec.Attributes["status"])
	assert.Equal(t, "Tier 2", rec.Attributes["group_name"])
	assert.Equal(t, "ticket_updated", rec.Attributes["event"])
}

// simple returns a simple-content JSON request carrying triggered_event
// (omitted when nil); edit changes the freshdesk_webhook object.
func simple(t *testing.T, triggered any, uri string, edit func(w map[string]any)) connectors.Request {
	t.Helper()
	w := map[string]any{
		"ticket_id": "2051", "ticket_subject": "Parcel never arrived", "ticket_description": "<div>Tracking says delivered, nothing here.</div>",
		"ticket_status": "Open", "ticket_priority": "Medium", "requester_email": "kim@example.com",
	}
	if triggered != nil {
		w["triggered_event"] = triggered
	}
	if edit != nil {
		edit(w)
	}
	b, err := json.Marshal(map[string]any{"freshdesk_webhook": w})
	require.NoError(t, err)
	req := connectortest.NewRequest(b)
	req.URI = uri
	return req
}

func TestDecodeTriggeredEvent(t *testing.T) {
	reply := func(w map[string]any) {
		w["ticket_latest_public_comment"] = "Kim Lee : <div>Still nothing, a week now.</div>"
	}
	tests := []struct {
		name      string
		req       func(t *testing.T) connectors.Request
		wantEvent string // "" when an error is expected
		wantErr   error
		msg       string
	}{
		{"ticket created", func(t *testing.T) connectors.Request { return simple(t, "{ticket_action:created}", "", nil) }, EventTicketCreated, nil, ""},
		{"status changed", func(t *testing.T) connectors.Request { return simple(t, "{status:{from:4,to:6}}", "", nil) }, EventTicketUpdated, nil, ""},
		{"priority changed", func(t *testing.T) connectors.Request { return simple(t, "{priority:{from:3,to:1}}", "", nil) }, EventTicketUpdated, nil, ""},
		{"agent changed", func(t *testing.T) connectors.Request {
			return simple(t, "{responder_id:{from:150006383528,to:150014937111}}", "", nil)
		}, EventTicketUpdated, nil, ""},
		{"ticket updated", func(t *testing.T) connectors.Request { return simple(t, "{ticket_update:updated}", "", nil) }, EventTicketUpdated, nil, ""},
		{"other ticket action", func(t *testing.T) connectors.Request { return simple(t, "{ticket_action:merged}", "", nil) }, EventTicketUpdated, nil, ""},
		{"unknown key (a custom field)", func(t *testing.T) connectors.Request { return simple(t, "{cf_plan:{from:Basic,to:Pro}}", "", nil) }, EventTicketUpdated, nil, ""},
		{"reply sent", func(t *testing.T) connectors.Request { return simple(t, "{reply_sent:sent}", "", reply) }, EventReplyAdded, nil, ""},
		{"reply sent without text", func(t *testing.T) connectors.Request { return simple(t, "{reply_sent:sent}", "", nil) }, "", connectors.ErrIgnored, "reply without text"},
		{"public note", func(t *testing.T) connectors.Request { return simple(t, "{note_type:public}", "", reply) }, "", connectors.ErrIgnored, "a note was added"},
		{"private note", func(t *testing.T) connectors.Request { return simple(t, "{note_type:private}", "", nil) }, "", connectors.ErrIgnored, `triggered_event "{note_type:private}"`},
		{"deleted", func(t *testing.T) connectors.Request { return simple(t, "{deleted:{from:false,to:true}}", "", nil) }, "", connectors.ErrIgnored, "deleted or marked as spam"},
		{"spam", func(t *testing.T) connectors.Request { return simple(t, "{spam:{from:false,to:true}}", "", nil) }, "", connectors.ErrIgnored, "deleted or marked as spam"},
		{"ticket update marked as spam", func(t *testing.T) connectors.Request { return simple(t, "{ticket_update:marked_as_spam}", "", nil) }, "", connectors.ErrIgnored, "deleted or marked as spam"},
		{"JSON rendering", func(t *testing.T) connectors.Request { return simple(t, `{"ticket_action":"created"}`, "", nil) }, EventTicketCreated, nil, ""},
		{"escaped JSON rendering", func(t *testing.T) connectors.Request { return simple(t, `{\"status\":{\"from\":2,\"to\":3}}`, "", nil) }, EventTicketUpdated, nil, ""},
		{"case and spaces", func(t *testing.T) connectors.Request { return simple(t, " { Ticket_Action : Created } ", "", nil) }, EventTicketCreated, nil, ""},
		{"blank: inferred", func(t *testing.T) connectors.Request { return simple(t, "  ", "", nil) }, EventTicketCreated, nil, ""},
		{"unrendered placeholder: inferred", func(t *testing.T) connectors.Request { return simple(t, "{{triggered_event}}", "", reply) }, EventReplyAdded, nil, ""},
		{"not a hash: inferred", func(t *testing.T) connectors.Request { return simple(t, "created", "", nil) }, EventTicketCreated, nil, ""},
		{"number: inferred", func(t *testing.T) connectors.Request { return simple(t, 7, "", nil) }, EventTicketCreated, nil, ""},
		{"body event wins", func(t *testing.T) connectors.Request {
			return simple(t, "{note_type:public}", "", func(w map[string]any) { w["event"] = "ticket_updated" })
		}, EventTicketUpdated, nil, ""},
		{"query event wins", func(t *testing.T) connectors.Request {
			return simple(t, "{status:{from:2,to:3}}", "/v1/webhooks/freshdesk?event=reply_added", reply)
		}, EventReplyAdded, nil, ""},
		{"form", func(t *testing.T) connectors.Request {
			return form("freshdesk_webhook%5Bticket_id%5D=2051&freshdesk_webhook%5Btriggered_event%5D=%7Bnote_type%3Apublic%7D", "")
		}, "", connectors.ErrIgnored, "a note was added"},
		{"advanced template", func(t *testing.T) connectors.Request {
			b, err := json.Marshal(advanced(func(p, _ map[string]any) { delete(p, "event"); p["triggered_event"] = "{status:{from:2,to:4}}" }))
			require.NoError(t, err)
			return connectortest.NewRequest(b)
		}, EventTicketUpdated, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeReq(t, tt.req(t))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.ErrorContains(t, err, tt.msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantEvent, rec.Attributes["event"])
			if tt.wantEvent == EventReplyAdded {
				assert.Equal(t, "Still nothing, a week now.", rec.Text)
			} else {
				assert.True(t, strings.HasPrefix(rec.Text, "Parcel never arrived") || strings.HasPrefix(rec.Text, "Refund not received"), rec.Text)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		req  connectors.Request
		want error
		msg  string
	}{
		{"no ticket", connectortest.NewRequest([]byte(`{"event":"ticket_created"}`)), connectors.ErrMalformed, "ticket missing"},
		{"no ticket id", connectortest.NewRequest([]byte(`{"ticket":{"subject":"x"}}`)), connectors.ErrMalformed, "ticket.id missing"},
		{"blank ticket id", connectortest.NewRequest([]byte(`{"ticket":{"id":"  "}}`)), connectors.ErrMalformed, "ticket.id missing"},
		{"simple json without id", connectortest.NewRequest([]byte(`{"freshdesk_webhook":{"ticket_subject":"x"}}`)), connectors.ErrMalformed, "freshdesk_webhook.ticket_id missing"},
		{"form without id", form("freshdesk_webhook%5Bticket_subject%5D=x", ""), connectors.ErrMalformed, "freshdesk_webhook[ticket_id] missing"},
		{"bare form without id", form("ticket_subject=x", ""), connectors.ErrMalformed, "ticket_id missing"},
		{"unknown event", connectortest.NewRequest([]byte(`{"event":"note_added","ticket":{"id":"1"}}`)), connectors.ErrIgnored, `"note_added"`},
		{"unknown query event", func() connectors.Request {
			r := connectortest.NewRequest([]byte(`{"ticket":{"id":"1"}}`))
			r.URI = "/x?event=deleted"
			return r
		}(), connectors.ErrIgnored, `"deleted"`},
		{"ticket not an object", connectortest.NewRequest([]byte(`{"ticket":[1]}`)), connectors.ErrMalformed, "invalid JSON"},
		{"tags not strings", connectortest.NewRequest([]byte(`{"ticket":{"id":"1","tags":7}}`)), connectors.ErrMalformed, "tags"},
		{"id an object", connectortest.NewRequest([]byte(`{"ticket":{"id":{"a":1}}}`)), connectors.ErrMalformed, "id"},
		{"bad updated_at", connectortest.NewRequest([]byte(`{"ticket":{"id":"1","updated_at":"soon"}}`)), connectors.ErrMalformed, "ticket.updated_at"},
		{"bad reply time", connectortest.NewRequest([]byte(`{"event":"reply_added","ticket":{"id":"1"},"reply":{"body_text":"x","created_at":"later"}}`)), connectors.ErrMalformed, "reply.created_at"},
		{"form too many fields", form(strings.Repeat("a=1&", connectors.MaxFormFields+1), ""), connectors.ErrMalformed, "fields"},
		{"xml", func() connectors.Request {
			r := connectortest.NewRequest([]byte(`<freshdesk_webhook/>`))
			r.ContentType = "application/xml"
			return r
		}(), connectors.ErrUnsupportedMediaType, "application/xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeReq(t, tt.req)
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestDecodeBodyUntouched(t *testing.T) {
	b := []byte(`{"ticket":{"id":"1","subject":"<b>x</b>"}}`)
	orig := bytes.Clone(b)
	_, err := decodeReq(t, connectortest.NewRequest(b))
	require.NoError(t, err)
	assert.Equal(t, orig, b)
}
