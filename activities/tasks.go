package activities

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/raters"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// managerOf is who reviews a member: their own manager, else their team's.
// A manager who has left (deactivated, or removed) reviews nobody: a task
// opened for them would wait for someone who never comes.
func (a *Activities) managerOf(ctx context.Context, orgID, memberID string) (string, error) {
	m, err := a.Store.GetMember(ctx, orgID, memberID)
	if err != nil {
		return "", notFound(fmt.Errorf("find the manager of member %s: %w", memberID, err))
	}
	if m.ManagerID != nil && *m.ManagerID != "" {
		if ok, err := a.active(ctx, orgID, *m.ManagerID); err != nil || ok {
			return *m.ManagerID, err
		}
	}
	if m.TeamID != nil {
		t, err := a.Store.GetTeam(ctx, orgID, *m.TeamID)
		if err != nil {
			return "", notFound(fmt.Errorf("find the manager of member %s through their team: %w", memberID, err))
		}
		if t.ManagerID != nil && *t.ManagerID != memberID {
			if ok, err := a.active(ctx, orgID, *t.ManagerID); err != nil || ok {
				return *t.ManagerID, err
			}
		}
	}
	return "", nil
}

// active says whether a member is still in the organisation.
func (a *Activities) active(ctx context.Context, orgID, id string) (bool, error) {
	m, err := a.Store.GetMember(ctx, orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.Active, nil
}

// holders lists who holds role for a cycle: the scope team's manager for
// "manager", the organisation's HRBPs or admins, or every member in scope.
func (a *Activities) holders(ctx context.Context, c *store.Cycle, role string) ([]string, error) {
	switch role {
	case "manager":
		t, err := a.Store.GetTeam(ctx, c.OrgID, c.ScopeTeamID)
		if err != nil {
			return nil, notFound(fmt.Errorf("find the manager of the cycle's team: %w", err))
		}
		if t.ManagerID != nil {
			return []string{*t.ManagerID}, nil
		}
		return a.roleHolders(ctx, c.OrgID, store.RoleHRBP)
	case "hrbp", "admin":
		ids, err := a.roleHolders(ctx, c.OrgID, role)
		if err != nil || len(ids) > 0 || role == "admin" {
			return ids, err
		}
		return a.roleHolders(ctx, c.OrgID, store.RoleAdmin) // no HRBP: an admin facilitates
	default:
		ms, err := a.Store.ListCycleMembers(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.MemberID
		}
		return out, nil
	}
}

func (a *Activities) roleHolders(ctx context.Context, orgID, role string) ([]string, error) {
	ms, err := a.Store.AllMembers(ctx, orgID, store.MemberFilter{Role: role})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out, nil
}

func dedupe(parts ...string) string { return strings.Join(parts, ":") }

var kindTitles = map[engine.TaskKind][2]string{
	engine.TaskPlan:           {"提交工作计划", "Submit your plan"},
	engine.TaskReport:         {"提交工作汇报", "Submit your progress report"},
	engine.TaskSelfEval:       {"完成自评", "Complete your self-evaluation"},
	engine.TaskManagerEval:    {"评价团队成员", "Evaluate a team member"},
	engine.TaskPeerEval:       {"同事互评", "Rate a colleague"},
	engine.TaskCrossEval:      {"跨部门评价", "Cross-department rating"},
	engine.TaskAcknowledge:    {"确认绩效结果", "Acknowledge your results"},
	engine.TaskConfirmTargets: {"确认目标分解", "Confirm the target breakdown"},
	engine.TaskCalibration:    {"提交校准结果", "Submit the calibration"},
	engine.TaskGeneric:        {"填写表单", "Fill in the form"},
}

// EnsureCycleTasks opens cycle-level tasks for the holders of a role.
func (a *Activities) EnsureCycleTasks(ctx context.Context, req CycleTaskRequest) ([]engine.TaskRef, error) {
	c, t, err := a.cycle(ctx, req.CycleID)
	if err != nil {
		return nil, err
	}
	who, err := a.holders(ctx, c, req.Role)
	if err != nil {
		return nil, err
	}
	stage := stageByKey(t, req.StageKey)
	kind := map[string]engine.TaskKind{"confirm_targets": engine.TaskConfirmTargets, "calibration": engine.TaskCalibration}[req.Kind]
	if kind == "" {
		kind = engine.TaskGeneric
	}
	body, _ := json.Marshal(engine.TaskPayload{StageKey: req.StageKey, StageType: stage.Type, Form: stage.Form})
	out := []engine.TaskRef{}
	for _, id := range who {
		title := kindTitles[kind]
		nt := &store.Task{
			OrgID: c.OrgID, CycleID: c.ID, WorkflowID: engine.CycleWorkflowID(c.ID), StageKey: req.StageKey, Kind: kind,
			AssigneeID: id, Title: title[0] + "：" + stage.Name.Zh, TitleEn: title[1] + ": " + stage.Name.In("en"),
			DueAt: req.Due, Payload: string(body), DedupeKey: dedupe(c.ID, req.StageKey, string(kind), id),
		}
		ref, err := a.openTask(ctx, nt)
		if err != nil {
			return nil, err
		}
		out = append(out, *ref)
	}
	return out, nil
}

func stageByKey(t *templates.Template, key string) templates.Stage {
	for _, s := range t.Stages {
		if s.Key == key {
			return s
		}
	}
	return templates.Stage{Key: key}
}

// EnsureMemberTasks opens a member's tasks for a stage: the plan, the
// ratings of the member by every rater the template names, or the
// acknowledgement of results.
func (a *Activities) EnsureMemberTasks(ctx context.Context, req MemberTasksRequest) ([]engine.TaskRef, error) {
	c, t, err := a.cycle(ctx, req.Stage.CycleID)
	if err != nil {
		return nil, err
	}
	stage := stageByKey(t, engine.ParentStage(req.Stage.StageKey))
	subject := req.MemberID
	type want struct {
		kind     engine.TaskKind
		assignee string
		p        engine.TaskPayload
		title    [2]string // default: the kind's
	}
	var wants []want
	base := engine.TaskPayload{StageKey: stage.Key, StageType: stage.Type}
	typ := stage.Type
	if req.Stage.StageType == engine.StageReport {
		typ = engine.StageReport
	}
	switch typ {
	case engine.StageReport:
		if stage.Reports == nil {
			return nil, temporal.NewNonRetryableApplicationError("stage "+stage.Key+" asks for no reports", "InvalidTemplate", nil)
		}
		p := base
		p.StageKey, p.StageType, p.Form, p.Round = req.Stage.StageKey, engine.StageReport, stage.Reports.Form, req.Stage.Round
		name := templates.Text{Zh: "工作汇报", En: "Progress report"}
		if stage.Reports.Name != nil {
			name = *stage.Reports.Name
		}
		title := [2]string{fmt.Sprintf("提交%s（第 %d 期）", name.Zh, req.Stage.Round), fmt.Sprintf("%s %d", name.In("en"), req.Stage.Round)}
		wants = append(wants, want{kind: engine.TaskReport, assignee: subject, p: p, title: title})
	case templates.StagePlan:
		p := base
		p.Form, p.Approval = stage.Form, stage.Approval
		wants = append(wants, want{kind: engine.TaskPlan, assignee: subject, p: p})
	case templates.StageFeedback:
		res, err := a.Store.GetResult(ctx, c.ID, subject)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if res != nil && res.Blocked != "" {
			break // a withheld result has nothing to acknowledge until its data arrives
		}
		wants = append(wants, want{kind: engine.TaskAcknowledge, assignee: subject, p: base})
	case templates.StageTask:
		p := base
		p.Form = stage.Form
		wants = append(wants, want{kind: engine.TaskGeneric, assignee: subject, p: p})
	case templates.StageEvaluate:
		for _, r := range t.Raters {
			if r.InputOf() != "task" {
				continue
			}
			p := base
			p.RaterKey, p.Anonymous, p.Scale = r.Key, r.Anonymous, r.Scale
			p.Indicators = ratedBy(r, t)
			switch r.Role {
			case templates.RaterSelf:
				wants = append(wants, want{kind: engine.TaskSelfEval, assignee: subject, p: p})
			case templates.RaterManager:
				mgr, err := a.managerOf(ctx, c.OrgID, subject)
				if err != nil {
					return nil, err
				}
				if mgr != "" {
					wants = append(wants, want{kind: engine.TaskManagerEval, assignee: mgr, p: p})
				}
			case templates.RaterPeer, templates.RaterCrossDepartment:
				raters, err := a.pickRaters(ctx, c, subject, r)
				if err != nil {
					return nil, err
				}
				kind := engine.TaskPeerEval
				if r.Role == templates.RaterCrossDepartment {
					kind = engine.TaskCrossEval
				}
				for _, id := range raters {
					wants = append(wants, want{kind: kind, assignee: id, p: p})
				}
			}
		}
	}
	out := []engine.TaskRef{}
	for _, w := range wants {
		body, _ := json.Marshal(w.p)
		title := kindTitles[w.kind]
		if w.title[0] != "" {
			title = w.title
		}
		nt := &store.Task{
			OrgID: c.OrgID, CycleID: c.ID, WorkflowID: req.WorkflowID, StageKey: req.Stage.StageKey, Kind: w.kind,
			AssigneeID: w.assignee, SubjectID: &subject, Title: title[0], TitleEn: title[1], DueAt: req.Stage.Due,
			Payload: string(body), DedupeKey: dedupe(c.ID, req.Stage.StageKey, string(w.kind), w.assignee, subject),
		}
		ref, err := a.openTask(ctx, nt)
		if err != nil {
			return nil, err
		}
		out = append(out, *ref)
	}
	return out, nil
}

// ratedBy lists the indicators a rater rates (default: every behavioural one).
func ratedBy(r templates.Rater, t *templates.Template) []string {
	if len(r.Indicators) > 0 {
		return r.Indicators
	}
	var out []string
	for _, ind := range t.Indicators {
		if ind.Kind == templates.Behavioural {
			out = append(out, ind.Key)
		}
	}
	return out
}

// pickRaters chooses peers (same team) or cross-department raters (other
// teams) for a member: up to Max, in an order fixed by a hash of cycle,
// member and rater, so a retry picks the same people and the load spreads
// evenly instead of always landing on the first names.
//
// A peer or cross-department rater must be independent of the member:
// nobody in their management chain, who rates them as their manager or
// decides on them already (a team's own manager sits in the team, and the
// head of a department in another team), and, across departments, no
// HRBP, who facilitates the cycle's calibration and would judge the
// ratings they gave.
func (a *Activities) pickRaters(ctx context.Context, c *store.Cycle, subject string, r templates.Rater) ([]string, error) {
	m, err := a.Store.GetMember(ctx, c.OrgID, subject)
	if err != nil {
		return nil, notFound(fmt.Errorf("pick raters for member %s: %w", subject, err))
	}
	ro, err := a.roster(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	chain := ro.ChainAbove(m)
	type cand struct {
		id  string
		key uint64 // the hash's first 8 bytes, big-endian: the order of their hex
	}
	var cands []cand
	for _, o := range ro.Members {
		if o.ID == subject || o.Role == store.RoleAdmin || chain[o.ID] {
			continue
		}
		same := o.TeamID != nil && m.TeamID != nil && *o.TeamID == *m.TeamID
		if (r.Role == templates.RaterPeer) != same {
			continue
		}
		if r.Role == templates.RaterCrossDepartment && !raters.Independent(&o, chain) {
			continue
		}
		sum := sha256.Sum256([]byte(c.ID + "|" + subject + "|" + o.ID))
		cands = append(cands, cand{o.ID, binary.BigEndian.Uint64(sum[:8])})
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].key < cands[j].key })
	picked, err := a.nominated(ctx, c, subject, r, ro)
	if err != nil {
		return nil, err
	}
	if len(picked) > 0 {
		// A lead named this group's raters: they rate, and the automatic
		// pick only fills what they left short of the group's minimum.
		for _, cd := range cands {
			if len(picked) >= r.Min {
				break
			}
			if !slices.Contains(picked, cd.id) {
				picked = append(picked, cd.id)
			}
		}
		return picked, nil
	}
	n := min(r.Max, len(cands))
	out := make([]string, n)
	for i := 0; i < n; i++ {
		out[i] = cands[i].id
	}
	return out, nil
}

// nominated is the raters a lead named for subject's group, in the order
// named, less any who have left since (the roster holds active members).
func (a *Activities) nominated(ctx context.Context, c *store.Cycle, subject string, r templates.Rater, ro *raters.Roster) ([]string, error) {
	if r.Nomination != templates.NominatedByManager {
		return nil, nil
	}
	ns, err := a.Store.ListNominations(ctx, c.ID, subject)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range ns {
		if n.RaterKey == r.Key && ro.ByID[n.RaterID] != nil {
			out = append(out, n.RaterID)
		}
	}
	return out, nil
}

// rosterTTL bounds how stale the member list raters are picked from may be.
const rosterTTL = time.Minute

// roster is the organisation's members and teams as of at most rosterTTL
// ago. Opening an evaluation stage picks raters for every member; reading
// the whole organisation each time made a 5,000-member cycle with
// cross-department raters read 25 million member rows.
func (a *Activities) roster(ctx context.Context, orgID string) (*raters.Roster, error) {
	if v, ok := a.rosters.Load(orgID); ok {
		if r := v.(*raters.Roster); time.Since(r.Read) < rosterTTL {
			return r, nil
		}
	}
	r, err := raters.Load(ctx, a.Store, orgID)
	if err != nil {
		return nil, err
	}
	a.rosters.Store(orgID, r)
	return r, nil
}

// openTask creates a task once (by its dedupe key), tells its assignee,
// and returns its reference for the workflow that owns it.
func (a *Activities) openTask(ctx context.Context, t *store.Task) (*engine.TaskRef, error) {
	got, err := a.Store.EnsureTask(ctx, t)
	if err != nil {
		return nil, err
	}
	if err := a.notifyTask(ctx, got); err != nil {
		return nil, err
	}
	ref := refOf(got)
	return &ref, nil
}

// notifyTask puts a new task in the assignee's in-app inbox once.
func (a *Activities) notifyTask(ctx context.Context, t *store.Task) error {
	if t.State != engine.TaskOpen {
		return nil
	}
	m := outbox.TaskOpened(t)
	_, err := a.notify(ctx, m.To(t.OrgID, t.AssigneeID, dedupe("task", t.ID)), m.Event, a.routeFor(ctx, t.CycleID, t.StageKey))
	return err
}

// routeFor finds a cycle's template and stage for routing; a task outside
// any cycle (an IDP's) routes by the organisation's default.
func (a *Activities) routeFor(ctx context.Context, cycleID, stageKey string) routing {
	if cycleID == "" {
		return routing{}
	}
	if _, t, err := a.cycle(ctx, cycleID); err == nil {
		return routeOf(t, engine.ParentStage(stageKey)) // a report round routes as its execute stage
	}
	return routing{}
}

// ExpireTasks closes a stage's open tasks (one subject's, or all).
func (a *Activities) ExpireTasks(ctx context.Context, req ExpireRequest) (int, error) {
	return a.Store.ExpireTasks(ctx, req.CycleID, req.StageKey, req.SubjectID)
}

// Remind notifies the assignees of a subject's open tasks; the reminder
// index in the dedupe key makes a retried reminder a no-op.
func (a *Activities) Remind(ctx context.Context, req ReminderRequest) (int, error) {
	tasks, err := a.Store.OpenTasks(ctx, req.CycleID, req.StageKey, req.SubjectID)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, t := range tasks {
		m := outbox.TaskReminder(&t, req.Overdue)
		n := m.To(t.OrgID, t.AssigneeID, dedupe("remind", t.ID, fmt.Sprint(req.Index)))
		created, err := a.notify(ctx, n, m.Event, a.routeFor(ctx, req.CycleID, req.StageKey))
		if err != nil {
			return sent, err
		}
		if created {
			sent++
		}
		if err := a.Store.MarkReminded(ctx, t.ID, req.Index); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// Escalate tells the holders of the escalation role about overdue tasks.
func (a *Activities) Escalate(ctx context.Context, req EscalationRequest) (int, error) {
	tasks, err := a.Store.OpenTasks(ctx, req.CycleID, req.StageKey, req.SubjectID)
	if err != nil || len(tasks) == 0 {
		return 0, err
	}
	c, err := a.Store.GetCycleByID(ctx, req.CycleID)
	if err != nil {
		return 0, notFound(err)
	}
	var to []string
	if req.To == "manager" && req.SubjectID != "" {
		mgr, err := a.managerOf(ctx, c.OrgID, req.SubjectID)
		if err != nil {
			return 0, err
		}
		if mgr != "" {
			to = []string{mgr}
		}
	}
	if len(to) == 0 {
		if to, err = a.holders(ctx, c, req.To); err != nil {
			return 0, err
		}
	}
	sent := 0
	for _, t := range tasks {
		for _, r := range to {
			who := t.AssigneeID
			if m, err := a.Store.GetMember(ctx, c.OrgID, t.AssigneeID); err == nil {
				who = m.Name
			}
			m := outbox.TaskEscalation(&t, who)
			created, err := a.notify(ctx, m.To(c.OrgID, r, dedupe("escalate", t.ID, r)), m.Event, a.routeFor(ctx, req.CycleID, req.StageKey))
			if err != nil {
				return sent, err
			}
			if created {
				sent++
			}
		}
		if err := a.Store.MarkEscalated(ctx, t.ID); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// NotifyRole sends a notify stage's message.
func (a *Activities) NotifyRole(ctx context.Context, req NotifyRequest) (int, error) {
	c, err := a.Store.GetCycleByID(ctx, req.CycleID)
	if err != nil {
		return 0, notFound(err)
	}
	to, err := a.holders(ctx, c, req.Role)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range to {
		m := outbox.StageNotice(req.Zh, req.En)
		created, err := a.notify(ctx, m.To(c.OrgID, r, dedupe("notify", c.ID, req.StageKey, r)), m.Event, a.routeFor(ctx, c.ID, req.StageKey))
		if err != nil {
			return sent, err
		}
		if created {
			sent++
		}
	}
	return sent, nil
}
