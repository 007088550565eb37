package scoring

import "slices"

// Tier is a monthly bonus for a set of grades (tier 1 ¥1,200 for S and A).
type Tier struct {
	Grades   []string
	Amount   float64
	Currency string
}

// BonusFor returns the first tier listing grade; false when no tier pays it.
func BonusFor(grade string, tiers []Tier) (Tier, bool) {
	for _, t := range tiers {
		if slices.Contains(t.Grades, grade) {
			return t, true
		}
	}
	return Tier{}, false
}
