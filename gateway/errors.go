package gateway

import (
	"context"
	"errors"
	"net/http"

	"github.com/corridorhq/corridor/connectors"
	"github.com/corridorhq/corridor/gateway/sink"
)

// Gateway-level reasons, added to connectors' closed set.
const (
	reasonUnknownSource = "unknown_source"
	reasonInvalidRecord = "invalid_record"
	reasonSinkTimeout   = "sink_timeout"
	reasonSinkDown      = "sink_unavailable"
	reasonSinkTooLarge  = "sink_too_large"
	reasonSpoolFull     = "spool_full"
	reasonOverloaded    = "overloaded"
	reasonRateLimited   = "rate_limited"
)

var (
	errUnknownSource = errors.New("unknown source")
	errInvalidRecord = errors.New("decoded record is invalid")
	// errSink wraps every failed Kafka write.
	errSink = errors.New("kafka write failed")
	// errSpoolFull: Kafka is unavailable and the spool holds its limit.
	errSpoolFull = errors.New("kafka unavailable and spool full")
	// errOverloaded: more requests in flight than the gateway allows.
	errOverloaded = errors.New("too many requests in flight")
	// errRateLimited: the source sends faster than its configured rate.
	errRateLimited = errors.New("source rate limit exceeded")
)

// failure is how one error is answered and counted.
type failure struct {
	status int
	reason string // closed label and the JSON error code
	dlq    bool   // the bytes arrived intact: keep them in the dead-letter topic
	retry  bool   // the sender should retry: set Retry-After
}

// classify maps every error the pipeline returns to its answer. It is the
// one place statuses are chosen.
func classify(err error) failure {
	switch {
	case errors.Is(err, errUnknownSource):
		return failure{status: http.StatusNotFound, reason: reasonUnknownSource, dlq: true}
	case errors.Is(err, errInvalidRecord):
		return failure{status: http.StatusUnprocessableEntity, reason: reasonInvalidRecord, dlq: true}
	case errors.Is(err, connectors.ErrUnauthorized):
		return failure{status: http.StatusUnauthorized, reason: connectors.Reason(err), dlq: true}
	case errors.Is(err, connectors.ErrUnsupportedMediaType):
		return failure{status: http.StatusUnsupportedMediaType, reason: connectors.ReasonMediaType, dlq: true}
	case errors.Is(err, connectors.ErrTooLarge):
		return failure{status: http.StatusRequestEntityTooLarge, reason: connectors.ReasonTooLarge, dlq: true}
	case errors.Is(err, connectors.ErrMalformed):
		return failure{status: http.StatusBadRequest, reason: connectors.ReasonMalformed, dlq: true}
	case errors.Is(err, connectors.ErrIgnored):
		return failure{status: http.StatusAccepted, reason: connectors.ReasonIgnored}
	case errors.Is(err, connectors.ErrUpstream):
		// The vendor retries; the raw request is kept meanwhile.
		return failure{status: http.StatusServiceUnavailable, reason: connectors.ReasonEnrichment, dlq: true, retry: true}
	case errors.Is(err, errSpoolFull):
		return failure{status: http.StatusServiceUnavailable, reason: reasonSpoolFull, retry: true}
	case errors.Is(err, errOverloaded):
		return failure{status: http.StatusServiceUnavailable, reason: reasonOverloaded, retry: true}
	case errors.Is(err, errRateLimited):
		return failure{status: http.StatusTooManyRequests, reason: reasonRateLimited, retry: true}
	case errors.Is(err, errSink) && sink.Permanent(err):
		// The broker will never take it; retrying cannot help.
		return failure{status: http.StatusRequestEntityTooLarge, reason: reasonSinkTooLarge}
	case errors.Is(err, errSink) && errors.Is(err, context.DeadlineExceeded):
		return failure{status: http.StatusServiceUnavailable, reason: reasonSinkTimeout, retry: true}
	case errors.Is(err, errSink):
		return failure{status: http.StatusServiceUnavailable, reason: reasonSinkDown, retry: true}
	}
	// A bug, not the sender's fault; keep the bytes so nothing is lost.
	return failure{status: http.StatusInternalServerError, reason: connectors.ReasonInternal, dlq: true}
}

// sinkReason is the `reason` label of a failed Kafka write.
func sinkReason(err error) string {
	return classify(err).reason
}
