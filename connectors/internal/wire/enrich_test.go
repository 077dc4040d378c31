package wire

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

func TestParseNotFoundGrace(t *testing.T) {
	tests := []struct {
		name    string
		opts    map[string]string
		want    time.Duration
		wantErr string
	}{
		{"default", nil, 7 * time.Minute, ""},
		{"set", map[string]string{OptionNotFoundGrace: " 90s "}, 90 * time.Second, ""},
		{"zero", map[string]string{OptionNotFoundGrace: "0s"}, 0, ""},
		{"negative", map[string]string{OptionNotFoundGrace: "-1s"}, 0, `options.not_found_grace: "-1s" is not a non-negative duration`},
		{"not a duration", map[string]string{OptionNotFoundGrace: "soon"}, 0, `options.not_found_grace: "soon" is not a non-negative duration`},
		{"unknown", map[string]string{"z": "", "a": "", OptionNotFoundGrace: "1m"}, 0, "options a, z: unknown (known: not_found_grace)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseNotFoundGrace(tt.opts, 7*time.Minute)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestEnrichEach(t *testing.T) {
	recs := []feedback.Record{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	// keep a and c, changing them; drop b.
	enrich := func(_ context.Context, rec *feedback.Record) (bool, string, error) {
		if rec.ID == "b" {
			return false, "b is gone", nil
		}
		rec.Text = "enriched " + rec.ID
		return true, "", nil
	}
	out, err := EnrichEach(t.Context(), recs, enrich)
	require.NoError(t, err)
	assert.Equal(t, []feedback.Record{{ID: "a", Text: "enriched a"}, {ID: "c", Text: "enriched c"}}, out)
	assert.Empty(t, recs[0].Text, "the input is not changed")

	_, err = EnrichEach(t.Context(), recs, func(_ context.Context, rec *feedback.Record) (bool, string, error) {
		return false, string(rec.ID) + " gone", nil
	})
	require.ErrorIs(t, err, connectors.ErrIgnored)
	assert.EqualError(t, err, connectors.ErrIgnored.Error()+": a gone; b gone; c gone")

	boom := errors.New("boom")
	calls := 0
	_, err = EnrichEach(t.Context(), recs, func(context.Context, *feedback.Record) (bool, string, error) {
		calls++
		return false, "", boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, 1, calls, "the first error stops")

	out, err = EnrichEach(t.Context(), nil, enrich)
	require.NoError(t, err)
	assert.Empty(t, out)
}

func TestNotFound(t *testing.T) {
	notFound := errors.New("GET /x: 404")
	ok, why, err := NotFound(notFound, "response R_1", 11*time.Minute, 10*time.Minute)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, "response R_1 no longer exists", why)

	ok, why, err = NotFound(notFound, "survey SV_1", 90*time.Second+400*time.Millisecond, 10*time.Minute)
	assert.False(t, ok)
	assert.Empty(t, why)
	require.ErrorIs(t, err, connectors.ErrUpstream)
	assert.NotErrorIs(t, err, notFound, "the cause is text only")
	assert.EqualError(t, err, connectors.ErrUpstream.Error()+": survey SV_1 not found yet, 1m30s after the event (within not_found_grace=10m0s): GET /x: 404")
}
