package jira

import (
	"encoding/json"
	"net/http"
	"strings"
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

const (
	reporterID = "qm:reporter-1"
	agentID    = "5b10ac8d82e05b22cc7d4ef5"
)

// body builds a webhook of event typ; edit changes it before marshalling.
func body(t *testing.T, typ string, edit func(p, fields map[string]any)) []byte {
	t.Helper()
	fields := map[string]any{
		"summary":     "Cannot export invoices",
		"description": "Export button does nothing in Firefox",
		"reporter":    map[string]any{"accountId": reporterID, "accountType": "customer", "emailAddress": "ana@example.com"},
		"assignee":    map[string]any{"accountId": agentID},
		"created":     "2025-03-02T10:01:12.000+0000",
		"updated":     "2025-03-02T10:02:00.000+0000",
		"project":     map[string]any{"key": "HELP"},
		"issuetype":   map[string]any{"name": "Service Request"},
	}
	p := map[string]any{
		"timestamp": 1740909672000, "webhookEvent": typ,
		"issue": map[string]any{"id": "10042", "key": "HELP-42", "fields": fields},
	}
	switch typ {
	case EventCommentCreated, EventCommentUpdated:
		p["comment"] = map[string]any{
			"id": "20317", "body": "Still broken after the update",
			"author":  map[string]any{"accountId": reporterID, "accountType": "customer"},
			"created": "2025-03-02T10:03:41.515+0000", "updated": "2025-03-02T10:04:00.000+0000", "jsdPublic": true,
		}
	case EventIssueUpdated:
		p["changelog"] = map[string]any{"items": []any{map[string]any{"field": "description", "fieldId": "description"}}}
	}
	if edit != nil {
		edit(p, fields)
	}
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return b
}

func decodeOne(t *testing.T, b []byte, header http.Header) (feedback.Record, error) {
	t.Helper()
	d := connectortest.New(t, NewFactory(), connectortest.Secret)
	req := connectortest.NewRequest(b)
	if header != nil {
		req.Header = header
	}
	recs, err := d.Decode(t.Context(), req)
	if err != nil {
		require.Empty(t, recs)
		connectortest.RequireSentinel(t, err)
		assert.ErrorContains(t, err, "jira: decode")
		return feedback.Record{}, err
	}
	require.Len(t, recs, 1)
	require.NoError(t, recs[0].Validate())
	return recs[0], nil
}

func TestDecodeIssueCreated(t *testing.T) {
	h := http.Header{}
	h.Set(IdentifierHeader, "  a1b2c3d4-identifier  ")
	rec, err := decodeOne(t, body(t, EventIssueCreated, nil), h)
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "issue:10042"), rec.ID)
	assert.Equal(t, "a1b2c3d4-identifier", rec.EventID)
	assert.Equal(t, int64(1740909672000), rec.Version)
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), rec.OccurredAt)
	assert.Equal(t, "Cannot export invoices\nExport button does nothing in Firefox", rec.Text)
	assert.Equal(t, []feedback.Answer{{Field: "summary", Text: "Cannot export invoices"}, {Field: "description", Text: "Export button does nothing in Firefox"}}, rec.Answers)
	assert.Equal(t, feedback.Customer{ID: reporterID, Role: feedback.RoleUnknown}, rec.Customer)
	assert.Equal(t, agentID, rec.Agent)
	assert.Equal(t, map[string]string{"issue_id": "10042", "issue_key": "HELP-42", "project_key": "HELP", "issue_type": "Service Request"}, rec.Attributes)
	for _, v := range rec.Attributes {
		assert.NotContains(t, v, "@", "no email reaches the attributes")
	}
}

func TestDecodeEventIDFallback(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventIssueCreated, nil), nil)
	require.NoError(t, err)
	assert.Equal(t, "issue:10042@1740909672000", rec.EventID, "without the identifier header: external id @ version")

	rec, err = decodeOne(t, body(t, EventIssueCreated, func(p, _ map[string]any) { delete(p, "timestamp") }), nil)
	require.NoError(t, err)
	assert.Equal(t, "issue:10042@1740909672000", rec.EventID, "version from fields.created")
	assert.Equal(t, time.Date(2025, 3, 2, 10, 1, 12, 0, time.UTC), rec.OccurredAt)

	rec, err = decodeOne(t, body(t, EventIssueCreated, func(p, fields map[string]any) { delete(p, "timestamp"); delete(fields, "created") }), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(1), rec.Version)
	assert.Equal(t, connectortest.ReceivedAt(), rec.OccurredAt)
}

func TestDecodeIssueUpdated(t *testing.T) {
	created, err := decodeOne(t, body(t, EventIssueCreated, nil), nil)
	require.NoError(t, err)
	updated, err := decodeOne(t, body(t, EventIssueUpdated, func(p, fields map[string]any) {
		p["timestamp"] = 1740909720000
		fields["description"] = "Export button does nothing in Firefox or Safari"
	}), nil)
	require.NoError(t, err)
	assert.Equal(t, created.ID, updated.ID, "an update is a new version of the issue record")
	assert.Greater(t, updated.Version, created.Version)
	assert.Contains(t, updated.Text, "Firefox or Safari")

	for name, edit := range map[string]func(p, fields map[string]any){
		"status change": func(p, _ map[string]any) {
			p["changelog"] = map[string]any{"items": []any{map[string]any{"field": "status", "fieldId": "status"}}}
		},
		"no changelog": func(p, _ map[string]any) { delete(p, "changelog") },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, EventIssueUpdated, edit), nil)
			require.ErrorIs(t, err, connectors.ErrIgnored)
			assert.ErrorContains(t, err, "neither summary nor description changed")
		})
	}
	t.Run("summary change by field name only", func(t *testing.T) {
		_, err := decodeOne(t, body(t, EventIssueUpdated, func(p, _ map[string]any) {
			p["changelog"] = map[string]any{"items": []any{map[string]any{"field": "Summary"}}}
		}), nil)
		require.NoError(t, err)
	})
	t.Run("update without any timestamp", func(t *testing.T) {
		_, err := decodeOne(t, body(t, EventIssueUpdated, func(p, fields map[string]any) { delete(p, "timestamp"); delete(fields, "updated") }), nil)
		require.ErrorIs(t, err, connectors.ErrMalformed)
		assert.ErrorContains(t, err, "timestamp missing")
	})
	t.Run("update version from fields.updated", func(t *testing.T) {
		rec, err := decodeOne(t, body(t, EventIssueUpdated, func(p, _ map[string]any) { delete(p, "timestamp") }), nil)
		require.NoError(t, err)
		assert.Equal(t, time.Date(2025, 3, 2, 10, 2, 0, 0, time.UTC).UnixMilli(), rec.Version)
	})
}

func TestDecodeADF(t *testing.T) {
	adf := map[string]any{"type": "doc", "version": 1, "content": []any{
		map[string]any{"type": "paragraph", "content": []any{
			map[string]any{"type": "text", "text": "Hello "},
			map[string]any{"type": "mention", "attrs": map[string]any{"id": "x", "text": "@Support"}},
			map[string]any{"type": "text", "text": ","},
			map[string]any{"type": "hardBreak"},
			map[string]any{"type": "text", "text": "  second line  "},
		}},
		map[string]any{"type": "codeBlock", "content": []any{map[string]any{"type": "text", "text": "ERR 500"}}},
		map[string]any{"type": "mediaSingle", "content": []any{map[string]any{"type": "media", "attrs": map[string]any{"id": "m1"}}}},
		map[string]any{"type": "table", "content": []any{map[string]any{"type": "tableRow", "content": []any{
			map[string]any{"type": "tableCell", "content": []any{map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": "a"}}}}},
			map[string]any{"type": "tableCell", "content": []any{map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "text", "text": "b"}}}}},
		}}}},
		map[string]any{"type": "unknownFutureNode", "content": []any{map[string]any{"type": "text", "text": "kept"}}},
		map[string]any{"type": "paragraph", "content": []any{map[string]any{"type": "emoji", "attrs": map[string]any{"shortName": ":smile:"}}}},
	}}
	rec, err := decodeOne(t, body(t, EventIssueCreated, func(_, fields map[string]any) { fields["description"] = adf }), nil)
	require.NoError(t, err)
	assert.Equal(t, "Cannot export invoices\nHello @Support,\nsecond line\nERR 500\na\nb\nkept\n:smile:", rec.Text)

	for name, desc := range map[string]any{
		"not a doc":       map[string]any{"type": "paragraph"},
		"number":          42,
		"content not arr": map[string]any{"type": "doc", "content": "x"},
		"attrs not obj":   map[string]any{"type": "doc", "content": []any{map[string]any{"type": "emoji", "attrs": []any{1}}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, EventIssueCreated, func(_, fields map[string]any) { fields["description"] = desc }), nil)
			if name == "attrs not obj" {
				require.NoError(t, err, "attrs are read lazily; odd attrs render nothing")
				return
			}
			require.ErrorIs(t, err, connectors.ErrMalformed)
			assert.ErrorContains(t, err, "issue.fields.description")
		})
	}

	t.Run("output is bounded", func(t *testing.T) {
		long := strings.Repeat("é", maxTextLen)
		got, err := richText(json.RawMessage(`{"type":"doc","content":[{"type":"text","text":"` + long + `"}]}`))
		require.NoError(t, err)
		assert.LessOrEqual(t, len(got), maxTextLen)
		assert.True(t, strings.HasSuffix(got, "é"), "cut on a rune boundary")
	})
}

func TestDecodeComment(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventCommentCreated, nil), nil)
	require.NoError(t, err)
	assert.Equal(t, feedback.NewID(Type, "comment:20317"), rec.ID)
	assert.Equal(t, "Still broken after the update", rec.Text)
	assert.Equal(t, reporterID, rec.Customer.ID)
	assert.Equal(t, "20317", rec.Attributes["comment_id"])
	assert.Equal(t, "HELP-42", rec.Attributes["issue_key"])
	assert.Equal(t, "comment:20317@1740909672000", rec.EventID)

	updated, err := decodeOne(t, body(t, EventCommentUpdated, func(p, _ map[string]any) { p["timestamp"] = 1740909690000 }), nil)
	require.NoError(t, err)
	assert.Equal(t, rec.ID, updated.ID)
	assert.Greater(t, updated.Version, rec.Version)

	t.Run("customer account other than the reporter", func(t *testing.T) {
		rec, err := decodeOne(t, body(t, EventCommentCreated, func(p, _ map[string]any) {
			p["comment"].(map[string]any)["author"] = map[string]any{"accountId": "qm:colleague", "accountType": "customer"}
		}), nil)
		require.NoError(t, err)
		assert.Equal(t, reporterID, rec.Customer.ID)
	})
	t.Run("no reporter in the payload: author is the customer", func(t *testing.T) {
		rec, err := decodeOne(t, body(t, EventCommentCreated, func(p, fields map[string]any) {
			delete(fields, "reporter")
			p["comment"].(map[string]any)["author"] = map[string]any{"accountId": "557058:abc", "accountType": "atlassian"}
		}), nil)
		require.NoError(t, err)
		assert.Equal(t, "557058:abc", rec.Customer.ID)
	})
	t.Run("no issue at all", func(t *testing.T) {
		rec, err := decodeOne(t, body(t, EventCommentCreated, func(p, _ map[string]any) { delete(p, "issue") }), nil)
		require.NoError(t, err)
		assert.Equal(t, reporterID, rec.Customer.ID)
		assert.Equal(t, map[string]string{"comment_id": "20317"}, rec.Attributes)
	})

	for name, edit := range map[string]func(p, fields map[string]any){
		"internal comment": func(p, _ map[string]any) { p["comment"].(map[string]any)["jsdPublic"] = false },
		"app comment": func(p, _ map[string]any) {
			p["comment"].(map[string]any)["author"] = map[string]any{"accountId": "app-1", "accountType": "app"}
		},
		"agent reply": func(p, _ map[string]any) {
			p["comment"].(map[string]any)["author"] = map[string]any{"accountId": agentID, "accountType": "atlassian"}
		},
		"empty body": func(p, _ map[string]any) { p["comment"].(map[string]any)["body"] = " " },
		"empty adf": func(p, _ map[string]any) {
			p["comment"].(map[string]any)["body"] = map[string]any{"type": "doc", "content": []any{}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, EventCommentCreated, edit), nil)
			require.ErrorIs(t, err, connectors.ErrIgnored)
		})
	}
}

// TestDecodeCommentWithoutReporter covers Jira Cloud comment webhooks,
// whose issue carries no reporter: agents are told apart by the assignee
// and, in service desk projects, by the atlassian account type.
func TestDecodeCommentWithoutReporter(t *testing.T) {
	author := func(id, typ string) map[string]any {
		a := map[string]any{"accountId": id}
		if typ != "" {
			a["accountType"] = typ
		}
		return a
	}
	tests := []struct {
		name        string
		projectType string // "" leaves projectTypeKey out
		assignee    any    // nil: "assignee": null
		author      map[string]any
		want        error
		msg         string
		customer    string
	}{
		{"assignee replies (software)", "software", map[string]any{"accountId": agentID, "accountType": "atlassian"}, author(agentID, "atlassian"), connectors.ErrIgnored, "comment by the issue's assignee", ""},
		{"assignee replies (service desk)", "service_desk", map[string]any{"accountId": agentID}, author(agentID, "atlassian"), connectors.ErrIgnored, "comment by the issue's assignee", ""},
		{"assignee replies, no account type (older payload)", "", map[string]any{"accountId": agentID}, author(" "+agentID+" ", ""), connectors.ErrIgnored, "comment by the issue's assignee", ""},
		{"other agent in a service desk project", "service_desk", map[string]any{"accountId": agentID}, author("5b10ac8d82e05b22cc7d4ef6", "atlassian"), connectors.ErrIgnored, "atlassian (licensed) account in a service desk project", ""},
		{"agent on an unassigned service desk issue", "Service_Desk", nil, author("5b10ac8d82e05b22cc7d4ef6", "Atlassian"), connectors.ErrIgnored, "service desk project", ""},
		{"portal customer in a service desk project", "service_desk", map[string]any{"accountId": agentID}, author("qm:portal-1", "customer"), nil, "", "qm:portal-1"},
		{"service desk author without account type", "service_desk", map[string]any{"accountId": agentID}, author("557058:abc", ""), nil, "", "557058:abc"},
		{"teammate in a software project", "software", map[string]any{"accountId": agentID}, author("557058:abc", "atlassian"), nil, "", "557058:abc"},
		{"unassigned software issue", "software", nil, author("557058:abc", "atlassian"), nil, "", "557058:abc"},
		{"no project type", "", map[string]any{"accountId": agentID}, author("557058:abc", "atlassian"), nil, "", "557058:abc"},
		{"app still ignored", "software", nil, author("app-1", "app"), connectors.ErrIgnored, "comment by an app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := decodeOne(t, body(t, EventCommentCreated, func(p, fields map[string]any) {
				delete(fields, "reporter")
				fields["assignee"] = tt.assignee
				project := map[string]any{"key": "HELP"}
				if tt.projectType != "" {
					project["projectTypeKey"] = tt.projectType
				}
				fields["project"] = project
				p["comment"].(map[string]any)["author"] = tt.author
			}), nil)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.ErrorContains(t, err, tt.msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.customer, rec.Customer.ID)
		})
	}

	t.Run("reporter known: a self-assigned reporter is kept", func(t *testing.T) {
		rec, err := decodeOne(t, body(t, EventCommentCreated, func(p, fields map[string]any) {
			fields["reporter"] = map[string]any{"accountId": agentID, "accountType": "atlassian"}
			fields["project"] = map[string]any{"key": "DEV", "projectTypeKey": "service_desk"}
			p["comment"].(map[string]any)["author"] = author(agentID, "atlassian")
		}), nil)
		require.NoError(t, err)
		assert.Equal(t, agentID, rec.Customer.ID)
	})
}

func TestWikiEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{`This is a very important issue\! I’m on it\!`, "This is a very important issue! I’m on it!"},
		{`\*not bold\* and \_not italic\_`, "*not bold* and _not italic_"},
		{`\{noformat\} \[link\] a\|b \#1 \-x\- \+y\+ \^z\^ \~w\~ why\? \(c\)`, "{noformat} [link] a|b #1 -x- +y+ ^z^ ~w~ why? (c)"},
		{`C:\Users\ana\report.pdf`, `C:\Users\ana\report.pdf`},
		{`line one\\line two`, `line one\\line two`},
		{`\\\!`, `\\!`},
		{`trailing\`, `trailing\`},
		{`no escapes at all`, `no escapes at all`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			require.NoError(t, err)
			got, err := richText(b)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("ADF text is not unescaped", func(t *testing.T) {
		got, err := richText(json.RawMessage(`{"type":"doc","content":[{"type":"text","text":"a\\!"}]}`))
		require.NoError(t, err)
		assert.Equal(t, `a\!`, got)
	})
}

func TestDecodeCustomFields(t *testing.T) {
	rec, err := decodeOne(t, body(t, EventIssueCreated, func(_, fields map[string]any) {
		fields["labels"] = []any{"vip", " team:emea ", "", "a,b"}
		fields["components"] = []any{map[string]any{"name": "API"}, map[string]any{"name": " "}}
		fields["priority"] = map[string]any{"name": "High"}
		fields["status"] = map[string]any{"name": "Waiting for Support"}
		fields["customfield_10010"] = map[string]any{"requestType": map[string]any{"id": "3", "name": "Report a bug"}}
		fields["customfield_10020"] = "EU"
		fields["customfield_10021"] = map[string]any{"value": "Gold", "id": "1"}
		fields["customfield_10022"] = "someone@example.com"
		fields["customfield_10023"] = strings.Repeat("x", maxCustomValueLen+1)
		fields["customfield_10024"] = 3.5
		fields["customfield_10027"] = "+44 (20) 7946-0958"
		fields["customfield_10028"] = "2025-03-02"
		fields["customfield_10025"] = []any{"a"}
		fields["customfield_10026"] = map[string]any{"other": 1}
		for i := range 30 {
			fields["customfield_2"+strings.Repeat("0", 3)+string(rune('a'+i%26))+strings.Repeat("z", i/26)] = "v"
		}
	}), nil)
	require.NoError(t, err)
	a := rec.Attributes
	assert.Equal(t, "vip,team:emea,a b", a["tags"])
	assert.Equal(t, "API", a["components"])
	assert.Equal(t, "high", a["priority"])
	assert.Equal(t, "waiting for support", a["status"])
	assert.Equal(t, "Report a bug", a["request_type"])
	assert.Equal(t, "EU", a["custom.customfield_10020"])
	assert.Equal(t, "Gold", a["custom.customfield_10021"])
	assert.Equal(t, "2025-03-02", a["custom.customfield_10028"], "a date is not a phone number")
	for _, k := range []string{"custom.customfield_10010", "custom.customfield_10022", "custom.customfield_10023", "custom.customfield_10024", "custom.customfield_10025", "custom.customfield_10026", "custom.customfield_10027"} {
		assert.NotContains(t, a, k)
	}
	n := 0
	for k := range a {
		if strings.HasPrefix(k, "custom.") {
			n++
		}
	}
	assert.Equal(t, maxCustomFields, n, "custom attributes are bounded")
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		edit func(p, fields map[string]any)
		want error
		msg  string
	}{
		{"issue deleted", "jira:issue_deleted", nil, connectors.ErrIgnored, "jira:issue_deleted"},
		{"sprint event with odd shape", "sprint_started", func(p, _ map[string]any) { p["issue"] = 3 }, connectors.ErrIgnored, "sprint_started"},
		{"no event", "", nil, connectors.ErrMalformed, "webhookEvent missing"},
		{"no issue", EventIssueCreated, func(p, _ map[string]any) { delete(p, "issue") }, connectors.ErrMalformed, "issue missing"},
		{"no issue id", EventIssueCreated, func(p, _ map[string]any) { delete(p["issue"].(map[string]any), "id") }, connectors.ErrMalformed, "issue.id missing"},
		{"numeric issue id", EventIssueCreated, func(p, _ map[string]any) { p["issue"].(map[string]any)["id"] = 10042 }, nil, ""},
		{"issue not an object", EventIssueCreated, func(p, _ map[string]any) { p["issue"] = []any{} }, connectors.ErrMalformed, "issue:"},
		{"summary not a string", EventIssueCreated, func(_, f map[string]any) { f["summary"] = 1 }, connectors.ErrMalformed, "issue.fields.summary"},
		{"labels not strings", EventIssueCreated, func(_, f map[string]any) { f["labels"] = []any{1} }, connectors.ErrMalformed, "issue.fields.labels"},
		{"bad created", EventIssueCreated, func(p, f map[string]any) { delete(p, "timestamp"); f["created"] = "02/03/2025" }, connectors.ErrMalformed, "issue.fields.created"},
		{"timestamp not ms", EventIssueCreated, func(p, _ map[string]any) { p["timestamp"] = "soon" }, connectors.ErrMalformed, "milliseconds"},
		{"timestamp too late", EventIssueCreated, func(p, _ map[string]any) { p["timestamp"] = int64(999999999999999999) }, connectors.ErrMalformed, "after year 9999"},
		{"no text", EventIssueCreated, func(_, f map[string]any) { f["summary"] = " "; f["description"] = nil }, connectors.ErrIgnored, "without summary or description"},
		{"no comment", EventCommentCreated, func(p, _ map[string]any) { delete(p, "comment") }, connectors.ErrMalformed, "comment missing"},
		{"no comment id", EventCommentCreated, func(p, _ map[string]any) { delete(p["comment"].(map[string]any), "id") }, connectors.ErrMalformed, "comment.id missing"},
		{"comment body number", EventCommentCreated, func(p, _ map[string]any) { p["comment"].(map[string]any)["body"] = 5 }, connectors.ErrMalformed, "comment.body"},
		{"changelog not an object", EventIssueUpdated, func(p, _ map[string]any) { p["changelog"] = "x" }, connectors.ErrMalformed, "changelog"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeOne(t, body(t, tt.typ, tt.edit), nil)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.ErrorContains(t, err, tt.msg)
		})
	}
}

func TestNewRejectsOptions(t *testing.T) {
	_, err := NewFactory().New(connectors.SourceConfig{Type: Type, Options: map[string]string{"jsm": "true"}}, connectors.Settings{})
	require.Error(t, err)
	assert.ErrorContains(t, err, "jira: options jsm")
}
