// Package gateway is Corridor's HTTP side: the Fiber server, the request
// pipeline (verify → decode → analyze → encode → write), the one map from
// errors to HTTP answers, and the metrics.
//
// # Contract
//
// Endpoints: POST /v1/webhooks/{source}, GET /v1/sources (configured sources,
// never secrets), GET /livez, GET /readyz (200 only when the broker answers),
// GET /metrics.
//
// Ack order: a webhook is answered 200 {"status":"accepted","ids":[...]} only
// after its raw copy (corridor.raw.v1) and every record it yields
// (corridor.feedback.v1) were acknowledged by Kafka with acks=all. Each write
// is bounded by Config.WriteTimeout; when the broker cannot take it in time
// the answer is 503 with Retry-After and the sender retries, producing the
// same record ids. A valid event type that yields no record is answered 202
// {"status":"ignored"} after its raw copy is durable.
//
// Bad input is answered with a specific status and {"error":{"code","message"}}:
// 400 malformed, 401 signature_missing|signature_invalid|timestamp_stale,
// 404 unknown_source, 413 too_large, 415 unsupported_media_type,
// 422 invalid_record. Each is counted in corridor_ingest_rejections_total
// {source,reason}, and when the body arrived intact (everything but 413) its
// exact bytes go to corridor.dlq.v1 with a `reason` header. A failed
// dead-letter write does not change the answer; it is counted in
// corridor_sink_messages_total{stream="dlq",outcome="failed"}.
//
// Labels come from closed sets: source is a configured source name or
// "unknown"; reason and code are the values above; theme is a taxonomy id.
//
// # Errors
//
// New fails on an invalid Config or missing Settings. Serve returns the
// listener's error.
//
// # Concurrency
//
// A Server handles requests concurrently; all collaborators (sink, analyzer,
// decoders) must be safe for concurrent use.
package gateway
