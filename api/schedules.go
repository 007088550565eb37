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

func documentScheduleRoutes() {
	leads := []string{store.RoleAdmin, store.RoleHRBP, store.RoleManager}
	Document("POST", "/api/v1/schedules", Doc{Tag: "schedules", Summary: "Launch a template for a team every period (first day, midnight in the template's time zone, plus its recurrence offset); 409 when one exists", Roles: leads, Request: scheduleInput{}, Responses: map[int]any{201: cycles.Schedule{}}})
	Document("GET", "/api/v1/schedules", Doc{Tag: "schedules", Summary: "The organisation's schedules with their next runs", Roles: leads, Responses: map[int]any{200: list[cycles.Schedule]{}}})
	Document("GET", "/api/v1/schedules/:id", Doc{Tag: "schedules", Summary: "One schedule", Roles: leads, Responses: map[int]any{200: cycles.Schedule{}}})
	Document("POST", "/api/v1/schedules/:id/:action", Doc{Tag: "schedules", Summary: "pause, resume, or trigger now (a repeated trigger in a period launches one cycle)", Roles: leads, Responses: map[int]any{200: cycles.Schedule{}}})
}

func (s *Server) scheduleRoutes(g *gin.RouterGroup) {
	leads := s.requireRole(store.RoleAdmin, store.RoleHRBP, store.RoleManager)
	g.POST("/schedules", leads, s.createSchedule)
	g.GET("/schedules", leads, s.listSchedules)
	g.GET("/schedules/:id", leads, s.getSchedule)
	g.POST("/schedules/:id/:action", leads, s.steerSchedule)
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
	if me.Role == store.RoleManager {
		teams, err := s.managedTeams(c.Request.Context(), me)
		if err != nil {
			writeError(c, err)
			return
		}
		if !containsString(teams, in.TeamID) {
			writeError(c, forbidden("managers schedule cycles for the teams they lead"))
			return
		}
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
	out, err := s.cycles.ListSchedules(c.Request.Context(), caller(c).OrgID)
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	c.JSON(http.StatusOK, wholeList(out))
}

func (s *Server) getSchedule(c *gin.Context) {
	if !s.engineReady(c) {
		return
	}
	sc, err := s.cycles.DescribeSchedule(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	c.JSON(http.StatusOK, sc)
}

func (s *Server) steerSchedule(c *gin.Context) {
	if !s.engineReady(c) {
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
