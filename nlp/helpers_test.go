package nlp

import (
	"bufio"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// defaultAnalyzer is shared by the tests of this package: prose's model is
// loaded once per process anyway, and the word cache warms up across tests.
var defaultAnalyzer = sync.OnceValues(func() (*Analyzer, error) { return New(NewDefaultConfig()) })

func analyzer(tb testing.TB) *Analyzer {
	tb.Helper()
	a, err := defaultAnalyzer()
	require.NoError(tb, err)
	return a
}

// verbatims reads testdata/verbatims.txt, one verbatim a line.
func verbatims(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/verbatims.txt")
	require.NoError(tb, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			out = append(out, l)
		}
	}
	require.NoError(tb, sc.Err())
	require.NotEmpty(tb, out)
	return out
}
