package api

import (
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/names"
	"github.com/perfloop/perfloop/store"
)

func memberRoutes() []route {
	paging := []string{"limit", "offset", "sort"}
	return []route{
		{"GET", "/api/v1/members", anyMember, (*Server).listMembers, Doc{Tag: "organisation", Summary: "List members", Query: append([]string{"q", "teamId", "subtree", "role", "inactive"}, paging...), Responses: map[int]any{200: list[store.Member]{}}}},
		{"GET", "/api/v1/members/:id", anyMember, (*Server).getMember, Doc{Tag: "organisation", Summary: "One member", Responses: map[int]any{200: store.Member{}}}},
		{"POST", "/api/v1/members", adminOnly, (*Server).createMember, Doc{Tag: "organisation", Summary: "Create a member", Request: memberInput{}, Responses: map[int]any{201: store.Member{}}}},
		{"PATCH", "/api/v1/members/:id", adminOnly, (*Server).updateMember, Doc{Tag: "organisation", Summary: "Change a member (version-checked)", Request: memberInput{}, Responses: map[int]any{200: store.Member{}}}},
		{"DELETE", "/api/v1/members/:id", adminOnly, (*Server).deactivateMember, Doc{Tag: "organisation", Summary: "Deactivate a member and revoke their tokens (history is kept)", Responses: map[int]any{200: store.Member{}}}},
		{"POST", "/api/v1/members/:id/tokens", adminOnly, (*Server).issueToken, Doc{Tag: "organisation", Summary: "Issue a bearer token (shown once)", Request: tokenInput{}, Responses: map[int]any{201: tokenIssued{}}}},
	}
}

type memberInput struct {
	TeamID    *string `json:"teamId"`
	Name      *string `json:"name"`
	Email     *string `json:"email"`
	Role      *string `json:"role"`
	Position  *string `json:"position"`
	Level     *string `json:"level"`
	ManagerID *string `json:"managerId"`
	Timezone  *string `json:"timezone"`
	Locale    *string `json:"locale"`
	JoinedOn  *string `json:"joinedOn"`
	Active    *bool   `json:"active"`
	Version   int     `json:"version"`
}

func (in memberInput) check(creating bool) error {
	var d []Detail
	if (creating || in.Name != nil) && (in.Name == nil || strings.TrimSpace(*in.Name) == "") {
		d = append(d, Detail{Path: "/name", Message: "a name is required"})
	}
	d = append(d, nameProblems(names.MaxName, map[string]*string{"/name": in.Name, "/position": in.Position, "/level": in.Level})...)
	if creating || in.Email != nil {
		email := ""
		if in.Email != nil {
			email = strings.ToLower(strings.TrimSpace(*in.Email))
		}
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			d = append(d, Detail{Path: "/email", Value: deref(in.Email), Message: "a valid e-mail address is expected, e.g. li.na@example.com"})
		}
	}
	if (creating || in.Role != nil) && (in.Role == nil || !slices.Contains(store.Roles, *in.Role)) {
		d = append(d, Detail{Path: "/role", Value: deref(in.Role), Message: "role must be one of " + strings.Join(store.Roles, ", ")})
	}
	if in.Timezone != nil {
		if _, err := time.LoadLocation(*in.Timezone); err != nil || *in.Timezone == "" {
			d = append(d, Detail{Path: "/timezone", Value: *in.Timezone, Message: "an IANA time zone is expected, e.g. Asia/Shanghai"})
		}
	}
	if in.Locale != nil && *in.Locale != "zh" && *in.Locale != "en" {
		d = append(d, Detail{Path: "/locale", Value: *in.Locale, Message: "locale must be zh or en"})
	}
	if in.JoinedOn != nil && *in.JoinedOn != "" {
		if _, err := time.Parse(time.DateOnly, *in.JoinedOn); err != nil {
			d = append(d, Detail{Path: "/joinedOn", Value: *in.JoinedOn, Message: "a date YYYY-MM-DD is expected"})
		}
	}
	if len(d) > 0 {
		return badRequest("the member is not valid", d...)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// apply copies the fields present in the request onto m.
func (in memberInput) apply(m *store.Member) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&m.Name, in.Name)
	set(&m.Email, in.Email)
	set(&m.Role, in.Role)
	set(&m.Position, in.Position)
	set(&m.Level, in.Level)
	set(&m.Timezone, in.Timezone)
	set(&m.Locale, in.Locale)
	if in.TeamID != nil {
		m.TeamID = nilIfEmpty(in.TeamID)
	}
	if in.ManagerID != nil {
		m.ManagerID = nilIfEmpty(in.ManagerID)
	}
	if in.JoinedOn != nil {
		m.JoinedOn = nil
		if d, err := time.Parse(time.DateOnly, *in.JoinedOn); err == nil {
			m.JoinedOn = &d
		}
	}
	if in.Active != nil {
		m.Active = *in.Active
	}
}

func (s *Server) checkMemberRefs(c *gin.Context, in memberInput, selfID string) error {
	ctx, org := c.Request.Context(), caller(c).OrgID
	if in.TeamID != nil && *in.TeamID != "" {
		if _, err := s.store.GetTeam(ctx, org, *in.TeamID); err != nil {
			return badRequest("unknown team", Detail{Path: "/teamId", Value: *in.TeamID, Message: "no team has this id"})
		}
	}
	if in.ManagerID != nil && *in.ManagerID != "" {
		if *in.ManagerID == selfID {
			return badRequest("a member cannot manage themselves", Detail{Path: "/managerId", Value: *in.ManagerID, Message: "choose another member"})
		}
		if _, err := s.store.GetMember(ctx, org, *in.ManagerID); err != nil {
			return badRequest("unknown manager", Detail{Path: "/managerId", Value: *in.ManagerID, Message: "no member has this id"})
		}
	}
	return nil
}

func (s *Server) listMembers(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	f := store.MemberFilter{Role: c.Query("role"), Query: c.Query("q"), IncludeInactive: c.Query("inactive") == "true"}
	if team := c.Query("teamId"); team != "" {
		if c.Query("subtree") == "true" {
			if f.TeamIDs, err = s.store.TeamSubtree(c.Request.Context(), caller(c).OrgID, team); err != nil {
				writeError(c, err)
				return
			}
		} else {
			f.TeamIDs = []string{team}
		}
	}
	members, total, err := s.store.ListMembers(c.Request.Context(), caller(c).OrgID, f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(members, total, p))
}

func (s *Server) getMember(c *gin.Context) {
	m, err := s.store.GetMember(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	etag(c, m.Version)
	c.JSON(http.StatusOK, m)
}

func (s *Server) me(c *gin.Context) {
	c.JSON(http.StatusOK, caller(c))
}

func (s *Server) createMember(c *gin.Context) {
	var in memberInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	if err := in.check(true); err != nil {
		writeError(c, err)
		return
	}
	if err := s.checkMemberRefs(c, in, ""); err != nil {
		writeError(c, err)
		return
	}
	m := &store.Member{OrgID: caller(c).OrgID, Timezone: "Asia/Shanghai", Locale: "zh", Active: true}
	in.apply(m)
	if err := s.store.CreateMember(c.Request.Context(), m); err != nil {
		writeError(c, err)
		return
	}
	etag(c, m.Version)
	c.JSON(http.StatusCreated, m)
}

func (s *Server) updateMember(c *gin.Context) {
	var in memberInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	if err := in.check(false); err != nil {
		writeError(c, err)
		return
	}
	version, err := expectedVersion(c, in.Version)
	if err != nil {
		writeError(c, err)
		return
	}
	if err := s.checkMemberRefs(c, in, c.Param("id")); err != nil {
		writeError(c, err)
		return
	}
	m, err := s.store.UpdateMember(c.Request.Context(), caller(c).OrgID, c.Param("id"), version, func(m *store.Member) error {
		in.apply(m)
		return nil
	})
	if err != nil {
		writeError(c, err)
		return
	}
	etag(c, m.Version)
	c.JSON(http.StatusOK, m)
}

func (s *Server) deactivateMember(c *gin.Context) {
	if c.Param("id") == caller(c).ID {
		writeError(c, conflict("you cannot deactivate yourself; ask another admin"))
		return
	}
	m, err := s.store.DeactivateMember(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, m)
}

type tokenInput struct {
	Name     string `json:"name"`
	TTLHours int    `json:"ttlHours"`
}

type tokenIssued struct {
	ID        string     `json:"id"`
	Token     string     `json:"token"`
	ExpiresAt *time.Time `json:"expiresAt"`
}

// issueToken returns a new bearer token once; only its hash is kept.
func (s *Server) issueToken(c *gin.Context) {
	var in tokenInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		writeError(c, badRequest("a token name is required", Detail{Path: "/name", Message: "name the token after its use, e.g. laptop or ci"}))
		return
	}
	if d := nameProblems(names.MaxName, map[string]*string{"/name": &in.Name}); len(d) > 0 {
		writeError(c, badRequest("the token name is not valid", d...))
		return
	}
	if in.TTLHours < 0 || in.TTLHours > 24*366 {
		writeError(c, badRequest("bad token lifetime", Detail{Path: "/ttlHours", Value: in.TTLHours, Message: "0 (no expiry) to 8784 hours"}))
		return
	}
	m, err := s.store.GetMember(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	plain, tok, err := s.store.IssueToken(c.Request.Context(), m.ID, in.Name, time.Duration(in.TTLHours)*time.Hour)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, tokenIssued{ID: tok.ID, Token: plain, ExpiresAt: tok.ExpiresAt})
}
