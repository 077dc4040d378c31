package jotform

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// Option keys read from SourceConfig.Options.
const (
	// OptionScoreField is the rawRequest key (e.g. "q5_rating") whose
	// numeric answer is the score; it turns the score heuristics off.
	// Default: none (heuristics).
	OptionScoreField = "score_field"
	// OptionScoreType is the score type of score_field: nps, csat, ces or
	// rating. Default: rating.
	OptionScoreType = "score_type"
	// OptionScoreMin and OptionScoreMax bound score_field's scale.
	// Default: the type's scale (nps 0..10, csat 1..5, ces 1..7, rating
	// 1..5).
	OptionScoreMin = "score_min"
	OptionScoreMax = "score_max"
	// OptionTextFields lists, comma-separated, the rawRequest keys whose
	// answers are free text; it turns the text heuristics off. Default:
	// none (heuristics).
	OptionTextFields = "text_fields"
	// OptionAttributeFields lists, comma-separated, the rawRequest keys
	// whose answers are copied as answer.<key> attributes: short strings
	// (dropdown, radio, hidden fields) and lists (checkboxes). It replaces
	// the default, under which only numbers are copied; an empty value
	// copies no answers. Default: unset (numbers only).
	OptionAttributeFields = "attribute_fields"
)

// defaultScales are the scales of score_type when score_min and
// score_max are not set.
var defaultScales = map[feedback.ScoreType][2]float64{
	feedback.ScoreNPS:    {0, 10},
	feedback.ScoreCSAT:   {1, 5},
	feedback.ScoreCES:    {1, 7},
	feedback.ScoreRating: {1, 5},
}

// options are the parsed SourceConfig.Options.
type options struct {
	scoreField string
	scoreType  feedback.ScoreType
	scoreMin   float64
	scoreMax   float64
	textFields map[string]bool // nil: heuristics
	attrFields map[string]bool // nil: numbers only
}

func parseOptions(opts map[string]string) (options, error) {
	o := options{scoreType: feedback.ScoreRating}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		switch k {
		case OptionScoreField, OptionScoreType, OptionScoreMin, OptionScoreMax, OptionTextFields, OptionAttributeFields:
		default:
			errs = append(errs, fmt.Errorf("options.%s: unknown option (want %s, %s, %s, %s, %s or %s)", k,
				OptionScoreField, OptionScoreType, OptionScoreMin, OptionScoreMax, OptionTextFields, OptionAttributeFields))
		}
	}
	o.scoreField = strings.TrimSpace(opts[OptionScoreField])
	if t := strings.ToLower(strings.TrimSpace(opts[OptionScoreType])); t != "" {
		o.scoreType = feedback.ScoreType(t)
		if _, ok := defaultScales[o.scoreType]; !ok {
			errs = append(errs, fmt.Errorf("options.%s: %q is not nps, csat, ces or rating", OptionScoreType, t))
		}
	}
	scale := defaultScales[o.scoreType]
	o.scoreMin, o.scoreMax = scale[0], scale[1]
	for _, b := range []struct {
		key string
		dst *float64
	}{{OptionScoreMin, &o.scoreMin}, {OptionScoreMax, &o.scoreMax}} {
		v := strings.TrimSpace(opts[b.key])
		if v == "" {
			continue
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("options.%s: %q is not a number", b.key, v))
			continue
		}
		*b.dst = n
	}
	if o.scoreField == "" {
		for _, k := range []string{OptionScoreType, OptionScoreMin, OptionScoreMax} {
			if strings.TrimSpace(opts[k]) != "" {
				errs = append(errs, fmt.Errorf("options.%s: needs %s", k, OptionScoreField))
			}
		}
	} else if _, err := feedback.NewScore(o.scoreType, o.scoreMin, o.scoreMin, o.scoreMax); err != nil {
		errs = append(errs, fmt.Errorf("options: score scale %v..%v: %w", o.scoreMin, o.scoreMax, err))
	}
	if v, ok := opts[OptionTextFields]; ok {
		o.textFields = keySet(v)
	}
	if v, ok := opts[OptionAttributeFields]; ok {
		o.attrFields = keySet(v)
		for _, k := range slices.Sorted(maps.Keys(o.attrFields)) {
			switch {
			case k == o.scoreField:
				errs = append(errs, fmt.Errorf("options.%s: %s is the %s", OptionAttributeFields, k, OptionScoreField))
			case o.textFields[k]:
				errs = append(errs, fmt.Errorf("options.%s: %s is also in %s", OptionAttributeFields, k, OptionTextFields))
			}
		}
	}
	return o, errors.Join(errs...)
}

// keySet parses a comma-separated list of rawRequest keys; an empty list
// is an empty, non-nil set.
func keySet(list string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f != "" {
			m[f] = true
		}
	}
	return m
}
