package activities_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

func csOps(t *testing.T) *templates.Template {
	t.Helper()
	ts, err := templates.Builtins()
	require.NoError(t, err)
	for _, tpl := range ts {
		if tpl.Key == "cs-ops-monthly" {
			return tpl
		}
	}
	t.Fatal("no cs-ops-monthly")
	return nil
}

func member(id string, satisfaction, response, retention, rating, complaints, attitude, manager float64) activities.MemberData {
	return activities.MemberData{
		MemberID: id, Level: "junior",
		Metrics: map[string]float64{"satisfaction": satisfaction, "responseTime": response, "retention": retention, "oneOnOneRating": rating, "complaintRate": complaints},
		Ratings: map[string]map[string][]float64{
			"customer": {"serviceAttitude": {attitude}},
			"manager":  {"collaboration": {manager}, "serviceAttitude": {manager}},
			"self":     {"collaboration": {5}, "serviceAttitude": {5}},
		},
	}
}

// TestScoresFollowTheTemplatesRules checks one member by hand: banded
// satisfaction, lower-is-better response time, the complaints rule, the
// rater mix and the three-way formula.
func TestScoresFollowTheTemplatesRules(t *testing.T) {
	out, err := activities.ScoreMembers(csOps(t), []activities.MemberData{member("m1", 92, 4, 42.5, 96, 6, 80, 4)})
	require.NoError(t, err)
	s := out[0]
	require.Equal(t, 90.0, s.Indicators["satisfaction"], "90–95 → 90 points")
	require.InDelta(t, 80.0, s.Indicators["responseTime"], 1e-9, "4 min is halfway from 5 (60) to 3 (100)")
	require.InDelta(t, 80.0*0.8, s.Indicators["retention"], 1e-9, "42.5%% is halfway to 50 → 80, then ×0.8 for complaints over 5%%")
	require.Equal(t, 100.0, s.Indicators["oneOnOneRating"], "96%% passes the 90%% threshold")
	require.InDelta(t, 75.0, s.Indicators["collaboration"], 1e-9, "manager 4 on 1–5 is 75; self weighs 0")
	// serviceAttitude: manager 75 (weight 60) and customer 80 (weight 40).
	require.InDelta(t, 0.6*75+0.4*80, s.Indicators["serviceAttitude"], 1e-9)
	require.Len(t, s.Adjustments, 1)
	q := (30*90 + 20*80 + 20*64 + 10*100) / 80.0
	require.InDelta(t, q, s.Parts["quantitative"], 1e-9)
	want := 0.6*q + 0.25*75 + 0.15*80
	require.InDelta(t, want, s.Final, 0.006)
}

// TestTiesAreBrokenByTheHeaviestIndicatorThenByID: equal finals are
// ordered by satisfaction (the heaviest indicator), and a full tie by
// member id, flagged for the meeting.
func TestTiesAreBrokenByTheHeaviestIndicatorThenByID(t *testing.T) {
	a := member("b-member", 92, 4, 42.5, 96, 1, 80, 4)
	b := member("a-member", 92, 4, 42.5, 96, 1, 80, 4)
	out, err := activities.ScoreMembers(csOps(t), []activities.MemberData{a, b})
	require.NoError(t, err)
	byID := map[string]activities.MemberScore{out[0].MemberID: out[0], out[1].MemberID: out[1]}
	require.Equal(t, 1, byID["a-member"].Rank)
	require.True(t, byID["a-member"].TieByID)
}

// TestMissingRatingsAreLeftOutNotZero: a member nobody rated is scored on
// what exists, and the gap is reported.
func TestMissingRatingsAreLeftOutNotZero(t *testing.T) {
	m := member("m1", 92, 4, 42.5, 96, 1, 80, 4)
	delete(m.Ratings, "manager")
	delete(m.Ratings, "self")
	out, err := activities.ScoreMembers(csOps(t), []activities.MemberData{m})
	require.NoError(t, err)
	require.Contains(t, out[0].Missing, "collaboration")
	require.Equal(t, 80.0, out[0].Indicators["serviceAttitude"], "the customer's score alone")
}

func TestForcedDistributionProposesGradesThatKeepTheLimits(t *testing.T) {
	var ms []activities.MemberData
	for i := 0; i < 10; i++ {
		f := float64(i)
		ms = append(ms, member(string(rune('a'+i)), 99-f, 2.5, 55, 96, 1, 95, 5))
		_ = f
	}
	out, err := activities.ScoreMembers(csOps(t), ms)
	require.NoError(t, err)
	count := map[string]int{}
	for _, s := range out {
		count[s.Proposed]++
	}
	require.LessOrEqual(t, count["S"], 1, "S ≤ 10%% of ten")
	require.GreaterOrEqual(t, count["C"], 1, "C ≥ 10%% of ten")
}

func TestBottomRunsCountConsecutivePeriodsOnly(t *testing.T) {
	rule := &templates.IDPRule{BottomCount: 2, Consecutive: 2}
	h := func(cycle string, rank int) store.RankHistory {
		return store.RankHistory{CycleID: cycle, Rank: rank, ScopeSize: 10}
	}
	require.Equal(t, 1, activities.BottomRuns(rule, "oct", []store.RankHistory{h("oct", 10)}), "the first month at the bottom")
	require.Equal(t, 2, activities.BottomRuns(rule, "oct", []store.RankHistory{h("oct", 9), h("sep", 10)}), "two months running")
	require.Equal(t, 1, activities.BottomRuns(rule, "oct", []store.RankHistory{h("oct", 10), h("sep", 5), h("aug", 10)}), "bottom, then not, then bottom is no run")
	require.Equal(t, 3, activities.BottomRuns(rule, "nov", []store.RankHistory{h("nov", 10), h("oct", 10), h("sep", 9)}), "three months running (the open IDP then stops a second one)")
	pct := 10.0
	require.Equal(t, 2, activities.BottomRuns(&templates.IDPRule{BottomPercent: &pct}, "oct", []store.RankHistory{{CycleID: "sep", Rank: 20, ScopeSize: 20}}))
}
