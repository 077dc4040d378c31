// Package vendorapitest fakes a vendor's REST API for the tests of
// enriching connectors: it serves testdata/api/<path>.json files, refuses
// requests without the expected credentials, lets a test script per-path
// answers, and counts calls.
package vendorapitest
