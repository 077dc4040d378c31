// Package pollertest holds what the review-site pollers' tests share: a
// fixed clock, a fake vendor server that can be told to fail the next
// requests (429 with Retry-After, 500, 401), a walker that follows page
// tokens, page checks, golden files and the page-decoder fuzz invariant.
// It is the polled counterpart of connectortest.
package pollertest
