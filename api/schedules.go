package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/store"
)

type scheduleInput struct {
	TemplateKey string `json:"templateKey"`
	TeamID      string `json:"teamId"`
}

func scheduleRoutes() []route {
	return []route{
		{"POST", "/api/v1/schedules", leadsOnly, (*Server).createSchedule, Doc{Tag: "schedules", Summary: "Launch a template for a team every period (first day, midnight in the template's time zone, plus its recurrence offset); 409 when one exists", Request: scheduleInput{}, Responses: map[int]any{201: cycles.Schedule{}}}},
		{"GET", "/api/v1/schedules", leadsOnly, (*Server).listSchedules, Doc{Tag: "schedules", Summary: "Schedules with their next runs: HRBP and admins see the organisation's, a manager those of the teams they lead", Responses: map[int]any{200: list[cycles.Schedule]{}}}},
		{"GET", "/api/v1/schedules/:id", leadsOnly, (*Server).getSchedule, Doc{Tag: "schedules", Summary: "One schedule", Responses: map[int]any{200: cycles.Schedule{}}}},
		{"POST", "/api/v1/schedules/:id/:action", leadsOnly, (*Server).steerSchedule, Doc{Tag: "schedules", Summary: "pause, resume, or trigger now: launches the current period as the caller (a repeated trigger in a period launches one cycle). The schedule's team's managers, HRBP and admins", Responses: map[int]any{200: cycles.Schedule{}}}},
	}
}

func (s *Server) createSchedule(c *gin.Context) {
	if !s.engineReady(c) {
		return
	}
	var in scheduleInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	if !s.mayLaunchFor(c, me, in.TeamID) {
		return
	}
	sc, err := s.cycles.CreateSchedule(c.Request.Context(), me.OrgID, in.TemplateKey, in.TeamID, me.ID)
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	c.JSON(http.StatusCreated, sc)
}

func (s *Server) listSchedules(c *gin.Context) {
	if !s.engineReady(c) {
		return
	}
	all, err := s.cycles.ListSchedules(c.Request.Context(), caller(c).OrgID)
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	teams, err := s.scheduleTeams(c)
	if err != nil {
		writeError(c, err)
		return
	}
	out := []cycles.Schedule{}
	for _, sc := range all {
		if teams == nil || containsString(teams, sc.TeamID) {
			out = append(out, sc)
		}
	}
	c.JSON(http.StatusOK, wholeList(out))
}

// scheduleTeams is the teams whose schedules the caller sees and steers:
// nil (all) for HR and admins, the teams a manager leads and those below.
func (s *Server) scheduleTeams(c *gin.Context) ([]string, error) {
	me := caller(c)
	if me.Role != store.RoleManager {
		return nil, nil
	}
	teams, err := s.managedTeams(c.Request.Context(), me)
	if teams == nil {
		teams = []string{}
	}
	return teams, err
}

// visibleSchedule loads a schedule of a team the caller may steer; another
// team's (or organisation's) is 404, as a cycle is.
func (s *Server) visibleSchedule(c *gin.Context) (*cycles.Schedule, bool) {
	if !s.engineReady(c) {
		return nil, false
	}
	sc, err := s.cycles.DescribeSchedule(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, engineErr(err))
		return nil, false
	}
	teams, err := s.scheduleTeams(c)
	if err != nil {
		writeError(c, err)
		return nil, false
	}
	if teams != nil && !containsString(teams, sc.TeamID) {
		writeError(c, notFoundErr("schedule"))
		return nil, false
	}
	return sc, true
}

func (s *Server) getSchedule(c *gin.Context) {
	sc, ok := s.visibleSchedule(c)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, sc)
}

func (s *Server) steerSchedule(c *gin.Context) {
	if _, ok := s.visibleSchedule(c); !ok {
		return
	}
	me := caller(c)
	sc, err := s.cycles.SteerSchedule(c.Request.Context(), me.OrgID, c.Param("id"), c.Param("action"), me.ID)
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	c.JSON(http.StatusOK, sc)
}
