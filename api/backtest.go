package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

func backtestRoutes() []route {
	return []route{
		{"POST", "/api/v1/templates/backtest", leadsOnly, (*Server).backtestTemplate, Doc{Tag: "templates",
			Summary: "试算 / Backtest: re-score a team's past cycles from their recorded metric values and ratings with a draft template (body) or a stored version, and compare per period: every member's score, grade and rank as run and under the draft, grade changes, the distribution against the draft's limits, bonus totals in ¥, promotions, IDPs by the draft's rule, and each gap the history cannot answer with the missing-data policy applied. Starts nothing and writes nothing. Admins and HRBPs for any team; managers for the teams they lead, in cycles they lead (not those they are reviewed in). An invalid draft is 400 with the template API's paths and messages",
			Request: backtestInput{}, Responses: map[int]any{200: backtest.Report{}}}},
	}
}

// backtestInput names the draft (a body, or a stored key and version), the
// team and the periods ("2026-07..2026-10", or from and to).
type backtestInput struct {
	Template    json.RawMessage `json:"template,omitempty"`
	TemplateKey string          `json:"templateKey,omitempty"`
	Version     int             `json:"version,omitempty"` // with templateKey; absent: the newest published
	TeamID      string          `json:"teamId"`
	Periods     string          `json:"periods,omitempty"`
	From        string          `json:"from,omitempty"`
	To          string          `json:"to,omitempty"`
}

func (s *Server) backtestTemplate(c *gin.Context) {
	data, err := readBody(c, MaxTemplate+4<<10)
	if err != nil {
		writeError(c, err)
		return
	}
	var in backtestInput
	if err := decodeStrict(data, &in); err != nil {
		writeError(c, err)
		return
	}
	if in.TeamID == "" {
		writeError(c, badRequest("the backtest needs a team", Detail{Path: "/teamId", Message: "the id of the team whose past cycles are re-scored"}))
		return
	}
	ctx, me := c.Request.Context(), caller(c)
	team, err := s.store.GetTeam(ctx, me.OrgID, in.TeamID)
	if err != nil {
		writeError(c, err)
		return
	}
	if me.Role == store.RoleManager {
		teams, err := s.managedTeams(ctx, me)
		if err != nil {
			writeError(c, err)
			return
		}
		if !slices.Contains(teams, team.ID) {
			writeError(c, forbidden("a manager may backtest only the teams they lead (theirs and those below); admins and HRBP any team"))
			return
		}
	}
	from, to, err := backtestRange(in)
	if err != nil {
		writeError(c, err)
		return
	}
	draft, err := s.backtestDraft(c, in)
	if err != nil {
		writeError(c, err)
		return
	}
	loaded, cycles, err := backtest.Load(ctx, s.store, me.OrgID, team.ID, from, to, draft)
	if err != nil {
		writeError(c, err)
		return
	}
	// A cycle's results are its leads' to see: the same rule as its results page.
	for i := range cycles {
		a, err := s.accessTo(ctx, me, &cycles[i])
		if err != nil {
			writeError(c, err)
			return
		}
		if !a.Lead {
			writeError(c, forbidden(fmt.Sprintf("the %s cycle (%s) is not one you lead: you are reviewed in it, so its results are not yours to re-score", cycles[i].Period, cycles[i].ID)))
			return
		}
	}
	rep, err := backtest.Run(loaded)
	if errors.Is(err, backtest.ErrNoPeriods) {
		err = &Error{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf("team %s has no cycle from %s to %s to re-score (cancelled and failed cycles do not count)", team.Key, from, to)}
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// backtestRange reads the periods: "periods", or "from" and "to".
func backtestRange(in backtestInput) (string, string, error) {
	switch {
	case in.Periods != "" && (in.From != "" || in.To != ""):
		return "", "", badRequest("give the periods either as periods or as from and to", Detail{Path: "/periods", Value: in.Periods, Message: "drop from/to, or drop periods"})
	case in.Periods != "":
		from, to, err := backtest.ParseRange(in.Periods)
		if err != nil {
			return "", "", badRequest("bad period range", Detail{Path: "/periods", Value: in.Periods, Message: err.Error() + `; write "2026-07..2026-10"`})
		}
		return from, to, nil
	case in.From == "" && in.To == "":
		return "", "", badRequest("the backtest needs periods", Detail{Path: "/periods", Message: `a range such as "2026-07..2026-10", or from and to`})
	}
	if in.To == "" {
		in.To = in.From
	}
	if in.From == "" {
		return "", "", badRequest("bad period range", Detail{Path: "/from", Message: "from is needed with to"})
	}
	from, to, err := backtest.CheckRange(in.From, in.To)
	if err != nil {
		return "", "", badRequest("bad period range", Detail{Path: "/from", Value: in.From + ".." + in.To, Message: err.Error()})
	}
	return from, to, nil
}

// backtestDraft parses the draft: the body given, or a stored version. An
// invalid one answers with the template API's errors, paths inside the
// template.
func (s *Server) backtestDraft(c *gin.Context, in backtestInput) (*templates.Template, error) {
	hasBody := len(in.Template) > 0 && string(in.Template) != "null"
	switch {
	case hasBody && in.TemplateKey != "":
		return nil, badRequest("give the draft either as template or as templateKey", Detail{Path: "/templateKey", Value: in.TemplateKey, Message: "drop templateKey (and version) to backtest the template body, or drop template"})
	case !hasBody && in.TemplateKey == "":
		return nil, badRequest("the backtest needs a draft", Detail{Path: "/template", Message: "a template body, or templateKey and version of a stored one"})
	case in.Version < 0:
		return nil, badRequest("bad template version", Detail{Path: "/version", Value: in.Version, Message: "a version number ≥ 1; absent for the newest published"})
	}
	body := []byte(in.Template)
	if !hasBody {
		tv, err := s.store.GetTemplateVersion(c.Request.Context(), caller(c).OrgID, in.TemplateKey, in.Version)
		if err != nil {
			return nil, err
		}
		body = []byte(tv.Body)
	}
	t, errs := templates.Parse(body)
	if len(errs) > 0 {
		return nil, &Error{Status: http.StatusBadRequest, Code: "template_invalid",
			Message: fmt.Sprintf("the draft template has %d error(s); paths are inside the template, as the template API gives them", len(errs)),
			Details: templateDetails(errs)}
	}
	return t, nil
}
