package connectortest

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/corridorhq/corridor/connectors"
)

// SignatureVectors is the shape of testdata/signatures.json. Signatures in
// it are computed outside Go (e.g. with openssl) so the vectors check the
// verifier against an independent implementation.
//
//	{
//	  "secrets": ["test-secret"],
//	  "now": "2025-03-02T10:05:00Z",
//	  "cases": [
//	    {"name": "valid", "body": "{...}", "headers": {"Typeform-Signature": "sha256=..."}, "reason": ""},
//	    {"name": "wrong secret", "secrets": ["other"], "body": "...", "headers": {...}, "reason": "signature_invalid"}
//	  ]
//	}
type SignatureVectors struct {
	// Comment says how the vectors were made.
	Comment string `json:"comment,omitempty"`
	// Secrets configure the verifier unless a case sets its own.
	Secrets []string `json:"secrets"`
	// Now is the verifier clock unless a case sets its own.
	Now time.Time `json:"now"`
	// Cases are the vectors.
	Cases []SignatureCase `json:"cases"`
}

// SignatureCase is one vector.
type SignatureCase struct {
	Name    string            `json:"name"`
	Secrets []string          `json:"secrets,omitempty"`
	Now     *time.Time        `json:"now,omitempty"`
	Body    string            `json:"body"`
	Headers map[string]string `json:"headers"`
	// Reason is connectors.Reason of the expected error; "" means valid.
	Reason string `json:"reason"`
}

// RunSignatureVectors verifies every case in the file at path with f's
// verifier and checks the outcome's reason. Run calls it.
func RunSignatureVectors(t *testing.T, f connectors.Factory, path string, opts ...Option) {
	t.Helper()
	o := newOptions(opts)
	b, err := os.ReadFile(path)
	require.NoError(t, err, "every verifying connector needs testdata/signatures.json")
	var vs SignatureVectors
	require.NoError(t, json.Unmarshal(b, &vs), "parse %s", path)
	require.NotEmpty(t, vs.Cases, "no cases in %s", path)

	reasons := map[string]bool{}
	for _, c := range vs.Cases {
		reasons[c.Reason] = true
		t.Run(c.Name, func(t *testing.T) {
			secrets := vs.Secrets
			if c.Secrets != nil {
				secrets = c.Secrets
			}
			now := vs.Now
			if c.Now != nil {
				now = *c.Now
			}
			cfg := connectors.SourceConfig{Type: f.Type, Secrets: secrets}
			if o.config != nil {
				o.config(&cfg)
			}
			d, err := f.New(cfg, connectors.Settings{Name: f.Type, Now: func() time.Time { return now }})
			require.NoError(t, err)
			v, ok := d.(connectors.Verifier)
			require.True(t, ok, "decoder is not a Verifier")

			req := o.request([]byte(c.Body))
			for k, val := range c.Headers {
				req.Header.Set(k, val)
			}
			err = v.Verify(req)
			if c.Reason == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			RequireSentinel(t, err)
			require.Equal(t, c.Reason, connectors.Reason(err), "error: %v", err)
		})
	}
	for _, want := range []string{"", connectors.ReasonSignatureInvalid, connectors.ReasonSignatureMissing} {
		require.Truef(t, reasons[want], "%s has no case with reason %q", path, want)
	}
}
