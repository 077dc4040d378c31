package nlp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestDefaultTaxonomy(t *testing.T) {
	tf, err := parseTaxonomy(defaultTaxonomy)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(tf.Themes), 20)
	a := analyzer(t)
	require.Len(t, a.Themes(), len(tf.Themes))
	// The departments of CX.md are all covered.
	groups := map[string]bool{}
	for _, ti := range a.Themes() {
		groups[ti.Group] = true
	}
	for _, g := range []string{"product", "digital", "finance", "logistics", "inventory", "service", "people", "venue", "policy", "marketing", "sales"} {
		assert.True(t, groups[g], "group %s", g)
	}
	assert.Equal(t, defaultTaxonomy, DefaultTaxonomy())
}

// TestDefaultTaxonomyTermsMatch checks that every term of the default
// taxonomy, written out as text, is found as its own theme: no term is shadowed
// by an exclusion or lost in normalization.
func TestDefaultTaxonomyTermsMatch(t *testing.T) {
	a := analyzer(t)
	tf, err := parseTaxonomy(defaultTaxonomy)
	require.NoError(t, err)
	for _, th := range tf.Themes {
		for _, term := range th.Terms {
			an := a.Analyze("About the " + termText(term) + ".")
			found := themeByID(an, th.ID) != nil
			excluded := false
			for _, ex := range th.Exclude {
				excluded = excluded || strings.Contains(termText(term), termText(ex))
			}
			if !excluded {
				assert.True(t, found, "theme %s term %q not matched (got %v)", th.ID, term, themeIDs(an))
			}
		}
	}
}

func TestInvalidTaxonomies(t *testing.T) {
	tests := map[string][]string{
		"invalid_duplicate_id.yaml":        {`theme "billing": id: duplicate of theme #1`},
		"invalid_id_not_snake_case.yaml":   {`theme "Billing-Issues": id: not snake_case`},
		"invalid_no_terms.yaml":            {`theme "billing": terms: none`},
		"invalid_missing_id.yaml":          {`theme #2: id: empty`},
		"invalid_unknown_field.yaml":       {"field term not found"},
		"invalid_version.yaml":             {"version: got 2, want 1"},
		"invalid_extends.yaml":             {`extends: "basic"`},
		"invalid_empty.yaml":               {"empty file"},
		"invalid_bad_terms.yaml":           {`theme "billing": terms[1]: empty`, `terms[2]: "!!!" has no letters or digits`, "terms[3]", "more than 6 words", `terms[4]: "<n> <n>" has no word but <n>`, `exclude[0]: empty`},
		"invalid_many_problems.yaml":       {`theme "NoLabel": id: not snake_case`, `theme "NoLabel": label: empty`, `theme "no_terms": terms: none`},
		"does_not_exist.yaml":              {"no such file"},
		"../taxonomy/invalid_version.yaml": {"invalid_version.yaml"},
	}
	for file, wants := range tests {
		t.Run(file, func(t *testing.T) {
			cfg := NewDefaultConfig()
			cfg.Taxonomy = filepath.Join("testdata", "taxonomy", file)
			a, err := New(cfg)
			require.Error(t, err)
			assert.Nil(t, a)
			assert.True(t, strings.HasPrefix(err.Error(), "nlp: "), err.Error())
			for _, w := range wants {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	// Every invalid_*.yaml under testdata is covered by the table.
	files, err := filepath.Glob("testdata/taxonomy/invalid_*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		assert.Contains(t, tests, filepath.Base(f))
	}
}

func TestTaxonomyExtendsDefault(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.Taxonomy = "testdata/taxonomy/valid_extends.yaml"
	a, err := New(cfg)
	require.NoError(t, err)
	def := analyzer(t).Themes()
	got := a.Themes()
	require.Len(t, got, len(def)+1, "one theme added, one replaced")
	assert.Equal(t, ThemeInfo{ID: "parking_fees", Label: "Parking fees", Group: "venue"}, got[len(got)-1])
	for i, ti := range def {
		if ti.ID == "billing" {
			assert.Equal(t, ThemeInfo{ID: "billing", Label: "Invoices", Group: "finance"}, got[i], "replaced in place")
		}
	}

	an := a.Analyze("Got a parking ticket because the pay and display machine was broken, and the invoice was wrong.")
	checkInvariants(t, an)
	require.NotNil(t, themeByID(an, "parking_fees"))
	assert.Len(t, themeByID(an, "parking_fees").Matches, 2)
	require.NotNil(t, themeByID(an, "billing"))
	assert.Equal(t, "Invoices", themeByID(an, "billing").Label)
	// The replaced billing theme no longer knows "charged twice".
	assert.Nil(t, themeByID(a.Analyze("I was charged twice."), "billing"))
	// Default themes still work.
	assert.NotNil(t, themeByID(a.Analyze("The courier never arrived."), "delivery"))
}

func TestTaxonomyReplacesDefault(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.Taxonomy = "testdata/taxonomy/valid_replace.yaml"
	a, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, []ThemeInfo{
		{ID: "parking_fees", Label: "Parking fees", Group: "venue"},
		{ID: "ev_charging", Label: "EV charging", Group: "venue"},
	}, a.Themes())
	an := a.Analyze("Both chargers were broken and the parking fees were absurd. The person in charge shrugged.")
	checkInvariants(t, an)
	assert.Equal(t, []string{"ev_charging", "parking_fees"}, themeIDs(an))
	assert.Len(t, themeByID(an, "ev_charging").Matches, 1, `"in charge" is excluded`)
	assert.Equal(t, "negative", themeByID(an, "ev_charging").Sentiment.Label)
}

// themeCase is a text and the theme ids Analyze must find in it.
type themeCase struct {
	text string
	want []string
}

// analyzeWith returns an Analyzer of the taxonomy file at path after
// checking that it finds exactly the expected themes in each case.
func analyzeWith(t *testing.T, path string, tests []themeCase) *Analyzer {
	t.Helper()
	cfg := NewDefaultConfig()
	cfg.Taxonomy = path
	a, err := New(cfg)
	require.NoError(t, err)
	for _, tt := range tests {
		an := a.Analyze(tt.text)
		checkInvariants(t, an)
		assert.Equal(t, tt.want, themeIDs(an), tt.text)
	}
	return a
}

// A term word written "=word" matches that word form only, in any case; the
// other words of a term still match on stems.
func TestTaxonomyExactForms(t *testing.T) {
	a := analyzeWith(t, "testdata/taxonomy/valid_exact.yaml", []themeCase{
		{"The train was packed.", []string{"rail"}},
		{"TRAINS were cancelled all week.", []string{"rail"}},
		{"The training was excellent.", []string{"training"}},
		{"Staff are well trained.", []string{"training"}},
		{"Our trainer was great.", []string{"training"}},
		{"The trainers fit badly.", []string{}}, // an exclusion of exact forms
		{"Training starts on Monday.", []string{"training"}},
		{"Waited at the railway stations for an hour.", []string{"rail"}}, // stems still match
		{"Lost my bag on the tram.", []string{"rail"}},
		{"Lost my bag on the trams.", []string{}},
		{"My package never came and the parcels were late.", []string{"parcels"}},
		{"The packaging was lovely.", []string{}},
		{"A package deal for the family.", []string{}},
		{"Packages go out on Mondays.", []string{"parcels"}},
	})
	an := a.Analyze("The training was fine but the train was late.")
	require.NotNil(t, themeByID(an, "training"))
	require.NotNil(t, themeByID(an, "rail"))
	assert.Equal(t, "training", themeByID(an, "training").Matches[0].Text)
	assert.Equal(t, "train", themeByID(an, "rail").Matches[0].Text)
}

// The term word "<n>" matches any number, in digits or words.
func TestTaxonomyNumbers(t *testing.T) {
	a := analyzeWith(t, "testdata/taxonomy/valid_numbers.yaml", []themeCase{
		{"The refund took 3 weeks.", []string{"durations"}},
		{"The refund took three weeks.", []string{"durations"}},
		{"It took 12 weeks to fix.", []string{"durations"}},
		{"The train was 2 hours late.", []string{"durations"}},
		{"They replied within 10 minutes.", []string{"durations"}},
		{"The refund took weeks.", []string{}},        // "<n>" needs a number
		{"The refund took a few weeks.", []string{}},  // "a few" is no number
		{"It took # weeks, apparently.", []string{}},  // nor is a "#" sign
		{"She took 2 weeks off in June.", []string{}}, // an exclusion with "<n>"
		{"Took 3 weeks, then 2 hours late.", []string{"durations"}},
	})
	an := a.Analyze("The refund took 3 weeks.")
	require.NotNil(t, themeByID(an, "durations"))
	assert.Equal(t, "took 3 weeks", themeByID(an, "durations").Matches[0].Text)
}

// TestDefaultTaxonomyRoundTrip checks that the default taxonomy is a valid
// starting point for a user file.
func TestDefaultTaxonomyRoundTrip(t *testing.T) {
	var tf taxonomyFile
	require.NoError(t, yaml.Unmarshal(DefaultTaxonomy(), &tf))
	tf.Themes = tf.Themes[:2]
	b, err := yaml.Marshal(tf)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "mine.yaml")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	cfg := NewDefaultConfig()
	cfg.Taxonomy = path
	a, err := New(cfg)
	require.NoError(t, err)
	assert.Len(t, a.Themes(), 2)
}

// termText is a taxonomy term as text: "=training" is written "training",
// and "<n>" a number.
func termText(term string) string {
	words := strings.Fields(term)
	for i, w := range words {
		switch {
		case w == numberWord:
			words[i] = "3"
		case len(w) > 1 && w[0] == '=':
			words[i] = w[1:]
		}
	}
	return strings.Join(words, " ")
}
