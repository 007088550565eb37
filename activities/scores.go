package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// gather reads everything scoring a cycle needs, one query per table.
func (a *Activities) gather(ctx context.Context, c *store.Cycle, t *templates.Template) ([]MemberData, error) {
	ms, err := a.Store.ListCycleMembers(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	data := make([]MemberData, len(ms))
	index := make(map[string]int, len(ms))
	for i, m := range ms {
		data[i] = MemberData{MemberID: m.MemberID, Level: m.Level, Metrics: map[string]float64{}, Targets: map[string]float64{}, Ratings: map[string]map[string][]float64{}}
		index[m.MemberID] = i
	}
	raterKeys := map[string]bool{}
	for _, r := range t.Raters {
		if r.InputOf() == "metrics" {
			raterKeys[r.Key] = true
		}
	}
	// Only the cycle's members' values: other teams' cycles of the same
	// period share the table.
	err = a.Store.EachMetricValue(ctx, store.MetricFilter{Period: c.Period, OrgID: c.OrgID, CycleID: c.ID}, func(v store.MetricPoint) {
		i, ok := index[v.MemberID]
		if !ok {
			return
		}
		if raterKeys[v.Source] {
			rate(data[i].Ratings, v.Source, v.IndicatorKey, v.Value)
			return
		}
		data[i].Metrics[v.IndicatorKey] += v.Value
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
func (a *Activities) ComputeScores(ctx context.Context, cycleID string) (*Scored, error) {
	c, t, err := a.cycle(ctx, cycleID)
	if err != nil {
		return nil, err
	}
	data, err := a.gather(ctx, c, t)
	if err != nil {
		return nil, err
	}
	out := &Scored{Grades: map[string]string{}}
	if len(data) == 0 {
		return out, nil
	}
	activity.RecordHeartbeat(ctx, "gathered")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	scores, err := ScoreMembers(t, data)
	if err != nil {
		return nil, scoringDataError(err)
	}
	activity.RecordHeartbeat(ctx, "scored")
	rows := make([]store.Result, len(scores))
	for i, s := range scores {
		ind, _ := json.Marshal(s.Indicators)
		parts, _ := json.Marshal(s.Parts)
		adj, _ := json.Marshal(map[string]any{"applied": s.Adjustments, "missing": s.Missing, "notes": s.Notes, "tieById": s.TieByID})
		rows[i] = store.Result{
			CycleID: cycleID, MemberID: s.MemberID, IndicatorScores: string(ind), Parts: string(parts), Adjustments: string(adj),
			FinalScore: s.Final, ProposedGrade: s.Proposed, Grade: s.Proposed, Rank: s.Rank, Percentile: s.Percentile,
			State: store.ResultComputed,
		}
		out.Grades[s.MemberID] = s.Proposed
	}
	if err := a.Store.SaveResults(ctx, cycleID, rows); err != nil {
		return nil, err
	}
	out.Count = len(rows)
	return out, nil
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
	promoted := map[string]bool{}
	if p := o.Promotion; p != nil {
		top := 0
		if p.TopPercent != nil {
			top = int(math.Ceil(*p.TopPercent / 100 * float64(n)))
		}
		for _, r := range results {
			if r.Rank <= top || contains(p.Grades, r.Grade) {
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
	return a.createIDPs(ctx, c, t, results)
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// atBottom applies the IDP rule to a rank in a scope of size n.
func atBottom(rule *templates.IDPRule, rank, n int) bool {
	k := rule.BottomCount
	if rule.BottomPercent != nil {
		k = int(math.Ceil(*rule.BottomPercent / 100 * float64(n)))
	}
	k = max(k, 1)
	return n > 0 && rank > n-k
}

// BottomRuns counts how many periods in a row, ending with this cycle
// (already known to be at the bottom), a member ranked at the bottom;
// history is newest first and may include this cycle, which is skipped.
// A period out of the bottom ends the run.
func BottomRuns(rule *templates.IDPRule, cycleID string, history []store.RankHistory) int {
	runs := 1
	for _, h := range history {
		if h.CycleID == cycleID {
			continue
		}
		if !atBottom(rule, h.Rank, h.ScopeSize) {
			break
		}
		runs++
	}
	return runs
}

func (a *Activities) createIDPs(ctx context.Context, c *store.Cycle, t *templates.Template, results []store.Result) ([]IDPRef, error) {
	rule := t.Outcomes.IDP
	n := len(results)
	var out []IDPRef
	for _, r := range results {
		if !atBottom(rule, r.Rank, n) {
			continue
		}
		hist, err := a.Store.MemberRankHistory(ctx, r.MemberID, c.TemplateKey, rule.Runs())
		if err != nil {
			return out, err
		}
		if BottomRuns(rule, c.ID, hist) < rule.Runs() {
			continue
		}
		// A third month at the bottom does not stack a second plan on the
		// open one: the mentor's check-ins already follow this member.
		open, _, err := a.Store.ListIDPs(ctx, c.OrgID, store.IDPFilter{MemberIDs: []string{r.MemberID}, State: store.IDPOpen}, store.Page{Limit: 1})
		if err != nil {
			return out, err
		}
		if len(open) > 0 && open[0].CycleID != c.ID {
			out = append(out, IDPRef{IDPID: open[0].ID, MemberID: r.MemberID})
			continue
		}
		ref, err := a.createIDP(ctx, c, t, r.MemberID)
		if err != nil {
			return out, err
		}
		out = append(out, ref)
	}
	return out, nil
}

func (a *Activities) createIDP(ctx context.Context, c *store.Cycle, t *templates.Template, memberID string) (IDPRef, error) {
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
	periods, _ := json.Marshal([]string{c.Period})
	due := c.PeriodEnd.Add(templates.DurationOf(rule.Duration))
	idp := &store.IDP{
		OrgID: c.OrgID, MemberID: memberID, CycleID: c.ID, TriggerPeriods: string(periods), Items: string(items),
		MentorID: mentor, DueAt: due, CheckinEveryDays: int(templates.DurationOf(rule.CheckinEvery).Hours() / 24),
		DedupeKey: dedupe("idp", memberID, c.TemplateKey, c.Period),
	}
	got, created, err := a.Store.CreateIDP(ctx, idp)
	if err != nil {
		return IDPRef{}, err
	}
	every := templates.DurationOf(rule.CheckinEvery)
	if c.Compress > 1 {
		every = scaleDur(every, c.Compress)
		due = c.PeriodEnd.Add(scaleDur(templates.DurationOf(rule.Duration), c.Compress))
	}
	opts := client.StartWorkflowOptions{ID: IDPWorkflowID(got.ID), TaskQueue: a.TaskQueue}
	_, err = a.Client.ExecuteWorkflow(ctx, opts, "IDPWorkflow", IDPInput{IDPID: got.ID, Due: due, CheckinEvery: every})
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
		ev := notify.Event{Title: notify.Text{Zh: c.Title + "（" + c.Period + "）", En: c.Title + " (" + c.Period + ")"}, Due: &got.DueAt}
		if _, err := a.notify(ctx, note, ev, a.feedbackRouteFor(ctx, c.ID)); err != nil {
			return IDPRef{}, err
		}
	}
	return IDPRef{IDPID: got.ID, MemberID: memberID, Created: created}, nil
}
