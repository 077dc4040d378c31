// Package allpollers lists every review-site poller the gateway can run, as
// an explicit slice: adding a review site is one folder under connectors/
// plus one line in Factories. There is no init() registration. It is the
// polled counterpart of connectors/all.
//
// # Contract
//
// Factories returns a fresh slice, sorted by Type, with unique types; each
// Type equals its package folder name and is the `type` of a connectors:
// config entry. Lookup finds a factory by type.
//
// # Errors
//
// Lookup reports absence with ok=false; nothing here returns an error.
//
// # Concurrency
//
// Both functions are safe for concurrent use; they share no state.
package allpollers
