package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestBacktestCyclesAreTheTeamsInTheRangeLeavingOutCancelledOnes: the
// range is inclusive at both ends, periods come oldest first and a
// period's newer cycle before its older one; cancelled cycles, other
// teams' and other periods' are left out. RecordsOf reads back the
// members, metric values, targets, evaluations and results.
func TestBacktestCyclesAreTheTeamsInTheRangeLeavingOutCancelledOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "cs-ops-monthly") // 2026-10
		other := &store.Team{OrgID: f.org.ID, Key: "other", Name: "别的组"}
		require.NoError(t, s.CreateTeam(ctx, other))
		now := time.Now().UTC().Truncate(time.Second)
		mk := func(key, period string, team *store.Team, created ...time.Time) *store.Cycle {
			start, err := time.Parse("2006-01", period)
			require.NoError(t, err)
			c, _, err := s.CreateCycle(ctx, &store.Cycle{OrgID: f.org.ID, TemplateKey: key, TemplateVersion: 1, TemplateBody: "{}", ScopeTeamID: team.ID, Period: period,
				PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: period, WorkflowID: "wf-" + key + period, LaunchedBy: "admin", CreatedAt: append(created, now)[0]}, nil)
			require.NoError(t, err)
			return c
		}
		older := mk("community-monthly", "2026-07", f.team, now.Add(-time.Hour))
		newer := mk("cs-ops-monthly", "2026-07", f.team)
		mk("cs-ops-monthly", "2026-06", f.team)
		mk("cs-ops-monthly", "2026-11", f.team)
		mk("cs-ops-monthly", "2026-08", other)
		cancelled := mk("cs-ops-monthly", "2026-09", f.team)
		require.NoError(t, s.SetCycleStage(ctx, cancelled.ID, "execute", store.CycleCancelled))

		got, err := s.BacktestCycles(ctx, f.org.ID, f.team.ID, "2026-07", "2026-10")
		require.NoError(t, err)
		ids := make([]string, len(got))
		for i, c := range got {
			ids[i] = c.ID
		}
		require.Equal(t, []string{newer.ID, older.ID, f.cycle.ID}, ids)

		teams, err := s.TeamsByKey(ctx, "cs")
		require.NoError(t, err)
		require.Len(t, teams, 1)
		require.Equal(t, f.team.ID, teams[0].ID)

		_, err = s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "oct", FileName: "oct.csv", CreatedBy: "test"}, []store.MetricValue{
			{MemberID: f.members[0].ID, IndicatorKey: "satisfaction", Period: "2026-10", Value: 92, Source: "survey"},
			{MemberID: f.members[1].ID, IndicatorKey: "satisfaction", Period: "2026-09", Value: 70, Source: "survey"},
		})
		require.NoError(t, err)
		require.NoError(t, s.RecordEvaluation(ctx, &store.Evaluation{CycleID: f.cycle.ID, TaskID: "t1", RaterKey: "manager", RaterRole: "manager", RateeID: f.members[1].ID, Scores: `{"collaboration": 4}`}))
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{{MemberID: f.members[0].ID, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: 88.25, ProposedGrade: "A", Grade: "A", Rank: 1}}))
		rec, err := s.RecordsOf(ctx, f.cycle)
		require.NoError(t, err)
		require.Len(t, rec.Members, 2)
		require.Equal(t, []store.MetricPoint{{MemberID: f.members[0].ID, IndicatorKey: "satisfaction", Source: "survey", Value: 92}}, rec.Metrics, "only the cycle's period")
		require.Len(t, rec.Evaluations, 1)
		require.Len(t, rec.Results, 1)
		require.Equal(t, 88.25, rec.Results[0].FinalScore)
	})
}
