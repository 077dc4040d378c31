package poll

import (
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Analyzer is what polling needs of the NLP stage (the same as the
// webhook pipeline's; *nlp.Analyzer is one).
type Analyzer = feedback.Analyzer

// enrich completes a polled record the way the webhook pipeline completes a
// decoded one: connector defaults, kind and source when the connector left
// them empty, receive time, UTF-8 repair and the NLP analysis (redacted
// text, language, themes, sentiment). The caller validates.
func enrich(a Analyzer, cfg *connectors.PollerConfig, r *feedback.Record, fetchedAt time.Time) {
	cfg.Defaults.Fill(r)
	if r.Source == "" {
		r.Source = cfg.ID
	}
	if r.Kind == "" {
		r.Kind = feedback.KindReview
	}
	r.DefaultTimes(fetchedAt)
	r.Analyze(a)
}
