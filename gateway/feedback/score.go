package feedback

import (
	"errors"
	"fmt"
	"math"
)

// ScoreType names the scale a score was given on.
type ScoreType string

// Score types.
const (
	ScoreNPS    ScoreType = "nps"
	ScoreCSAT   ScoreType = "csat"
	ScoreCES    ScoreType = "ces"
	ScoreRating ScoreType = "rating"
)

// NPS categories.
const (
	NPSPromoter  = "promoter"
	NPSPassive   = "passive"
	NPSDetractor = "detractor"
)

// Score is a score on its own scale plus the same score normalized to 0..1.
type Score struct {
	Value       float64   `json:"value"`
	Min         float64   `json:"min"`
	Max         float64   `json:"max"`
	Type        ScoreType `json:"type"`
	Normalized  float64   `json:"normalized"`
	NPSCategory string    `json:"nps_category,omitempty"`
}

// NewScore builds a Score, computing Normalized and, for NPS, the category.
// It returns an error when the value lies outside min..max or the scale is
// empty.
func NewScore(typ ScoreType, value, min, max float64) (*Score, error) {
	s := &Score{Value: value, Min: min, Max: max, Type: typ}
	if err := s.checkScale(); err != nil {
		return nil, err
	}
	s.Normalized = (value - min) / (max - min)
	if typ == ScoreNPS {
		switch {
		case value >= 9:
			s.NPSCategory = NPSPromoter
		case value >= 7:
			s.NPSCategory = NPSPassive
		default:
			s.NPSCategory = NPSDetractor
		}
	}
	return s, nil
}

func (s *Score) checkScale() error {
	switch s.Type {
	case ScoreNPS, ScoreCSAT, ScoreCES, ScoreRating:
	default:
		return fmt.Errorf("type %q is not nps, csat, ces or rating", s.Type)
	}
	for _, v := range []float64{s.Value, s.Min, s.Max} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("value, min and max must be finite")
		}
	}
	if s.Max <= s.Min {
		return fmt.Errorf("max %v must exceed min %v", s.Max, s.Min)
	}
	if s.Value < s.Min || s.Value > s.Max {
		return fmt.Errorf("value %v outside %v..%v", s.Value, s.Min, s.Max)
	}
	return nil
}

// Validate checks the scale and that Normalized agrees with it.
func (s *Score) Validate() error {
	if err := s.checkScale(); err != nil {
		return err
	}
	if !(s.Normalized >= 0 && s.Normalized <= 1) { // NaN too
		return fmt.Errorf("normalized %v outside 0..1", s.Normalized)
	}
	return nil
}
