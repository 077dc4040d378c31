package sig

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
)

func TestErrNoSecret(t *testing.T) {
	assert.ErrorIs(t, ErrNoSecret, connectors.ErrSignatureInvalid)
	assert.ErrorContains(t, ErrNoSecret, "no secret configured")
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name   string
		header http.Header
		want   string
	}{
		{"trimmed", http.Header{"X-Sig": {"  abc= "}}, "abc="},
		{"missing", http.Header{}, ""},
		{"blank", http.Header{"X-Sig": {"   "}}, ""},
		{"nil header", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Header(connectors.Request{Header: tt.header}, "X-Sig")
			if tt.want == "" {
				require.ErrorIs(t, err, connectors.ErrSignatureMissing)
				assert.ErrorContains(t, err, "X-Sig header: ")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSetHeader(t *testing.T) {
	var req connectors.Request
	SetHeader(&req, "X-Sig", "a")
	assert.Equal(t, "a", req.Header.Get("X-Sig"))
	SetHeader(&req, "X-Sig", "b")
	SetHeader(&req, "X-Other", "c")
	assert.Equal(t, http.Header{"X-Sig": {"b"}, "X-Other": {"c"}}, req.Header)
}
