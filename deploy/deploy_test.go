package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

var (
	rulesPath     = filepath.Join("prometheus", "rules.yaml")
	rulesTestPath = filepath.Join("prometheus", "rules_test.yaml")
	dashboardPath = filepath.Join("grafana", "corridor-dashboard.json")
	runbookPath   = "RUNBOOK.md"
	// prometheusConfigs are the scrape configs: local and inside compose.
	prometheusConfigs = []string{
		filepath.Join("prometheus", "prometheus.yml"),
		filepath.Join("prometheus", "prometheus.compose.yml"),
	}
)

const runbookURLPrefix = "https://github.com/corridorhq/corridor/blob/main/deploy/RUNBOOK.md#"

// --- promtool --------------------------------------------------------------

func TestPromtoolCheckRules(t *testing.T) {
	out := runTool(t, ".", nil, promtool(t), "check", "rules", rulesPath)
	if !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool check rules:\n%s", out)
	}
}

func TestPromtoolTestRules(t *testing.T) {
	out := runTool(t, ".", nil, promtool(t), "test", "rules", rulesTestPath)
	if !strings.Contains(out, "SUCCESS") {
		t.Fatalf("promtool test rules:\n%s", out)
	}
}

func TestPromtoolCheckConfig(t *testing.T) {
	tool := promtool(t)
	for _, cfg := range prometheusConfigs {
		out := runTool(t, ".", nil, tool, "check", "config", cfg)
		if !strings.Contains(out, "is valid prometheus config file syntax") {
			t.Errorf("promtool check config %s:\n%s", cfg, out)
		}
	}
}

// TestPrometheusConfigs checks what promtool does not: the job name the
// rules expect, the target port, and that rules.yaml is loaded.
func TestPrometheusConfigs(t *testing.T) {
	for _, path := range prometheusConfigs {
		var cfg struct {
			RuleFiles     []string `yaml:"rule_files"`
			ScrapeConfigs []struct {
				JobName       string `yaml:"job_name"`
				MetricsPath   string `yaml:"metrics_path"`
				StaticConfigs []struct {
					Targets []string `yaml:"targets"`
				} `yaml:"static_configs"`
			} `yaml:"scrape_configs"`
		}
		decodeYAML(t, path, &cfg)
		if len(cfg.RuleFiles) != 1 || cfg.RuleFiles[0] != filepath.Base(rulesPath) {
			t.Errorf("%s: rule_files = %v, want [%s]", path, cfg.RuleFiles, filepath.Base(rulesPath))
		}
		found := false
		for _, sc := range cfg.ScrapeConfigs {
			if sc.JobName != "corridor" {
				continue
			}
			found = true
			if sc.MetricsPath != "" && sc.MetricsPath != "/metrics" {
				t.Errorf("%s: metrics_path %q", path, sc.MetricsPath)
			}
			for _, st := range sc.StaticConfigs {
				for _, target := range st.Targets {
					if !strings.HasSuffix(target, ":8080") {
						t.Errorf("%s: target %q is not on port 8080", path, target)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: no scrape job named corridor (the rules select job=\"corridor\")", path)
		}
	}
}

// --- Rules -----------------------------------------------------------------

type promRule struct {
	Record      string            `yaml:"record"`
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func loadRules(t *testing.T) []promRule {
	t.Helper()
	var f struct {
		Groups []struct {
			Name  string     `yaml:"name"`
			Rules []promRule `yaml:"rules"`
		} `yaml:"groups"`
	}
	decodeYAML(t, rulesPath, &f)
	var out []promRule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no rules", rulesPath)
	}
	return out
}

func recordedNames(rules []promRule) map[string]bool {
	out := map[string]bool{}
	for _, r := range rules {
		if r.Record != "" {
			out[r.Record] = true
		}
	}
	return out
}

// TestRulesUseRealMetrics: every metric, label and closed label value in
// rules.yaml exists in the gateway (registry built by gateway.NewMetrics on
// a server with a spool, or declared in gateway/metrics.go).
func TestRulesUseRealMetrics(t *testing.T) {
	rules := loadRules(t)
	cat := newCatalog(t)
	recorded := recordedNames(rules)
	used := map[string]bool{}
	for _, r := range rules {
		name := r.Record + r.Alert
		sels, err := parseSelectors(r.Expr)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(sels) == 0 {
			t.Errorf("%s: no selector in %q", name, r.Expr)
		}
		for _, sel := range sels {
			used[sel.name] = true
			for _, e := range cat.check(sel, recorded) {
				t.Errorf("rules.yaml %s: %s", name, e)
			}
		}
	}
	// The brief's metrics, by family, are all watched.
	for _, want := range []string{
		"up", "corridor_build_info", "corridor_ingest_requests_total", "corridor_ingest_rejections_total",
		"corridor_ingest_request_duration_seconds_bucket", "corridor_sink_write_duration_seconds_bucket",
		"corridor_sink_errors_total", "corridor_sink_messages_total", "corridor_decode_records_total",
		"corridor_nlp_analyze_duration_seconds_bucket", "corridor_enrich_calls_total",
		"corridor_spool_records", "corridor_spool_oldest_age_seconds",
	} {
		if !used[want] {
			t.Errorf("rules.yaml never uses %s", want)
		}
	}
}

// TestRulesConventions: recording rules are named level:metric:operations;
// alerts are named Corridor*, have a severity, a summary, a description and
// a runbook link to a section of RUNBOOK.md.
func TestRulesConventions(t *testing.T) {
	anchors := markdownAnchors(string(readFile(t, runbookPath)))
	seen := map[string]bool{}
	for _, r := range loadRules(t) {
		if r.Record != "" {
			if !regexp.MustCompile(`^[a-z_]*:corridor_[a-z0-9_]+:[a-z0-9_]+$`).MatchString(r.Record) {
				t.Errorf("recording rule %s: want level:corridor_metric:operations", r.Record)
			}
			continue
		}
		name := r.Alert
		if seen[name] {
			t.Errorf("alert %s defined twice", name)
		}
		seen[name] = true
		if !strings.HasPrefix(name, "Corridor") {
			t.Errorf("alert %s: name does not start with Corridor", name)
		}
		switch r.Labels["severity"] {
		case "critical", "warning", "info":
		default:
			t.Errorf("alert %s: severity %q, want critical, warning or info", name, r.Labels["severity"])
		}
		if r.For != "" {
			if _, err := time.ParseDuration(r.For); err != nil {
				t.Errorf("alert %s: for %q: %v", name, r.For, err)
			}
		}
		for _, a := range []string{"summary", "description", "runbook_url"} {
			if strings.TrimSpace(r.Annotations[a]) == "" {
				t.Errorf("alert %s: no %s annotation", name, a)
			}
		}
		url := r.Annotations["runbook_url"]
		anchor, ok := strings.CutPrefix(url, runbookURLPrefix)
		switch {
		case !ok:
			t.Errorf("alert %s: runbook_url %q does not start with %s", name, url, runbookURLPrefix)
		case anchor != strings.ToLower(name):
			t.Errorf("alert %s: runbook_url anchor %q, want %q", name, anchor, strings.ToLower(name))
		case !anchors[anchor]:
			t.Errorf("alert %s: %s has no section #%s", name, runbookPath, anchor)
		}
	}
}

// markdownAnchors are GitHub's anchors of the headings of a Markdown file.
func markdownAnchors(md string) map[string]bool {
	out := map[string]bool{}
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
		var b strings.Builder
		for _, r := range h {
			switch {
			case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_':
				b.WriteRune(r)
			case r == ' ':
				b.WriteByte('-')
			}
		}
		out[b.String()] = true
	}
	return out
}

// TestRulesAreAllTested: rules_test.yaml loads rules.yaml, sees every alert
// both firing and not firing, and exercises every recording rule (in a
// promql_expr_test or through an alert that uses it).
func TestRulesAreAllTested(t *testing.T) {
	var f struct {
		RuleFiles []string `yaml:"rule_files"`
		Tests     []struct {
			Name          string `yaml:"name"`
			AlertRuleTest []struct {
				Alertname string           `yaml:"alertname"`
				ExpAlerts []map[string]any `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
			PromqlExprTest []struct {
				Expr string `yaml:"expr"`
			} `yaml:"promql_expr_test"`
		} `yaml:"tests"`
	}
	decodeYAML(t, rulesTestPath, &f)
	if len(f.RuleFiles) != 1 || f.RuleFiles[0] != filepath.Base(rulesPath) {
		t.Fatalf("rules_test.yaml: rule_files %v, want [%s]", f.RuleFiles, filepath.Base(rulesPath))
	}
	firing, quiet := map[string]bool{}, map[string]bool{}
	var exercised strings.Builder
	for _, tc := range f.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				firing[a.Alertname] = true
			} else {
				quiet[a.Alertname] = true
			}
		}
		for _, e := range tc.PromqlExprTest {
			exercised.WriteString(e.Expr + "\n")
		}
	}
	rules := loadRules(t)
	for _, r := range rules {
		if r.Alert != "" {
			exercised.WriteString(r.Expr + "\n")
		}
	}
	for _, r := range rules {
		switch {
		case r.Alert != "" && !firing[r.Alert]:
			t.Errorf("alert %s: no test sees it firing", r.Alert)
		case r.Alert != "" && !quiet[r.Alert]:
			t.Errorf("alert %s: no test sees it not firing", r.Alert)
		case r.Record != "" && !regexp.MustCompile(`(^|[^a-z_:])`+regexp.QuoteMeta(r.Record)+`($|[^a-z0-9_:])`).MatchString(exercised.String()):
			t.Errorf("recording rule %s: neither a promql_expr_test nor an alert uses it", r.Record)
		}
	}
	for name := range firing {
		if !ruleNamed(rules, name) {
			t.Errorf("rules_test.yaml tests alert %s, which rules.yaml does not define", name)
		}
	}
}

func ruleNamed(rules []promRule, alert string) bool {
	for _, r := range rules {
		if r.Alert == alert {
			return true
		}
	}
	return false
}

// --- Grafana ---------------------------------------------------------------

type grafanaDatasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type grafanaPanel struct {
	ID         int                `json:"id"`
	Type       string             `json:"type"`
	Title      string             `json:"title"`
	Datasource *grafanaDatasource `json:"datasource"`
	GridPos    struct {
		H, W, X, Y int
	} `json:"gridPos"`
	Targets []struct {
		RefID      string             `json:"refId"`
		Expr       string             `json:"expr"`
		Datasource *grafanaDatasource `json:"datasource"`
	} `json:"targets"`
	Panels []grafanaPanel `json:"panels"` // a collapsed row's panels
}

type grafanaDashboard struct {
	UID           string         `json:"uid"`
	Title         string         `json:"title"`
	SchemaVersion int            `json:"schemaVersion"`
	Panels        []grafanaPanel `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string             `json:"name"`
			Type       string             `json:"type"`
			Query      any                `json:"query"`
			Definition string             `json:"definition"`
			Datasource *grafanaDatasource `json:"datasource"`
			IncludeAll bool               `json:"includeAll"`
			AllValue   string             `json:"allValue"`
			Multi      bool               `json:"multi"`
		} `json:"list"`
	} `json:"templating"`
	Annotations struct {
		List []struct {
			Name       string             `json:"name"`
			Expr       string             `json:"expr"`
			Datasource *grafanaDatasource `json:"datasource"`
		} `json:"list"`
	} `json:"annotations"`
}

// dashboardQuery is one PromQL expression of the dashboard and where it is.
type dashboardQuery struct{ where, expr string }

func loadDashboard(t *testing.T) (grafanaDashboard, []grafanaPanel, []dashboardQuery) {
	t.Helper()
	var d grafanaDashboard
	if err := json.Unmarshal(readFile(t, dashboardPath), &d); err != nil {
		t.Fatalf("%s: %v", dashboardPath, err)
	}
	var panels []grafanaPanel
	for _, p := range d.Panels {
		panels = append(panels, p)
		panels = append(panels, p.Panels...)
	}
	var queries []dashboardQuery
	for _, p := range panels {
		for _, tg := range p.Targets {
			queries = append(queries, dashboardQuery{fmt.Sprintf("panel %d %q target %s", p.ID, p.Title, tg.RefID), tg.Expr})
		}
	}
	for _, a := range d.Annotations.List {
		if a.Expr != "" {
			queries = append(queries, dashboardQuery{"annotation " + a.Name, a.Expr})
		}
	}
	return d, panels, queries
}

// TestDashboardStructure: schema, datasource variable, source variable,
// the rows asked for, unique ids and a layout without overlaps.
func TestDashboardStructure(t *testing.T) {
	d, panels, queries := loadDashboard(t)
	if d.UID == "" || d.Title == "" {
		t.Error("dashboard needs a uid and a title")
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d, want >= 36", d.SchemaVersion)
	}
	vars := map[string]int{}
	for i, v := range d.Templating.List {
		vars[v.Name] = i
	}
	if i, ok := vars["DS_PROMETHEUS"]; !ok || d.Templating.List[i].Type != "datasource" || d.Templating.List[i].Query != "prometheus" {
		t.Error("no datasource variable DS_PROMETHEUS of type prometheus")
	}
	const sourceQuery = "label_values(corridor_ingest_requests_total, source)"
	if i, ok := vars["source"]; !ok {
		t.Error("no template variable source")
	} else {
		v := d.Templating.List[i]
		q, _ := v.Query.(map[string]any)
		if v.Type != "query" || v.Definition != sourceQuery || q["query"] != sourceQuery {
			t.Errorf("variable source: type %q definition %q query %v, want a query of %s", v.Type, v.Definition, v.Query, sourceQuery)
		}
		if !v.Multi || !v.IncludeAll || v.AllValue != ".*" {
			t.Error("variable source: want multi, include All, allValue .*")
		}
		if v.Datasource == nil || v.Datasource.UID != "${DS_PROMETHEUS}" {
			t.Error("variable source does not use ${DS_PROMETHEUS}")
		}
	}

	rows := map[string]bool{}
	ids := map[int]bool{}
	for _, p := range panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X < 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %d %q: gridPos %+v outside the 24-column grid", p.ID, p.Title, p.GridPos)
		}
		if p.Type == "row" {
			rows[p.Title] = true
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %d %q has no query", p.ID, p.Title)
		}
		if p.Datasource == nil || p.Datasource.UID != "${DS_PROMETHEUS}" {
			t.Errorf("panel %d %q: datasource is not ${DS_PROMETHEUS}", p.ID, p.Title)
		}
		for _, tg := range p.Targets {
			if tg.Datasource != nil && tg.Datasource.UID != "${DS_PROMETHEUS}" {
				t.Errorf("panel %d %q target %s: datasource is not ${DS_PROMETHEUS}", p.ID, p.Title, tg.RefID)
			}
		}
	}
	for _, row := range []string{"Ingest", "Rejections", "Records", "NLP", "Kafka and spool", "Enrichment"} {
		if !rows[row] {
			t.Errorf("no row %q", row)
		}
	}
	for i, a := range panels {
		for _, b := range panels[i+1:] {
			ga, gb := a.GridPos, b.GridPos
			if ga.X < gb.X+gb.W && gb.X < ga.X+ga.W && ga.Y < gb.Y+gb.H && gb.Y < ga.Y+ga.H {
				t.Errorf("panels %d %q and %d %q overlap", a.ID, a.Title, b.ID, b.Title)
			}
		}
	}
	if len(queries) < 20 {
		t.Errorf("only %d queries", len(queries))
	}
}

// TestDashboardUsesRealMetrics: every metric, label and closed label value
// a panel queries exists in the gateway; every query of a metric with a
// source label honours $source.
func TestDashboardUsesRealMetrics(t *testing.T) {
	d, _, queries := loadDashboard(t)
	cat := newCatalog(t)
	recorded := recordedNames(loadRules(t))
	families := map[string]bool{}
	for _, q := range queries {
		sels, err := parseSelectors(q.expr)
		if err != nil {
			t.Errorf("%s: %v", q.where, err)
			continue
		}
		for _, sel := range sels {
			for _, e := range cat.check(sel, recorded) {
				t.Errorf("%s: %s", q.where, e)
			}
			info, _ := cat.lookup(sel.name)
			if info != nil && info.labels["source"] && !hasMatcher(sel, "source", "=~", "$source") {
				t.Errorf("%s: %s is not filtered by source=~\"$source\"", q.where, sel.name)
			}
			families[trimHistogramSuffix(sel.name)] = true
		}
	}
	// The variable's query names a real metric and label.
	for _, v := range d.Templating.List {
		m := regexp.MustCompile(`^label_values\((\w+),\s*(\w+)\)$`).FindStringSubmatch(v.Definition)
		if v.Type != "query" || m == nil {
			continue
		}
		if info := cat.registry[m[1]]; info == nil || !info.labels[m[2]] {
			t.Errorf("variable %s: %s has no label %s", v.Name, m[1], m[2])
		}
	}
	for _, want := range []string{
		"corridor_ingest_requests_total", "corridor_ingest_request_duration_seconds", "corridor_ingest_request_size_bytes",
		"corridor_ingest_rejections_total", "corridor_sink_messages_total", "corridor_decode_records_total",
		"corridor_nlp_analyze_duration_seconds", "corridor_nlp_themes_total", "corridor_sink_write_duration_seconds",
		"corridor_sink_errors_total", "corridor_spool_records", "corridor_spool_bytes", "corridor_spool_oldest_age_seconds",
		"corridor_spool_replayed_total", "corridor_enrich_calls_total", "corridor_build_info",
		"corridor_kafka_produce_messages_total", "corridor_kafka_produce_requests_total",
		"corridor_kafka_produce_retries_total", "corridor_kafka_produce_errors_total",
	} {
		if !families[want] {
			t.Errorf("the dashboard never shows %s", want)
		}
	}
}

func hasMatcher(sel selector, label, op, value string) bool {
	for _, m := range sel.matchers {
		if m.label == label && m.op == op && m.value == value {
			return true
		}
	}
	return false
}

// TestDashboardQueriesParse has promtool parse every dashboard query, with
// Grafana's variables replaced by values Prometheus accepts.
func TestDashboardQueriesParse(t *testing.T) {
	tool := promtool(t)
	_, _, queries := loadDashboard(t)
	replacer := strings.NewReplacer("$__rate_interval", "5m", "$__range", "1h", "$__interval", "1m", "$source", ".*")
	type rule struct {
		Record string `yaml:"record"`
		Expr   string `yaml:"expr"`
	}
	var rules []rule
	for i, q := range queries {
		expr := replacer.Replace(q.expr)
		if strings.Contains(expr, "$") {
			t.Errorf("%s: unknown variable in %q", q.where, q.expr)
			continue
		}
		rules = append(rules, rule{Record: fmt.Sprintf("dashboard:query_%d:expr", i), Expr: expr})
	}
	out, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dashboard-queries.yaml")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	if res := runTool(t, ".", nil, tool, "check", "rules", path); !strings.Contains(res, "SUCCESS") {
		t.Fatalf("promtool check rules of the dashboard queries:\n%s", res)
	}
}

// TestGrafanaProvisioning: the datasource is Prometheus at the compose
// service, and the dashboard provider reads the folder compose mounts the
// dashboard into.
func TestGrafanaProvisioning(t *testing.T) {
	var ds struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name, Type, UID, URL, Access string
			IsDefault                    bool `yaml:"isDefault"`
		} `yaml:"datasources"`
	}
	decodeYAML(t, filepath.Join("grafana", "provisioning", "datasources", "prometheus.yaml"), &ds)
	if ds.APIVersion != 1 || len(ds.Datasources) != 1 {
		t.Fatalf("datasources: apiVersion %d, %d datasources", ds.APIVersion, len(ds.Datasources))
	}
	if d := ds.Datasources[0]; d.Type != "prometheus" || !d.IsDefault || d.URL != "http://prometheus:9090" {
		t.Errorf("datasource %+v: want the default, of type prometheus, at http://prometheus:9090", d)
	}

	var prov struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name, Type string
			Options    struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	decodeYAML(t, filepath.Join("grafana", "provisioning", "dashboards", "corridor.yaml"), &prov)
	if prov.APIVersion != 1 || len(prov.Providers) != 1 || prov.Providers[0].Type != "file" {
		t.Fatalf("dashboard providers: %+v", prov)
	}
	c := loadCompose(t)
	dashPath := prov.Providers[0].Options.Path
	found := false
	for _, m := range c.Services["grafana"].mounts() {
		if m.source == "./"+filepath.ToSlash(dashboardPath) && filepath.Dir(m.target) == dashPath {
			found = true
		}
	}
	if !found {
		t.Errorf("compose does not mount %s into the provider's path %s", dashboardPath, dashPath)
	}
}
