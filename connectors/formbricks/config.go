package formbricks

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Option keys read from SourceConfig.Options.
const (
	// OptionNPSQuestions lists, comma-separated, the question ids whose
	// numeric answer is an NPS score (0..10). Default: none.
	OptionNPSQuestions = "nps_questions"
	// OptionRatingQuestions lists, comma-separated, the question ids whose
	// numeric answer is a rating, each as <id> (1..5) or <id>:<max>
	// (1..max, max 2..100). Default: none.
	OptionRatingQuestions = "rating_questions"
	// OptionTextQuestions lists, comma-separated, the question ids whose
	// string answers are free text. Default: every string answer (see
	// README for the exceptions).
	OptionTextQuestions = "text_questions"
)

const (
	defaultRatingMax = 5
	maxRatingMax     = 100
)

// rating is one configured rating question.
type rating struct {
	id  string
	max int
}

// options are the parsed SourceConfig.Options.
type options struct {
	nps     []string // in configured order; the first answered wins
	ratings []rating // in configured order
	text    map[string]bool
}

func (o options) isNPS(id string) bool {
	for _, q := range o.nps {
		if q == id {
			return true
		}
	}
	return false
}

func (o options) ratingMax(id string) (int, bool) {
	for _, r := range o.ratings {
		if r.id == id {
			return r.max, true
		}
	}
	return 0, false
}

func parseOptions(opts map[string]string) (options, error) {
	var (
		o    options
		errs []error
	)
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		v := opts[k]
		switch k {
		case OptionNPSQuestions:
			o.nps = list(v)
		case OptionRatingQuestions:
			for _, item := range list(v) {
				id, maxText, hasMax := strings.Cut(item, ":")
				id = strings.TrimSpace(id)
				r := rating{id: id, max: defaultRatingMax}
				if hasMax {
					n, err := strconv.Atoi(strings.TrimSpace(maxText))
					if err != nil || n < 2 || n > maxRatingMax {
						errs = append(errs, fmt.Errorf("options.%s: %q: max must be an integer 2..%d", k, item, maxRatingMax))
						continue
					}
					r.max = n
				}
				if id == "" {
					errs = append(errs, fmt.Errorf("options.%s: %q: empty question id", k, item))
					continue
				}
				o.ratings = append(o.ratings, r)
			}
		case OptionTextQuestions:
			o.text = map[string]bool{}
			for _, id := range list(v) {
				o.text[id] = true
			}
		default:
			errs = append(errs, fmt.Errorf("options.%s: unknown option (want %s, %s or %s)", k, OptionNPSQuestions, OptionRatingQuestions, OptionTextQuestions))
		}
	}
	for _, id := range o.nps {
		if _, ok := o.ratingMax(id); ok {
			errs = append(errs, fmt.Errorf("options: question %q is listed in both %s and %s", id, OptionNPSQuestions, OptionRatingQuestions))
		}
	}
	if len(errs) > 0 {
		return options{}, errors.Join(errs...)
	}
	return o, nil
}

// list splits a comma-separated option value, trimming items and dropping
// empty ones.
func list(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
