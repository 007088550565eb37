package api

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
)

// reportView is a member's progress report for one round of the execute
// stage, with what they wrote once submitted.
type reportView struct {
	store.Task
	Round int             `json:"round"`
	Data  json.RawMessage `json:"data"`
}

// cycleReports lists a cycle's progress reports, newest round first:
// leads see everyone's, an employee their own.
func (s *Server) cycleReports(c *gin.Context) {
	cy, access, ok := s.cycleFor(c)
	if !ok {
		return
	}
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	f := store.TaskFilter{CycleID: cy.ID, Kind: engine.TaskReport, State: engine.TaskState(c.Query("state"))}
	if !access.Lead {
		f.AssigneeID = me.ID
	}
	if p.Sort == "" {
		p.Sort = "-createdAt"
	}
	ts, total, err := s.store.ListTasks(c.Request.Context(), me.OrgID, f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]reportView, len(ts))
	for i, t := range ts {
		out[i] = reportView{Task: t, Round: engine.ParsePayload(t.Payload).Round}
		if t.Submission != nil {
			out[i].Data = json.RawMessage(*t.Submission)
		}
	}
	c.JSON(http.StatusOK, newList(out, total, p))
}
