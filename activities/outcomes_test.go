package activities_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// TestPromotionCountsItsShareExactlyAndTakesTiesAtTheBoundary applies
// the community-quarterly outcomes (promotion of the top 10 %) to a team
// of thirty, which promotes three; then the same with the top 7 % of a
// hundred, which is 7.000000000000001 in floats and whose ceiling
// promoted an eighth person. A team whose 3rd and 4th share a score
// promotes both, as the bottom rule puts both of a tied pair at the
// bottom.
func TestPromotionCountsItsShareExactlyAndTakesTiesAtTheBoundary(t *testing.T) {
	body, err := templates.BuiltinFile("community-quarterly")
	require.NoError(t, err)
	st := storetest.SQLite(t)
	p := seed(t, st)
	a := &activities.Activities{Store: st}

	promoted := func(period string, topPercent string, scores []float64) []string {
		tpl := bytes.Replace(body, []byte(`"topPercent": 10`), []byte(`"topPercent": `+topPercent), 1)
		require.Contains(t, string(tpl), `"topPercent": `+topPercent)
		c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: p.org.ID, TemplateKey: "community-quarterly", TemplateVersion: 1, TemplateBody: string(tpl),
			ScopeTeamID: "team", Period: period, PeriodStart: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			Timezone: "Asia/Shanghai", Title: "Q3", State: store.CycleRunning}, nil)
		require.NoError(t, err)
		// scores are best first; rank follows their order, as a tiebreak would.
		rows := make([]store.Result, len(scores))
		for i, s := range scores {
			rows[i] = store.Result{MemberID: fmt.Sprintf("m%02d", i+1), IndicatorScores: "{}", Parts: "{}", Adjustments: "[]", FinalScore: s, Grade: "B", ProposedGrade: "B", Rank: i + 1}
		}
		require.NoError(t, st.SaveResults(ctx, c.ID, rows))
		_, err = a.ApplyOutcomes(ctx, c.ID)
		require.NoError(t, err)
		results, err := st.AllResults(ctx, c.ID)
		require.NoError(t, err)
		var ids []string
		for _, r := range results {
			if r.Promotion {
				ids = append(ids, r.MemberID)
			}
		}
		return ids
	}

	bestFirst := func(n int) []float64 {
		scores := make([]float64, n)
		for i := range scores {
			scores[i] = 100 - float64(i)*0.5
		}
		return scores
	}
	require.Equal(t, []string{"m01", "m02", "m03"}, promoted("2026-Q1", "10", bestFirst(30)))
	require.Equal(t, []string{"m01", "m02", "m03", "m04", "m05", "m06", "m07"}, promoted("2026-Q2", "7", bestFirst(100)), "7 % of 100 is seven")

	tied := bestFirst(30)
	tied[3] = tied[2]
	require.Equal(t, []string{"m01", "m02", "m03", "m04"}, promoted("2026-Q3", "10", tied), "4th has the 3rd's score, so both are in the top 10 %")
}
