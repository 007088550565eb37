package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/records"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// gather reads everything scoring a cycle needs, one query per table.
// With a run (started for the cycle's members) each member is handed to it
// as soon as their values are read, so scoring overlaps the read; targets
// and evaluations are therefore read first.
func (a *Activities) gather(ctx context.Context, c *store.Cycle, t *templates.Template, run func(n int) *scorecard.Run) ([]scorecard.MemberData, error) {
	ms, err := a.Store.ListCycleMembers(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	g := records.NewGathering(t, ms)
	targets, err := a.Store.ListTargets(ctx, c.ID, "")
	if err != nil {
		return nil, err
	}
	for _, tg := range targets {
		g.Target(tg)
	}
	evals, err := a.Store.ListEvaluations(ctx, c.ID, "", "")
	if err != nil {
		return nil, err
	}
	for _, e := range evals {
		g.Evaluation(e)
	}
	if run != nil && len(ms) > 0 {
		g.Stream(run(len(ms)))
	}
	// Only the cycle's members' values: other teams' cycles of the same
	// period share the table.
	f := store.MetricFilter{Period: c.Period, OrgID: c.OrgID, CycleID: c.ID, SplitAt: a.Store.MetricReadSplits(store.MemberIDsOf(ms))}
	err = a.Store.EachMetricValue(ctx, f, g.Metric)
	if cerr := g.Close(); err == nil {
		err = cerr
	}
	return g.Data(), err
}

// ComputeScores scores, grades and ranks every member of a cycle and saves
// the results (an upsert, so a retry rewrites the same rows). It returns
// the proposed grades for the calibration validator.
//
// Scoring itself reads no database, so when it fails, the data or the
// template is at fault and no retry can help: that failure is
// non-retryable (ErrTypeScoringData, naming the member, indicator and
// value) and the workflow blocks the cycle. Reading and saving are retried.
// It heartbeats between steps, so a cancelled cycle's attempt learns of it
// and a stuck one is replaced rather than left running beside its retry.
func (a *Activities) ComputeScores(ctx context.Context, cycleID string) (*engine.Scored, error) {
	c, t, err := a.cycle(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	scorer, err := scorecard.NewScorer(t)
	if err != nil {
		return nil, scoringDataError(err)
	}
	var run *scorecard.Run
	data, err := a.gather(ctx, c, t, func(n int) *scorecard.Run {
		run = scorer.Start(n)
		return run
	})
	var scores []scorecard.MemberScore
	var scoreErr error
	if run != nil {
		scores, scoreErr = run.Finish() // also when the read failed: it stops the run's goroutines
	}
	if err != nil {
		return nil, err
	}
	out := &engine.Scored{Grades: map[string]string{}}
	if len(data) == 0 {
		return out, nil
	}
	activity.RecordHeartbeat(ctx, "gathered")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if scoreErr != nil {
		return nil, scoringDataError(scoreErr)
	}
	activity.RecordHeartbeat(ctx, "scored")
	rows := make([]store.Result, len(scores))
	for i, s := range scores {
		rows[i] = resultRow(cycleID, s)
		if len(s.Blocked) > 0 {
			continue // withheld: not part of the calibration's distribution
		}
		out.Grades[s.MemberID] = s.Proposed
	}
	if err := a.Store.SaveResults(ctx, cycleID, rows); err != nil {
		return nil, err
	}
	out.Count = len(rows)
	return out, nil
}

// resultRow is the stored form of a member's score.
func resultRow(cycleID string, s scorecard.MemberScore) store.Result {
	ind, _ := json.Marshal(s.Indicators)
	parts, _ := json.Marshal(s.Parts)
	adj, _ := json.Marshal(map[string]any{"applied": s.Adjustments, "missing": scorecard.Keys(s.Missing), "notes": s.Notes, "tieById": s.TieByID})
	missing, _ := json.Marshal(s.Missing)
	explained, _ := json.Marshal(s.Explanation)
	return store.Result{
		CycleID: cycleID, MemberID: s.MemberID, IndicatorScores: string(ind), Parts: string(parts), Adjustments: string(adj),
		Missing: string(missing), Explanation: string(explained), Blocked: scorecard.BlockedReason(s.Blocked),
		FinalScore: s.Final, ProposedGrade: s.Proposed, Grade: s.Proposed, Rank: s.Rank, Percentile: s.Percentile,
		State: store.ResultComputed,
	}
}

// PublishResults makes results visible to members and tells each of them.
func (a *Activities) PublishResults(ctx context.Context, cycleID string) (int, error) {
	c, err := a.Store.GetCycleByID(ctx, cycleID)
	if err != nil {
		return 0, notFound(err)
	}
	n, err := a.Store.PublishResults(ctx, cycleID)
	if err != nil {
		return 0, err
	}
	results, err := a.Store.AllResults(ctx, cycleID)
	if err != nil {
		return 0, err
	}
	for _, r := range results {
		if r.Blocked != "" {
			continue // withheld until its data arrives
		}
		m := outbox.ResultsPublished(c, &r)
		if _, err := a.notify(ctx, m.To(c.OrgID, r.MemberID, dedupe("results", cycleID, r.MemberID)), m.Event, a.feedbackRouteFor(ctx, cycleID)); err != nil {
			return n, err
		}
	}
	return n, nil
}

// ApplyOutcomes sets bonus tiers and the promotion flag on the results,
// and creates an IDP (once) for each member ranked at the bottom for the
// template's number of consecutive periods, starting its workflow.
func (a *Activities) ApplyOutcomes(ctx context.Context, cycleID string) ([]IDPRef, error) {
	c, t, err := a.cycle(ctx, cycleID)
	if err != nil || t.Outcomes == nil {
		return nil, err
	}
	results, err := a.Store.AllResults(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	outcomes := records.Outcomes(t.Outcomes, results)
	if err := a.Store.SetOutcomes(ctx, cycleID, outcomes); err != nil {
		return nil, err
	}
	if t.Outcomes.IDP == nil {
		return nil, nil
	}
	return a.createIDPs(ctx, c, t)
}

func (a *Activities) createIDPs(ctx context.Context, c *store.Cycle, t *templates.Template) ([]IDPRef, error) {
	rule := records.BottomRule(t.Outcomes.IDP)
	history, err := a.Store.TeamRankHistory(ctx, c, rule.Runs)
	if err != nil || len(history) == 0 || history[0].CycleID != c.ID {
		return nil, err
	}
	var out []IDPRef
	for _, due := range records.BottomRuns(rule, records.RankingsOf(history)) {
		memberID, run := due.MemberID, due.Run
		// A third month at the bottom does not stack a second plan on the
		// open one: the mentor's check-ins already follow this member.
		open, _, err := a.Store.ListIDPs(ctx, c.OrgID, store.IDPFilter{MemberIDs: []string{memberID}, State: store.IDPOpen}, store.Page{Limit: 1})
		if err != nil {
			return out, err
		}
		if len(open) > 0 && open[0].CycleID != c.ID {
			out = append(out, IDPRef{IDPID: open[0].ID, MemberID: memberID})
			continue
		}
		ref, err := a.createIDP(ctx, c, t, memberID, run)
		if err != nil {
			return out, err
		}
		out = append(out, ref)
	}
	return out, nil
}

func (a *Activities) createIDP(ctx context.Context, c *store.Cycle, t *templates.Template, memberID string, run []scoring.Standing) (IDPRef, error) {
	rule := t.Outcomes.IDP
	mentor := ""
	if rule.MentorRole == "" || rule.MentorRole == "manager" {
		m, err := a.managerOf(ctx, c.OrgID, memberID)
		if err != nil {
			return IDPRef{}, err
		}
		mentor = m
	} else if ids, err := a.holders(ctx, c, rule.MentorRole); err == nil && len(ids) > 0 {
		mentor = ids[0]
	}
	items, _ := json.Marshal(rule.Items)
	triggers := make([]store.IDPTrigger, len(run))
	for i, s := range run {
		triggers[i] = store.IDPTrigger{Period: s.Period, Rank: s.Rank, TeamSize: s.TeamSize, Score: &s.Score}
	}
	periods, _ := json.Marshal(triggers)
	// The plan lasts its duration from today: the period it follows ended
	// weeks ago, by the time the cycle's results are final.
	length, every, _ := idpDurations(c, rule)
	now := time.Now().UTC().Truncate(time.Millisecond) // what every backend stores
	idp := &store.IDP{
		OrgID: c.OrgID, MemberID: memberID, CycleID: c.ID, TriggerPeriods: string(periods), Items: string(items),
		MentorID: mentor, DueAt: now.Add(length), CheckinEveryDays: int(templates.DurationOf(rule.CheckinEvery).Hours() / 24),
		DedupeKey: dedupe("idp", memberID, c.TemplateKey, c.Period), CreatedAt: now,
	}
	got, created, err := a.Store.CreateIDP(ctx, idp)
	if err != nil {
		return IDPRef{}, err
	}
	// A retry finds the plan made the first time and follows its due date.
	opts := client.StartWorkflowOptions{ID: engine.IDPWorkflowID(got.ID), TaskQueue: a.TaskQueue}
	_, err = a.Client.ExecuteWorkflow(ctx, opts, engine.IDPWorkflow.String(), engine.IDPInput{IDPID: got.ID, Due: got.DueAt, CheckinEvery: every})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return IDPRef{}, err
	}
	for _, to := range []string{memberID, mentor} {
		if to == "" {
			continue
		}
		m := outbox.IDPCreated(c, triggerText(run), &got.DueAt)
		if _, err := a.notify(ctx, m.To(c.OrgID, to, dedupe("idp-created", got.ID, to)), m.Event, a.feedbackRouteFor(ctx, c.ID)); err != nil {
			return IDPRef{}, err
		}
	}
	return IDPRef{IDPID: got.ID, MemberID: memberID, Created: created}, nil
}

// triggerText names the periods at the bottom that led to a plan:
// "2026-08: 8th of 9, 61.2; 2026-09: 9th of 9, 55.0".
func triggerText(run []scoring.Standing) notify.Text {
	zh, en := make([]string, len(run)), make([]string, len(run))
	for i, s := range run {
		zh[i] = fmt.Sprintf("%s：第 %d 名 / 共 %d 人，%.1f 分", s.Period, s.Rank, s.TeamSize, s.Score)
		en[i] = fmt.Sprintf("%s: %s of %d, %.1f", s.Period, ordinal(s.Rank), s.TeamSize, s.Score)
	}
	return notify.Text{Zh: "连续排名末位：" + strings.Join(zh, "；"), En: "At the bottom in " + strings.Join(en, "; ")}
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}
