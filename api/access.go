package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/store"
)

// idpSummary is a plan as GET /idps lists it: with the periods at the
// bottom that triggered it.
type idpSummary struct {
	store.IDP
	// TriggerPeriods keeps the labels alone for clients written before
	// Triggers, which says where the member stood in each period.
	TriggerPeriods []string           `json:"triggerPeriods"`
	Triggers       []store.IDPTrigger `json:"triggers"`
}

// idpView is one plan in full: its summary, items and check-ins.
type idpView struct {
	idpSummary
	Items    any                `json:"items"`
	Checkins []store.IDPCheckin `json:"checkins"`
}

func summariseIDP(p store.IDP) (idpSummary, error) {
	triggers, err := p.Triggers()
	if err != nil {
		return idpSummary{}, err
	}
	periods := make([]string, len(triggers))
	for i, t := range triggers {
		periods[i] = t.Period
	}
	if triggers == nil {
		triggers = []store.IDPTrigger{}
	}
	return idpSummary{IDP: p, TriggerPeriods: periods, Triggers: triggers}, nil
}

func summariseIDPs(ps []store.IDP) ([]idpSummary, error) {
	out := make([]idpSummary, len(ps))
	for i, p := range ps {
		var err error
		if out[i], err = summariseIDP(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type checkinInput struct {
	Note string `json:"note"`
}

func accessRoutes() []route {
	return []route{
		{"GET", "/api/v1/members/:id/tokens", adminOnly, (*Server).listTokens, Doc{Tag: "organisation", Summary: "A member's tokens (names, expiry, last use; never the secret)", Responses: map[int]any{200: list[store.APIToken]{}}}},
		{"DELETE", "/api/v1/members/:id/tokens/:tokenId", adminOnly, (*Server).revokeToken, Doc{Tag: "organisation", Summary: "Revoke a token at once", Responses: map[int]any{204: nil}}},
		{"GET", "/api/v1/idps/:id", anyMember, (*Server).getIDP, Doc{Tag: "idps", Summary: "One development plan with its items, check-ins and the periods at the bottom that triggered it, each with the member's rank, team size and score (the member, the mentor, their managers, HR)", Responses: map[int]any{200: idpView{}}}},
		{"POST", "/api/v1/idps/:id/checkins", anyMember, (*Server).addCheckin, Doc{Tag: "idps", Summary: "Record a check-in on a plan (the member or the mentor)", Request: checkinInput{}, Responses: map[int]any{201: store.IDPCheckin{}}}},
	}
}

func (s *Server) listTokens(c *gin.Context) {
	m, err := s.store.GetMember(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	ts, err := s.store.ListTokens(c.Request.Context(), m.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, wholeList(ts))
}

func (s *Server) revokeToken(c *gin.Context) {
	m, err := s.store.GetMember(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	if err := s.store.RevokeToken(c.Request.Context(), m.ID, c.Param("tokenId")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// visibleIDP loads a plan the caller may see: their own, one they mentor,
// one of a member of a team they lead, or any for HR and admins.
func (s *Server) visibleIDP(c *gin.Context) (*store.IDP, bool) {
	me := caller(c)
	ctx := c.Request.Context()
	p, err := s.store.GetIDP(ctx, c.Param("id"))
	if err != nil {
		writeError(c, err) // 404 when missing, 503 when the database is down
		return nil, false
	}
	if p.OrgID != me.OrgID {
		writeError(c, notFoundErr("development plan"))
		return nil, false
	}
	switch {
	case me.Role == store.RoleAdmin || me.Role == store.RoleHRBP, p.MemberID == me.ID, p.MentorID == me.ID:
		return p, true
	case me.Role == store.RoleManager:
		teams, err := s.managedTeams(ctx, me)
		if err != nil {
			writeError(c, err)
			return nil, false
		}
		m, err := s.store.GetMember(ctx, me.OrgID, p.MemberID)
		if err == nil && m.TeamID != nil && containsString(teams, *m.TeamID) {
			return p, true
		}
	}
	writeError(c, notFoundErr("development plan"))
	return nil, false
}

func (s *Server) getIDP(c *gin.Context) {
	p, ok := s.visibleIDP(c)
	if !ok {
		return
	}
	cs, err := s.store.ListCheckins(c.Request.Context(), p.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	if cs == nil {
		cs = []store.IDPCheckin{}
	}
	sum, err := summariseIDP(*p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, idpView{idpSummary: sum, Items: rawOr(p.Items), Checkins: cs})
}

func (s *Server) addCheckin(c *gin.Context) {
	p, ok := s.visibleIDP(c)
	if !ok {
		return
	}
	me := caller(c)
	if me.ID != p.MemberID && me.ID != p.MentorID {
		writeError(c, forbidden("the member and the mentor record check-ins"))
		return
	}
	var in checkinInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	if strings.TrimSpace(in.Note) == "" || len([]rune(in.Note)) > 4000 {
		writeError(c, badRequest("a check-in needs a note", Detail{Path: "/note", Message: "write what was done and what comes next (at most 4000 characters)"}))
		return
	}
	if p.State != store.IDPOpen {
		writeError(c, conflict("the plan is "+p.State+"; check-ins are closed"))
		return
	}
	ci := &store.IDPCheckin{IDPID: p.ID, Note: in.Note, ByID: me.ID}
	if err := s.store.AddCheckin(c.Request.Context(), ci); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, ci)
}
