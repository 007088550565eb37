package store_test

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// cycleFixture is an organisation, a team of n members and a cycle over them.
type cycleFixture struct {
	org     *store.Organization
	team    *store.Team
	members []*store.Member
	cycle   *store.Cycle
}

func newCycle(t *testing.T, s *store.Store, n int, key string) cycleFixture {
	t.Helper()
	f := cycleFixture{org: newOrg(t, s)}
	f.team = &store.Team{OrgID: f.org.ID, Key: "cs", Name: "客服组"}
	require.NoError(t, s.CreateTeam(ctx, f.team))
	var cms []store.CycleMember
	for i := 0; i < n; i++ {
		m := &store.Member{OrgID: f.org.ID, TeamID: &f.team.ID, Name: fmt.Sprintf("成员%d", i), Email: fmt.Sprintf("m%d@x.dev", i), Role: store.RoleEmployee, Level: "junior", Timezone: "Asia/Shanghai", Locale: "zh", Active: true}
		require.NoError(t, s.CreateMember(ctx, m))
		f.members = append(f.members, m)
		cms = append(cms, store.CycleMember{MemberID: m.ID, TeamID: m.TeamID, Level: m.Level})
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c := &store.Cycle{OrgID: f.org.ID, TemplateKey: key, TemplateVersion: 1, TemplateBody: "{}", ScopeTeamID: f.team.ID, Period: "2026-10",
		PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "十月", WorkflowID: "wf", LaunchedBy: "admin"}
	got, created, err := s.CreateCycle(ctx, c, cms)
	require.NoError(t, err)
	require.True(t, created)
	f.cycle = got
	return f
}

func TestCycleIdempotencyKeyReturnsTheSameCycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "cs-ops-monthly")
		key := "launch-42"
		mk := func(period string) *store.Cycle {
			return &store.Cycle{OrgID: f.org.ID, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: "{}", ScopeTeamID: f.team.ID, Period: period,
				Timezone: "Asia/Shanghai", Title: "x", WorkflowID: "wf2", LaunchedBy: "admin", IdempotencyKey: &key}
		}
		first, created, err := s.CreateCycle(ctx, mk("2026-11"), nil)
		require.NoError(t, err)
		require.True(t, created)
		again, created, err := s.CreateCycle(ctx, mk("2026-11"), nil)
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.ID, again.ID)
	})
}

func TestSecondLiveCycleForTheSamePeriodIsAConflictUntilCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "cs-ops-monthly")
		dup := *f.cycle
		dup.ID = ""
		_, _, err := s.CreateCycle(ctx, &dup, nil)
		require.ErrorIs(t, err, store.ErrConflict)
		require.ErrorIs(t, err, store.ErrCycleExists)
		require.NoError(t, s.SetCycleStage(ctx, f.cycle.ID, "", store.CycleCancelled))
		dup.ID = ""
		again, created, err := s.CreateCycle(ctx, &dup, nil)
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, 1, again.Generation)
	})
}

func TestBlockedCycleKeepsItsReasonUntilItRunsAgainAndACancelledOneStaysCancelled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "cs-ops-monthly")
		require.NoError(t, s.SetCycleStage(ctx, f.cycle.ID, "evaluate", store.CycleRunning))
		reason := "member m1, indicator csat, value 150: no band contains the value"
		require.NoError(t, s.BlockCycle(ctx, f.cycle.ID, "evaluate", reason))
		got, err := s.GetCycleByID(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, store.CycleBlocked, got.State)
		require.Equal(t, "evaluate", got.CurrentStage)
		require.Equal(t, reason, got.BlockedReason)

		require.NoError(t, s.SetCycleStage(ctx, f.cycle.ID, "evaluate", store.CycleRunning))
		got, err = s.GetCycleByID(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, store.CycleRunning, got.State)
		require.Empty(t, got.BlockedReason)

		require.NoError(t, s.SetCycleStage(ctx, f.cycle.ID, "evaluate", store.CycleCancelled))
		require.NoError(t, s.BlockCycle(ctx, f.cycle.ID, "evaluate", reason))
		got, err = s.GetCycleByID(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, store.CycleCancelled, got.State)
		require.Empty(t, got.BlockedReason)
		require.ErrorIs(t, s.BlockCycle(ctx, "no-such-cycle", "evaluate", reason), store.ErrNotFound)
	})
}

func TestEnsureTaskTwiceKeepsOneTask(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0]
		mk := func() *store.Task {
			return &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: m.ID, SubjectID: &m.ID,
				Title: "自评", TitleEn: "Self", DueAt: time.Now().Add(time.Hour), Payload: "{}", DedupeKey: "c:evaluate:self:" + m.ID}
		}
		var wg sync.WaitGroup
		ids := make([]string, 8)
		for i := range ids {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				got, err := s.EnsureTask(ctx, mk())
				if err == nil {
					ids[i] = got.ID
				}
			}(i)
		}
		wg.Wait()
		for _, id := range ids {
			require.Equal(t, ids[0], id)
		}
		_, total, err := s.ListTasks(ctx, f.org.ID, store.TaskFilter{CycleID: f.cycle.ID}, store.Page{})
		require.NoError(t, err)
		require.EqualValues(t, 1, total)
	})
}

func TestSubmittedTaskCannotBeSubmittedAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0]
		task, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "feedback", Kind: engine.TaskAcknowledge, AssigneeID: m.ID,
			Title: "确认", TitleEn: "Ack", DueAt: time.Now(), Payload: "{}", DedupeKey: "ack"})
		require.NoError(t, err)
		got, err := s.SubmitTask(ctx, task.ID, m.ID, `{"decision":"acknowledge"}`, task.Version)
		require.NoError(t, err)
		require.Equal(t, engine.TaskSubmitted, got.State)
		_, err = s.SubmitTask(ctx, task.ID, m.ID, `{"decision":"appeal"}`, 0)
		require.ErrorIs(t, err, store.ErrTaskClosed)
		require.ErrorIs(t, err, store.ErrConflict)
	})
}

func TestInboxListsOpenTasksFirstByDueDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0]
		now := time.Now().UTC()
		add := func(key string, due time.Time) *store.Task {
			task, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: key, Kind: engine.TaskGeneric, AssigneeID: m.ID,
				Title: key, TitleEn: key, DueAt: due, Payload: "{}", DedupeKey: key})
			require.NoError(t, err)
			return task
		}
		later := add("later", now.Add(48*time.Hour))
		done := add("done", now.Add(-72*time.Hour))
		overdue := add("overdue", now.Add(-24*time.Hour))
		_, err := s.SubmitTask(ctx, done.ID, m.ID, "{}", 0)
		require.NoError(t, err)
		inbox, _, err := s.ListInbox(ctx, m.ID, "", now, store.Page{})
		require.NoError(t, err)
		require.Equal(t, []string{overdue.ID, later.ID, done.ID}, []string{inbox[0].ID, inbox[1].ID, inbox[2].ID})
	})
}

func TestAdjustedTargetsMustStillSumToTheTeamTarget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "k")
		a, b := f.members[0].ID, f.members[1].ID
		rows := []store.Target{
			{MemberKey: store.TeamTargetKey, IndicatorKey: "newMembers", Period: "2026-10", Value: 100, Method: "equal"},
			{MemberID: &a, MemberKey: a, IndicatorKey: "newMembers", Period: "2026-10", Value: 50, Method: "equal"},
			{MemberID: &b, MemberKey: b, IndicatorKey: "newMembers", Period: "2026-10", Value: 50, Method: "equal"},
		}
		require.NoError(t, s.UpsertTargets(ctx, f.cycle.ID, rows))
		require.NoError(t, s.UpsertTargets(ctx, f.cycle.ID, rows), "the same breakdown again is a no-op")
		_, err := s.AdjustTargets(ctx, f.cycle.ID, "newMembers", "mgr", map[string]float64{a: 70}, nil)
		var sum *store.ErrTargetSum
		require.True(t, errors.As(err, &sum), "got %v", err)
		require.Equal(t, 120.0, sum.Got)
		_, err = s.AdjustTargets(ctx, f.cycle.ID, "newMembers", "mgr", map[string]float64{a: 70, b: 30}, map[string]int{a: 1, b: 1})
		require.NoError(t, err)
		// A second manager still holding version 1 is refused.
		_, err = s.AdjustTargets(ctx, f.cycle.ID, "newMembers", "mgr2", map[string]float64{a: 60, b: 40}, map[string]int{a: 1, b: 1})
		require.ErrorIs(t, err, store.ErrConflict)
		ts, err := s.ListTargets(ctx, f.cycle.ID, a)
		require.NoError(t, err)
		require.Equal(t, 70.0, ts[0].Value)
	})
}

func TestMetricUploadIsAllOrNothingAndIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0].ID
		rows := []store.MetricValue{{MemberID: m, IndicatorKey: "retention", Period: "2026-10", Value: 41, Source: "crm"}, {MemberID: m, IndicatorKey: "nps", Period: "2026-10", Value: 52, Source: "survey"}}
		res, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "a", FileName: "a.csv", CreatedBy: "x"}, rows)
		require.NoError(t, err)
		require.Equal(t, 2, res.Inserted)
		res, err = s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "a", FileName: "a.csv", CreatedBy: "x"}, rows)
		require.NoError(t, err)
		require.True(t, res.Duplicate)
		rows[0].Value = 45
		res, err = s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "b", FileName: "b.csv", CreatedBy: "x", Replace: true}, rows)
		require.NoError(t, err)
		require.Equal(t, 1, res.Updated)
		require.Equal(t, 1, res.Unchanged)
		// A row longer than its column fails the batch: nothing of it lands.
		bad := []store.MetricValue{{MemberID: m, IndicatorKey: "fresh", Period: "2026-10", Value: 1, Source: "s"}, {MemberID: m, IndicatorKey: "x", Period: "2026-10-too-long-period", Value: 1, Source: string(make([]byte, 300))}}
		_, err = s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "c", FileName: "c.csv", CreatedBy: "x"}, bad)
		if s.Dialect == store.MySQL {
			require.Error(t, err)
			vals, err := s.ListMetricValues(ctx, store.MetricFilter{IndicatorKeys: []string{"fresh"}})
			require.NoError(t, err)
			require.Empty(t, vals)
		}
	})
}

func TestASecondMetricValueForTheSameMemberIndicatorAndPeriodIsRefusedUnlessReplaced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0].ID
		crm := []store.MetricValue{{MemberID: m, IndicatorKey: "satisfaction", Period: "2026-10", Value: 84, Source: "crm"}}
		_, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "json", FileName: "api", CreatedBy: "lead"}, crm)
		require.NoError(t, err)

		// The same figure from another source was summed by scoring (170).
		upload := []store.MetricValue{{MemberID: m, IndicatorKey: "satisfaction", Period: "2026-10", Value: 84, Source: "upload"}}
		_, err = s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "csv", FileName: "upload", CreatedBy: "hr"}, upload)
		var exists *store.ErrMetricExists
		require.ErrorAs(t, err, &exists)
		require.ErrorIs(t, err, store.ErrConflict)
		require.Len(t, exists.Clashes, 1)
		require.Equal(t, "crm", exists.Clashes[0].Existing.Source)
		require.Equal(t, 84.0, exists.Clashes[0].Existing.Value)
		require.Equal(t, "lead", exists.Clashes[0].Existing.RecordedBy)

		// The refused batch left no checksum behind: replacing it is accepted and audited.
		res, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "csv", FileName: "upload", CreatedBy: "hr", Replace: true}, upload)
		require.NoError(t, err)
		require.Equal(t, 1, res.Updated)
		var sum float64
		require.NoError(t, s.EachMetricValue(ctx, store.MetricFilter{OrgID: f.org.ID, Period: "2026-10"}, func(p store.MetricPoint) { sum += p.Value }))
		require.Equal(t, 84.0, sum)
		vals, err := s.ListMetricValues(ctx, store.MetricFilter{OrgID: f.org.ID})
		require.NoError(t, err)
		require.Len(t, vals, 1)
		require.Equal(t, "upload", vals[0].Source)
		require.Equal(t, "hr", vals[0].RecordedBy)
		entries, _, err := s.ListAudit(ctx, store.AuditFilter{ActorID: "hr"}, store.Page{Limit: 10})
		require.NoError(t, err)
		var replaced string
		for _, e := range entries {
			if e.Action == "metrics.replace" {
				replaced = e.Detail
			}
		}
		require.Contains(t, replaced, `"from":{"batchId":`)
		require.Contains(t, replaced, `"source":"crm"`)
		require.Contains(t, replaced, `"recordedBy":"lead"`)

		// The database itself holds the rule, whatever path writes.
		raw := store.MetricValue{ID: store.NewID(), OrgID: f.org.ID, MemberID: m, IndicatorKey: "satisfaction", Period: "2026-10", Value: 1, Source: "other", BatchID: "b", RecordedAt: time.Now().UTC()}
		require.Error(t, s.DB.Create(&raw).Error)
	})
}

func TestCalibrationSubmissionAppliesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "k")
		rows := []store.Result{
			{MemberID: f.members[0].ID, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: 91, ProposedGrade: "S", Grade: "S", Rank: 1},
			{MemberID: f.members[1].ID, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: 72, ProposedGrade: "B", Grade: "B", Rank: 2},
		}
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, rows))
		ch := []store.CalibrationChange{{MemberID: f.members[1].ID, ToGrade: "A", Reason: "跨部门贡献"}}
		applied, err := s.ApplyCalibration(ctx, f.cycle.ID, "sub-1", ch, "hrbp", nil)
		require.NoError(t, err)
		require.True(t, applied)
		applied, err = s.ApplyCalibration(ctx, f.cycle.ID, "sub-1", ch, "hrbp", nil)
		require.NoError(t, err)
		require.False(t, applied)
		changes, err := s.ListCalibrationChanges(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Len(t, changes, 1)
		require.Equal(t, "B", changes[0].FromGrade)
		r, err := s.GetResult(ctx, f.cycle.ID, f.members[0].ID)
		require.NoError(t, err)
		require.Equal(t, store.ResultCalibrated, r.State, "members nobody moved keep their proposed grade")
		entries, _, err := s.ListAudit(ctx, store.AuditFilter{Entity: "result"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, entries, 1)
		// Recomputing scores later keeps the calibrated grade.
		rows[1].ProposedGrade, rows[1].Grade = "C", "C"
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, rows))
		r, err = s.GetResult(ctx, f.cycle.ID, f.members[1].ID)
		require.NoError(t, err)
		require.Equal(t, "A", r.Grade)
	})
}

func TestIDPIsCreatedOnceForTheSamePeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		mk := func() *store.IDP {
			return &store.IDP{OrgID: f.org.ID, MemberID: f.members[0].ID, CycleID: f.cycle.ID, TriggerPeriods: `["2026-10"]`, Items: "[]", MentorID: "mgr", DueAt: time.Now().Add(60 * 24 * time.Hour), CheckinEveryDays: 14, DedupeKey: "idp:" + f.members[0].ID + ":2026-10"}
		}
		first, created, err := s.CreateIDP(ctx, mk())
		require.NoError(t, err)
		require.True(t, created)
		again, created, err := s.CreateIDP(ctx, mk())
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.ID, again.ID)
	})
}

func TestTeamRankHistoryListsTheTeamsLivePeriodsNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "cs-ops-monthly") // 2026-10
		a, b := f.members[0].ID, f.members[1].ID
		save := func(c *store.Cycle, scoreA, scoreB float64) {
			rankA, rankB := 1, 2
			if scoreA < scoreB {
				rankA, rankB = 2, 1
			}
			require.NoError(t, s.SaveResults(ctx, c.ID, []store.Result{
				{MemberID: a, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: scoreA, Rank: rankA},
				{MemberID: b, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: scoreB, Rank: rankB},
			}))
		}
		launch := func(key, team, period, state string) *store.Cycle {
			start, err := time.Parse("2006-01", period)
			require.NoError(t, err)
			c := *f.cycle
			c.ID, c.IdempotencyKey, c.TemplateKey, c.ScopeTeamID, c.Period = "", nil, key, team, period
			c.PeriodStart, c.PeriodEnd = start, start.AddDate(0, 1, 0)
			got, _, err := s.CreateCycle(ctx, &c, nil)
			require.NoError(t, err)
			if state != "" {
				require.NoError(t, s.SetCycleStage(ctx, got.ID, "", state))
			}
			return got
		}
		save(f.cycle, 61.2, 80) // 2026-10: a last
		save(launch("cs-ops-monthly", f.team.ID, "2026-09", store.CycleCancelled), 10, 20)
		sep := launch("cs-ops-monthly", f.team.ID, "2026-09", store.CycleCompleted) // relaunched after the cancellation
		require.Equal(t, 1, sep.Generation)
		save(sep, 90, 70)
		aug := launch("cs-ops-monthly", f.team.ID, "2026-08", store.CycleCancelled)
		save(aug, 10, 20)
		save(launch("cs-ops-monthly", "another-team", "2026-09", store.CycleCompleted), 1, 2)
		save(launch("other-template", f.team.ID, "2026-09", store.CycleCompleted), 1, 2)
		nov := launch("cs-ops-monthly", f.team.ID, "2026-11", store.CycleRunning)
		save(nov, 1, 2)

		h, err := s.TeamRankHistory(ctx, f.cycle, 5)
		require.NoError(t, err)
		require.Len(t, h, 2, "only this team's live cycles of the template up to October: September's relaunch, not its cancelled first run; the cancelled August is a gap")
		require.Equal(t, []string{f.cycle.ID, sep.ID}, []string{h[0].CycleID, h[1].CycleID})
		require.Equal(t, "2026-09", h[1].Period)
		require.True(t, h[1].PeriodEnd.Equal(h[0].PeriodStart), "September ends where October starts, on every backend")
		require.Equal(t, []store.MemberRank{{MemberID: b, Rank: 1, Score: 80}, {MemberID: a, Rank: 2, Score: 61.2}}, h[0].Ranks)

		h, err = s.TeamRankHistory(ctx, f.cycle, 1)
		require.NoError(t, err)
		require.Len(t, h, 1)

		// The cycle applying its outcomes counts whatever its state.
		h, err = s.TeamRankHistory(ctx, nov, 2)
		require.NoError(t, err)
		require.Equal(t, []string{nov.ID, f.cycle.ID}, []string{h[0].CycleID, h[1].CycleID})
	})
}

func TestIDPTriggersReadOldAndNewRows(t *testing.T) {
	score := 55.0
	got, err := store.IDP{TriggerPeriods: `[{"period":"2026-09","rank":9,"teamSize":9,"score":55}]`}.Triggers()
	require.NoError(t, err)
	require.Equal(t, []store.IDPTrigger{{Period: "2026-09", Rank: 9, TeamSize: 9, Score: &score}}, got)
	got, err = store.IDP{TriggerPeriods: `["2026-08","2026-09"]`}.Triggers()
	require.NoError(t, err)
	require.Equal(t, []store.IDPTrigger{{Period: "2026-08"}, {Period: "2026-09"}}, got, "plans created before ranks were recorded")
	_, err = store.IDP{TriggerPeriods: `[3]`}.Triggers()
	require.Error(t, err)
}

func TestNotificationsAreDedupedAndReadable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		n := func() *store.Notification {
			return &store.Notification{OrgID: f.org.ID, RecipientID: f.members[0].ID, Channel: "inapp", Kind: "reminder", Subject: "提醒", DedupeKey: "remind:t1:0"}
		}
		created, err := s.EnqueueNotification(ctx, n())
		require.NoError(t, err)
		require.True(t, created)
		created, err = s.EnqueueNotification(ctx, n())
		require.NoError(t, err)
		require.False(t, created)
		list, total, err := s.ListNotifications(ctx, f.members[0].ID, true, store.Page{})
		require.NoError(t, err)
		require.EqualValues(t, 1, total)
		require.NoError(t, s.MarkRead(ctx, f.members[0].ID, list[0].ID))
		require.ErrorIs(t, s.MarkRead(ctx, "someone-else", list[0].ID), store.ErrNotFound)
		_, total, err = s.ListNotifications(ctx, f.members[0].ID, true, store.Page{})
		require.NoError(t, err)
		require.Zero(t, total)
	})
}

func TestStaleCycleVersionIsConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		got, err := s.UpdateCycle(ctx, f.org.ID, f.cycle.ID, f.cycle.Version, func(c *store.Cycle) error {
			c.Title = "十月考核"
			c.Period = "2099-01" // identity is frozen at launch and never written back
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, f.cycle.Version+1, got.Version)
		_, err = s.UpdateCycle(ctx, f.org.ID, f.cycle.ID, f.cycle.Version, func(c *store.Cycle) error { c.Title = "late"; return nil })
		require.ErrorIs(t, err, store.ErrConflict)
		_, err = s.UpdateCycle(ctx, "another-org", f.cycle.ID, 0, func(c *store.Cycle) error { return nil })
		require.ErrorIs(t, err, store.ErrNotFound)
		stored, err := s.GetCycle(ctx, f.org.ID, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, "十月考核", stored.Title)
		require.Equal(t, "2026-10", stored.Period)
	})
}

func TestAddingCycleMembersTwiceAddsThemOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		late := &store.Member{OrgID: f.org.ID, TeamID: &f.team.ID, Name: "新人", Email: "late@x.dev", Role: store.RoleEmployee, Level: "junior", Timezone: "Asia/Shanghai", Locale: "zh", Active: true}
		require.NoError(t, s.CreateMember(ctx, late))
		rows := []store.CycleMember{
			{MemberID: f.members[0].ID, Level: "changed"},
			{MemberID: late.ID, TeamID: late.TeamID, Level: late.Level},
			{MemberID: late.ID, TeamID: late.TeamID, Level: late.Level},
		}
		added, err := s.AddCycleMembers(ctx, f.cycle.ID, rows)
		require.NoError(t, err)
		require.Equal(t, 1, added)
		added, err = s.AddCycleMembers(ctx, f.cycle.ID, rows)
		require.NoError(t, err)
		require.Zero(t, added)
		ms, err := s.ListCycleMembers(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Len(t, ms, 2)
		for _, m := range ms {
			require.Equal(t, "junior", m.Level, "a member already in scope stays as frozen at launch")
		}
		_, err = s.AddCycleMembers(ctx, "no-such-cycle", rows)
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestStaleResultVersionIsConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0].ID
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{{MemberID: m, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: 80, ProposedGrade: "B", Grade: "B", Rank: 1}}))
		r, err := s.GetResult(ctx, f.cycle.ID, m)
		require.NoError(t, err)
		got, err := s.UpdateResult(ctx, f.cycle.ID, m, r.Version, func(r *store.Result) error {
			r.Grade, r.State = "A", store.ResultCalibrated
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, r.Version+1, got.Version)
		_, err = s.UpdateResult(ctx, f.cycle.ID, m, r.Version, func(r *store.Result) error { r.Grade = "C"; return nil })
		require.ErrorIs(t, err, store.ErrConflict)
		stored, err := s.GetResult(ctx, f.cycle.ID, m)
		require.NoError(t, err)
		require.Equal(t, "A", stored.Grade)
		require.Equal(t, "B", stored.ProposedGrade)
	})
}

func TestAppealNeedsAReasonAndIsRecordedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0].ID
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{{MemberID: m, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", ProposedGrade: "C", Grade: "C", Rank: 1}}))
		_, err := s.AppealResult(ctx, f.cycle.ID, m, "响应时长")
		require.ErrorIs(t, err, store.ErrConflict, "an unpublished result cannot be appealed")
		_, err = s.PublishResults(ctx, f.cycle.ID)
		require.NoError(t, err)
		_, err = s.AppealResult(ctx, f.cycle.ID, m, "  ")
		require.ErrorIs(t, err, store.ErrAppealNeedsReason)
		got, err := s.AppealResult(ctx, f.cycle.ID, m, "响应时长统计包含了系统故障时段")
		require.NoError(t, err)
		require.Equal(t, store.ResultAppealed, got.State)
		require.Equal(t, "响应时长统计包含了系统故障时段", *got.Appeal)
		require.NotNil(t, got.AcknowledgedAt)
		_, err = s.AppealResult(ctx, f.cycle.ID, m, "again")
		require.ErrorIs(t, err, store.ErrConflict)
	})
}

func TestTaskOfAnotherOrganisationIsNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0]
		task, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "plan", Kind: engine.TaskPlan, AssigneeID: m.ID,
			Title: "计划", TitleEn: "Plan", DueAt: time.Now(), Payload: "{}", DedupeKey: "plan:" + m.ID})
		require.NoError(t, err)
		got, err := s.GetTask(ctx, f.org.ID, task.ID)
		require.NoError(t, err)
		require.Equal(t, engine.TaskOpen, got.State)
		other := newOrg(t, s)
		_, err = s.GetTask(ctx, other.ID, task.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestStaleTaskVersionIsConflictButTaskStaysOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0]
		task, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "plan", Kind: engine.TaskPlan, AssigneeID: m.ID,
			Title: "计划", TitleEn: "Plan", DueAt: time.Now(), Payload: "{}", DedupeKey: "plan:" + m.ID})
		require.NoError(t, err)
		_, err = s.SubmitTask(ctx, task.ID, m.ID, "{}", task.Version+1)
		require.ErrorIs(t, err, store.ErrConflict)
		require.False(t, errors.Is(err, store.ErrTaskClosed))
		got, err := s.GetTaskByID(ctx, task.ID)
		require.NoError(t, err)
		require.Equal(t, engine.TaskOpen, got.State)
	})
}

func TestRemindersCountOnlyGoesUpAndEscalationIsStampedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0]
		task, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: m.ID, SubjectID: &m.ID,
			Title: "自评", TitleEn: "Self", DueAt: time.Now().Add(-time.Hour), Payload: "{}", DedupeKey: "self:" + m.ID})
		require.NoError(t, err)
		require.NoError(t, s.MarkReminded(ctx, task.ID, 1))
		require.NoError(t, s.MarkReminded(ctx, task.ID, 0), "a late retry of the first reminder")
		require.NoError(t, s.MarkEscalated(ctx, task.ID))
		first, err := s.GetTaskByID(ctx, task.ID)
		require.NoError(t, err)
		require.Equal(t, 2, first.RemindersSent)
		require.NotNil(t, first.EscalatedAt)
		require.NoError(t, s.MarkEscalated(ctx, task.ID))
		again, err := s.GetTaskByID(ctx, task.ID)
		require.NoError(t, err)
		require.True(t, first.EscalatedAt.Equal(*again.EscalatedAt))
		overdue, err := s.ListOverdue(ctx, f.cycle.ID, time.Now())
		require.NoError(t, err)
		require.Len(t, overdue, 1)
		counts, err := s.CountTasksByStage(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, []store.StageCount{{StageKey: "evaluate", Kind: engine.TaskSelfEval, State: engine.TaskOpen, Count: 1}}, counts)
		n, err := s.CloseTasks(ctx, f.cycle.ID, "", engine.TaskCancelled)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		overdue, err = s.ListOverdue(ctx, f.cycle.ID, time.Now())
		require.NoError(t, err)
		require.Empty(t, overdue, "a cancelled task is not overdue")
	})
}

func TestMetricBatchWithAnUnstorableValueWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0].ID
		bad := []store.MetricValue{
			{MemberID: m, IndicatorKey: "fresh", Period: "2026-10", Value: 1, Source: "crm"},
			{MemberID: m, IndicatorKey: "broken", Period: "2026-10", Value: math.NaN(), Source: "crm"},
		}
		_, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "nan", FileName: "nan.csv", CreatedBy: "x"}, bad)
		require.Error(t, err)
		vals, err := s.ListMetricValues(ctx, store.MetricFilter{OrgID: f.org.ID})
		require.NoError(t, err)
		require.Empty(t, vals)
		// The failed batch left no checksum behind, so the corrected file is accepted.
		bad[1].Value = 2
		res, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "nan", FileName: "nan.csv", CreatedBy: "x"}, bad)
		require.NoError(t, err)
		require.False(t, res.Duplicate)
		require.Equal(t, 2, res.Inserted)
	})
}

func TestCalibrationMeetingsClashOnlyForSharedPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		start := time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)
		mk := func() *store.CalibrationMeeting {
			return &store.CalibrationMeeting{OrgID: f.org.ID, CycleID: f.cycle.ID, StartsAt: start, EndsAt: start.Add(time.Hour), Timezone: "Asia/Shanghai",
				FacilitatorID: "hrbp", Participants: `["mgr-a","mgr-b"]`, Agenda: "[]", ICS: "BEGIN:VCALENDAR", State: "scheduled"}
		}
		require.NoError(t, s.SaveMeeting(ctx, mk()))
		require.NoError(t, s.SaveMeeting(ctx, mk()), "saving a cycle's meeting again keeps the first")
		got, err := s.GetMeeting(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.True(t, start.Equal(got.StartsAt))
		clash, err := s.ListMeetingsOverlapping(ctx, []string{"mgr-b"}, start.Add(30*time.Minute), start.Add(90*time.Minute))
		require.NoError(t, err)
		require.Len(t, clash, 1)
		clash, err = s.ListMeetingsOverlapping(ctx, []string{"hrbp"}, start.Add(-time.Hour), start)
		require.NoError(t, err)
		require.Empty(t, clash, "a meeting ending when another starts does not clash")
		clash, err = s.ListMeetingsOverlapping(ctx, []string{"mgr-c"}, start, start.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, clash)
	})
}

func TestASubmissionAndItsEvaluationAreWrittenTogetherOrNotAtAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0]
		task, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: m.ID, SubjectID: &m.ID,
			Title: "自评", TitleEn: "Self", DueAt: time.Now().Add(time.Hour), Payload: "{}", DedupeKey: "self:" + m.ID})
		require.NoError(t, err)
		evaluation := func(t *store.Task) (*store.Evaluation, error) {
			return &store.Evaluation{CycleID: t.CycleID, TaskID: t.ID, RaterID: t.AssigneeID, RaterRole: "self", RateeID: *t.SubjectID, Scores: `{"q":4}`, Comment: "ok"}, nil
		}

		// The evaluation cannot be derived: nothing is submitted.
		_, err = s.SubmitTaskWithEvaluation(ctx, task.ID, m.ID, `{"scores":{"q":4}}`, task.Version, func(*store.Task) (*store.Evaluation, error) {
			return nil, errors.New("bad rating form")
		})
		require.ErrorContains(t, err, "bad rating form")
		// The evaluation cannot be stored (its id is taken): nothing is submitted.
		taken := &store.Evaluation{CycleID: f.cycle.ID, TaskID: "another-task", RaterID: m.ID, RaterRole: "self", RateeID: m.ID, Scores: "{}"}
		require.NoError(t, s.RecordEvaluation(ctx, taken))
		_, err = s.SubmitTaskWithEvaluation(ctx, task.ID, m.ID, `{"scores":{"q":4}}`, task.Version, func(t *store.Task) (*store.Evaluation, error) {
			e, _ := evaluation(t)
			e.ID = taken.ID
			return e, nil
		})
		require.Error(t, err)
		got, err := s.GetTaskByID(ctx, task.ID)
		require.NoError(t, err)
		require.Equal(t, engine.TaskOpen, got.State, "a failed evaluation leaves the task open")
		evs, err := s.ListEvaluations(ctx, f.cycle.ID, m.ID, "")
		require.NoError(t, err)
		require.Len(t, evs, 1, "only the evaluation that was there")

		got, err = s.SubmitTaskWithEvaluation(ctx, task.ID, m.ID, `{"scores":{"q":4}}`, got.Version, evaluation)
		require.NoError(t, err)
		require.Equal(t, engine.TaskSubmitted, got.State)
		evs, err = s.ListEvaluations(ctx, f.cycle.ID, m.ID, "")
		require.NoError(t, err)
		require.Len(t, evs, 2)
		var mine []string
		for _, e := range evs {
			if e.TaskID == task.ID {
				mine = append(mine, e.Comment)
			}
		}
		require.Equal(t, []string{"ok"}, mine)
	})
}

func TestEachMetricValueReadsOnlyTheCyclesMembersAndPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "k")
		outsider := &store.Member{OrgID: f.org.ID, TeamID: &f.team.ID, Name: "外人", Email: "out@x.dev", Role: store.RoleEmployee, Level: "junior", Timezone: "UTC", Locale: "en", Active: true}
		require.NoError(t, s.CreateMember(ctx, outsider))
		a, b := f.members[0].ID, f.members[1].ID
		rows := []store.MetricValue{
			{MemberID: a, IndicatorKey: "nps", Period: "2026-10", Value: 50, Source: "survey"},
			{MemberID: a, IndicatorKey: "collaboration", Period: "2026-10", Value: 4, Source: "peer"},
			{MemberID: b, IndicatorKey: "retention", Period: "2026-10", Value: 41, Source: "crm"},
			{MemberID: b, IndicatorKey: "retention", Period: "2026-09", Value: 99, Source: "crm"},
			{MemberID: outsider.ID, IndicatorKey: "nps", Period: "2026-10", Value: 77, Source: "survey"},
		}
		_, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "each", FileName: "m.csv", CreatedBy: "x"}, rows)
		require.NoError(t, err)
		var got []store.MetricPoint
		err = s.EachMetricValue(ctx, store.MetricFilter{OrgID: f.org.ID, CycleID: f.cycle.ID, Period: "2026-10"}, func(p store.MetricPoint) { got = append(got, p) })
		require.NoError(t, err)
		require.ElementsMatch(t, []store.MetricPoint{
			{MemberID: a, IndicatorKey: "nps", Source: "survey", Value: 50},
			{MemberID: a, IndicatorKey: "collaboration", Source: "peer", Value: 4},
			{MemberID: b, IndicatorKey: "retention", Source: "crm", Value: 41},
		}, got)
	})
}

// A database that already holds two values of one member, indicator and
// period (which scoring summed) keeps only the latest when migrated.
func TestMigratingKeepsTheLatestOfDuplicateMetricValues(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 1, "k")
		m := f.members[0].ID
		// Back to the schema before migration 7.
		drop := "DROP INDEX ux_metric_values_one"
		if s.Dialect == store.MySQL {
			drop += " ON metric_values"
		}
		require.NoError(t, s.DB.Exec(drop).Error)
		require.NoError(t, s.DB.Exec("ALTER TABLE metric_values DROP COLUMN recorded_by").Error)
		require.NoError(t, s.DB.Exec("DELETE FROM schema_migrations WHERE version = 7").Error)
		insert := "INSERT INTO metric_values (id, org_id, member_id, indicator_key, period, value, source, batch_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		require.NoError(t, s.DB.Exec(insert, "v1", f.org.ID, m, "satisfaction", "2026-10", 84, "crm", "b1", at).Error)
		require.NoError(t, s.DB.Exec(insert, "v2", f.org.ID, m, "satisfaction", "2026-10", 83, "upload", "b2", at.Add(time.Hour)).Error)
		require.NoError(t, s.DB.Exec(insert, "v3", f.org.ID, m, "satisfaction", "2026-09", 80, "crm", "b0", at).Error)

		n, err := s.Migrate(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		vals, err := s.ListMetricValues(ctx, store.MetricFilter{OrgID: f.org.ID})
		require.NoError(t, err)
		var ids []string
		for _, v := range vals {
			ids = append(ids, v.ID)
		}
		require.ElementsMatch(t, []string{"v2", "v3"}, ids, "the later upload wins; other periods are untouched")
	})
}

func TestResultKeepsMissingDataAndExplanationAndABlockedResultIsNotPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "missing")
		scored, withheld := f.members[0].ID, f.members[1].ID
		missing := `[{"key":"customer","kind":"part","policy":"renormalise"}]`
		explained := `{"parts":[{"key":"quantitative","weight":70.59,"score":80}],"final":80}`
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{
			{MemberID: scored, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", Missing: missing, Explanation: explained, FinalScore: 80, ProposedGrade: "A", Grade: "A", Rank: 1},
			{MemberID: withheld, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", Missing: "[]", Explanation: "{}", Blocked: "waiting for customer"},
		}))
		got, err := s.GetResult(ctx, f.cycle.ID, scored)
		require.NoError(t, err)
		require.JSONEq(t, missing, got.Missing)
		require.JSONEq(t, explained, got.Explanation)
		require.Empty(t, got.Blocked)

		// The data arrives: a recomputation rewrites all three.
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{
			{MemberID: withheld, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", Missing: "[]", Explanation: `{"final":70}`, FinalScore: 70, ProposedGrade: "B", Grade: "B", Rank: 2},
		}))
		again, err := s.GetResult(ctx, f.cycle.ID, withheld)
		require.NoError(t, err)
		require.Empty(t, again.Blocked)
		require.JSONEq(t, `{"final":70}`, again.Explanation)

		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{
			{MemberID: withheld, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", Missing: "[]", Explanation: "{}", Blocked: "waiting for customer"},
		}))
		n, err := s.PublishResults(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Equal(t, 1, n, "the withheld result stays unpublished")
		held, err := s.GetResult(ctx, f.cycle.ID, withheld)
		require.NoError(t, err)
		require.Equal(t, store.ResultComputed, held.State)
	})
}

func TestWaivingAWithheldResultScoresItOnceAndPlacesEveryone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "waive")
		scored, withheld := f.members[0].ID, f.members[1].ID
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{
			{MemberID: scored, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: 70, ProposedGrade: "B", Grade: "B", Rank: 1, Percentile: 100},
			{MemberID: withheld, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", Blocked: "waiting for customer"},
		}))
		release := []store.Result{{MemberID: withheld, IndicatorScores: `{"nps":90}`, Parts: "{}", Adjustments: "{}", Missing: "[]", Explanation: `{"final":85}`, FinalScore: 85, ProposedGrade: "A", Grade: "A"}}
		reasons := map[string]string{withheld: "新员工"}
		placings := map[string]store.Placing{withheld: {Rank: 1, Percentile: 100}, scored: {Rank: 2, Percentile: 50}}
		for range 2 { // a retry changes nothing
			require.NoError(t, s.WaiveResults(ctx, f.cycle.ID, "sub-1", "hrbp", release, reasons, placings))
		}
		got, err := s.GetResult(ctx, f.cycle.ID, withheld)
		require.NoError(t, err)
		require.Empty(t, got.Blocked)
		require.Equal(t, 85.0, got.FinalScore)
		require.Equal(t, "A", got.Grade)
		require.Equal(t, 1, got.Rank)
		require.JSONEq(t, `{"final":85}`, got.Explanation)
		other, err := s.GetResult(ctx, f.cycle.ID, scored)
		require.NoError(t, err)
		require.Equal(t, 2, other.Rank)
		require.Equal(t, "B", other.Grade, "the others keep their grade")
		changes, err := s.ListCalibrationChanges(ctx, f.cycle.ID)
		require.NoError(t, err)
		require.Len(t, changes, 1, "the release is recorded once")
		require.Equal(t, "新员工", changes[0].Reason)
		require.Equal(t, "A", changes[0].ToGrade)
	})
}

// A result withheld under a `block` missing-data policy has no rank and a
// zero score: counting it would put the member at the bottom and start a
// development plan on data that never arrived.
func TestTeamRankHistoryLeavesOutAWithheldResult(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "cs-ops-monthly")
		scored, withheld := f.members[0].ID, f.members[1].ID
		require.NoError(t, s.SaveResults(ctx, f.cycle.ID, []store.Result{
			{MemberID: scored, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", FinalScore: 70, Rank: 1},
			{MemberID: withheld, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", Missing: "[]", Explanation: "{}", Blocked: "waiting for customer"},
		}))
		h, err := s.TeamRankHistory(ctx, f.cycle, 1)
		require.NoError(t, err)
		require.Len(t, h, 1)
		require.Equal(t, []store.MemberRank{{MemberID: scored, Rank: 1, Score: 70}}, h[0].Ranks)
	})
}

func TestGaugesCountCyclesByStateOpenAndOverdueTasksAndUnsentDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 2, "k")
		now := time.Now().UTC()
		for i, due := range []time.Time{now.Add(-time.Hour), now.Add(time.Hour)} {
			m := f.members[i]
			_, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: m.ID, SubjectID: &m.ID,
				Title: "自评", TitleEn: "Self", DueAt: due, Payload: "{}", DedupeKey: "self:" + m.ID})
			require.NoError(t, err)
		}
		var first string
		for _, key := range []string{"a", "b", "c"} {
			d := &store.Delivery{Notification: store.Notification{OrgID: f.org.ID, RecipientID: f.members[0].ID, Channel: store.ChannelWebhook, Kind: "results", DedupeKey: key}}
			_, err := s.EnqueueDelivery(ctx, d)
			require.NoError(t, err)
			if first == "" {
				first = d.ID
			}
		}
		giveUp(t, s, first, "webhook: 410 gone")

		g, err := s.ReadGauges(ctx, now)
		require.NoError(t, err)
		require.Equal(t, map[string]int64{store.CyclePending: 1}, g.CyclesByState)
		require.EqualValues(t, 2, g.OpenTasks)
		require.EqualValues(t, 1, g.OverdueTasks)
		require.Equal(t, map[string]int64{store.NotificationPending: 2, store.NotificationPermanentFailure: 1}, g.DeliveriesByState)
	})
}

// giveUp records that the sender gave up on a delivery, as
// MarkBatchAttempt does for a permanent failure.
func giveUp(t *testing.T, s *store.Store, id, reason string) {
	t.Helper()
	require.NoError(t, s.DB.Model(&store.Notification{}).Where("id = ?", id).
		Updates(map[string]any{"state": store.NotificationPermanentFailure, "attempts": 1, "last_error": reason}).Error)
}

// Scoring reads values exactly as written, whatever the value, source or
// key holds: every bit of the float (but a negative zero, which both
// databases store as zero), and text with the characters a packed
// read could mistake for its own separators.
func TestEachMetricValueReadsEveryValueBitForBit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 3, "k")
		values := []float64{0.1 + 0.2, 1.0 / 3, -2.5e-300, 1.7976931348623157e308, 5e-324, 123456789.12345679, 0, 99.99, -0.001, 4.35, 2.675, 1e21, 9007199254740993}
		sources := []string{"crm", "上传,文件;名.csv", "a:b|c\x1fd\x1e", "", "7:seven", "peer"}
		keys := []string{"nps", "retention", "k,ey;2", "满意度", "x1", "x:2"}
		// And 500 floats of any bits, which scoring never meets but which
		// show the printed digits are enough for every one.
		rng := rand.New(rand.NewPCG(18, 2026))
		for len(values) < 500 {
			if v := math.Float64frombits(rng.Uint64()); !math.IsNaN(v) && !math.IsInf(v, 0) && v != 0 {
				values = append(values, v)
			}
		}
		var rows []store.MetricValue
		want := map[[2]string]store.MetricPoint{}
		for i, v := range values {
			m := f.members[i%len(f.members)].ID
			p := store.MetricPoint{MemberID: m, IndicatorKey: keys[i%len(keys)] + strconv.Itoa(i), Source: sources[i%len(sources)], Value: v}
			rows = append(rows, store.MetricValue{MemberID: p.MemberID, IndicatorKey: p.IndicatorKey, Period: "2026-10", Value: p.Value, Source: p.Source})
			want[[2]string{p.MemberID, p.IndicatorKey}] = p
		}
		_, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "bits", FileName: "m.csv", CreatedBy: "x"}, rows)
		require.NoError(t, err)
		got := map[[2]string]store.MetricPoint{}
		err = s.EachMetricValue(ctx, store.MetricFilter{OrgID: f.org.ID, CycleID: f.cycle.ID, Period: "2026-10"}, func(p store.MetricPoint) {
			got[[2]string{p.MemberID, p.IndicatorKey}] = p
		})
		require.NoError(t, err)
		require.Len(t, got, len(want))
		for k, w := range want {
			g := got[k]
			require.Equal(t, w.Source, g.Source, "source of %v", k)
			require.Equal(t, math.Float64bits(w.Value), math.Float64bits(g.Value), "value of %v: wrote %v, read %v", k, w.Value, g.Value)
		}
	})
}

// A read split across connections hands over what one read does, in the
// same order, on every database and on a SQLite file, whose pool lets the
// parts run at once.
func TestASplitMetricReadGivesWhatOneReadGivesInOrder(t *testing.T) {
	check := func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 30, "k")
		var rows []store.MetricValue
		for i, m := range f.members {
			for k := range 1 + i%3 {
				rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: fmt.Sprintf("k%d", k), Period: "2026-10", Value: float64(i) + float64(k)/10, Source: "crm"})
			}
		}
		_, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "split", FileName: "m.csv", CreatedBy: "x"}, rows)
		require.NoError(t, err)
		read := func(at []string) []store.MetricPoint {
			var got []store.MetricPoint
			err := s.EachMetricValue(ctx, store.MetricFilter{OrgID: f.org.ID, CycleID: f.cycle.ID, Period: "2026-10", SplitAt: at}, func(p store.MetricPoint) { got = append(got, p) })
			require.NoError(t, err)
			// Members in id order, so each member's values together; the
			// order of one member's values is the database's.
			require.True(t, slices.IsSortedFunc(got, func(a, b store.MetricPoint) int { return strings.Compare(a.MemberID, b.MemberID) }), "split at %v", at)
			slices.SortStableFunc(got, func(a, b store.MetricPoint) int {
				return cmp.Or(strings.Compare(a.MemberID, b.MemberID), strings.Compare(a.IndicatorKey, b.IndicatorKey))
			})
			return got
		}
		whole := read(nil)
		require.Len(t, whole, len(rows))
		ids := make([]string, len(f.members))
		for i, m := range f.members {
			ids[i] = m.ID
		}
		slices.Sort(ids)
		require.Equal(t, whole, read([]string{ids[10]}))
		require.Equal(t, whole, read([]string{ids[1], ids[17], ids[29]}), "a part of one member, and one of the last member only")
		require.Equal(t, whole, read([]string{ids[0]}), "an empty first part")
	}
	storetest.Each(t, check)
	t.Run("sqlite-file", func(t *testing.T) { check(t, storetest.SQLiteFile(t)) })
}

// A read is split only where parts can run at once and are worth a
// connection: one part per core, at most one fewer than the pool, and not
// on SQLite, whose packed read a split would slow.
func TestMetricReadsAreSplitWhereConnectionsAllow(t *testing.T) {
	ids := make([]string, 4000)
	for i := range ids {
		ids[i] = fmt.Sprintf("m%05d", (i*7919)%len(ids))
	}
	require.Nil(t, storetest.SQLite(t).MetricReadSplits(ids), "an in-memory SQLite")
	require.Nil(t, storetest.SQLiteFile(t).MetricReadSplits(ids), "a SQLite file")
	s := storetest.MySQL(t)
	require.Nil(t, s.MetricReadSplits(ids[:999]), "under two parts of 500 members")
	at := s.MetricReadSplits(ids)
	if runtime.GOMAXPROCS(0) < 2 {
		require.Nil(t, at, "one core")
		return
	}
	parts := runtime.GOMAXPROCS(0)
	if open := s.SQL().Stats().MaxOpenConnections; open > 0 {
		parts = min(parts, open-1)
	}
	require.Len(t, at, parts-1)
	require.True(t, slices.IsSorted(at))
	require.Equal(t, fmt.Sprintf("m%05d", len(ids)/parts), at[0], "the first part holds its share of the members")
}

// Submissions arriving together are written in one transaction, and each
// keeps its own outcome: refused ones (closed, stale, a second of the same
// task, a form the evaluation cannot come from) and one whose evaluation
// cannot be stored leave no trace, and the rest are written with their
// evaluations.
func TestSubmissionsWrittenTogetherKeepTheirOwnOutcomes(t *testing.T) {
	check := func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 8, "k")
		var tasks []*store.Task
		for _, m := range f.members {
			task, err := s.EnsureTask(ctx, &store.Task{OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "w", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: m.ID, SubjectID: &m.ID,
				Title: "自评", TitleEn: "Self", DueAt: time.Now().Add(time.Hour), Payload: "{}", DedupeKey: "self:" + m.ID})
			require.NoError(t, err)
			tasks = append(tasks, task)
		}
		evaluation := func(t *store.Task) (*store.Evaluation, error) {
			return &store.Evaluation{CycleID: t.CycleID, TaskID: t.ID, RaterID: t.AssigneeID, RaterRole: "self", RateeID: *t.SubjectID, Scores: `{"q":4}`, Comment: "ok"}, nil
		}
		_, err := s.SubmitTaskWithEvaluation(ctx, tasks[5].ID, f.members[5].ID, "{}", 0, evaluation)
		require.NoError(t, err, "submitted before the burst")
		taken := &store.Evaluation{CycleID: f.cycle.ID, TaskID: "another-task", RaterID: f.members[7].ID, RaterRole: "self", RateeID: f.members[7].ID, Scores: "{}"}
		require.NoError(t, s.RecordEvaluation(ctx, taken))

		type call struct {
			task     int
			version  int
			evaluate func(*store.Task) (*store.Evaluation, error)
		}
		calls := []call{
			{0, 0, evaluation}, {1, 0, evaluation}, {2, 0, evaluation}, {3, tasks[3].Version, evaluation},
			{4, tasks[4].Version + 1, evaluation}, // stale
			{5, 0, evaluation},                    // closed before
			{6, 0, func(*store.Task) (*store.Evaluation, error) { return nil, errors.New("bad rating form") }},
			{7, 0, func(t *store.Task) (*store.Evaluation, error) { e, _ := evaluation(t); e.ID = taken.ID; return e, nil }},
			{0, 0, evaluation}, // a second submission of task 0
		}
		waiting, release := s.HoldSubmits()
		errs := make([]error, len(calls))
		var wg sync.WaitGroup
		for i, c := range calls {
			if i == len(calls)-1 {
				// Queued after the first submission of the same task.
				require.Eventually(t, func() bool { return waiting() == i }, 5*time.Second, time.Millisecond)
			}
			wg.Go(func() {
				_, errs[i] = s.SubmitTaskWithEvaluation(ctx, tasks[c.task].ID, f.members[c.task].ID, `{"scores":{"q":4}}`, c.version, c.evaluate)
			})
		}
		require.Eventually(t, func() bool { return waiting() == len(calls) }, 5*time.Second, time.Millisecond)
		release()
		wg.Wait()

		for _, i := range []int{0, 1, 2, 3} {
			require.NoError(t, errs[i], "call %d", i)
		}
		require.ErrorIs(t, errs[4], store.ErrConflict, "stale")
		require.ErrorIs(t, errs[5], store.ErrTaskClosed)
		require.ErrorContains(t, errs[6], "bad rating form")
		require.Error(t, errs[7], "the evaluation's id is taken")
		require.ErrorIs(t, errs[8], store.ErrTaskClosed, "the second submission of one task")
		for i, want := range []engine.TaskState{engine.TaskSubmitted, engine.TaskSubmitted, engine.TaskSubmitted, engine.TaskSubmitted, engine.TaskOpen, engine.TaskSubmitted, engine.TaskOpen, engine.TaskOpen} {
			got, err := s.GetTaskByID(ctx, tasks[i].ID)
			require.NoError(t, err)
			require.Equal(t, want, got.State, "task %d", i)
		}
		evs, err := s.ListEvaluations(ctx, f.cycle.ID, "", "")
		require.NoError(t, err)
		var rated []string
		for _, e := range evs {
			rated = append(rated, e.TaskID)
		}
		require.ElementsMatch(t, []string{tasks[0].ID, tasks[1].ID, tasks[2].ID, tasks[3].ID, tasks[5].ID, "another-task"}, rated, "one evaluation per written submission")
	}
	storetest.Each(t, check)
	t.Run("sqlite-file", func(t *testing.T) { check(t, storetest.SQLiteFile(t)) })
}

// Scoring's read gives what the recorded rows hold after every kind of
// write: an import, a replacing import, a value changed in place, a value
// moved to another member and period, and values removed. On SQLite the
// read comes from the packs triggers keep (migration 13), so this holds
// them to the rows; on MySQL both are the rows.
func TestScoringReadsWhatIsRecordedAfterEveryWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 4, "k")
		a, b := f.members[0].ID, f.members[1].ID
		period := func(p string) store.MetricFilter { return store.MetricFilter{OrgID: f.org.ID, Period: p} }
		same := func(what string, fs ...store.MetricFilter) {
			t.Helper()
			for _, fl := range fs {
				rows, err := s.ListMetricValues(ctx, fl)
				require.NoError(t, err)
				want := []store.MetricPoint{}
				for _, r := range rows {
					want = append(want, store.MetricPoint{MemberID: r.MemberID, IndicatorKey: r.IndicatorKey, Source: r.Source, Value: r.Value})
				}
				got := []store.MetricPoint{}
				require.NoError(t, s.EachMetricValue(ctx, fl, func(p store.MetricPoint) { got = append(got, p) }))
				slices.SortStableFunc(got, func(x, y store.MetricPoint) int {
					return cmp.Or(strings.Compare(x.MemberID, y.MemberID), strings.Compare(x.IndicatorKey, y.IndicatorKey), strings.Compare(x.Source, y.Source))
				})
				require.Equal(t, want, got, "%s: %+v", what, fl)
			}
		}
		var rows []store.MetricValue
		for _, m := range f.members {
			for _, k := range []string{"csat", "nps", "aht"} {
				rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: k, Period: "2026-10", Value: 1.5, Source: "crm"})
			}
		}
		rows = append(rows, store.MetricValue{MemberID: a, IndicatorKey: "csat", Period: "2026-09", Value: 80, Source: "survey"})
		_, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "one", FileName: "m.csv", CreatedBy: "x"}, rows)
		require.NoError(t, err)
		same("imported", period("2026-10"), period("2026-09"), period(""),
			store.MetricFilter{OrgID: f.org.ID, CycleID: f.cycle.ID, Period: "2026-10", IndicatorKeys: []string{"nps"}},
			store.MetricFilter{MemberIDs: []string{b}})

		_, err = s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "two", FileName: "m2.csv", CreatedBy: "x", Replace: true}, []store.MetricValue{
			{MemberID: a, IndicatorKey: "nps", Period: "2026-10", Value: 42.25, Source: "上传;文件:2"},
			{MemberID: b, IndicatorKey: "qa", Period: "2026-10", Value: -3, Source: "qa"},
		})
		require.NoError(t, err)
		same("replaced and added", period("2026-10"))

		require.NoError(t, s.DB.Model(&store.MetricValue{}).Where("member_id = ? AND indicator_key = ?", b, "csat").Update("value", 0.1+0.2).Error)
		same("changed in place", period("2026-10"))

		require.NoError(t, s.DB.Model(&store.MetricValue{}).Where("member_id = ? AND indicator_key = ? AND period = ?", a, "aht", "2026-10").
			Updates(map[string]any{"member_id": b, "period": "2026-09"}).Error)
		same("moved to another member and period", period("2026-10"), period("2026-09"))

		require.NoError(t, s.DB.Where("member_id = ?", a).Delete(&store.MetricValue{}).Error)
		same("a member's values removed", period("2026-10"), period("2026-09"), period(""))
		require.NoError(t, s.DB.Where("org_id = ?", f.org.ID).Delete(&store.MetricValue{}).Error)
		same("all removed", period(""))
	})
}

// Migration 13 packs the values recorded before it, and changes nothing
// on MySQL.
func TestValuesRecordedBeforeThePacksArePacked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var step store.Migration
		for _, mg := range store.Migrations() {
			if mg.Version == 13 {
				step = mg
			}
		}
		require.Equal(t, store.SQLite, step.Only)
		if s.Dialect != store.SQLite {
			return
		}
		f := newCycle(t, s, 3, "k")
		var rows []store.MetricValue
		for i, m := range f.members {
			rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: "csat", Period: "2026-10", Value: float64(i) / 3, Source: "crm"},
				store.MetricValue{MemberID: m.ID, IndicatorKey: "nps", Period: "2026-10", Value: 7, Source: "survey"})
		}
		_, err := s.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: f.org.ID, Checksum: "c", FileName: "m.csv", CreatedBy: "x"}, rows)
		require.NoError(t, err)
		read := func() []store.MetricPoint {
			var got []store.MetricPoint
			require.NoError(t, s.EachMetricValue(ctx, store.MetricFilter{OrgID: f.org.ID, Period: "2026-10"}, func(p store.MetricPoint) { got = append(got, p) }))
			return got
		}
		want := read()
		require.Len(t, want, len(rows))
		// As the table stood before the step: no packs.
		require.NoError(t, s.DB.Exec("DELETE FROM metric_packs").Error)
		require.Empty(t, read())
		require.NoError(t, s.DB.Exec(step.Statements[len(step.Statements)-1]).Error)
		require.Equal(t, want, read())
	})
}
