package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// cycleRoutes hangs the engine's routes: launching and steering cycles,
// the inbox and task submissions, results, metrics and notifications.
func cycleRoutes() []route {
	paging := []string{"limit", "offset", "sort"}
	return []route{
		{"POST", "/api/v1/cycles", leadsOnly, (*Server).launchCycle, Doc{Tag: "cycles", Summary: "Launch a cycle of a published template for a team and period (Idempotency-Key header or field: the same key returns the same cycle, 200)", Request: launchInput{}, Responses: map[int]any{200: store.Cycle{}, 201: store.Cycle{}}}},
		{"GET", "/api/v1/cycles", anyMember, (*Server).listCycles, Doc{Tag: "cycles", Summary: "Cycles the caller may see (employees: those they are reviewed in; managers: their teams', those they launched and those they are reviewed in)", Query: append([]string{"state", "templateKey", "period", "teamId"}, paging...), Responses: map[int]any{200: list[store.Cycle]{}}}},
		{"GET", "/api/v1/cycles/:id", anyMember, (*Server).getCycle, Doc{Tag: "cycles", Summary: "A cycle with its live progress and task counts per stage; a blocked cycle (state blocked) says why in blockedReason and progress.reason", Responses: map[int]any{200: cycleView{}}}},
		{"POST", "/api/v1/cycles/:id/cancel", leadsOnly, (*Server).cancelCycle, Doc{Tag: "cycles", Summary: "Cancel a cycle with a reason; open tasks close, nothing is deleted (409 when already over)", Request: cancelInput{}, Responses: map[int]any{202: store.Cycle{}}}},
		{"POST", "/api/v1/cycles/:id/resume", leadsOnly, (*Server).resumeCycle, Doc{Tag: "cycles", Summary: "Run the step that blocked a cycle again once its data is corrected (blockedReason names what is wrong: the member, indicator and value, or the missing member, team or target); it blocks again if the data still does not serve (409 when the cycle is not blocked). A metric write that corrects the data resumes it too", Responses: map[int]any{202: store.Cycle{}}}},
		{"GET", "/api/v1/cycles/:id/results", anyMember, (*Server).cycleResults, Doc{Tag: "results", Summary: "Results by rank (employees see only their own, once published), each with the data found missing and its policy, and an explanation whose parts recompute the final score", Query: paging, Responses: map[int]any{200: list[resultView]{}}}},
		{"GET", "/api/v1/cycles/:id/targets", anyMember, (*Server).cycleTargets, Doc{Tag: "cycles", Summary: "Team and member targets (employees see their own)", Responses: map[int]any{200: list[store.Target]{}}}},
		{"GET", "/api/v1/cycles/:id/reports", anyMember, (*Server).cycleReports, Doc{Tag: "cycles", Summary: "Progress reports of the execute stage, newest first, with what was written (employees see their own)", Query: append([]string{"state"}, paging...), Responses: map[int]any{200: list[reportView]{}}}},
		{"GET", "/api/v1/cycles/:id/tasks", leadsOnly, (*Server).cycleTasks, Doc{Tag: "cycles", Summary: "A cycle's tasks, filterable by stage, state and assignee", Query: append([]string{"stage", "state", "assigneeId", "kind"}, paging...), Responses: map[int]any{200: list[store.Task]{}}}},
		{"POST", "/api/v1/cycles/:id/remind", leadsOnly, (*Server).remindNow, Doc{Tag: "cycles", Summary: "Remind everyone with an overdue task now (at most once a day per task), in-app and on the channels the template or the organisation routes reminders to, outside quiet hours; with ?memberId= remind that member of each open task, overdue or not (the dashboard's nudge)", Query: []string{"memberId"}, Responses: map[int]any{200: remindResult{}}}},
		{"GET", "/api/v1/inbox", anyMember, (*Server).inbox, Doc{Tag: "tasks", Summary: "The caller's tasks, open first and by due date, each with the name of the member it concerns, its cycle's title and its template stage's name", Query: append([]string{"state"}, paging...), Responses: map[int]any{200: list[inboxTask]{}}}},
		{"GET", "/api/v1/tasks/:id", anyMember, (*Server).getTask, Doc{Tag: "tasks", Summary: "One of the caller's tasks with its form; form.schema is the JSON Schema (2020-12) of the body its submit accepts", Responses: map[int]any{200: taskView{}}}},
		{"POST", "/api/v1/tasks/:id/submit", anyMember, (*Server).submitTask, Doc{Tag: "tasks", Summary: "Submit a task's form; checked against the template, then handed to the workflow as an Update (409 when closed, 422 when calibration breaks the forced distribution)", Request: map[string]any{}, Responses: map[int]any{200: engine.SubmitResult{}}}},
		{"POST", "/api/v1/metrics", leadsOnly, (*Server).ingestMetrics, Doc{Tag: "metrics", Summary: "Ingest metric values (JSON) for members of the caller's teams (403 names the others): known indicators and finite values only, one value per member, indicator and period (409 names the recorded one unless replace is true); all or nothing, the same body twice changes nothing", Request: metricsInput{}, Responses: map[int]any{200: store.MetricUpsert{}}}},
		{"GET", "/api/v1/notifications", anyMember, (*Server).notifications, Doc{Tag: "notifications", Summary: "The caller's in-app notifications, newest first", Query: append([]string{"unread"}, paging...), Responses: map[int]any{200: list[store.Notification]{}}}},
		{"GET", "/api/v1/idps", anyMember, (*Server).listIDPs, Doc{Tag: "idps", Summary: "Development plans: the caller's own, or those of their teams, each with the periods at the bottom that triggered it", Query: append([]string{"state"}, paging...), Responses: map[int]any{200: list[idpSummary]{}}}},
	}
}

type launchInput struct {
	TemplateKey    string  `json:"templateKey"`
	Version        int     `json:"version,omitempty"`
	TeamID         string  `json:"teamId"`
	Period         string  `json:"period"`
	Title          string  `json:"title,omitempty"`
	IdempotencyKey string  `json:"idempotencyKey,omitempty"`
	Compress       float64 `json:"compress,omitempty"`
}

type cancelInput struct {
	Reason string `json:"reason"`
}

type cycleView struct {
	store.Cycle
	Progress *engine.Progress   `json:"progress"`
	Tasks    []store.StageCount `json:"tasks"`
	Overdue  []store.Task       `json:"overdue"`
}

type remindResult struct {
	Overdue  int `json:"overdue"`
	Reminded int `json:"reminded"`
	// Deliveries counts the e-mail, chat and webhook messages newly owed.
	Deliveries int `json:"deliveries"`
}

// remindNow reminds the assignees of the cycle's overdue tasks, or with
// ?memberId= that member's open ones (cycles.RemindNow), and wakes the
// sender for what that owes.
func (s *Server) remindNow(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	res, err := cycles.RemindNow(ctx, s.store, cycles.RemindRequest{Cycle: cy, MemberID: c.Query("memberId"), Now: time.Now()})
	if err != nil {
		writeError(c, err)
		return
	}
	if res.Deliveries > 0 {
		s.wakeDelivery(ctx)
	}
	c.JSON(http.StatusOK, remindResult(res))
}

// wakeDelivery asks the sender to claim what was just owed instead of at
// its next round; without an engine, or before a worker runs, the round
// claims it anyway.
func (s *Server) wakeDelivery(ctx context.Context) {
	if s.cycles == nil {
		return
	}
	if err := s.cycles.WakeDelivery(ctx); err != nil {
		s.log.Debug("delivery not woken; its next round sends", "err", err)
	}
}

type taskView struct {
	store.Task
	Form    json.RawMessage     `json:"form"`
	Context *cycles.TaskContext `json:"context,omitempty"`
}

type resultView struct {
	store.Result
	Indicators  json.RawMessage `json:"indicators"`
	Parts       json.RawMessage `json:"parts"`
	Adjustments json.RawMessage `json:"adjustments"`
	// Missing and Explanation are as scoring stored them; null for results
	// computed before they were recorded.
	Missing     []scorecard.MissingData `json:"missing"`
	Explanation *scorecard.Explanation  `json:"explanation"`
}

func viewOf(r store.Result) resultView {
	v := resultView{Result: r, Indicators: rawOr(r.IndicatorScores), Parts: rawOr(r.Parts), Adjustments: rawOr(r.Adjustments)}
	if r.Missing != "" {
		_ = json.Unmarshal([]byte(r.Missing), &v.Missing)
	}
	if r.Explanation != "" {
		var e scorecard.Explanation
		if json.Unmarshal([]byte(r.Explanation), &e) == nil {
			v.Explanation = &e
		}
	}
	return v
}

func (s *Server) engineReady(c *gin.Context) bool {
	if s.cycles == nil {
		writeError(c, &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the workflow engine is not configured on this server"})
		return false
	}
	return true
}

// managedTeams is every team in the subtrees of the teams a manager leads.
func (s *Server) managedTeams(ctx context.Context, m *store.Member) ([]string, error) {
	teams, err := s.store.AllTeams(ctx, m.OrgID, store.TeamFilter{})
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range teams {
		if t.ManagerID == nil || *t.ManagerID != m.ID {
			continue
		}
		ids, err := s.store.TeamSubtree(ctx, m.OrgID, t.ID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out, nil
}

func (s *Server) launchCycle(c *gin.Context) {
	if !s.engineReady(c) {
		return
	}
	var in launchInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	ctx := c.Request.Context()
	if in.TeamID != "" && !s.mayLaunchFor(c, me, in.TeamID) {
		return
	}
	key := in.IdempotencyKey
	if h := c.GetHeader("Idempotency-Key"); h != "" {
		key = h
	}
	cy, created, err := s.cycles.Launch(ctx, cycles.LaunchRequest{
		OrgID: me.OrgID, TemplateKey: in.TemplateKey, Version: in.Version, TeamID: in.TeamID, Period: in.Period,
		Title: in.Title, IdempotencyKey: key, By: me.ID, Compress: in.Compress,
	})
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, cy)
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// engineErr maps the cycles service's errors onto the API's.
// mayLaunchFor says whether the caller may launch a cycle for the team:
// HR and admins for any, a manager for the teams they lead. It writes the
// error answer when not.
func (s *Server) mayLaunchFor(c *gin.Context, me *store.Member, teamID string) bool {
	if me.Role != store.RoleManager {
		return true
	}
	teams, err := s.managedTeams(c.Request.Context(), me)
	if err != nil {
		writeError(c, err)
		return false
	}
	if !containsString(teams, teamID) {
		writeError(c, forbidden("managers launch cycles for the teams they lead"))
		return false
	}
	return true
}

func engineErr(err error) error {
	var inv cycles.Invalid
	var ref *cycles.Refused
	switch {
	case errors.As(err, &inv):
		ds := make([]Detail, len(inv))
		for i, f := range inv {
			ds[i] = Detail{Path: f.Path, Value: f.Value, Message: f.Message}
		}
		return badRequest("the request is not valid; see details", ds...)
	case errors.As(err, &ref):
		switch ref.Kind {
		case "NotAssignee", "OwnReview":
			e := forbidden(ref.Message)
			e.cause = ref
			return e
		case "DistributionBroken", "BadSubmission":
			return &Error{Status: http.StatusUnprocessableEntity, Code: strings.ToLower(ref.Kind), Message: ref.Message, cause: ref}
		}
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: ref.Message, cause: ref}
	case errors.Is(err, cycles.ErrTemplateBroken):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: err.Error()}
	case errors.Is(err, cycles.ErrUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: err.Error()}
	}
	return err
}

func (s *Server) listCycles(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	ctx := c.Request.Context()
	f := store.CycleFilter{State: c.Query("state"), TemplateKey: c.Query("templateKey"), Period: c.Query("period")}
	if t := c.Query("teamId"); t != "" {
		f.TeamIDs = []string{t}
	}
	switch me.Role {
	case store.RoleManager:
		teams, err := s.managedTeams(ctx, me)
		if err != nil {
			writeError(c, err)
			return
		}
		if len(f.TeamIDs) > 0 && !containsString(teams, f.TeamIDs[0]) {
			c.JSON(http.StatusOK, newList([]store.Cycle{}, 0, p))
			return
		}
		if len(f.TeamIDs) == 0 {
			// As visibleCycle: the cycles they lead, and those they are reviewed in.
			f.TeamIDs, f.AlsoFor = append(teams, "-"), me.ID // "-" keeps an empty set empty
		}
	case store.RoleEmployee:
		f.MemberID = me.ID
	}
	out, total, err := s.store.ListCycles(ctx, me.OrgID, f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(out, total, p))
}

func (s *Server) getCycle(c *gin.Context) {
	cy, access, ok := s.cycleFor(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	view := cycleView{Cycle: *cy, Tasks: []store.StageCount{}, Overdue: []store.Task{}}
	if s.cycles != nil {
		p, err := s.cycles.Progress(ctx, cy)
		if err == nil {
			view.Progress = p
		}
	}
	if access.Lead {
		counts, err := s.store.CountTasksByStage(ctx, cy.ID)
		if err != nil {
			writeError(c, err)
			return
		}
		if counts != nil {
			view.Tasks = counts
		}
		overdue, err := s.store.ListOverdue(ctx, cy.ID, time.Now())
		if err != nil {
			writeError(c, err)
			return
		}
		if len(overdue) > 50 {
			overdue = overdue[:50]
		}
		if overdue != nil {
			view.Overdue = overdue
		}
	}
	etag(c, cy.Version)
	c.JSON(http.StatusOK, view)
}

func (s *Server) cancelCycle(c *gin.Context) {
	if !s.engineReady(c) {
		return
	}
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	var in cancelInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	out, err := s.cycles.Cancel(c.Request.Context(), me.OrgID, cy.ID, me.ID, in.Reason)
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	c.JSON(http.StatusAccepted, out)
}

func (s *Server) resumeCycle(c *gin.Context) {
	if !s.engineReady(c) {
		return
	}
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	me := caller(c)
	out, err := s.cycles.Resume(c.Request.Context(), me.OrgID, cy.ID, me.ID)
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	c.JSON(http.StatusAccepted, out)
}

func (s *Server) cycleResults(c *gin.Context) {
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
	ctx := c.Request.Context()
	var rows []store.Result
	var total int64
	if !access.Lead {
		r, err := s.store.GetResult(ctx, cy.ID, me.ID)
		if err == nil && r.State != store.ResultComputed && r.State != store.ResultCalibrated {
			rows, total = []store.Result{*r}, 1
		}
	} else {
		rows, total, err = s.store.ListResults(ctx, cy.ID, p)
		if err != nil {
			writeError(c, err)
			return
		}
	}
	views := make([]resultView, len(rows))
	for i, r := range rows {
		views[i] = viewOf(r)
	}
	c.JSON(http.StatusOK, newList(views, total, p))
}

func rawOr(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("{}")
	}
	return json.RawMessage(s)
}

func (s *Server) cycleTargets(c *gin.Context) {
	cy, access, ok := s.cycleFor(c)
	if !ok {
		return
	}
	member := ""
	if !access.Lead {
		member = caller(c).ID
	}
	ts, err := s.store.ListTargets(c.Request.Context(), cy.ID, member)
	if err != nil {
		writeError(c, err)
		return
	}
	if ts == nil {
		ts = []store.Target{}
	}
	c.JSON(http.StatusOK, wholeList(ts))
}

func (s *Server) cycleTasks(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	f := store.TaskFilter{CycleID: cy.ID, StageKey: c.Query("stage"), State: engine.TaskState(c.Query("state")), AssigneeID: c.Query("assigneeId"), Kind: engine.TaskKind(c.Query("kind"))}
	ts, total, err := s.store.ListTasks(c.Request.Context(), caller(c).OrgID, f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(ts, total, p))
}

func (s *Server) inbox(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	ts, total, err := s.store.ListInbox(c.Request.Context(), me.ID, engine.TaskState(c.Query("state")), time.Now(), p)
	if err != nil {
		writeError(c, err)
		return
	}
	rows, err := s.inboxContext(c.Request.Context(), me.OrgID, ts)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(rows, total, p))
}

// inboxTask is an inbox row with what a reader needs to tell rows apart:
// whom the task concerns, in which cycle, at which stage of its template.
type inboxTask struct {
	store.Task
	SubjectName string          `json:"subjectName,omitempty"`
	CycleTitle  string          `json:"cycleTitle,omitempty"`
	StageName   *templates.Text `json:"stageName,omitempty"` // absent for stages outside the template (IDP reviews)
}

// inboxContext names a page of tasks' subjects in one query and reads each
// distinct cycle once (a page spans a few cycles, not one per row).
func (s *Server) inboxContext(ctx context.Context, orgID string, ts []store.Task) ([]inboxTask, error) {
	var ids []string
	for _, t := range ts {
		if t.SubjectID != nil {
			ids = append(ids, *t.SubjectID)
		}
	}
	names, err := s.store.MembersByID(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	type cycleInfo struct {
		title string
		tpl   *templates.Template
	}
	cys := map[string]*cycleInfo{}
	out := make([]inboxTask, len(ts))
	for i, t := range ts {
		out[i] = inboxTask{Task: t}
		if t.SubjectID != nil && names[*t.SubjectID] != nil {
			out[i].SubjectName = names[*t.SubjectID].Name
		}
		if t.CycleID == "" {
			continue
		}
		info, seen := cys[t.CycleID]
		if !seen {
			cy, err := s.store.GetCycle(ctx, orgID, t.CycleID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			if cy != nil {
				// Frozen at launch and valid then; a body that no longer
				// parses only loses the stage names.
				tpl, _ := templates.Parse([]byte(cy.TemplateBody))
				info = &cycleInfo{title: cy.Title, tpl: tpl}
			}
			cys[t.CycleID] = info
		}
		if info == nil {
			continue
		}
		out[i].CycleTitle = info.title
		// A report round's key is its execute stage's key and "#report-n"
		// (engine.ReportKey); the round itself the UI reads from the key.
		stage, _, _ := strings.Cut(t.StageKey, "#")
		if r := outbox.RouteOf(info.tpl, stage); r.Stage != nil {
			name := r.Stage.Name
			out[i].StageName = &name
		}
	}
	return out, nil
}

func (s *Server) getTask(c *gin.Context) {
	t, err := s.store.GetTaskByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err) // 404 when missing, 503 when the database is down
		return
	}
	me := caller(c)
	if t.OrgID != me.OrgID || t.AssigneeID != me.ID {
		writeError(c, notFoundErr("task"))
		return
	}
	more, err := cycles.ContextOf(c.Request.Context(), s.store, t)
	if err != nil {
		writeError(c, err)
		return
	}
	etag(c, t.Version)
	c.JSON(http.StatusOK, taskView{Task: *t, Form: cycles.FormOf(t), Context: more})
}

func (s *Server) submitTask(c *gin.Context) {
	if !s.engineReady(c) {
		return
	}
	data, err := readBody(c, MaxBody)
	if err != nil {
		writeError(c, err)
		return
	}
	if !json.Valid(data) {
		writeError(c, decodeStrict(data, &map[string]any{}))
		return
	}
	res, err := s.cycles.Submit(c.Request.Context(), caller(c), c.Param("id"), data)
	if err != nil {
		writeError(c, engineErr(err))
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) notifications(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	ns, total, err := s.store.ListNotifications(c.Request.Context(), caller(c).ID, c.Query("unread") == "true", p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(ns, total, p))
}

func (s *Server) listIDPs(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	ctx := c.Request.Context()
	f := store.IDPFilter{State: c.Query("state")}
	switch me.Role {
	case store.RoleEmployee:
		f.MemberIDs = []string{me.ID}
	case store.RoleManager:
		teams, err := s.managedTeams(ctx, me)
		if err != nil {
			writeError(c, err)
			return
		}
		ms, err := s.store.AllMembers(ctx, me.OrgID, store.MemberFilter{TeamIDs: append(teams, "-"), IncludeInactive: true})
		if err != nil {
			writeError(c, err)
			return
		}
		f.MemberIDs = []string{me.ID}
		for _, m := range ms {
			f.MemberIDs = append(f.MemberIDs, m.ID)
		}
	}
	out, total, err := s.store.ListIDPs(ctx, me.OrgID, f, p)
	if err != nil {
		writeError(c, err)
		return
	}
	sums, err := summariseIDPs(out)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(sums, total, p))
}

type targetAdjust struct {
	Values   map[string]float64 `json:"values"`             // member id → new target
	Versions map[string]int     `json:"versions,omitempty"` // member id → version read; stale is 409
}

type calibrationBoard struct {
	Meeting  *meetingView              `json:"meeting"`
	Results  []resultView              `json:"results"`
	Changes  []store.CalibrationChange `json:"changes"`
	Limits   json.RawMessage           `json:"limits"`
	Proposed map[string]int            `json:"proposed"`
	Final    map[string]int            `json:"final"`
}

type meetingView struct {
	store.CalibrationMeeting
	Participants json.RawMessage `json:"participants"`
	Agenda       json.RawMessage `json:"agenda"`
}

func boardRoutes() []route {
	return []route{
		{"PATCH", "/api/v1/cycles/:id/targets/:indicator", leadsOnly, (*Server).adjustTargets, Doc{Tag: "cycles", Summary: "Adjust member targets by hand; they must still add up to the team target (400), and a stale version is 409", Request: targetAdjust{}, Responses: map[int]any{200: list[store.Target]{}}}},
		{"GET", "/api/v1/cycles/:id/calibration", leadsOnly, (*Server).calibrationBoard, Doc{Tag: "calibration", Summary: "Calibration board: the meeting (slot, participants, agenda, ICS), proposed against final grades, changes with reasons, the limits", Responses: map[int]any{200: calibrationBoard{}}}},
		{"GET", "/api/v1/cycles/:id/calibration.ics", leadsOnly, (*Server).calibrationICS, Doc{Tag: "calibration", Summary: "The calibration meeting as an iCalendar invite, at its current SEQUENCE (METHOD:CANCEL once cancelled)", Responses: map[int]any{200: nil}}},
		{"PATCH", "/api/v1/cycles/:id/calibration/meeting", leadsOnly, (*Server).moveMeeting, Doc{Tag: "calibration", Summary: "Move the calibration meeting; every participant gets an updated invite (same UID, SEQUENCE+1). If-Match: the sequence read (ETag); stale is 409", Request: meetingMove{}, Responses: map[int]any{200: meetingView{}}}},
		{"DELETE", "/api/v1/cycles/:id/calibration/meeting", leadsOnly, (*Server).cancelMeeting, Doc{Tag: "calibration", Summary: "Cancel the calibration meeting with a reason; every participant gets a METHOD:CANCEL invite (409 when cancelled already)", Request: meetingCancel{}, Responses: map[int]any{200: meetingView{}}}},
	}
}

func (s *Server) adjustTargets(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	var in targetAdjust
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	if len(in.Values) == 0 {
		writeError(c, badRequest("nothing to change", Detail{Path: "/values", Message: "give at least one member's new target"}))
		return
	}
	// A lead through another path (HRBP, admin) reviewed in the cycle
	// still never sets their own target.
	if _, self := in.Values[caller(c).ID]; self {
		writeError(c, forbidden("nobody changes their own target; ask another lead of the cycle"))
		return
	}
	for id, v := range in.Values {
		if v < 0 {
			writeError(c, badRequest("a target cannot be negative", Detail{Path: "/values/" + id, Value: fmt.Sprint(v), Message: "must be zero or more"}))
			return
		}
	}
	out, err := s.store.AdjustTargets(c.Request.Context(), cy.ID, c.Param("indicator"), caller(c).ID, in.Values, in.Versions)
	var sum *store.ErrTargetSum
	if errors.As(err, &sum) {
		writeError(c, badRequest(sum.Error(), Detail{Path: "/values", Value: fmt.Sprint(sum.Got), Message: fmt.Sprintf("member targets must add up to the team target %g", sum.Want)}))
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, wholeList(out))
}

func (s *Server) calibrationBoard(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	board := calibrationBoard{Results: []resultView{}, Changes: []store.CalibrationChange{}, Proposed: map[string]int{}, Final: map[string]int{}, Limits: json.RawMessage("[]")}
	if m, err := s.store.GetMeeting(ctx, cy.ID); err == nil {
		board.Meeting = &meetingView{CalibrationMeeting: *m, Participants: rawOr(m.Participants), Agenda: rawOr(m.Agenda)}
	}
	results, err := s.store.AllResults(ctx, cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	for _, r := range results {
		board.Results = append(board.Results, viewOf(r))
		if r.Blocked != "" {
			continue // withheld: no grade to count against the distribution
		}
		board.Proposed[r.ProposedGrade]++
		board.Final[r.Grade]++
	}
	changes, err := s.store.ListCalibrationChanges(ctx, cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	if changes != nil {
		board.Changes = changes
	}
	var tpl struct {
		Distribution json.RawMessage `json:"distribution"`
	}
	if json.Unmarshal([]byte(cy.TemplateBody), &tpl) == nil && len(tpl.Distribution) > 0 {
		board.Limits = tpl.Distribution
	}
	c.JSON(http.StatusOK, board)
}

func (s *Server) calibrationICS(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	m, err := s.store.GetMeeting(c.Request.Context(), cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	method := "REQUEST"
	if m.State == store.MeetingCancelled {
		method = "CANCEL"
	}
	meetingETag(c, m.Sequence)
	c.Header("Content-Disposition", `attachment; filename="calibration.ics"`)
	c.Data(http.StatusOK, "text/calendar; charset=utf-8; method="+method, []byte(m.ICS))
}
