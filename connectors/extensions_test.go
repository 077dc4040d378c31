package connectors_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestMappingApply(t *testing.T) {
	m := connectors.Mapping{
		Touchpoint: &connectors.Rule{From: []string{"form_id"}, Values: map[string]string{"aBc123": "onboarding"}, Default: "survey"},
		Team:       &connectors.Rule{From: []string{"tags"}, Prefix: "team:"},
		Location:   &connectors.Rule{From: []string{"hidden.store", "property.location"}},
		Role:       &connectors.Rule{From: []string{"hidden.role"}},
		AccountID:  &connectors.Rule{From: []string{"org"}},
	}
	require.NoError(t, m.Validate())
	tests := []struct {
		name  string
		attrs map[string]string
		want  func(r feedback.Record) []string
		exp   []string
	}{
		{"table hit, tag prefix, fallback key", map[string]string{"form_id": "aBc123", "tags": "vip, team:billing,team:other", "property.location": "leeds", "hidden.role": "buyer", "org": "acme"},
			nil, []string{"onboarding", "billing", "leeds", "buyer", "acme"}},
		{"table miss uses default; missing keys keep decoder values", map[string]string{"form_id": "zzz", "tags": "vip"},
			nil, []string{"survey", "decoder-team", "decoder-location", "unknown", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := feedback.New("typeform", feedback.KindSurvey, "x")
			r.Team, r.Location = "decoder-team", "decoder-location"
			r.Attributes = tt.attrs
			m.Apply(&r)
			assert.Equal(t, tt.exp, []string{r.Touchpoint, r.Team, r.Location, string(r.Customer.Role), r.Customer.AccountID})
		})
	}
	bad := connectors.Mapping{Team: &connectors.Rule{}, Role: &connectors.Rule{Default: "ceo"}}
	err := bad.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "team: needs from or default")
	assert.Contains(t, err.Error(), `role: "ceo"`)
}

func TestDecodeJSONBounds(t *testing.T) {
	req := func(body string) connectors.Request {
		return connectors.Request{ContentType: "application/json", Body: []byte(body)}
	}
	var v any
	require.NoError(t, connectors.DecodeJSON(req(`{"a":[1,2,3],"s":"[[[[,,,"}`), &v))
	deep := strings.Repeat("[", connectors.MaxJSONDepth+1) + strings.Repeat("]", connectors.MaxJSONDepth+1)
	assert.ErrorIs(t, connectors.DecodeJSON(req(deep), &v), connectors.ErrMalformed)
	long := "[" + strings.Repeat("0,", connectors.MaxJSONArrayLen) + "0]"
	err := connectors.DecodeJSON(req(long), &v)
	assert.ErrorIs(t, err, connectors.ErrMalformed)
	assert.Contains(t, err.Error(), "array longer")
	okLen := "[" + strings.Repeat("0,", connectors.MaxJSONArrayLen-2) + "0]"
	assert.NoError(t, connectors.DecodeJSON(req(okLen), &v))
	assert.ErrorIs(t, connectors.DecodeJSON(connectors.Request{ContentType: "text/plain", Body: []byte("{}")}, &v), connectors.ErrUnsupportedMediaType)
	assert.NoError(t, connectors.DecodeJSON(connectors.Request{ContentType: "application/vnd.surveymonkey.response.v1+json", Body: []byte("{}")}, &v))
}

func TestDecodeFormAndMultipart(t *testing.T) {
	form, err := connectors.DecodeForm(connectors.Request{ContentType: "application/x-www-form-urlencoded", Body: []byte("Topic=a.b&MSG=%7B%22x%22%3A1%7D")})
	require.NoError(t, err)
	assert.Equal(t, `{"x":1}`, form.Get("MSG"))
	_, err = connectors.DecodeForm(connectors.Request{ContentType: "application/json", Body: []byte("{}")})
	assert.ErrorIs(t, err, connectors.ErrUnsupportedMediaType)
	_, err = connectors.DecodeForm(connectors.Request{ContentType: "application/x-www-form-urlencoded", Body: []byte("a=%zz")})
	assert.ErrorIs(t, err, connectors.ErrMalformed)

	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	require.NoError(t, w.WriteField("formID", "241"))
	require.NoError(t, w.WriteField("rawRequest", `{"q7_comments":"Box arrived crushed"}`))
	fw, err := w.CreateFormFile("upload", "a.txt")
	require.NoError(t, err)
	_, _ = fw.Write([]byte("file"))
	require.NoError(t, w.Close())
	h := http.Header{"Content-Type": {w.FormDataContentType()}}
	fields, err := connectors.DecodeMultipart(connectors.Request{ContentType: "multipart/form-data", Header: h, Body: buf.Bytes()})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"formID": "241", "rawRequest": `{"q7_comments":"Box arrived crushed"}`}, fields)
	_, err = connectors.DecodeMultipart(connectors.Request{ContentType: "multipart/form-data", Header: http.Header{"Content-Type": {"multipart/form-data"}}, Body: buf.Bytes()})
	assert.ErrorIs(t, err, connectors.ErrMalformed)
}

func TestReasonCoversTheClosedSet(t *testing.T) {
	for err, want := range map[error]string{
		connectors.ErrSignatureMissing:     "signature_missing",
		connectors.ErrSignatureInvalid:     "signature_invalid",
		connectors.ErrTimestampStale:       "timestamp_stale",
		connectors.ErrMalformed:            "malformed",
		connectors.ErrUnsupportedMediaType: "unsupported_media_type",
		connectors.ErrTooLarge:             "too_large",
		connectors.ErrIgnored:              "ignored",
		connectors.ErrUpstream:             "enrichment_failed",
		errors.New("bug"):                  "internal",
	} {
		assert.Equal(t, want, connectors.Reason(err))
	}
}
