package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/raters"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// nominationInput names the raters of one nominated group for a member.
type nominationInput struct {
	Group    string   `json:"group"`
	RaterIDs []string `json:"raterIds"`
}

func nominationRoutes() []route {
	return []route{
		{"GET", "/api/v1/cycles/:id/raters/:memberId", leadsOnly, (*Server).nominations, Doc{Tag: "cycles", Summary: "The raters leads of the cycle nominated for a member, by group and in the order named", Responses: map[int]any{200: list[store.RaterNomination]{}}}},
		{"PUT", "/api/v1/cycles/:id/raters/:memberId", leadsOnly, (*Server).nominate, Doc{Tag: "cycles", Summary: `Nominate a member's raters for a group whose template says "nomination": "manager"; the list replaces the group's (empty: back to the automatic pick, which also fills up to min). 400 names each rater who is the member, in their management chain, an HRBP, inactive, repeated, or past the group's max. Raters are picked when the evaluation stage opens; later nominations change nothing`, Request: nominationInput{}, Responses: map[int]any{200: list[store.RaterNomination]{}}}},
	}
}

// nominee loads the cycle for a lead and checks the member is reviewed in it.
func (s *Server) nominee(c *gin.Context) (*store.Cycle, string, bool) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return nil, "", false
	}
	member := c.Param("memberId")
	in, err := s.store.InCycle(c.Request.Context(), cy.ID, member)
	if err != nil {
		writeError(c, err)
		return nil, "", false
	}
	if !in {
		writeError(c, notFoundErr("member in this cycle"))
		return nil, "", false
	}
	return cy, member, true
}

func (s *Server) nominations(c *gin.Context) {
	cy, member, ok := s.nominee(c)
	if !ok {
		return
	}
	out, err := s.store.ListNominations(c.Request.Context(), cy.ID, member)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, wholeList(out))
}

func (s *Server) nominate(c *gin.Context) {
	cy, member, ok := s.nominee(c)
	if !ok {
		return
	}
	var in nominationInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	if member == me.ID {
		writeError(c, forbidden("nobody nominates their own raters; ask another lead of the cycle"))
		return
	}
	tpl, _ := templates.Parse([]byte(cy.TemplateBody))
	var group *templates.Rater
	var nominated []string
	if tpl != nil {
		for i, r := range tpl.Raters {
			if r.Nomination == templates.NominatedByManager {
				nominated = append(nominated, r.Key)
				if r.Key == in.Group {
					group = &tpl.Raters[i]
				}
			}
		}
	}
	if group == nil {
		known := strings.Join(nominated, ", ")
		if known == "" {
			known = "none: this cycle's template nominates no group"
		}
		writeError(c, badRequest("no rater group of this cycle is nominated by that name",
			Detail{Path: "/group", Value: in.Group, Message: "name a group whose template says \"nomination\": \"manager\"; known: " + known}))
		return
	}
	ctx := c.Request.Context()
	problems, err := raters.CheckNominations(ctx, s.store, cy.OrgID, member, *group, in.RaterIDs)
	if err != nil {
		writeError(c, err)
		return
	}
	if len(problems) > 0 {
		details := make([]Detail, len(problems))
		for i, p := range problems {
			details[i] = Detail{Path: fmt.Sprintf("/raterIds/%d", p.Index), Value: p.RaterID, Message: p.Message}
			if p.Index < 0 {
				details[i] = Detail{Path: "/raterIds", Value: fmt.Sprint(len(in.RaterIDs)), Message: p.Message}
			}
		}
		writeError(c, badRequest(fmt.Sprintf("%d nominated rater(s) may not rate this member; nothing was changed", len(problems)), details...))
		return
	}
	if err := s.store.SetNominations(ctx, cy.ID, member, group.Key, me.ID, in.RaterIDs); err != nil {
		writeError(c, err)
		return
	}
	out, err := s.store.ListNominations(ctx, cy.ID, member)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, wholeList(out))
}
