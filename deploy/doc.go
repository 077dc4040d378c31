// Package deploy holds Corridor's deployment files and the tests that keep
// them true to the code: Prometheus rules and their promtool unit tests
// (prometheus/), a Grafana dashboard with provisioning (grafana/),
// Kubernetes manifests (k8s/), a Dockerfile and a compose file. The package
// has no Go API; `go test ./deploy/` is its product.
//
// # Contract
//
// Every metric name and label a rule or dashboard query uses is registered
// by the gateway (gateway.NewMetrics, plus the spool gauges of a server with
// a spool). Every alert has a runbook section in RUNBOOK.md and is unit
// tested by rules_test.yaml both firing and not firing. The manifests probe
// paths the server answers, give the pod longer to stop than preStop plus
// shutdown_grace, and carry a corridor.yaml the binary accepts.
//
// # Errors
//
// The tests need promtool (CORRIDOR_PROMTOOL, PATH or
// ../.tools/prometheus/usr/bin/promtool, which `make tools` installs) and,
// for the configuration checks, the corridor binary (CORRIDOR_BIN, else
// built with `go build`). A missing promtool skips those tests unless
// CORRIDOR_REQUIRE_TOOLS=1, which fails them.
//
// # Concurrency
//
// Nothing here runs concurrently with the gateway; the tests start their
// own in-process server on a loopback port.
package deploy
