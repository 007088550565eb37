package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/calendar"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
)

type interviewMove struct {
	StartsAt string `json:"startsAt"` // RFC 3339 with an offset
	EndsAt   string `json:"endsAt"`
	Reason   string `json:"reason"`
}

// interviewView is an interview with the names the dashboard shows.
type interviewView struct {
	store.FeedbackInterview
	MemberName  string `json:"memberName"`
	ManagerName string `json:"managerName"`
	CycleTitle  string `json:"cycleTitle,omitempty"`
}

func (in interviewMove) validate(now time.Time) (time.Time, time.Time, []Detail) {
	var ds []Detail
	at := func(path, v string) time.Time {
		t, err := time.Parse(time.RFC3339, v)
		switch {
		case v == "":
			ds = append(ds, Detail{Path: path, Value: "", Message: "required: a time with its offset, such as 2026-11-04T14:00:00+08:00"})
		case err != nil:
			ds = append(ds, Detail{Path: path, Value: v, Message: "expected an RFC 3339 time with an offset, such as 2026-11-04T14:00:00+08:00"})
		}
		return t
	}
	start, end := at("/startsAt", in.StartsAt), at("/endsAt", in.EndsAt)
	switch {
	case len(ds) > 0:
	case !start.After(now):
		ds = append(ds, Detail{Path: "/startsAt", Value: in.StartsAt, Message: "must be in the future (it is " + now.UTC().Format(time.RFC3339) + " now)"})
	case !end.After(start):
		ds = append(ds, Detail{Path: "/endsAt", Value: in.EndsAt, Message: "must be after startsAt " + in.StartsAt})
	case end.Sub(start) > maxMeetingMinutes*time.Minute: // a working day, as the template's block
		ds = append(ds, Detail{Path: "/endsAt", Value: in.EndsAt, Message: fmt.Sprintf("an interview lasts at most %d minutes (a working day)", maxMeetingMinutes)})
	}
	return start, end, append(ds, checkReason(in.Reason)...)
}

func interviewRoutes() []route {
	return []route{
		{"GET", "/api/v1/cycles/:id/interviews", anyMember, (*Server).listInterviews, Doc{Tag: "feedback", Summary: "The cycle's feedback interviews (member, manager, time, state, sequence): all of them for admin, HRBP and the team's managers, one's own for anyone else", Responses: map[int]any{200: list[interviewView]{}}}},
		{"GET", "/api/v1/me/interviews", anyMember, (*Server).myInterviews, Doc{Tag: "feedback", Summary: "The caller's own feedback interviews across cycles, newest first", Responses: map[int]any{200: list[interviewView]{}}}},
		{"GET", "/api/v1/cycles/:id/interviews/:memberId", anyMember, (*Server).interviewICS, Doc{Tag: "feedback", Summary: "…/interviews/{memberId}.ics: the member's interview as an iCalendar invite at its current SEQUENCE (METHOD:CANCEL once cancelled); ETag is the sequence", Responses: map[int]any{200: nil}}},
		{"PATCH", "/api/v1/cycles/:id/interviews/:memberId", anyMember, (*Server).moveInterview, Doc{Tag: "feedback", Summary: "Move a feedback interview; manager and member get an updated invite (same UID, SEQUENCE+1). If-Match: the sequence read (ETag); stale is 409. Admin, HRBP, the team's managers and the interview's manager", Request: interviewMove{}, Responses: map[int]any{200: interviewView{}}}},
		{"DELETE", "/api/v1/cycles/:id/interviews/:memberId", anyMember, (*Server).cancelInterview, Doc{Tag: "feedback", Summary: "Cancel a feedback interview with a reason; manager and member get a METHOD:CANCEL invite (409 when cancelled already)", Request: meetingCancel{}, Responses: map[int]any{200: interviewView{}}}},
	}
}

func (s *Server) listInterviews(c *gin.Context) {
	cy, access, ok := s.cycleFor(c)
	if !ok {
		return
	}
	all := access.Lead
	ivs, err := s.store.ListInterviews(c.Request.Context(), cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	var mine []store.FeedbackInterview
	for _, iv := range ivs {
		if all || iv.MemberID == me.ID || iv.ManagerID == me.ID {
			mine = append(mine, iv)
		}
	}
	out, err := s.interviewViews(c, mine, nil)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, wholeList(out))
}

func (s *Server) myInterviews(c *gin.Context) {
	me := caller(c)
	ivs, err := s.store.ListMemberInterviews(c.Request.Context(), me.OrgID, me.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	titles := map[string]string{}
	for _, iv := range ivs {
		if cy, err := s.store.GetCycle(c.Request.Context(), me.OrgID, iv.CycleID); err == nil {
			titles[cy.ID] = cy.Title
		}
	}
	out, err := s.interviewViews(c, ivs, titles)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, wholeList(out))
}

func (s *Server) interviewViews(c *gin.Context, ivs []store.FeedbackInterview, titles map[string]string) ([]interviewView, error) {
	ids := make([]string, 0, 2*len(ivs))
	for _, iv := range ivs {
		ids = append(ids, iv.MemberID, iv.ManagerID)
	}
	people, err := s.store.MembersByID(c.Request.Context(), caller(c).OrgID, ids)
	if err != nil {
		return nil, err
	}
	name := func(id string) string {
		if m := people[id]; m != nil {
			return m.Name
		}
		return ""
	}
	out := make([]interviewView, 0, len(ivs))
	for _, iv := range ivs {
		out = append(out, interviewView{FeedbackInterview: iv, MemberName: name(iv.MemberID), ManagerName: name(iv.ManagerID), CycleTitle: titles[iv.CycleID]})
	}
	return out, nil
}

// interviewICS serves …/interviews/{memberId}.ics to whoever may see the
// interview: its manager and member, and the cycle's leads.
func (s *Server) interviewICS(c *gin.Context) {
	memberID, ok := strings.CutSuffix(c.Param("memberId"), ".ics")
	if !ok {
		writeError(c, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no route " + c.Request.URL.Path + "; the invite is …/interviews/{memberId}.ics"})
		return
	}
	cy, ok := s.visibleCycle(c)
	if !ok {
		return
	}
	iv, ok := s.interviewFor(c, cy, memberID, false)
	if !ok {
		return
	}
	method := "REQUEST"
	if iv.State == store.MeetingCancelled {
		method = "CANCEL"
	}
	meetingETag(c, iv.Sequence)
	c.Header("Content-Disposition", `attachment; filename="interview-`+memberID+`.ics"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8; method="+method, []byte(iv.ICS))
}

// interviewFor reads a member's interview the caller may see (change, when
// change is set); a member of the cycle asking for someone else's is 404,
// a manager of another team changing one is 403.
func (s *Server) interviewFor(c *gin.Context, cy *store.Cycle, memberID string, change bool) (*store.FeedbackInterview, bool) {
	me := caller(c)
	iv, err := s.store.GetInterview(c.Request.Context(), cy.OrgID, cy.ID, memberID)
	if err != nil {
		writeError(c, err)
		return nil, false
	}
	access, err := s.accessTo(c.Request.Context(), me, cy)
	if err != nil {
		writeError(c, err)
		return nil, false
	}
	switch {
	case access.Lead || me.ID == iv.ManagerID:
		return iv, true
	case change && me.ID == iv.MemberID:
		writeError(c, forbidden("the interview's manager, HRBP or an admin moves or cancels it; ask your manager to"))
	case change:
		writeError(c, forbidden("this interview belongs to another team's cycle"))
	case me.ID == iv.MemberID:
		return iv, true
	default:
		writeError(c, notFoundErr("interview"))
	}
	return nil, false
}

func (s *Server) moveInterview(c *gin.Context) {
	cy, iv, ok := s.interviewToChange(c)
	if !ok {
		return
	}
	var in interviewMove
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	start, end, ds := in.validate(time.Now())
	if len(ds) > 0 {
		writeError(c, badRequest("the interview cannot move like that; see details", ds...))
		return
	}
	s.changeInterview(c, cy, iv, calendar.Change{Reason: in.Reason, Move: &calendar.Slot{Start: start, End: end}})
}

func (s *Server) cancelInterview(c *gin.Context) {
	cy, iv, ok := s.interviewToChange(c)
	if !ok {
		return
	}
	if ch, ok := decodeCancel(c); ok {
		s.changeInterview(c, cy, iv, ch)
	}
}

// interviewToChange reads the interview a move or cancellation names, if
// the caller may change it, before the body is read: whoever may not
// hears 403 or 404 whatever they sent. The cycle is read without the
// visibility rule so that a manager of another team hears 403, not 404.
func (s *Server) interviewToChange(c *gin.Context) (*store.Cycle, *store.FeedbackInterview, bool) {
	cy, err := s.store.GetCycle(c.Request.Context(), caller(c).OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return nil, nil, false
	}
	iv, ok := s.interviewFor(c, cy, c.Param("memberId"), true)
	return cy, iv, ok
}

// changeInterview moves or cancels a feedback interview through the one
// calendar-change flow (calendar.ChangeInterview) and answers with the
// interview as it now stands.
func (s *Server) changeInterview(c *gin.Context, cy *store.Cycle, iv *store.FeedbackInterview, ch calendar.Change) {
	if !s.calendarChange(c, cy, &ch) {
		return
	}
	changed, done, err := calendar.ChangeInterview(c.Request.Context(), outbox.Outbox{Store: s.store}, ch, iv)
	if err != nil {
		writeError(c, err)
		return
	}
	s.calendarChanged(c, done, changed.Sequence)
	view := interviewView{FeedbackInterview: *changed}
	if m := done.People[changed.MemberID]; m != nil {
		view.MemberName = m.Name
	}
	if m := done.People[changed.ManagerID]; m != nil {
		view.ManagerName = m.Name
	}
	c.JSON(http.StatusOK, view)
}
