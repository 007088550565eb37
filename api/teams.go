package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/names"
	"github.com/perfloop/perfloop/store"
)

func teamRoutes() []route {
	paging := []string{"limit", "offset", "sort"}
	return []route{
		{"GET", "/api/v1/teams", anyMember, (*Server).listTeams, Doc{Tag: "organisation", Summary: "List teams", Query: append([]string{"q", "parentId"}, paging...), Responses: map[int]any{200: list[store.Team]{}}}},
		{"GET", "/api/v1/teams/:id", anyMember, (*Server).getTeam, Doc{Tag: "organisation", Summary: "One team (ETag carries its version)", Responses: map[int]any{200: store.Team{}}}},
		{"POST", "/api/v1/teams", adminOnly, (*Server).createTeam, Doc{Tag: "organisation", Summary: "Create a team", Request: teamInput{}, Responses: map[int]any{201: store.Team{}}}},
		{"PATCH", "/api/v1/teams/:id", adminOnly, (*Server).updateTeam, Doc{Tag: "organisation", Summary: "Change a team; If-Match or version guards against lost updates (409)", Request: teamInput{}, Responses: map[int]any{200: store.Team{}}}},
		{"DELETE", "/api/v1/teams/:id", adminOnly, (*Server).deleteTeam, Doc{Tag: "organisation", Summary: "Delete an empty team (409 while it has members or sub-teams)", Responses: map[int]any{204: nil}}},
	}
}

type teamInput struct {
	Key       *string `json:"key"`
	Name      *string `json:"name"`
	NameEn    *string `json:"nameEn"`
	ParentID  *string `json:"parentId"`
	ManagerID *string `json:"managerId"`
	Version   int     `json:"version"`
}

func (in teamInput) check(creating bool) error {
	var details []Detail
	if creating || in.Key != nil {
		switch {
		case in.Key == nil || strings.TrimSpace(*in.Key) == "":
			details = append(details, Detail{Path: "/key", Message: "a team key is required (letters, digits, - and _)"})
		case !validKey(*in.Key):
			details = append(details, Detail{Path: "/key", Value: *in.Key, Message: "use only letters, digits, - and _ (at most 100)"})
		}
	}
	if (creating || in.Name != nil) && (in.Name == nil || strings.TrimSpace(*in.Name) == "") {
		details = append(details, Detail{Path: "/name", Message: "a team name is required"})
	}
	details = append(details, nameProblems(names.MaxName, map[string]*string{"/name": in.Name, "/nameEn": in.NameEn})...)
	if len(details) > 0 {
		return badRequest("the team is not valid", details...)
	}
	return nil
}

func validKey(k string) bool {
	if k == "" || len(k) > 100 {
		return false
	}
	for _, r := range k {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func (s *Server) listTeams(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	f := store.TeamFilter{Query: c.Query("q")}
	if parent, ok := c.GetQuery("parentId"); ok {
		f.ParentID = &parent
	}
	teams, total, err := s.store.ListTeams(c.Request.Context(), caller(c).OrgID, f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(teams, total, p))
}

func (s *Server) getTeam(c *gin.Context) {
	t, err := s.store.GetTeam(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	etag(c, t.Version)
	c.JSON(http.StatusOK, t)
}

func (s *Server) createTeam(c *gin.Context) {
	var in teamInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	if err := in.check(true); err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	t := &store.Team{OrgID: me.OrgID, Key: *in.Key, Name: *in.Name, ParentID: in.ParentID, ManagerID: in.ManagerID}
	if in.NameEn != nil {
		t.NameEn = *in.NameEn
	}
	if err := s.checkRefs(c, t.ParentID, t.ManagerID); err != nil {
		writeError(c, err)
		return
	}
	if err := s.store.CreateTeam(c.Request.Context(), t); err != nil {
		writeError(c, err)
		return
	}
	etag(c, t.Version)
	c.JSON(http.StatusCreated, t)
}

// checkRefs turns dangling ids into 400s that name the field, rather than a 404 for the team itself.
func (s *Server) checkRefs(c *gin.Context, parentID, managerID *string) error {
	ctx, org := c.Request.Context(), caller(c).OrgID
	if parentID != nil && *parentID != "" {
		if _, err := s.store.GetTeam(ctx, org, *parentID); err != nil {
			return badRequest("unknown parent team", Detail{Path: "/parentId", Value: *parentID, Message: "no team has this id"})
		}
	}
	if managerID != nil && *managerID != "" {
		if _, err := s.store.GetMember(ctx, org, *managerID); err != nil {
			return badRequest("unknown manager", Detail{Path: "/managerId", Value: *managerID, Message: "no member has this id"})
		}
	}
	return nil
}

func (s *Server) updateTeam(c *gin.Context) {
	var in teamInput
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
	if err := s.checkRefs(c, in.ParentID, in.ManagerID); err != nil {
		writeError(c, err)
		return
	}
	t, err := s.store.UpdateTeam(c.Request.Context(), caller(c).OrgID, c.Param("id"), version, func(t *store.Team) error {
		if in.Key != nil {
			t.Key = *in.Key
		}
		if in.Name != nil {
			t.Name = *in.Name
		}
		if in.NameEn != nil {
			t.NameEn = *in.NameEn
		}
		if in.ParentID != nil {
			t.ParentID = nilIfEmpty(in.ParentID)
		}
		if in.ManagerID != nil {
			t.ManagerID = nilIfEmpty(in.ManagerID)
		}
		return nil
	})
	if err != nil {
		writeError(c, err)
		return
	}
	etag(c, t.Version)
	c.JSON(http.StatusOK, t)
}

// expectedVersion takes the version from If-Match or the body; both must agree.
func expectedVersion(c *gin.Context, body int) (int, error) {
	h, err := ifMatch(c)
	if err != nil {
		return 0, err
	}
	if h != 0 && body != 0 && h != body {
		return 0, badRequest("If-Match and version disagree", Detail{Path: "/version", Value: body, Message: "send one version, or the same in both"})
	}
	return max(h, body), nil
}

func nilIfEmpty(s *string) *string {
	if s == nil || *s == "" {
		return nil
	}
	return s
}

func (s *Server) deleteTeam(c *gin.Context) {
	if err := s.store.DeleteTeam(c.Request.Context(), caller(c).OrgID, c.Param("id")); err != nil {
		writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
