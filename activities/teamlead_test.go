package activities_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/templates"
)

// TestTeamLeadIsScoredOnTheTeamsAttainmentOfItsTarget: team-lead-quarterly
// splits the department's sales target across the leads, so a lead's team
// sales are judged against the lead's own share: 120 % of it is the
// stretch (100 points), 80 % the baseline (the floor, 60), 70 % short of it
// (0) — whatever the size of the team's share.
func TestTeamLeadIsScoredOnTheTeamsAttainmentOfItsTarget(t *testing.T) {
	body, err := templates.BuiltinFile("team-lead-quarterly")
	require.NoError(t, err)
	tpl, errs := templates.Parse(body)
	require.Empty(t, errs)
	lead := func(id string, sales, target float64) scorecard.MemberData {
		return scorecard.MemberData{MemberID: id, Level: "M1", Metrics: map[string]float64{"teamSales": sales}, Targets: map[string]float64{"teamSales": target},
			Ratings: map[string]map[string][]float64{}}
	}
	out, err := scorecard.ScoreMembers(tpl, []scorecard.MemberData{
		lead("stretch", 1_440_000, 1_200_000), lead("baseline", 640_000, 800_000), lead("short", 840_000, 1_200_000),
	})
	require.NoError(t, err)
	got := map[string]float64{}
	for _, s := range out {
		got[s.MemberID] = s.Indicators["teamSales"]
	}
	require.Equal(t, map[string]float64{"stretch": 100, "baseline": 60, "short": 0}, got)
}
