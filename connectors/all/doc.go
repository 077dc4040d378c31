// Package all lists every vendor connector the gateway can serve, as an
// explicit slice: adding a vendor is one folder under connectors/ plus one
// line in Factories. There is no init() registration.
//
// # Contract
//
// Factories returns a fresh slice, sorted by Type, with unique types; each
// Type equals its package folder name. Lookup finds a factory by type.
//
// # Errors
//
// Lookup reports absence with ok=false; nothing here returns an error.
//
// # Concurrency
//
// Both functions are safe for concurrent use; they share no state.
package all
