package api

import (
	"errors"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/cycles"
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
}

type targetProgress struct {
	store.Target
	Actual   float64 `json:"actual"`
	Expected float64 `json:"expected"` // what the pace needs by now: value × elapsed share of the period
	Elapsed  float64 `json:"elapsed"`  // 0…1
	Behind   bool    `json:"behind"`
}

func documentUIRoutes() {
	leads := []string{store.RoleAdmin, store.RoleHRBP, store.RoleManager}
	Document("GET", "/api/v1/ui/config", Doc{Tag: "ui", Summary: "What the sign-in page needs to know: whether SSO tokens are accepted and from which issuer", Roles: []string{"public"}, Responses: map[int]any{200: uiConfig{}}})
	Document("POST", "/api/v1/cycles/preview", Doc{Tag: "cycles", Summary: "The timeline a launch would follow (stages, deadlines, reminders, escalations, members in scope) without launching anything; deadlines assume each stage runs to its due time", Roles: leads, Request: launchInput{}, Responses: map[int]any{200: launchPreview{}}})
	Document("GET", "/api/v1/cycles/:id/targets/progress", Doc{Tag: "cycles", Summary: "A member's targets with the metric values so far against the pace the period needs (employees: their own; leads may name ?memberId=)", Query: []string{"memberId"}, Responses: map[int]any{200: list[targetProgress]{}}})
}

func (s *Server) uiRoutes(v1, authed *gin.RouterGroup) {
	leads := s.requireRole(store.RoleAdmin, store.RoleHRBP, store.RoleManager)
	v1.GET("/ui/config", s.uiConfig)
	authed.POST("/cycles/preview", leads, s.previewLaunch)
	authed.GET("/cycles/:id/targets/progress", s.targetsProgress)
}

func (s *Server) uiConfig(c *gin.Context) {
	out := uiConfig{}
	if s.oidc != nil {
		out.SSO, out.SSOIssuer = true, s.oidc.Issuer
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
	ctx := c.Request.Context()
	if bad := in.request().Check(); len(bad) > 0 {
		writeError(c, engineErr(bad))
		return
	}
	tv, err := s.store.GetTemplateVersion(ctx, in.TemplateKey, in.Version)
	if errors.Is(err, store.ErrNotFound) {
		writeError(c, badRequest("the request is not valid; see details", Detail{Path: "/templateKey", Value: in.TemplateKey, Message: "no published template has this key and version"}))
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	if tv.Status != store.TemplatePublished {
		writeError(c, badRequest("the request is not valid; see details", Detail{Path: "/version", Value: tv.Version, Message: "this version is " + tv.Status + "; cycles launch from a published version"}))
		return
	}
	t, errs := templates.Parse([]byte(tv.Body))
	if len(errs) > 0 {
		writeError(c, &Error{Status: http.StatusConflict, Code: "conflict", Message: "template " + tv.Key + " no longer validates: " + errs.Error()})
		return
	}
	team, err := s.store.GetTeam(ctx, me.OrgID, in.TeamID)
	if errors.Is(err, store.ErrNotFound) {
		writeError(c, badRequest("the request is not valid; see details", Detail{Path: "/teamId", Value: in.TeamID, Message: "no team has this id"}))
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	if !s.mayLaunchFor(c, me, team.ID) {
		return
	}
	period, err := cycles.ParsePeriod(t.Period, in.Period, t.Timezone)
	if err != nil {
		writeError(c, badRequest("the request is not valid; see details", Detail{Path: "/period", Value: in.Period, Message: err.Error()}))
		return
	}
	subtree, err := s.store.TeamSubtree(ctx, me.OrgID, team.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	_, members, err := s.store.ListMembers(ctx, me.OrgID, store.MemberFilter{TeamIDs: subtree}, store.Page{Limit: 1})
	if err != nil {
		writeError(c, err)
		return
	}
	out := launchPreview{TemplateKey: tv.Key, TemplateVersion: tv.Version, TeamID: team.ID, Period: period.Label,
		PeriodStart: period.Start.UTC(), PeriodEnd: period.End.UTC(), Timezone: t.Timezone, Members: members, Compress: in.Compress,
		Stages: previewStages(t, period, time.Now().UTC().Truncate(time.Second), in.Compress)}
	c.JSON(http.StatusOK, out)
}

// previewStages lays out the stages with the engine's own due dates
// (Stage.DueOf) and reminder times.
func previewStages(t *templates.Template, p cycles.Period, start time.Time, compress float64) []previewStage {
	scale := func(d time.Duration) time.Duration { return templates.Compressed(d, compress) }
	out := []previewStage{}
	opened := start
	for _, st := range t.Stages {
		due := st.DueOf(opened, p.Start, p.End, compress).UTC()
		ps := previewStage{Key: st.Key, Type: st.Type, Name: st.Name, OpensAt: opened, DueAt: due, Reminders: []previewReminder{}, Conditional: st.When != ""}
		if rm := st.Reminders; rm != nil {
			for _, b := range rm.Before {
				if at := due.Add(-scale(templates.DurationOf(b))); at.After(opened) {
					ps.Reminders = append(ps.Reminders, previewReminder{At: at})
				}
			}
			if every := scale(templates.DurationOf(rm.OverdueEvery)); every > 0 {
				for i := 1; i <= rm.OverdueMax; i++ {
					ps.Reminders = append(ps.Reminders, previewReminder{At: due.Add(time.Duration(i) * every), Overdue: true})
				}
			}
			sort.Slice(ps.Reminders, func(i, j int) bool { return ps.Reminders[i].At.Before(ps.Reminders[j].At) })
		}
		if e := st.Escalation; e != nil {
			at := due.Add(scale(templates.DurationOf(e.After)))
			ps.EscalateAt, ps.EscalateTo = &at, e.To
		}
		out = append(out, ps)
		opened = due
	}
	return out
}

func (s *Server) targetsProgress(c *gin.Context) {
	cy, ok := s.visibleCycle(c)
	if !ok {
		return
	}
	me := caller(c)
	member := me.ID
	if m := c.Query("memberId"); m != "" && m != me.ID {
		if me.Role == store.RoleEmployee {
			writeError(c, forbidden("employees see their own targets"))
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
