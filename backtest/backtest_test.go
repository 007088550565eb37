package backtest_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// sixMonths is a seeded history of eight members over six months, values
// spread across every grade, and one member without a teamwork rating in
// some months (renormalised away).
func sixMonths() []month {
	rng := rand.New(rand.NewPCG(17, 2026))
	var out []month
	for _, p := range []string{"2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"} {
		mo := month{period: p}
		for i := 0; i < 8; i++ {
			rating := float64(1 + rng.IntN(5))
			if i == 7 && rng.IntN(2) == 0 {
				rating = 0
			}
			mo.values = append(mo.values, [3]float64{40 + rng.Float64()*60, 40 + rng.Float64()*60, rating})
		}
		out = append(out, mo)
	}
	return out
}

func TestBacktestOfTheAsRunTemplateReproducesEveryRecordedResult(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		body := opsBody(t)
		h := record(t, st, body, sixMonths())
		rep := h.backtest(t, body, "2026-05", "2026-10")
		require.Len(t, rep.Periods, 6)
		for i, p := range rep.Periods {
			require.True(t, p.SameTemplate, p.Period)
			require.Empty(t, p.Mismatches, p.Period)
			require.Empty(t, p.GradeChanges, p.Period)
			results, err := st.AllResults(ctx, h.cycles[i].ID)
			require.NoError(t, err)
			require.Len(t, p.Members, len(results))
			grades := map[string]bool{}
			for _, r := range results {
				got := row(t, p, r.MemberID)
				require.Equal(t, r.FinalScore, got.Draft.Score, "%s %s", p.Period, r.MemberID)
				require.Equal(t, r.ProposedGrade, got.Draft.Grade, "%s %s", p.Period, r.MemberID)
				require.Equal(t, r.Rank, got.Draft.Rank, "%s %s", p.Period, r.MemberID)
				require.Equal(t, r.BonusAmount, got.Draft.Bonus, "%s %s", p.Period, r.MemberID)
				require.Equal(t, r.Promotion, got.Draft.Promotion, "%s %s", p.Period, r.MemberID)
				grades[r.Grade] = true
			}
			require.Equal(t, p.Bonus.Recorded, p.Bonus.Draft, p.Period)
			require.Zero(t, p.Bonus.Difference, p.Period)
			require.Equal(t, p.Promotions.AsRun, p.Promotions.Draft, p.Period)
			require.Greater(t, len(grades), 1, "%s: the history should spread over grades to prove anything", p.Period)
		}
		require.Empty(t, rep.IDPs.Draft, "the template has no IDP rule")
	})
}

// TestBacktestMovingAWeightChangesGradesAndBonusesAsComputedByHand moves
// 20 points of weight from conversion to retention (50/30/20 → 30/50/20)
// and adds an IDP rule (the bottom one, two months running). September,
// three members:
//
//	member  conv  ret  teamwork (1–5 → 0–100)   as run                  draft
//	1       95    60   5 → 100                  47.5+18+20 = 85.5 A     28.5+30+20 = 78.5 B
//	2       60    95   5 → 100                  30+28.5+20 = 78.5 B     18+47.5+20 = 85.5 A
//	3       50    90   3 → 50                   25+27+10   = 62   C     15+45+10   = 70   B
//
// Bonuses (S 3000, A 2000, B 1000): member 1 −1000, members 2 and 3
// +1000 each, 3000 → 4000 in all. In August member 3 scored 40·0.3+40·0.5+0 = 32 under the
// draft, last again in September (70): the draft's rule sends member 3 to a plan
// after September, and no one after August (one month is not a run).
func TestBacktestMovingAWeightChangesGradesAndBonusesAsComputedByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		body := opsBody(t)
		h := record(t, st, body, []month{
			{period: "2026-08", values: [][3]float64{{90, 90, 5}, {80, 80, 4}, {40, 40, 1}}},
			{period: "2026-09", values: [][3]float64{{95, 60, 5}, {60, 95, 5}, {50, 90, 3}}},
		})
		draft := bytes.Replace(body, []byte(`"unit": "%", "weight": 50,`), []byte(`"unit": "%", "weight": 30,`), 1)
		draft = bytes.Replace(draft, []byte(`"key": "retention", "name": {"zh": "留存率", "en": "Retention"}, "category": "business", "kind": "quantitative", "unit": "%", "weight": 30,`),
			[]byte(`"key": "retention", "name": {"zh": "留存率", "en": "Retention"}, "category": "business", "kind": "quantitative", "unit": "%", "weight": 50,`), 1)
		draft = bytes.Replace(draft, []byte(`"promotion": {"grades": ["S"]}`), []byte(`"promotion": {"grades": ["S"]},
    "idp": {"bottomCount": 1, "consecutive": 2, "items": [{"kind": "training", "title": {"zh": "转化技巧培训"}}], "duration": "P60D", "checkinEvery": "P14D"}`), 1)
		tpl := parse(t, draft)
		require.Equal(t, 30.0, tpl.Indicators[0].Weight)
		require.Equal(t, 50.0, tpl.Indicators[1].Weight)
		require.NotNil(t, tpl.Outcomes.IDP)

		rep := h.backtest(t, draft, "2026-08", "2026-09")
		require.Len(t, rep.Periods, 2)
		sep := rep.Periods[1]
		require.Equal(t, "2026-09", sep.Period)
		require.False(t, sep.SameTemplate)
		want := []struct {
			asRun, draft float64
			from, to     string
			bonusDelta   float64
		}{{85.5, 78.5, "A", "B", -1000}, {78.5, 85.5, "B", "A", 1000}, {62, 70, "C", "B", 1000}}
		for i, w := range want {
			r := row(t, sep, h.id(i))
			require.Equal(t, w.asRun, r.AsRun.Score, "member %d", i+1)
			require.Equal(t, w.draft, r.Draft.Score, "member %d", i+1)
			require.Equal(t, w.from, r.AsRun.Grade, "member %d", i+1)
			require.Equal(t, w.to, r.Draft.Grade, "member %d", i+1)
			require.Equal(t, w.bonusDelta, r.Draft.Bonus-r.AsRun.Bonus, "member %d", i+1)
		}
		require.Equal(t, []string{h.id(1), h.id(0), h.id(2)}, []string{sep.Members[0].MemberID, sep.Members[1].MemberID, sep.Members[2].MemberID}, "the draft's rank order")
		require.Equal(t, []backtest.GradeChange{
			{MemberID: h.id(1), Name: "成员2", From: "B", To: "A", ScoreFrom: 78.5, ScoreTo: 85.5},
			{MemberID: h.id(0), Name: "成员1", From: "A", To: "B", ScoreFrom: 85.5, ScoreTo: 78.5},
			{MemberID: h.id(2), Name: "成员3", From: "C", To: "B", ScoreFrom: 62, ScoreTo: 70},
		}, sep.GradeChanges)
		require.Equal(t, backtest.BonusTotals{Currency: "CNY", AsRun: 3000, Draft: 4000, Difference: 1000, Recorded: 3000}, sep.Bonus)
		require.Equal(t, []backtest.GradeCount{{Grade: "S"}, {Grade: "A", AsRun: 1, Draft: 1}, {Grade: "B", AsRun: 1, Draft: 2}, {Grade: "C", AsRun: 1}}, sep.Distribution)

		aug := rep.Periods[0]
		require.Equal(t, 32.0, row(t, aug, h.id(2)).Draft.Score)
		// August: equal values weigh the same under either split: 92 S,
		// 79 B (teamwork 4 → 75) and 32 C, 4000 in bonuses.
		require.Equal(t, 79.0, row(t, aug, h.id(1)).Draft.Score)
		require.Equal(t, 79.0, row(t, aug, h.id(1)).AsRun.Score)
		require.Empty(t, aug.GradeChanges)
		require.Equal(t, backtest.BonusTotals{Currency: "CNY", AsRun: 4000, Draft: 4000, Difference: 0, Recorded: 4000}, aug.Bonus)
		require.Equal(t, []string{h.id(0)}, aug.Promotions.Draft, "92 is S either way")
		require.Len(t, aug.Limits, 1)
		require.Equal(t, backtest.LimitCheck{Grades: []string{"S"}, Max: tpl.Distribution[0].Max, MinCount: 0, MaxCount: 1, AsRun: 1, Draft: 1, Within: true}, aug.Limits[0])

		require.Equal(t, []backtest.IDPDue{{Period: "2026-09", MemberID: h.id(2), Name: "成员3", Run: []backtest.BottomRun{
			{Period: "2026-08", Rank: 3, TeamSize: 3, Score: 32}, {Period: "2026-09", Rank: 3, TeamSize: 3, Score: 70},
		}}}, rep.IDPs.Draft)
		require.Empty(t, rep.IDPs.AsRun, "the as-run template has no IDP rule")
	})
}
