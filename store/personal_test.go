package store_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// personalFixture is a cycle in which a leaver evaluated themselves and a
// colleague, was rated anonymously by a peer, got a result, an appeal, a
// plan, notifications and a metric value; their profile was edited by an
// admin (so the audit log holds their name and e-mail).
type personalFixture struct {
	cycleFixture
	leaver, peer, colleague *store.Member
	selfTask, peerTask      *store.Task
}

func newPersonalFixture(t *testing.T, s *store.Store) personalFixture {
	t.Helper()
	f := personalFixture{cycleFixture: newCycle(t, s, 3, "personal")}
	f.leaver, f.peer, f.colleague = f.members[0], f.members[1], f.members[2]
	now := time.Now().UTC().Truncate(time.Second)
	str := func(s string) *string { return &s }
	db := s.DB.WithContext(ctx)

	_, err := s.UpdateMember(store.AsActor(ctx, "admin-x"), f.org.ID, f.leaver.ID, 0, func(m *store.Member) error {
		m.Position = "客服主管"
		return nil
	})
	require.NoError(t, err)
	task := func(assignee string, kind engine.TaskKind, title, submission string) *store.Task {
		tk := &store.Task{ID: store.NewID(), OrgID: f.org.ID, CycleID: f.cycle.ID, WorkflowID: "wf", StageKey: "review", Kind: kind,
			AssigneeID: assignee, SubjectID: &f.leaver.ID, Title: title, TitleEn: title, DueAt: now, State: engine.TaskSubmitted,
			Payload: "{}", Submission: str(submission), SubmittedAt: &now, SubmittedBy: &assignee, DedupeKey: store.NewID(), Version: 2, CreatedAt: now, UpdatedAt: now}
		require.NoError(t, db.Create(tk).Error)
		return tk
	}
	f.selfTask = task(f.leaver.ID, engine.TaskSelfEval, "自评", `{"comment":"我做得很好","scores":{"csat":4},"agree":true}`)
	f.peerTask = task(f.peer.ID, engine.TaskPeerEval, "评价 "+f.leaver.Name, `{"comment":"`+f.leaver.Name+` 很负责","scores":{"csat":5}}`)
	evals := []store.Evaluation{
		{ID: store.NewID(), CycleID: f.cycle.ID, TaskID: f.selfTask.ID, RaterID: f.leaver.ID, RaterRole: "self", RaterKey: "self", RateeID: f.leaver.ID, Scores: `{"csat":4}`, Comment: "self text", SubmittedAt: now},
		{ID: store.NewID(), CycleID: f.cycle.ID, TaskID: f.peerTask.ID, RaterID: f.peer.ID, RaterRole: "peer", RaterKey: "peer", RateeID: f.leaver.ID, Scores: `{"csat":5}`, Comment: "peer text", Anonymous: true, SubmittedAt: now},
		{ID: store.NewID(), CycleID: f.cycle.ID, TaskID: store.NewID(), RaterID: f.leaver.ID, RaterRole: "peer", RaterKey: "peer", RateeID: f.colleague.ID, Scores: `{"csat":3}`, Comment: "about the colleague", SubmittedAt: now},
	}
	require.NoError(t, db.Create(&evals).Error)
	require.NoError(t, db.Create(&store.Result{ID: store.NewID(), CycleID: f.cycle.ID, MemberID: f.leaver.ID, IndicatorScores: `{"csat":90}`, Parts: "{}", Adjustments: "[]",
		FinalScore: 87.5, Grade: "A", ProposedGrade: "B", Rank: 1, Percentile: 100, Appeal: str("评分不公平"), State: store.ResultAppealed, Version: 1, CreatedAt: now, UpdatedAt: now, Missing: "[]", Explanation: "{}"}).Error)
	require.NoError(t, db.Create(&store.CalibrationChange{ID: store.NewID(), CycleID: f.cycle.ID, MemberID: f.leaver.ID, FromGrade: "B", ToGrade: "A", Reason: "带新人", ChangedBy: "hr", SubmissionID: "s", CreatedAt: now}).Error)
	require.NoError(t, db.Create(&store.Target{ID: store.NewID(), CycleID: f.cycle.ID, MemberID: &f.leaver.ID, MemberKey: f.leaver.ID, IndicatorKey: "csat", Period: "2026-10", Value: 90, Objective: "降低流失", Version: 1, CreatedAt: now, UpdatedAt: now}).Error)
	idp := &store.IDP{ID: store.NewID(), OrgID: f.org.ID, MemberID: f.leaver.ID, CycleID: f.cycle.ID, TriggerPeriods: "[]", Items: `[{"goal":"学习 Go","weeks":4}]`, MentorID: f.peer.ID, DueAt: now, CheckinEveryDays: 14, State: store.IDPOpen, DedupeKey: store.NewID(), CreatedAt: now, UpdatedAt: now}
	require.NoError(t, db.Create(idp).Error)
	require.NoError(t, db.Create(&store.IDPCheckin{ID: store.NewID(), IDPID: idp.ID, At: now, Note: "进展顺利", ByID: f.peer.ID}).Error)
	require.NoError(t, db.Create(&[]store.Notification{
		{ID: store.NewID(), OrgID: f.org.ID, RecipientID: f.leaver.ID, Channel: "inbox", Kind: "task", Subject: "请自评", Body: "你好 " + f.leaver.Name, DedupeKey: store.NewID(), State: "sent", CreatedAt: now},
		{ID: store.NewID(), OrgID: f.org.ID, RecipientID: f.peer.ID, Channel: "inbox", Kind: "task", Subject: "请评价", Body: "请评价 " + f.leaver.Name + "（" + f.leaver.Email + "）", DedupeKey: store.NewID(), State: "sent", CreatedAt: now},
	}).Error)
	require.NoError(t, db.Create(&store.MetricValue{ID: store.NewID(), OrgID: f.org.ID, MemberID: f.leaver.ID, IndicatorKey: "csat", Period: "2026-10", Value: 12.5, Source: "crm", BatchID: "b", RecordedAt: now, RecordedBy: "admin-x"}).Error)
	return f
}

func TestAPersonalDataExportHoldsEverythingAboutTheMemberAndNoAnonymousRater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newPersonalFixture(t, s)
		d, err := s.PersonalData(ctx, f.org.ID, f.leaver.ID)
		require.NoError(t, err)
		require.Equal(t, f.leaver.ID, d.Member.ID)
		require.Equal(t, "客服主管", d.Member.Position)
		require.Equal(t, f.team.ID, d.Team.ID)
		require.Len(t, d.CycleMemberships, 1)
		require.Equal(t, "十月", d.CycleMemberships[0].CycleTitle)
		require.Len(t, d.Tasks, 1, "only the tasks assigned to the member: the peer's task is the peer's")
		require.JSONEq(t, `{"comment":"我做得很好","scores":{"csat":4},"agree":true}`, string(d.Tasks[0].Submission))
		require.Len(t, d.EvaluationsGiven, 2)
		require.Len(t, d.EvaluationsReceived, 2)
		for _, e := range d.EvaluationsReceived {
			if e.Anonymous {
				require.Empty(t, e.RaterID, "an anonymous rater stays anonymous")
				require.Empty(t, e.TaskID, "and so does the task that leads to them")
				require.Equal(t, "peer", e.RaterKey)
				require.Equal(t, "peer text", e.Comment)
				require.JSONEq(t, `{"csat":5}`, string(e.Scores))
			} else {
				require.Equal(t, f.leaver.ID, e.RaterID)
			}
		}
		require.Len(t, d.Results, 1)
		require.JSONEq(t, `{"csat":90}`, string(d.Results[0].IndicatorScores))
		require.Len(t, d.CalibrationChanges, 1)
		require.Len(t, d.Targets, 1)
		require.Len(t, d.IDPs, 1)
		require.JSONEq(t, `[{"goal":"学习 Go","weeks":4}]`, string(d.IDPs[0].Items))
		require.Len(t, d.Checkins, 1)
		require.Len(t, d.Notifications, 1, "the notifications sent to them")
		require.Len(t, d.MetricValues, 1)
		require.NotEmpty(t, d.Audit)
		require.Equal(t, "member.update", d.Audit[0].Action)
		require.Equal(t, 2, d.Counts["evaluationsReceived"])

		// The colleague's export names the leaver, who rated them openly.
		other, err := s.PersonalData(ctx, f.org.ID, f.colleague.ID)
		require.NoError(t, err)
		require.Len(t, other.EvaluationsReceived, 1)
		require.Equal(t, f.leaver.ID, other.EvaluationsReceived[0].RaterID)

		_, err = s.PersonalData(ctx, "another-org", f.leaver.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestErasingADepartedMemberPseudonymisesThemAndKeepsTheScores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newPersonalFixture(t, s)
		name, email := f.leaver.Name, f.leaver.Email

		_, err := s.EraseMember(ctx, f.org.ID, f.leaver.ID, "admin-x")
		require.ErrorIs(t, err, store.ErrConflict, "an active member is not erased")
		still, err := s.GetMember(ctx, f.org.ID, f.leaver.ID)
		require.NoError(t, err)
		require.Equal(t, name, still.Name, "and nothing changed")

		_, err = s.DeactivateMember(ctx, f.org.ID, f.leaver.ID)
		require.NoError(t, err)
		out, err := s.EraseMember(ctx, f.org.ID, f.leaver.ID, "admin-x")
		require.NoError(t, err)
		require.False(t, out.AlreadyErased)
		require.Equal(t, store.PseudonymName(f.leaver.ID), out.Member.Name)
		require.Equal(t, store.PseudonymEmail(f.leaver.ID), out.Member.Email)
		require.Empty(t, out.Member.Position)
		require.True(t, out.Member.IsErased())

		db := s.DB.WithContext(ctx)
		var evals []store.Evaluation
		require.NoError(t, db.Order("comment").Find(&evals, "cycle_id = ?", f.cycle.ID).Error)
		require.Len(t, evals, 3)
		for _, e := range evals {
			require.Equal(t, store.ErasedText, e.Comment, "comments by and about them")
		}
		var tasks []store.Task
		require.NoError(t, db.Find(&tasks, "cycle_id = ?", f.cycle.ID).Error)
		for _, tk := range tasks {
			switch tk.ID {
			case f.selfTask.ID:
				require.JSONEq(t, `{"comment":"[erased]","scores":{"csat":4},"agree":true}`, *tk.Submission, "scores and choices kept")
			case f.peerTask.ID:
				require.JSONEq(t, `{"comment":"[erased]","scores":{"csat":5}}`, *tk.Submission)
				require.Equal(t, "评价 "+store.PseudonymName(f.leaver.ID), tk.Title)
			}
		}
		var res store.Result
		require.NoError(t, db.Take(&res, "member_id = ?", f.leaver.ID).Error)
		require.Equal(t, 87.5, res.FinalScore)
		require.Equal(t, "A", res.Grade)
		require.Equal(t, 1, res.Rank)
		require.Equal(t, store.ErasedText, *res.Appeal)
		var mv store.MetricValue
		require.NoError(t, db.Take(&mv, "member_id = ?", f.leaver.ID).Error)
		require.Equal(t, 12.5, mv.Value)
		var idp store.IDP
		require.NoError(t, db.Take(&idp, "member_id = ?", f.leaver.ID).Error)
		require.JSONEq(t, `[{"goal":"[erased]","weeks":4}]`, idp.Items)
		var target store.Target
		require.NoError(t, db.Take(&target, "member_id = ?", f.leaver.ID).Error)
		require.Equal(t, store.ErasedText, target.Objective)
		require.Equal(t, 90.0, target.Value)
		var change store.CalibrationChange
		require.NoError(t, db.Take(&change, "member_id = ?", f.leaver.ID).Error)
		require.Equal(t, store.ErasedText, change.Reason)
		require.Equal(t, "A", change.ToGrade)
		var notes []store.Notification
		require.NoError(t, db.Find(&notes, "org_id = ?", f.org.ID).Error)
		require.Len(t, notes, 2)
		for _, n := range notes {
			require.NotContains(t, n.Body, name)
			require.NotContains(t, n.Body, email)
		}
		var audit []store.AuditEntry
		require.NoError(t, db.Order("at, id").Find(&audit, "entity_id = ?", f.leaver.ID).Error)
		require.NotEmpty(t, audit)
		for _, a := range audit {
			require.NotContains(t, a.Detail, email, "%s", a.Action)
			require.NotContains(t, a.Detail, name, "%s", a.Action)
		}
		require.Equal(t, "member.erase", audit[len(audit)-1].Action)
		require.Equal(t, "admin-x", audit[len(audit)-1].ActorID)
		var changed map[string]map[string]int64
		require.NoError(t, json.Unmarshal([]byte(audit[len(audit)-1].Detail), &changed))
		require.EqualValues(t, 3, changed["changed"]["evaluation comments"])

		other, err := s.GetMember(ctx, f.org.ID, f.colleague.ID)
		require.NoError(t, err)
		require.Equal(t, f.colleague.Name, other.Name, "nobody else is touched")
		var colleagues []store.Evaluation
		require.NoError(t, db.Find(&colleagues, "ratee_id = ?", f.colleague.ID).Error)
		require.Equal(t, f.leaver.ID, colleagues[0].RaterID, "ids stay: statistics still join")

		again, err := s.EraseMember(ctx, f.org.ID, f.leaver.ID, "admin-x")
		require.NoError(t, err)
		require.True(t, again.AlreadyErased)
		require.Empty(t, again.Changed)
		var n int64
		require.NoError(t, db.Model(&store.AuditEntry{}).Where("entity_id = ? AND action = ?", f.leaver.ID, "member.erase").Count(&n).Error)
		require.EqualValues(t, 1, n, "erasing again changes nothing, and records nothing new")

		_, err = s.EraseMember(ctx, f.org.ID, "no-such-member", "admin-x")
		require.True(t, errors.Is(err, store.ErrNotFound), "%v", err)
		require.False(t, strings.Contains(out.Member.Name, name))
	})
}
