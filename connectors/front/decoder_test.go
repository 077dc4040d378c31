package front

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
	"github.com/corridorhq/corridor/connectors/internal/htmltext"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, NewFactory())
}

// eventMaps builds the Event object of type typ (flat, as at the top level of a
// rule webhook, or as the payload of an application webhook) and its
// message.
func eventMaps(typ string) (ev, msg map[string]any) {
	msg = map[string]any{
		"id": "msg_1", "type": "email", "is_inbound": true, "created_at": 1740909671.5,
		"text": "My order is late", "body": "<p>My order is <b>late</b></p>",
		"recipients": []any{
			map[string]any{"handle": "ana@example.com", "role": "from", "_links": map[string]any{"related": map[string]any{"contact": "https://api2.frontapp.com/contacts/crd_55c8c149"}}},
			map[string]any{"handle": "support@acme.example", "role": "to"},
		},
	}
	ev = map[string]any{
		"id": "evt_1", "type": typ, "emitted_at": 1740909672.123,
		"conversation": map[string]any{"id": "cnv_1", "status": "Assigned", "assignee": map[string]any{"id": "tea_1"}, "tags": []any{map[string]any{"name": "vip"}, map[string]any{"name": " a,b "}}},
		"source":       map[string]any{"_meta": map[string]any{"type": "inboxes"}, "data": []any{map[string]any{"id": "inb_1"}}},
		"target":       map[string]any{"_meta": map[string]any{"type": "message"}, "data": msg},
	}
	return ev, msg
}

// body builds a flat event of type typ; edit changes it before marshalling.
func body(t *testing.T, typ string, edit func(ev, msg map[string]any)) []byte {
	t.Helper()
	ev, msg := eventMaps(typ)
	if edit != nil {
		edit(ev, msg)
	}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	return b
}

// envelope builds an application-webhook delivery of type typ whose payload
// is an Event object of Events API type inner; edit changes it before
// marshalling.
func envelope(t *testing.T, typ, inner string, edit func(env, ev, msg map[string]any)) []byte {
	t.Helper()
	ev, msg := eventMaps(inner)
	env := map[string]any{"authorization": map[string]any{"id": "cmp_1"}, "type": typ, "payload": ev}
	if edit != nil {
		edit(env, ev, msg)
	}
	b, err := json.Marshal(env)
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
		assert.ErrorContains(t, err, "front: decode")
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

func TestDecodeInbound(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventInboundReceived, nil))
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "msg_1"), rec.ID, "keyed by message id")
	assert.Equal(t, "evt_1", rec.EventID)
	assert.Equal(t, int64(1), rec.Version)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 11, 500e6, time.UTC), rec.OccurredAt)
	assert.Equal(t, "My order is late", rec.Text)
	assert.Equal(t, feedback.Customer{ID: "crd_55c8c149", Role: feedback.RoleUnknown}, rec.Customer)
	assert.Equal(t, "tea_1", rec.Agent)
	assert.Equal(t, map[string]string{
		"message_id": "msg_1", "conversation_id": "cnv_1", "conversation_status": "assigned", "inbox_id": "inb_1", "channel": "email", "tags": "vip,a b",
	}, rec.Attributes)
}

func TestDecodeTextAndTimes(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventInboundReceived, func(_, msg map[string]any) { msg["text"] = "  " }))
	require.NoError(t, err)
	assert.Equal(t, "My order is late", rec.Text, "HTML body stripped when text is empty")

	rec, err = decodeOne(t, body(t, EventInboundReceived, func(ev, msg map[string]any) { delete(msg, "created_at") }))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 123e6, time.UTC), rec.OccurredAt, "emitted_at")

	rec, err = decodeOne(t, body(t, EventInboundReceived, func(ev, msg map[string]any) { delete(msg, "created_at"); delete(ev, "emitted_at") }))
	require.NoError(t, err)
	assert.Equal(t, connectortest.ReceivedAt(), rec.OccurredAt)

	_, err = decodeOne(t, body(t, EventInboundReceived, func(_, msg map[string]any) { msg["text"] = ""; msg["body"] = "<p> </p>" }))
	require.ErrorIs(t, err, connectors.ErrIgnored)
	assert.ErrorContains(t, err, "without text")
}

func TestDecodeCustomer(t *testing.T) {
	from := func(contact any) func(_, msg map[string]any) {
		return func(_, msg map[string]any) {
			msg["recipients"] = []any{map[string]any{"handle": "ana@example.com", "role": "from", "_links": map[string]any{"related": map[string]any{"contact": contact}}}}
		}
	}
	tests := []struct {
		name    string
		contact any
		want    string
	}{
		{"contact link", "https://acme.api.frontapp.com/contacts/crd_2kq8f7", "crd_2kq8f7"},
		{"trailing slash", "https://acme.api.frontapp.com/contacts/crd_2kq8f7/", "crd_2kq8f7"},
		{"no contact", nil, ""},
		{"alias id embedding the email", "https://api2.frontapp.com/contacts/alt%3Aemail%3Aana%40example.com", ""},
		{"garbage", "%%%", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, EventInboundReceived, from(tt.contact)))
			require.NoError(t, err)
			assert.Equal(t, tt.want, rec.Customer.ID)
			for _, v := range rec.Attributes {
				assert.NotContains(t, v, "@", "no handle reaches the attributes")
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		edit func(ev, msg map[string]any)
		want error
		msg  string
	}{
		{"agent reply", EventOutboundSent, nil, connectors.ErrIgnored, "agent's reply"},
		{"teammate comment", EventCommentAdded, nil, connectors.ErrIgnored, "internal teammate comment"},
		{"tag", "tag_added", nil, connectors.ErrIgnored, "tag change"},
		{"assignee", "assignee_changed", nil, connectors.ErrIgnored, "assignment"},
		{"move", "conversation_moved", nil, connectors.ErrIgnored, "move"},
		{"sync body", EventSync, func(ev, _ map[string]any) { ev["authorization"] = map[string]any{"id": "cmp_abc"} }, connectors.ErrIgnored, "validation"},
		{"unknown with odd shape", "conversation_archived", func(ev, _ map[string]any) { ev["target"] = 3 }, connectors.ErrIgnored, "conversation_archived"},
		{"flat Events API archive", "archive", nil, connectors.ErrIgnored, `"archive" (conversation_archived): a conversation status change`},
		{"flat Events API outbound", "outbound", nil, connectors.ErrIgnored, "agent's reply"},
		{"outbound message", EventInboundReceived, func(_, msg map[string]any) { msg["is_inbound"] = false }, connectors.ErrIgnored, "not inbound"},
		{"no type", "", nil, connectors.ErrMalformed, "type missing"},
		{"no id", EventInboundReceived, func(ev, _ map[string]any) { delete(ev, "id") }, connectors.ErrMalformed, "id missing"},
		{"no target", EventInboundReceived, func(ev, _ map[string]any) { delete(ev, "target") }, connectors.ErrMalformed, "target.data missing"},
		{"target not a message", EventInboundReceived, func(ev, _ map[string]any) {
			ev["target"].(map[string]any)["_meta"] = map[string]any{"type": "comment"}
		}, connectors.ErrMalformed, "target._meta.type"},
		{"no message id", EventInboundReceived, func(_, msg map[string]any) { delete(msg, "id") }, connectors.ErrMalformed, "target.data.id missing"},
		{"data not an object", EventInboundReceived, func(ev, _ map[string]any) { ev["target"].(map[string]any)["data"] = []any{} }, connectors.ErrMalformed, "target.data"},
		{"conversation not an object", EventInboundReceived, func(ev, _ map[string]any) { ev["conversation"] = "cnv_1" }, connectors.ErrMalformed, "conversation"},
		{"bad created_at", EventInboundReceived, func(_, msg map[string]any) { msg["created_at"] = "yesterday" }, connectors.ErrMalformed, "target.data"},
		{"created_at after 9999", EventInboundReceived, func(_, msg map[string]any) { msg["created_at"] = 253402300800 }, connectors.ErrMalformed, "target.data.created_at"},
		{"source data odd", EventInboundReceived, func(ev, _ map[string]any) {
			ev["source"] = map[string]any{"_meta": map[string]any{"type": "inboxes"}, "data": "x"}
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, tt.typ, tt.edit))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

// TestDecodeEnvelope: an application webhook ({type, authorization,
// payload}) decodes to the same record as the flat Event object it wraps,
// whichever name its types use.
func TestDecodeEnvelope(t *testing.T) {
	want, err := decodeOne(t, body(t, EventInboundReceived, nil))
	require.NoError(t, err)
	tests := []struct {
		name string
		body []byte
	}{
		{"as Front sends it", envelope(t, EventInboundReceived, "inbound", nil)},
		{"inner type repeats the outer", envelope(t, EventInboundReceived, EventInboundReceived, nil)},
		{"no inner type", envelope(t, EventInboundReceived, "", nil)},
		{"no outer type", envelope(t, "", "inbound", nil)},
		{"flat with the Events API type", body(t, "inbound", nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeOne(t, tt.body)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestDecodeEnvelopeErrors(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want error
		msg  string
	}{
		{"agent reply", envelope(t, EventOutboundSent, "outbound", nil), connectors.ErrIgnored, `"outbound_sent": an agent's reply`},
		{"teammate comment", envelope(t, EventCommentAdded, "comment", nil), connectors.ErrIgnored, "internal teammate comment"},
		{"archived", envelope(t, "conversation_archived", "archive", func(_, ev, _ map[string]any) { delete(ev, "target") }), connectors.ErrIgnored, `"conversation_archived": a conversation status change`},
		{"unknown type, odd payload", envelope(t, "call_started", "", func(env, _, _ map[string]any) { env["payload"] = 3 }), connectors.ErrIgnored, `"call_started"`},
		{"sync", []byte(`{"type":"sync","authorization":{"id":"cmp_1"}}`), connectors.ErrIgnored, "validation"},
		{"no outer type, inner outbound", envelope(t, "", "outbound", nil), connectors.ErrIgnored, `"outbound" (outbound_sent): an agent's reply`},
		{"outbound message", envelope(t, EventInboundReceived, "inbound", func(_, _, msg map[string]any) { msg["is_inbound"] = false }), connectors.ErrIgnored, "inbound_received: message is not inbound"},
		{"no type anywhere", envelope(t, "", "", nil), connectors.ErrMalformed, "type missing"},
		{"payload without id", envelope(t, EventInboundReceived, "inbound", func(_, ev, _ map[string]any) { delete(ev, "id") }), connectors.ErrMalformed, "payload.id missing"},
		{"payload without target", envelope(t, EventInboundReceived, "inbound", func(_, ev, _ map[string]any) { delete(ev, "target") }), connectors.ErrMalformed, "payload.target.data missing"},
		{"payload message without id", envelope(t, EventInboundReceived, "inbound", func(_, _, msg map[string]any) { delete(msg, "id") }), connectors.ErrMalformed, "payload.target.data.id missing"},
		{"payload created_at after 9999", envelope(t, EventInboundReceived, "inbound", func(_, _, msg map[string]any) { msg["created_at"] = 253402300800 }), connectors.ErrMalformed, "payload.target.data.created_at"},
		{"payload not an object", envelope(t, EventInboundReceived, "", func(env, _, _ map[string]any) { env["payload"] = []any{} }), connectors.ErrMalformed, "payload: want an object"},
		{"payload with a bad field", envelope(t, EventInboundReceived, "inbound", func(_, ev, _ map[string]any) { ev["emitted_at"] = "soon" }), connectors.ErrMalformed, "payload:"},
		{"null payload is a flat body", envelope(t, EventInboundReceived, "", func(env, _, _ map[string]any) { env["payload"] = nil }), connectors.ErrMalformed, "malformed payload: id missing"}, // the flat field name, no "payload." prefix
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, tt.body)
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

// TestHTMLToText pins what Front message bodies (the fallback when a
// message has no text) become.
func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"<p>a</p><p>b</p>", "a\nb"},
		{"x<br/>y<BR>z", "x\ny\nz"},
		{"<div>Tom &amp; Jerry &lt;3 &#39;ok&#39; &nbsp;&nbsp;spaced</div>", "Tom & Jerry <3 'ok' spaced"},
		{"<style>p{}</style><SCRIPT>alert(1)</script>kept", "kept"},
		{"<script>never closed", ""},
		{"before<!-- hidden -->after", "beforeafter"},
		{"<!-- unterminated", ""},
		{"a < b and c > d", "a < b and c > d"},
		{"Tom <3 Jerry <b>x</b>", "Tom <3 Jerry x"},
		{"tail <", "tail <"},
		{"<ul><li>one</li><li>two</li></ul>", "one\ntwo"},
		{"<span>in</span>line", "inline"},
		// Where the shared stripper differs from Front's former private one.
		{"<div>line one\nline two</div>", "line one line two"},
		{"<table><tr><td>a</td><td>b</td></tr></table>", "a b"},
		{"<a title=\"a > b\">x</a>", "x"},
		{"hello <span class=\"x", "hello"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, htmltext.Text(tt.in), "%q", tt.in)
	}
}

func TestNewRejectsOptions(t *testing.T) {
	_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: map[string]string{"rule_webhooks": "true"}}, connectors.Settings{})
	require.Error(t, err)
	assert.ErrorContains(t, err, "front: options rule_webhooks")
}
