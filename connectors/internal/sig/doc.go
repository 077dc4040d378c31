// Package sig holds the signature primitives vendor verifiers share: HMAC
// over byte parts, constant-time comparison against every configured secret,
// timestamp tolerance checks, shared-token checks, and the header and
// no-secret handling around them.
package sig
