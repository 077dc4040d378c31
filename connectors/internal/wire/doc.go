// Package wire holds what the vendor connectors share: the small JSON types
// vendor payloads use (ids that arrive as strings or numbers, free-form
// scalar values, timestamps that may be missing), the helpers that fill
// records from them (attributes, tags, timestamps), factory boilerplate and
// the enrichment loop. Decoding never panics; values that cannot be
// represented make json.Unmarshal fail, which DecodeJSON reports as
// ErrMalformed.
package wire
