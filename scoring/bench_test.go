package scoring_test

import (
	"math/rand"
	"strconv"
	"testing"

	"github.com/perfloop/perfloop/scoring"
)

type indicator struct {
	key    string
	rule   scoring.Rule
	dir    scoring.Direction
	weight float64
}

// twelveIndicators mixes every rule kind at catalogue weights totalling 100.
func twelveIndicators() []indicator {
	return []indicator{
		{"fanGrowth", scoring.Rule{Kind: scoring.KindLinear, Baseline: 10, Stretch: 20, Floor: 60, Cap: 100}, scoring.Higher, 15},
		{"newCustomers", scoring.Rule{Kind: scoring.KindRatio, Target: 100, Cap: 100}, scoring.Higher, 10},
		{"participation", scoring.Rule{Kind: scoring.KindLinear, Baseline: 15, Stretch: 25, Floor: 60, Cap: 100}, scoring.Higher, 10},
		{"interaction", scoring.Rule{Kind: scoring.KindLinear, Baseline: 12, Stretch: 18, Floor: 60, Cap: 100}, scoring.Higher, 10},
		{"sales", scoring.Rule{Kind: scoring.KindRatio, Target: 50000, Cap: 100}, scoring.Higher, 15},
		{"retention", retention, scoring.Higher, 5},
		{"contentOutput", scoring.Rule{Kind: scoring.KindThreshold, Threshold: 8, Pass: 100, Fail: 40}, scoring.Higher, 5},
		{"responseTime", response, scoring.Lower, 5},
		{"satisfaction", scoring.Rule{Kind: scoring.KindBands, Bands: []scoring.Band{
			{Min: 0, Max: 80, Points: 40}, {Min: 80, Max: 90, Points: 80}, {Min: 90, Max: 100, MaxInclusive: true, Points: 100},
		}}, scoring.Higher, 5},
		{"nps", scoring.Rule{Kind: scoring.KindLinear, Baseline: 40, Stretch: 60, Floor: 60, Cap: 100}, scoring.Higher, 5},
		{"collaboration", scoring.Rule{Kind: scoring.KindRatio, Target: 100, Cap: 100}, scoring.Higher, 10},
		{"cultureFit", scoring.Rule{Kind: scoring.KindRatio, Target: 100, Cap: 100}, scoring.Higher, 5},
	}
}

func BenchmarkScore10kMembers12Indicators(b *testing.B) {
	const members = 10_000
	inds := twelveIndicators()
	weights := map[string]float64{}
	for _, ind := range inds {
		weights[ind.key] = ind.weight
	}
	r := rand.New(rand.NewSource(1))
	values := make([][]float64, members)
	for m := range values {
		values[m] = []float64{
			r.Float64() * 25, r.Float64() * 150, r.Float64() * 30, r.Float64() * 20, r.Float64() * 80000, r.Float64() * 60,
			float64(r.Intn(12)), 1 + r.Float64()*6, r.Float64() * 100, r.Float64() * 80, r.Float64() * 100, r.Float64() * 100,
		}
	}
	scores := make(map[string]float64, len(inds))
	b.ReportAllocs()
	for b.Loop() {
		for m := range members {
			for i, ind := range inds {
				s, err := ind.rule.Score(values[m][i], ind.dir)
				if err != nil {
					b.Fatal(err)
				}
				scores[ind.key] = s
			}
			total, err := scoring.Weighted(scores, weights)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := scoring.GradeOf(total, grades); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkRank10k(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	entries := make([]scoring.Entry, 10_000)
	for i := range entries {
		entries[i] = scoring.Entry{MemberID: "m" + strconv.Itoa(i), Score: float64(r.Intn(10001)) / 100, Tiebreak: []float64{float64(r.Intn(101))}}
	}
	b.ReportAllocs()
	for b.Loop() {
		scoring.Rank(entries)
	}
}
