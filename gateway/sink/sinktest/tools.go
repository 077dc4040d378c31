package sinktest

import (
	"os"
	"os/exec"
	"testing"
)

// Tool returns the path of an external tool a test needs (kcat, promtool):
// the value of envVar, else name on PATH. When the tool is missing the test
// is skipped, unless CORRIDOR_REQUIRE_TOOLS=1 (set by `make test`, which
// installs the tools), where it fails.
func Tool(t testing.TB, envVar, name string) string {
	t.Helper()
	if p := os.Getenv(envVar); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CORRIDOR_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s not found (set %s or run `make tools`)", name, envVar)
	}
	t.Skipf("%s not found; `make test` installs it", name)
	return ""
}
