// Package connectortest is the conformance suite every vendor connector
// runs from its own tests, in the spirit of OpenTelemetry's generated
// component tests:
//
//	func TestConformance(t *testing.T) {
//		connectortest.Run(t, typeform.NewFactory())
//	}
//
//	func FuzzDecode(f *testing.F) {
//		connectortest.Fuzz(f, typeform.NewFactory())
//	}
//
// # Contract
//
// Run must be called from a test in the vendor's package directory (go test
// runs there), with fixtures in ./testdata:
//
//   - testdata/<event>.json: one webhook body per file, as the vendor sends
//     it (scrubbed). Each must verify once signed and decode to at least one
//     record that validates.
//   - testdata/<event>.golden.json: the records <event>.json decodes to,
//     marshalled with json.MarshalIndent. Regenerate with
//     UPDATE_GOLDEN=1 go test ./connectors/...; the comparison always runs.
//   - testdata/signatures.json: signature vectors (see SignatureVectors),
//     required when the decoder implements connectors.Verifier.
//
// Run checks that Factory.Type equals the package folder name, that New
// works with one secret and with none, that every fixture signs, verifies
// and decodes to its golden records deterministically and concurrently,
// that tampering, a wrong secret or missing headers are refused with the
// right sentinel, that key rotation (two secrets) works, and that hostile
// bodies (empty, {}, [], null, garbage, invalid UTF-8, 1000-deep nesting,
// wrong content type) return an error wrapping exactly one sentinel of the
// closed set and never panic.
//
// Requests are built by NewRequest: content type application/json,
// ReceivedAt = ReceivedAt(), and the decoder's clock fixed at the same
// instant, so goldens are stable. A decoder that implements
// connectors.Signer signs each request before it is decoded, as the vendor
// would have.
//
// # Errors
//
// Failures are reported through testing.T; nothing is returned.
//
// # Concurrency
//
// Run and Fuzz use the testing package's goroutines; subtests are not
// parallel so golden files are written one at a time.
package connectortest
