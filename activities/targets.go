package activities

import (
	"context"
	"fmt"
	"math"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/perfloop/perfloop/breakdown"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// BreakdownTargets splits each team target of the template into member
// targets by its method, links them to the team objective, and writes
// them; writing is an upsert, so a retry writes the same rows.
func (a *Activities) BreakdownTargets(ctx context.Context, cycleID string) (BreakdownResult, error) {
	var res BreakdownResult
	c, t, err := a.cycle(ctx, cycleID)
	if err != nil || t.Breakdown == nil {
		return res, err
	}
	ms, err := a.Store.ListCycleMembers(ctx, cycleID)
	if err != nil {
		return res, err
	}
	var rows []store.Target
	for _, tt := range t.Breakdown.Targets {
		in := breakdown.Input{
			Total: tt.Value, Decimals: tt.Decimals, Method: breakdown.Method(t.Breakdown.Method),
			PeriodStart: c.PeriodStart, PeriodEnd: c.PeriodEnd,
		}
		for _, m := range ms {
			bm := breakdown.Member{ID: m.MemberID, Weight: 1}
			if w, ok := t.Breakdown.LevelWeights[m.Level]; ok {
				bm.Weight = w
			}
			if in.Method == breakdown.MethodHistory {
				h, err := a.lastActual(ctx, c, m.MemberID, tt.Indicator)
				if err != nil {
					return res, err
				}
				bm.History = h
			}
			if m.JoinedOn != nil && m.JoinedOn.After(c.PeriodStart) {
				j := *m.JoinedOn
				bm.ActiveFrom = &j
			}
			in.Members = append(in.Members, bm)
		}
		if in.Method == breakdown.MethodManual {
			// Manual targets start equal; the manager adjusts them on the
			// confirm task, where the sum is checked again.
			in.Method = breakdown.MethodEqual
		}
		out, err := breakdown.Split(in)
		if err != nil {
			// Splitting is arithmetic over the cycle's members and template:
			// a retry fails the same way, so the data must be corrected.
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("split the team target %s: %v", tt.Indicator, err), ErrTypeCycleData, err)
		}
		if out.Fallback != "" {
			res.Fallbacks = append(res.Fallbacks, tt.Indicator)
		}
		unit := unitOf(t, tt.Indicator)
		team := store.Target{CycleID: cycleID, MemberKey: store.TeamTargetKey, IndicatorKey: tt.Indicator, Period: c.Period,
			Value: tt.Value, Unit: unit, Method: string(out.Method), Source: "breakdown", Objective: tt.Objective.Zh}
		rows = append(rows, team)
		res.TeamTargets++
		for _, p := range out.Parts {
			id := p.MemberID
			rows = append(rows, store.Target{CycleID: cycleID, MemberID: &id, MemberKey: id, IndicatorKey: tt.Indicator, Period: c.Period,
				Value: p.Value, Unit: unit, Method: string(out.Method), ProRata: p.ProRata, Source: "breakdown", Objective: tt.Objective.Zh})
			res.MemberTargets++
		}
	}
	if err := a.Store.UpsertTargets(ctx, cycleID, rows); err != nil {
		return res, err
	}
	return res, nil
}

func unitOf(t *templates.Template, key string) string {
	for _, ind := range t.Indicators {
		if ind.Key == key {
			return ind.Unit
		}
	}
	return ""
}

// lastActual is a member's value of an indicator in the previous period,
// the base of the "history" method; zero when there is none.
func (a *Activities) lastActual(ctx context.Context, c *store.Cycle, memberID, indicator string) (float64, error) {
	prev := c.PeriodStart.AddDate(0, 0, -1)
	label := prev.Format("2006-01")
	vals, err := a.Store.ListMetricValues(ctx, store.MetricFilter{MemberIDs: []string{memberID}, IndicatorKeys: []string{indicator}, Period: label})
	if err != nil {
		return 0, err
	}
	sum := 0.0
	for _, v := range vals {
		sum += v.Value
	}
	return sum, nil
}

// MonitorPace compares each member's metric values so far with the pace
// their targets need at this point of the period and alerts the member and
// their manager once a day per indicator when they are behind by more than
// the stage's tolerance.
func (a *Activities) MonitorPace(ctx context.Context, cycleID string) (PaceReport, error) {
	var rep PaceReport
	c, t, err := a.cycle(ctx, cycleID)
	if err != nil {
		return rep, err
	}
	tolerance := 20.0
	for _, s := range t.Stages {
		if s.Type == templates.StageExecute && s.Monitor != nil && s.Monitor.Tolerance > 0 {
			tolerance = s.Monitor.Tolerance
		}
	}
	now := time.Now()
	elapsed := now.Sub(c.PeriodStart).Hours() / c.PeriodEnd.Sub(c.PeriodStart).Hours()
	if elapsed <= 0 {
		return rep, nil
	}
	elapsed = math.Min(elapsed, 1)
	targets, err := a.Store.ListTargets(ctx, cycleID, "")
	if err != nil {
		return rep, err
	}
	vals, err := a.Store.ListMetricValues(ctx, store.MetricFilter{CycleID: cycleID, Period: c.Period})
	if err != nil {
		return rep, err
	}
	actual := map[string]float64{}
	for _, v := range vals {
		actual[v.MemberID+":"+v.IndicatorKey] += v.Value
	}
	day := now.UTC().Format("2006-01-02")
	for _, tg := range targets {
		if tg.MemberID == nil || tg.Value <= 0 {
			continue
		}
		rep.Checked++
		key := *tg.MemberID + ":" + tg.IndicatorKey
		pace := tg.Value * elapsed
		if actual[key] >= pace*(1-tolerance/100) {
			continue
		}
		rep.Behind = append(rep.Behind, key)
		m := outbox.BehindPace(tg.IndicatorKey, actual[key], pace)
		created, err := a.notify(ctx, m.To(c.OrgID, *tg.MemberID, dedupe("pace", cycleID, key, day)), m.Event, a.routeFor(ctx, cycleID, ""))
		if err != nil {
			return rep, err
		}
		if created {
			rep.Alerts++
		}
	}
	return rep, nil
}
