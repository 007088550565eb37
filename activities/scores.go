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
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// gather reads everything scoring a cycle needs, one query per table.
func (a *Activities) gather(ctx context.Context, c *store.Cycle, t *templates.Template) ([]scorecard.MemberData, error) {
	ms, err := a.Store.ListCycleMembers(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	data := make([]scorecard.MemberData, len(ms))
	index := make(map[string]int, len(ms))
	for i, m := range ms {
		data[i] = scorecard.MemberData{MemberID: m.MemberID, Level: m.Level, Metrics: map[string]float64{}, Sources: map[string]string{}, Targets: map[string]float64{}, Ratings: map[string]map[string][]float64{}}
		index[m.MemberID] = i
	}
	raterOf := map[string]string{} // metric source → the rater group reading it
	for _, r := range t.Raters {
		if src := r.SourceOf(); src != "" {
			raterOf[src] = r.Key
		}
	}
	// Only the cycle's members' values: other teams' cycles of the same
	// period share the table.
	err = a.Store.EachMetricValue(ctx, store.MetricFilter{Period: c.Period, OrgID: c.OrgID, CycleID: c.ID}, func(v store.MetricPoint) {
		i, ok := index[v.MemberID]
		if !ok {
			return
		}
		if rater, ok := raterOf[v.Source]; ok {
			rate(data[i].Ratings, rater, v.IndicatorKey, v.Value)
			return
		}
		data[i].Metrics[v.IndicatorKey] += v.Value
		data[i].Sources[v.IndicatorKey] = v.Source
	})
	if err != nil {
		return nil, err
	}
	targets, err := a.Store.ListTargets(ctx, c.ID, "")
	if err != nil {
		return nil, err
	}
	for _, tg := range targets {
		if tg.MemberID == nil {
			continue
		}
		if i, ok := index[*tg.MemberID]; ok {
			data[i].Targets[tg.IndicatorKey] = tg.Value
		}
	}
	evals, err := a.Store.ListEvaluations(ctx, c.ID, "", "")
	if err != nil {
		return nil, err
	}
	for _, e := range evals {
		i, ok := index[e.RateeID]
		if !ok {
			continue
		}
		var scores map[string]float64
		if err := json.Unmarshal([]byte(e.Scores), &scores); err != nil {
			continue
		}
		for k, v := range scores {
			rate(data[i].Ratings, e.RaterKey, k, v)
		}
	}
	return data, nil
}

func rate(r map[string]map[string][]float64, rater, indicator string, v float64) {
	if r[rater] == nil {
		r[rater] = map[string][]float64{}
	}
	r[rater][indicator] = append(r[rater][indicator], v)
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
	data, err := a.gather(ctx, c, t)
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
	scores, err := scorecard.ScoreMembers(t, data)
	if err != nil {
		return nil, scoringDataError(err)
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
		note := &store.Notification{
			OrgID: c.OrgID, RecipientID: r.MemberID, Channel: "inapp", Kind: "results",
			Subject:   fmt.Sprintf("绩效结果已发布：%s，得分 %.1f / Your results: grade %s, score %.1f", r.Grade, r.FinalScore, r.Grade, r.FinalScore),
			DedupeKey: dedupe("results", cycleID, r.MemberID),
		}
		ev := notify.Event{
			Title:  notify.Text{Zh: c.Title + "（" + c.Period + "）", En: c.Title + " (" + c.Period + ")"},
			Detail: notify.Text{Zh: fmt.Sprintf("等级 %s，得分 %.1f", r.Grade, r.FinalScore), En: fmt.Sprintf("Grade %s, score %.1f", r.Grade, r.FinalScore)},
		}
		if _, err := a.notify(ctx, note, ev, a.feedbackRouteFor(ctx, cycleID)); err != nil {
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
	o := t.Outcomes
	n := len(results)
	// A withheld result has no rank: it neither counts towards the promoted
	// share nor can be promoted until it is scored.
	scored := make([]scoring.Ranked, 0, n)
	for _, r := range results {
		if r.Blocked == "" {
			scored = append(scored, scoring.Ranked{MemberID: r.MemberID, Score: r.FinalScore, Rank: r.Rank})
		}
	}
	promoted := map[string]bool{}
	if p := o.Promotion; p != nil {
		if p.TopPercent != nil {
			for _, id := range scoring.Top(scored, *p.TopPercent) {
				promoted[id] = true
			}
		}
		for _, r := range results {
			if r.Blocked != "" {
				continue
			}
			if contains(p.Grades, r.Grade) {
				promoted[r.MemberID] = true
			}
		}
	}
	var tiers []scoring.Tier
	currency := ""
	if b := o.Bonus; b != nil {
		currency = b.Currency
		for _, tier := range b.Tiers {
			tiers = append(tiers, scoring.Tier{Grades: tier.Grades, Amount: tier.Amount, Currency: b.Currency})
		}
	}
	outcomes := make([]store.Outcome, 0, n)
	for _, r := range results {
		oc := store.Outcome{MemberID: r.MemberID, Promotion: promoted[r.MemberID], BonusCurrency: currency}
		if tier, ok := scoring.BonusFor(r.Grade, tiers); ok {
			oc.BonusAmount = tier.Amount
		}
		outcomes = append(outcomes, oc)
	}
	if err := a.Store.SetOutcomes(ctx, cycleID, outcomes); err != nil {
		return nil, err
	}
	if o.IDP == nil {
		return nil, nil
	}
	return a.createIDPs(ctx, c, t)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// bottomRule is the template's IDP rule in scoring's terms.
func bottomRule(r *templates.IDPRule) scoring.BottomRule {
	pct := 0.0
	if r.BottomPercent != nil {
		pct = *r.BottomPercent
	}
	return scoring.BottomRule{Count: r.BottomCount, Percent: pct, Runs: r.Runs()}
}

// rankingsOf maps the store's team history onto scoring's.
func rankingsOf(history []store.PeriodRanking) []scoring.PeriodRanking {
	out := make([]scoring.PeriodRanking, len(history))
	for i, h := range history {
		ranked := make([]scoring.Ranked, len(h.Ranks))
		for j, r := range h.Ranks {
			ranked[j] = scoring.Ranked{MemberID: r.MemberID, Score: r.Score, Rank: r.Rank}
		}
		out[i] = scoring.PeriodRanking{Period: h.Period, Start: h.PeriodStart, End: h.PeriodEnd, Ranked: ranked}
	}
	return out
}

func (a *Activities) createIDPs(ctx context.Context, c *store.Cycle, t *templates.Template) ([]IDPRef, error) {
	rule := bottomRule(t.Outcomes.IDP)
	history, err := a.Store.TeamRankHistory(ctx, c, rule.Runs)
	if err != nil || len(history) == 0 || history[0].CycleID != c.ID {
		return nil, err
	}
	periods := rankingsOf(history)
	var out []IDPRef
	for _, memberID := range rule.Bottom(periods[0].Ranked) {
		run := rule.Run(periods, memberID)
		if run == nil {
			continue
		}
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
		note := &store.Notification{
			OrgID: c.OrgID, RecipientID: to, Channel: "inapp", Kind: "idp_created",
			Subject:   "个人发展计划（IDP）已创建 / An individual development plan was created",
			DedupeKey: dedupe("idp-created", got.ID, to),
		}
		ev := notify.Event{Title: notify.Text{Zh: c.Title + "（" + c.Period + "）", En: c.Title + " (" + c.Period + ")"}, Detail: triggerText(run), Due: &got.DueAt}
		if _, err := a.notify(ctx, note, ev, a.feedbackRouteFor(ctx, c.ID)); err != nil {
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
