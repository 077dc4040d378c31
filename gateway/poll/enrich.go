package poll

import (
	"strings"
	"time"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/feedback"
)

// Analyzer is what polling needs of the NLP stage (the same as the
// webhook pipeline's gateway.Analyzer; *nlp.Analyzer is one).
type Analyzer interface {
	Analyze(text string) feedback.Analysis
	Redact(text string) (string, map[string]int)
}

// enrich completes a polled record the way the webhook pipeline completes a
// decoded one: connector defaults, kind and source when the connector left
// them empty, receive time, UTF-8 repair and the NLP analysis (redacted
// text, language, themes, sentiment). The caller validates.
func enrich(a Analyzer, cfg *connectors.PollerConfig, r *feedback.Record, fetchedAt time.Time) {
	d := cfg.Defaults
	fill := func(field *string, def string) {
		if *field == "" {
			*field = def
		}
	}
	fill(&r.Touchpoint, d.Touchpoint)
	fill(&r.Team, d.Team)
	fill(&r.Location, d.Location)
	fill(&r.Agent, d.Agent)
	fill(&r.Source, cfg.ID)
	if r.Kind == "" {
		r.Kind = feedback.KindReview
	}
	if (r.Customer.Role == "" || r.Customer.Role == feedback.RoleUnknown) && d.Role != "" {
		r.Customer.Role = feedback.ParseRole(d.Role)
	}
	if r.Customer.Role == "" {
		r.Customer.Role = feedback.RoleUnknown
	}
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = fetchedAt
	}
	if r.OccurredAt.IsZero() {
		r.OccurredAt = r.ReceivedAt
	}
	r.Apply(a.Analyze(strings.ToValidUTF8(r.Text, "\uFFFD")))
	for i := range r.Answers {
		r.Answers[i].Text, _ = a.Redact(strings.ToValidUTF8(r.Answers[i].Text, "\uFFFD"))
	}
}
