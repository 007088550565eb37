package scoring

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Grade is a band of final scores: [Min, Max), except that the top grade
// (the one with the highest Max) includes its Max, so a perfect 100 has a
// grade.
type Grade struct {
	Key      string
	Min, Max float64
}

// GradeOf returns the key of the first grade containing score.
func GradeOf(score float64, grades []Grade) (string, error) {
	if !finite(score) {
		return "", fmt.Errorf("score %v: %w", score, ErrNotFinite)
	}
	top := topGrade(grades)
	for i, g := range grades {
		if score >= g.Min && (score < g.Max || i == top && score == g.Max) {
			return g.Key, nil
		}
	}
	return "", fmt.Errorf("score %v: %w", score, ErrNoGrade)
}

func topGrade(grades []Grade) int {
	top := -1
	for i, g := range grades {
		if top < 0 || g.Max > grades[top].Max {
			top = i
		}
	}
	return top
}

// CheckBands reports every problem with a grade scale, in a stable order:
// invalid grades, then overlaps, then gaps (including scores from 0 to 100
// that no grade covers). Messages read "grade B [70,85) overlaps A [80,90)"
// and "gap between C (max 60) and B (min 65)". The template validator
// reuses it.
func CheckBands(grades []Grade) []error {
	var errs []error
	seen := map[string]bool{}
	valid := make([]Grade, 0, len(grades))
	for i, g := range grades {
		switch {
		case g.Key == "":
			errs = append(errs, fmt.Errorf("grade %d has no key: %w", i, ErrGradeInvalid))
		case seen[g.Key]:
			errs = append(errs, fmt.Errorf("grade %s appears more than once: %w", g.Key, ErrGradeInvalid))
		case !finite(g.Min) || !finite(g.Max) || g.Min >= g.Max:
			errs = append(errs, fmt.Errorf("grade %s: min %v must be below max %v: %w", g.Key, g.Min, g.Max, ErrGradeInvalid))
		case g.Min < 0 || g.Max > 100:
			errs = append(errs, fmt.Errorf("grade %s [%v,%v] leaves the 0–100 scale; the top grade already includes 100: %w", g.Key, g.Min, g.Max, ErrGradeInvalid))
		default:
			valid = append(valid, g)
		}
		seen[g.Key] = true
	}
	if len(valid) == 0 {
		return errs
	}
	slices.SortStableFunc(valid, func(a, b Grade) int {
		return cmp.Or(cmp.Compare(a.Min, b.Min), cmp.Compare(a.Max, b.Max))
	})
	top := topGrade(valid)
	label := func(i int) string {
		closing := ")"
		if i == top {
			closing = "]"
		}
		return fmt.Sprintf("%s [%s,%s%s", valid[i].Key, num(valid[i].Min), num(valid[i].Max), closing)
	}
	for i := range valid {
		for j := i + 1; j < len(valid); j++ {
			if valid[j].Min < valid[i].Max {
				errs = append(errs, fmt.Errorf("grade %s overlaps %s: %w", label(i), label(j), ErrGradeOverlap))
			}
		}
	}
	if valid[0].Min > 0 {
		errs = append(errs, fmt.Errorf("no grade covers scores from 0 to %s (%s starts at %s): %w",
			num(valid[0].Min), valid[0].Key, num(valid[0].Min), ErrGradeGap))
	}
	reach := 0
	for i := 1; i < len(valid); i++ {
		if valid[i].Min > valid[reach].Max {
			errs = append(errs, fmt.Errorf("gap between %s (max %s) and %s (min %s): %w",
				valid[reach].Key, num(valid[reach].Max), valid[i].Key, num(valid[i].Min), ErrGradeGap))
		}
		if valid[i].Max > valid[reach].Max {
			reach = i
		}
	}
	if last := valid[reach]; last.Max < 100 {
		errs = append(errs, fmt.Errorf("no grade covers scores from %s to 100 (%s ends at %s): %w",
			num(last.Max), last.Key, num(last.Max), ErrGradeGap))
	}
	return errs
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
