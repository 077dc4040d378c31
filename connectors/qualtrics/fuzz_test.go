package qualtrics

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/connectors/connectortest"
)

// connectortest.Fuzz posts application/json, which this decoder refuses
// with 415, so these targets build form requests themselves. The
// invariant is the suite's: no panic; on error, no records and exactly one
// sentinel; otherwise every record validates and marshals.

func fuzzCheck(t *testing.T, d *decoder, body []byte) {
	req := formRequest(body)
	require.NoError(t, d.Sign(&req, connectortest.ReceivedAt()))
	if err := d.Verify(req); err != nil {
		connectortest.RequireSentinel(t, err)
		require.ErrorIs(t, err, connectors.ErrUnauthorized)
	}
	recs, err := d.Decode(t.Context(), req)
	if err != nil {
		connectortest.RequireSentinel(t, err)
		require.Empty(t, recs, "records returned with an error")
		return
	}
	connectortest.CheckRecords(t, recs)
}

// FuzzDecode fuzzes whole form bodies.
func FuzzDecode(f *testing.F) {
	for _, fx := range formFixtures(f) {
		f.Add(fx.body)
	}
	for _, s := range []string{"", "Topic=&MSG=", "MSG=%7B%7D", "Topic=surveyengine.completedResponse.SV_1&MSG=null", "a=1&a=2&HMAC=00"} {
		f.Add([]byte(s))
	}
	d := newTestDecoder(f, connectortest.Secret)
	f.Fuzz(func(t *testing.T, body []byte) { fuzzCheck(t, d, body) })
}

// FuzzDecodeMSG fuzzes the MSG JSON and the topic inside a well-formed
// form.
func FuzzDecodeMSG(f *testing.F) {
	f.Add("surveyengine.completedResponse.SV_8dK2aBcDeF", `{"Status":"Complete","SurveyID":"SV_8dK2aBcDeF","ResponseID":"R_2xY9qRtUvW","CompletedDate":"2025-03-02 10:01:12","BrandID":"acmefreight"}`)
	f.Add("b.surveyengine.completedResponse.*", `{"SurveyID":1,"ResponseID":2,"CompletedDate":"2025-03-02T10:01:12Z"}`)
	f.Add("surveyengine.completedResponse", `{"ResponseID":"R_1","CompletedDate":"9999-12-31 23:59:59"}`)
	f.Add("surveyengine.completedResponse.SV_1", `[]`)
	d := newTestDecoder(f, connectortest.Secret)
	f.Fuzz(func(t *testing.T, topic, msg string) {
		fuzzCheck(t, d, []byte(url.Values{FieldTopic: {topic}, FieldMSG: {msg}}.Encode()))
	})
}
