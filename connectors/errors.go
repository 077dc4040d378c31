package connectors

import (
	"errors"
	"fmt"
)

// The closed set of errors connectors return; every error wraps one.
var (
	// ErrUnauthorized: the request is not proven to come from the vendor (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrMalformed: the body cannot be decoded into feedback (400).
	ErrMalformed = errors.New("malformed payload")
	// ErrUnsupportedMediaType: the content type is not one the vendor sends (415).
	ErrUnsupportedMediaType = errors.New("unsupported media type")
	// ErrTooLarge: the body or a structure in it exceeds a limit (413).
	ErrTooLarge = errors.New("payload too large")
	// ErrIgnored: a valid event type we do not turn into feedback (202).
	ErrIgnored = errors.New("event ignored")
	// ErrUpstream: the vendor API an Enricher needs failed; retry later (503).
	ErrUpstream = errors.New("vendor API failed")
)

// Specific authorization failures; each wraps ErrUnauthorized.
var (
	ErrSignatureMissing = fmt.Errorf("%w: signature missing", ErrUnauthorized)
	ErrSignatureInvalid = fmt.Errorf("%w: signature does not match", ErrUnauthorized)
	ErrTimestampStale   = fmt.Errorf("%w: timestamp outside tolerance", ErrUnauthorized)
)

// Reason labels, a closed set used in metrics and error bodies.
const (
	ReasonSignatureMissing = "signature_missing"
	ReasonSignatureInvalid = "signature_invalid"
	ReasonTimestampStale   = "timestamp_stale"
	ReasonUnauthorized     = "unauthorized"
	ReasonMalformed        = "malformed"
	ReasonMediaType        = "unsupported_media_type"
	ReasonTooLarge         = "too_large"
	ReasonIgnored          = "ignored"
	ReasonEnrichment       = "enrichment_failed"
	ReasonInternal         = "internal"
)

// Reason maps an error from a connector to its reason label.
func Reason(err error) string {
	switch {
	case errors.Is(err, ErrSignatureMissing):
		return ReasonSignatureMissing
	case errors.Is(err, ErrSignatureInvalid):
		return ReasonSignatureInvalid
	case errors.Is(err, ErrTimestampStale):
		return ReasonTimestampStale
	case errors.Is(err, ErrUnauthorized):
		return ReasonUnauthorized
	case errors.Is(err, ErrMalformed):
		return ReasonMalformed
	case errors.Is(err, ErrUnsupportedMediaType):
		return ReasonMediaType
	case errors.Is(err, ErrTooLarge):
		return ReasonTooLarge
	case errors.Is(err, ErrIgnored):
		return ReasonIgnored
	case errors.Is(err, ErrUpstream):
		return ReasonEnrichment
	}
	return ReasonInternal
}

// Malformedf returns an ErrMalformed error with a specific message.
func Malformedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
