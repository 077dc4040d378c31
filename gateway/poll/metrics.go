package poll

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/corridorhq/corridor/connectors"
)

// Outcomes of one poll, the closed set of the `outcome` label of
// corridor_poll_polls_total.
const (
	// OutcomeOK: the walk reached the cursor or the last page.
	OutcomeOK = "ok"
	// OutcomeBudget: the walk stopped at max_pages; the next poll resumes
	// where it stopped.
	OutcomeBudget = "budget"
	// OutcomeRateLimited: the vendor answered 429 (or gave a Retry-After).
	OutcomeRateLimited = "rate_limited"
	// OutcomeFailed: a vendor or Kafka error; retried with backoff.
	OutcomeFailed = "failed"
)

// Reasons of vendor API errors, the closed set of the `reason` label of
// corridor_poll_api_errors_total.
const (
	ReasonRateLimited   = "rate_limited"
	ReasonUpstream      = "upstream"
	ReasonTimeout       = "timeout"
	ReasonUnauthorized  = "unauthorized"
	ReasonMalformedPage = "malformed_page"
	ReasonInvalidRecord = "invalid_record"
	ReasonInternal      = "internal"
)

// metrics are the framework's Prometheus metrics. The `connector` label
// takes configured connector ids only.
type metrics struct {
	polls        *prometheus.CounterVec
	reviews      *prometheus.CounterVec
	newestAge    *prometheus.GaugeVec
	lastSuccess  *prometheus.GaugeVec
	apiErrors    *prometheus.CounterVec
	duplicates   *prometheus.CounterVec
	pages        *prometheus.CounterVec
	owned        prometheus.Gauge
	calls        *prometheus.CounterVec
	callDuration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		polls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_poll_polls_total",
			Help: "Polls of review feeds, by connector and outcome (ok, budget, rate_limited, failed).",
		}, []string{"connector", "outcome"}),
		reviews: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_poll_reviews_total",
			Help: "New reviews and review versions written to the feedback topic, by connector.",
		}, []string{"connector"}),
		newestAge: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "corridor_poll_newest_review_age_seconds",
			Help: "Age of the newest review covered by the connector's cursor, as of its last poll (lag), by connector.",
		}, []string{"connector"}),
		lastSuccess: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "corridor_poll_last_success_timestamp_seconds",
			Help: "Unix time of the connector's last poll that ended without error, by connector.",
		}, []string{"connector"}),
		apiErrors: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_poll_api_errors_total",
			Help: "Vendor API failures while polling, by connector and reason (rate_limited, upstream, timeout, unauthorized, malformed_page, invalid_record, internal).",
		}, []string{"connector", "reason"}),
		duplicates: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_poll_duplicates_total",
			Help: "Reviews written again because an earlier write of them may have succeeded before its cursor was saved (at least once), by connector.",
		}, []string{"connector"}),
		pages: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_poll_pages_total",
			Help: "Review feed pages fetched, by connector.",
		}, []string{"connector"}),
		owned: f.NewGauge(prometheus.GaugeOpts{
			Name: "corridor_poll_owned_connectors",
			Help: "Connectors this instance polls now (its share of the consumer group's assignment).",
		}),
		calls: f.NewCounterVec(prometheus.CounterOpts{
			Name: "corridor_poll_api_calls_total",
			Help: "Vendor API calls made by review connectors, by connector and outcome (ok, retried, failed, not_found).",
		}, []string{"connector", "outcome"}),
		callDuration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "corridor_poll_api_call_duration_seconds",
			Help:    "Duration of vendor API calls made by review connectors, by connector.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"connector"}),
	}
}

// init pre-creates a connector's series so dashboards see zeroes, not gaps.
func (m *metrics) init(id string) {
	for _, o := range []string{OutcomeOK, OutcomeBudget, OutcomeRateLimited, OutcomeFailed} {
		m.polls.WithLabelValues(id, o)
	}
	m.reviews.WithLabelValues(id)
	m.duplicates.WithLabelValues(id)
	m.pages.WithLabelValues(id)
	m.apiErrors.WithLabelValues(id, ReasonRateLimited)
	m.apiErrors.WithLabelValues(id, ReasonUpstream)
	m.apiErrors.WithLabelValues(id, ReasonMalformedPage)
}

// callObserver hands a connector its share of the API call metrics.
type callObserver struct {
	m  *metrics
	id string
}

var callOutcomes = map[string]bool{
	connectors.OutcomeOK: true, connectors.OutcomeRetried: true,
	connectors.OutcomeFailed: true, connectors.OutcomeNotFound: true,
}

func (o callObserver) ObserveCall(outcome string, d time.Duration) {
	if !callOutcomes[outcome] {
		outcome = "unknown"
	}
	o.m.calls.WithLabelValues(o.id, outcome).Inc()
	o.m.callDuration.WithLabelValues(o.id).Observe(d.Seconds())
}
