// Package connectors holds the contracts every vendor connector implements
// and the closed set of errors they return. Each vendor lives in its own
// folder (connectors/<vendor>) and is listed once in connectors/all.
//
// # Contract
//
//   - A Factory builds a Decoder from the source's SourceConfig. Its Type is
//     the folder name, the default route segment (POST /v1/webhooks/{source})
//     and the value of the `source` metric label.
//   - Decoders are pure: no I/O, no globals, safe for concurrent use. One
//     request may yield zero or more records. A valid event type we do not
//     handle returns ErrIgnored (answered 202, no record).
//   - A Decoder that also implements Verifier is verified before it decodes;
//     the gateway refuses to start such a source without a secret. Verifiers
//     compare with hmac.Equal, accept any configured secret (rotation) and
//     enforce the timestamp tolerance where the vendor signs a timestamp.
//   - A Decoder that implements Signer can sign a request the way the vendor
//     does; tests, `corridor sign` and the load harnesses use it.
//   - Records returned carry source, kind, id, event_id, occurred_at,
//     received_at, customer, score and the raw verbatim text; the gateway
//     adds source defaults (touchpoint, team, location, agent, role) and the
//     NLP analysis.
//
// # Errors
//
// Every error returned wraps exactly one sentinel of the closed set
// ErrUnauthorized, ErrMalformed, ErrUnsupportedMediaType, ErrTooLarge, ErrUpstream,
// ErrIgnored; the more specific ErrSignatureMissing, ErrSignatureInvalid and
// ErrTimestampStale wrap ErrUnauthorized. Reason maps an error to its closed
// metric label.
//
// # Concurrency
//
// Factories, decoders and verifiers are safe for concurrent use.
package connectors
