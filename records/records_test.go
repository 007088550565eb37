package records_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/records"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// csOps is the shipped cs-ops-monthly template.
func csOps(t *testing.T) *templates.Template {
	t.Helper()
	raw, err := templates.BuiltinFile("cs-ops-monthly")
	require.NoError(t, err)
	tpl, errs := templates.Parse(raw)
	require.Empty(t, errs)
	return tpl
}

// cycle is 300 members, every fifth without any value, and their values
// member by member as store.EachMetricValue hands them over.
func cycle() ([]store.CycleMember, []store.MetricPoint, []store.Evaluation) {
	var ms []store.CycleMember
	var points []store.MetricPoint
	var evals []store.Evaluation
	for i := range 300 {
		id := fmt.Sprintf("m%03d", i)
		ms = append(ms, store.CycleMember{MemberID: id, Level: "junior"})
		evals = append(evals, store.Evaluation{RateeID: id, RaterKey: "manager", Scores: `{"collaboration": 4, "serviceAttitude": 3}`})
		if i%5 == 4 {
			continue
		}
		f := float64(i % 37)
		for k, v := range map[string]float64{"satisfaction": 60 + f, "responseTime": 2 + f/10, "retention": 30 + f/2, "oneOnOneRating": 85 + f/3, "complaintRate": f / 8} {
			points = append(points, store.MetricPoint{MemberID: id, IndicatorKey: k, Source: "crm", Value: v})
		}
	}
	return ms, points, evals
}

// Scoring members while their values stream in gives exactly what scoring
// them after the whole read gives, members without values included.
func TestStreamingScoresWhatScoringAfterTheReadScores(t *testing.T) {
	tpl := csOps(t)
	ms, points, evals := cycle()
	whole := records.NewGathering(tpl, ms)
	for _, e := range evals {
		whole.Evaluation(e)
	}
	for _, p := range points {
		whole.Metric(p)
	}
	want, err := scorecard.ScoreMembers(tpl, whole.Data())
	require.NoError(t, err)

	scorer, err := scorecard.NewScorer(tpl)
	require.NoError(t, err)
	g := records.NewGathering(tpl, ms)
	for _, e := range evals {
		g.Evaluation(e)
	}
	run := scorer.Start(len(ms))
	g.Stream(run)
	for _, p := range points {
		g.Metric(p)
	}
	require.NoError(t, g.Close())
	got, err := run.Finish()
	require.NoError(t, err)
	require.Equal(t, want, got)
}

// A read that breaks the order streaming relies on, or a record added
// after the values began, is refused rather than scored on a member
// already handed over.
func TestStreamingRefusesValuesOutOfOrder(t *testing.T) {
	tpl := csOps(t)
	ms, points, _ := cycle()
	for name, misuse := range map[string]func(g *records.Gathering){
		"a member's value after the next member's": func(g *records.Gathering) {
			g.Metric(points[0])
			g.Metric(points[5]) // the second member
			g.Metric(points[1])
		},
		"an evaluation after values began": func(g *records.Gathering) {
			g.Metric(points[0])
			g.Evaluation(store.Evaluation{RateeID: "m299", RaterKey: "manager", Scores: `{"collaboration": 4}`})
		},
	} {
		t.Run(name, func(t *testing.T) {
			scorer, err := scorecard.NewScorer(tpl)
			require.NoError(t, err)
			g := records.NewGathering(tpl, ms)
			run := scorer.Start(len(ms))
			g.Stream(run)
			misuse(g)
			require.ErrorContains(t, g.Close(), "gather:")
			_, err = run.Finish()
			require.NoError(t, err)
		})
	}
}
