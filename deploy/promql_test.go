package deploy_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// A small PromQL reader: enough to list the selectors (metric name and
// label matchers) of an expression, so they can be checked against the
// gateway's registry. promtool checks the syntax itself.

type matcher struct{ label, op, value string }

type selector struct {
	name     string
	matchers []matcher
}

type token struct {
	kind byte // 'i' identifier, 's' string, 'n' number or duration, 'v' $variable, 'p' punctuation
	text string
}

// aggregations are operators that may be followed by by/without before
// their parenthesis, so they are never metric names.
var aggregations = map[string]bool{
	"sum": true, "min": true, "max": true, "avg": true, "group": true, "stddev": true, "stdvar": true,
	"count": true, "count_values": true, "bottomk": true, "topk": true, "quantile": true,
	"limitk": true, "limit_ratio": true,
}

// groupings take a parenthesised list of label names.
var groupings = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

var keywords = map[string]bool{
	"bool": true, "and": true, "or": true, "unless": true, "offset": true, "atan2": true,
	"inf": true, "nan": true, "Inf": true, "NaN": true,
}

func isIdentStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

func lex(expr string) ([]token, error) {
	var toks []token
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			var b strings.Builder
			j := i + 1
			for ; j < len(expr) && expr[j] != c; j++ {
				if expr[j] == '\\' && c != '`' && j+1 < len(expr) {
					j++
				}
				b.WriteByte(expr[j])
			}
			if j >= len(expr) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			toks = append(toks, token{'s', b.String()})
			i = j + 1
		case c == '$':
			j := i + 1
			if j < len(expr) && expr[j] == '{' {
				for j < len(expr) && expr[j] != '}' {
					j++
				}
				j++
			} else {
				for j < len(expr) && isIdentChar(expr[j]) {
					j++
				}
			}
			toks = append(toks, token{'v', expr[i:min(j, len(expr))]})
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(expr) && expr[i+1] >= '0' && expr[i+1] <= '9':
			j := i
			for j < len(expr) && (isIdentChar(expr[j]) && expr[j] != ':' || expr[j] == '.') {
				j++
			}
			toks = append(toks, token{'n', expr[i:j]})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(expr) && isIdentChar(expr[j]) {
				j++
			}
			toks = append(toks, token{'i', expr[i:j]})
			i = j
		default:
			if i+1 < len(expr) {
				switch two := expr[i : i+2]; two {
				case "=~", "!~", "!=", "==", ">=", "<=":
					toks = append(toks, token{'p', two})
					i += 2
					continue
				}
			}
			toks = append(toks, token{'p', string(c)})
			i++
		}
	}
	return toks, nil
}

// parseSelectors lists the selectors of a PromQL expression.
func parseSelectors(expr string) ([]selector, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	is := func(i int, kind byte, text string) bool {
		return i < len(toks) && toks[i].kind == kind && toks[i].text == text
	}
	// skip returns the index after the bracket closing the one at i.
	skip := func(i int, open, close string) (int, error) {
		depth := 0
		for ; i < len(toks); i++ {
			switch {
			case is(i, 'p', open):
				depth++
			case is(i, 'p', close):
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, fmt.Errorf("unbalanced %s", open)
	}
	var sels []selector
	for i := 0; i < len(toks); {
		tk := toks[i]
		switch {
		case is(i, 'p', "["):
			if i, err = skip(i, "[", "]"); err != nil {
				return nil, err
			}
		case is(i, 'p', "{"):
			sel := selector{}
			if i, err = parseMatchers(toks, i, &sel); err != nil {
				return nil, err
			}
			for _, m := range sel.matchers {
				if m.label == "__name__" && m.op == "=" {
					sel.name = m.value
				}
			}
			sels = append(sels, sel)
		case tk.kind == 'i' && groupings[tk.text]:
			i++
			if is(i, 'p', "(") {
				if i, err = skip(i, "(", ")"); err != nil {
					return nil, err
				}
			}
		case tk.kind == 'i' && (keywords[tk.text] || aggregations[tk.text] || is(i+1, 'p', "(")):
			i++ // keyword, aggregation or function call
		case tk.kind == 'i':
			sel := selector{name: tk.text}
			i++
			if is(i, 'p', "{") {
				if i, err = parseMatchers(toks, i, &sel); err != nil {
					return nil, err
				}
			}
			sels = append(sels, sel)
		default:
			i++
		}
	}
	return sels, nil
}

// parseMatchers reads {label op "value", …} starting at the brace at i.
func parseMatchers(toks []token, i int, sel *selector) (int, error) {
	i++ // {
	for i < len(toks) {
		if toks[i].kind == 'p' && toks[i].text == "}" {
			return i + 1, nil
		}
		if i+2 >= len(toks) || toks[i].kind != 'i' || toks[i+1].kind != 'p' || (toks[i+2].kind != 's' && toks[i+2].kind != 'v') {
			return 0, fmt.Errorf("bad label matcher near %q", toks[i].text)
		}
		switch toks[i+1].text {
		case "=", "!=", "=~", "!~":
		default:
			return 0, fmt.Errorf("bad matcher operator %q", toks[i+1].text)
		}
		sel.matchers = append(sel.matchers, matcher{label: toks[i].text, op: toks[i+1].text, value: toks[i+2].text})
		i += 3
		if i < len(toks) && toks[i].kind == 'p' && toks[i].text == "," {
			i++
		}
	}
	return 0, fmt.Errorf("unterminated label matchers")
}

func TestParseSelectors(t *testing.T) {
	tests := []struct {
		expr string
		want []selector
	}{
		{
			`sum by (job, source) (rate(corridor_ingest_requests_total{source=~"$source", code!~"2.."}[$__rate_interval]))`,
			[]selector{{"corridor_ingest_requests_total", []matcher{{"source", "=~", "$source"}, {"code", "!~", "2.."}}}},
		},
		{
			"histogram_quantile(0.99, sum by (le) (rate(a_bucket[5m]))) > 1\nand on (job, source) group_left\nb:c:rate5m offset 6h",
			[]selector{{"a_bucket", nil}, {"b:c:rate5m", nil}},
		},
		{
			`count by (job) (count by (job, version) (corridor_build_info)) > 1 unless absent(up{job="corridor"}) or vector(0)`,
			[]selector{{"corridor_build_info", nil}, {"up", []matcher{{"job", "=", "corridor"}}}},
		},
		{
			`{__name__="x", a='b\'c'}`,
			[]selector{{"x", []matcher{{"__name__", "=", "x"}, {"a", "=", "b'c"}}}},
		},
		{
			`topk(10, sum without (instance) (increase(t_total[1h:5m])))`,
			[]selector{{"t_total", nil}},
		},
	}
	for _, tt := range tests {
		got, err := parseSelectors(tt.expr)
		if err != nil {
			t.Errorf("%s: %v", tt.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.expr, got, tt.want)
		}
	}
	for _, bad := range []string{`x{a="b"`, `x{a}`, `rate(x[5m)`, `x{a="b}`} {
		if _, err := parseSelectors(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
