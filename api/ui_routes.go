package api

import (
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// The routes in this file exist for the browser UI: what it needs to show
// before a decision (a launch's timeline) or beside a form (targets against
// pace, whether SSO is on), computed where the rules live rather than
// re-implemented in JavaScript.

type uiConfig struct {
	SSO       bool   `json:"sso"`
	SSOIssuer string `json:"ssoIssuer,omitempty"`
	// Login is where the browser starts the SSO sign-in, when it is configured.
	Login string `json:"login,omitempty"`
	// Demo is true when the server runs the demo (`perfloop dev`): the
	// launch form then offers time compression, which only demos want.
	Demo bool `json:"demo"`
}

type previewReminder struct {
	At      time.Time `json:"at"`
	Overdue bool      `json:"overdue"`
}

type previewStage struct {
	Key         string            `json:"key"`
	Type        string            `json:"type"`
	Name        templates.Text    `json:"name"`
	OpensAt     time.Time         `json:"opensAt"`
	DueAt       time.Time         `json:"dueAt"`
	Reminders   []previewReminder `json:"reminders"`
	EscalateAt  *time.Time        `json:"escalateAt,omitempty"`
	EscalateTo  string            `json:"escalateTo,omitempty"`
	Conditional bool              `json:"conditional"`
}

type launchPreview struct {
	TemplateKey     string         `json:"templateKey"`
	TemplateVersion int            `json:"templateVersion"`
	TeamID          string         `json:"teamId"`
	Period          string         `json:"period"`
	PeriodStart     time.Time      `json:"periodStart"`
	PeriodEnd       time.Time      `json:"periodEnd"`
	Timezone        string         `json:"timezone"`
	Members         int64          `json:"members"`
	Compress        float64        `json:"compress,omitempty"`
	Stages          []previewStage `json:"stages"`
	Raters          []previewRater `json:"raters"`
}

// previewRater is what a rater group's answers will count for: how its
// scale maps answers to points, and its share of the final score once
// formula, indicator and rater weights are applied (the template's own
// indicator weights; a level's weights can shift it).
type previewRater struct {
	Key             string               `json:"key"`
	Role            string               `json:"role"`
	Weight          float64              `json:"weight"`
	EffectiveWeight float64              `json:"effectiveWeight"`
	BehaviourShare  float64              `json:"behaviourShare"`
	Min             float64              `json:"min"`
	Max             float64              `json:"max"`
	Mapping         string               `json:"mapping"`
	Steps           []scoring.ScalePoint `json:"steps"` // what each whole answer scores; empty for a scale of over 11 steps
}

type targetProgress struct {
	store.Target
	Actual   float64 `json:"actual"`
	Expected float64 `json:"expected"` // what the pace needs by now: value × elapsed share of the period
	Elapsed  float64 `json:"elapsed"`  // 0…1
	Behind   bool    `json:"behind"`
}

func uiRoutes() []route {
	return []route{
		{"GET", "/api/v1/ui/config", public, (*Server).uiConfig, Doc{Tag: "ui", Summary: "What the sign-in page needs to know: whether SSO tokens are accepted and from which issuer, and where the SSO sign-in starts (login), and whether the server runs the demo (demo: `perfloop dev`, which offers time compression)", Responses: map[int]any{200: uiConfig{}}}},
		{"POST", "/api/v1/cycles/preview", leadsOnly, (*Server).previewLaunch, Doc{Tag: "cycles", Summary: "The timeline a launch would follow (stages, deadlines, reminders, escalations, members in scope) without launching anything; deadlines assume each stage runs to its due time", Request: launchInput{}, Responses: map[int]any{200: launchPreview{}}}},
		{"GET", "/api/v1/cycles/:id/targets/progress", anyMember, (*Server).targetsProgress, Doc{Tag: "cycles", Summary: "A member's targets with the metric values so far against the pace the period needs (employees: their own; leads may name ?memberId=)", Query: []string{"memberId"}, Responses: map[int]any{200: list[targetProgress]{}}}},
	}
}

func (s *Server) uiConfig(c *gin.Context) {
	out := uiConfig{Demo: s.demo}
	if s.oidc != nil {
		out.SSO, out.SSOIssuer = true, s.oidc.Issuer
	}
	if s.sso != nil {
		out.Login = "/auth/login"
	}
	c.JSON(http.StatusOK, out)
}

// previewLaunch checks a launch the way Launch does and lays out its
// stages: each opens when the one before is due, as the engine does when
// someone is late; a stage finishing early only moves the rest forward.
func (s *Server) previewLaunch(c *gin.Context) {
	var in launchInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	if in.TeamID != "" && !s.mayLaunchFor(c, me, in.TeamID) {
		return
	}
	// The plan Launch would write, so the preview counts the members the
	// cycle will review (not the team's manager, reviewed a level up).
	plan, err := cycles.PlanLaunch(c.Request.Context(), s.store, cycles.LaunchRequest{
		OrgID: me.OrgID, TemplateKey: in.TemplateKey, Version: in.Version, TeamID: in.TeamID, Period: in.Period, Compress: in.Compress,
	})
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	tv, t, team, period, members := plan.Version, plan.Template, plan.Team, plan.Period, int64(len(plan.Members))
	out := launchPreview{TemplateKey: tv.Key, TemplateVersion: tv.Version, TeamID: team.ID, Period: period.Label,
		PeriodStart: period.Start.UTC(), PeriodEnd: period.End.UTC(), Timezone: t.Timezone, Members: members, Compress: in.Compress,
		Stages: previewStages(t, period, time.Now().UTC().Truncate(time.Second), in.Compress), Raters: previewRaters(t)}
	c.JSON(http.StatusOK, out)
}

func previewRaters(t *templates.Template) []previewRater {
	effective := templates.EffectiveWeights(t, "")
	out := make([]previewRater, len(t.Raters))
	for i, r := range t.Raters {
		rs := r.Scale.Rating()
		pr := previewRater{Key: r.Key, Role: r.Role, Weight: r.Weight, Min: rs.Min, Max: rs.Max, Mapping: rs.Mapping, Steps: rs.Steps()}
		if r.Scale == nil {
			pr.Max = 100
		}
		if pr.Mapping == "" {
			pr.Mapping = scoring.MapLinear
		}
		if pr.Steps == nil {
			pr.Steps = []scoring.ScalePoint{}
		}
		if i < len(effective) {
			pr.EffectiveWeight, pr.BehaviourShare = round2(effective[i].Final), round2(effective[i].Behaviour)
		}
		out[i] = pr
	}
	return out
}

// previewStages lays out the stages with the engine's own timetable
// (Stage.Timetable): each opens when the one before is due. The engine
// sets a stage's timers once its tasks are open, after the stage opens,
// so a reminder due at the opening itself is never sent and not shown.
func previewStages(t *templates.Template, p cycles.Period, start time.Time, compress float64) []previewStage {
	out := []previewStage{}
	opened := start
	for _, st := range t.Stages {
		tt := st.Timetable(opened, p.Start, p.End, compress)
		due := tt.Due.UTC()
		ps := previewStage{Key: st.Key, Type: st.Type, Name: st.Name, OpensAt: opened, DueAt: due, Reminders: []previewReminder{}, Conditional: st.When != ""}
		for _, m := range tt.Moments(opened.Add(time.Nanosecond)) {
			if m.Kind == templates.MomentEscalation {
				at := m.At.UTC()
				ps.EscalateAt, ps.EscalateTo = &at, tt.EscalateTo
				continue
			}
			ps.Reminders = append(ps.Reminders, previewReminder{At: m.At.UTC(), Overdue: m.Overdue()})
		}
		sort.SliceStable(ps.Reminders, func(i, j int) bool { return ps.Reminders[i].At.Before(ps.Reminders[j].At) })
		out = append(out, ps)
		opened = due
	}
	return out
}

func (s *Server) targetsProgress(c *gin.Context) {
	cy, access, ok := s.cycleFor(c)
	if !ok {
		return
	}
	me := caller(c)
	member := me.ID
	if m := c.Query("memberId"); m != "" && m != me.ID {
		if !access.Lead {
			writeError(c, forbidden("members of a cycle see their own targets; the cycle's leads see everyone's"))
			return
		}
		member = m
	}
	ctx := c.Request.Context()
	ts, err := s.store.ListTargets(ctx, cy.ID, member)
	if err != nil {
		writeError(c, err)
		return
	}
	vals, err := s.store.ListMetricValues(ctx, store.MetricFilter{OrgID: me.OrgID, MemberIDs: []string{member}, Period: cy.Period})
	if err != nil {
		writeError(c, err)
		return
	}
	actual := map[string]float64{}
	for _, v := range vals {
		actual[v.IndicatorKey] += v.Value
	}
	elapsed := 0.0
	if span := cy.PeriodEnd.Sub(cy.PeriodStart); span > 0 {
		elapsed = math.Min(math.Max(float64(time.Since(cy.PeriodStart))/float64(span), 0), 1)
	}
	out := []targetProgress{}
	for _, tg := range ts {
		if tg.MemberID == nil || *tg.MemberID != member {
			continue
		}
		p := targetProgress{Target: tg, Actual: actual[tg.IndicatorKey], Expected: tg.Value * elapsed, Elapsed: elapsed}
		p.Behind = tg.Value > 0 && p.Actual < p.Expected
		out = append(out, p)
	}
	c.JSON(http.StatusOK, wholeList(out))
}

// round2 keeps a preview's percentages to what a person reads (62.86, not
// 62.857142857142854).
func round2(v float64) float64 { return math.Round(v*100) / 100 }
