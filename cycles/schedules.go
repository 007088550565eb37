package cycles

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// ScheduleInput is what a recurring launch carries: which template for
// which team, on whose authority.
type ScheduleInput struct {
	OrgID       string
	TemplateKey string
	TeamID      string
	By          string
	ScheduleID  string
}

// Schedule is a recurring launch as the API shows it.
type Schedule struct {
	ID          string      `json:"id"`
	TemplateKey string      `json:"templateKey"`
	TeamID      string      `json:"teamId"`
	Period      string      `json:"period"`
	Timezone    string      `json:"timezone"`
	Paused      bool        `json:"paused"`
	Note        string      `json:"note,omitempty"`
	NextRuns    []time.Time `json:"nextRuns"`
	Launched    int64       `json:"launched"`
}

// ScheduleID names the one schedule a (template, team) may have.
func ScheduleID(orgID, templateKey, teamID string) string {
	return "schedule-" + orgID + "-" + templateKey + "-" + teamID
}

// calendarFor launches at midnight on the first day of each period in the
// template's time zone, plus the recurrence offset in whole days.
func calendarFor(t *templates.Template) client.ScheduleSpec {
	day := 1
	if t.Recurrence != nil && t.Recurrence.Offset != "" {
		day += int(templates.DurationOf(t.Recurrence.Offset).Hours() / 24)
	}
	day = min(day, 28) // every month has a 28th
	cal := client.ScheduleCalendarSpec{
		Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}}, Hour: []client.ScheduleRange{{Start: 0}},
		DayOfMonth: []client.ScheduleRange{{Start: day}},
		Comment:    "Perfloop: launch " + t.Key + " each " + t.Period,
	}
	switch t.Period {
	case templates.Quarterly:
		cal.Month = []client.ScheduleRange{{Start: 1, End: 10, Step: 3}}
	case templates.Annual:
		cal.Month = []client.ScheduleRange{{Start: 1}}
	default:
		cal.Month = []client.ScheduleRange{{Start: 1, End: 12}}
	}
	return client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{cal}, TimeZoneName: t.Timezone}
}

// CreateSchedule sets up the recurring launch of a published template for
// a team. A second schedule for the same pair is a conflict.
func (s *Service) CreateSchedule(ctx context.Context, orgID, templateKey, teamID, by string) (*Schedule, error) {
	tv, err := s.Store.GetTemplateVersion(ctx, orgID, templateKey, 0)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Invalid{{Path: "/templateKey", Value: templateKey, Message: "no published template has this key"}}
	}
	if err != nil {
		return nil, err
	}
	t, errs := templates.Parse([]byte(tv.Body))
	if len(errs) > 0 {
		return nil, fmt.Errorf("template %s no longer validates: %w", templateKey, errs)
	}
	if _, err := s.Store.GetTeam(ctx, orgID, teamID); errors.Is(err, store.ErrNotFound) {
		return nil, Invalid{{Path: "/teamId", Value: teamID, Message: "no team has this id"}}
	} else if err != nil {
		return nil, err
	}
	id := ScheduleID(orgID, templateKey, teamID)
	in := ScheduleInput{OrgID: orgID, TemplateKey: templateKey, TeamID: teamID, By: by, ScheduleID: id}
	_, err = s.Client.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:   id,
		Spec: calendarFor(t),
		Action: &client.ScheduleWorkflowAction{
			ID: "launch-" + id, Workflow: engine.LaunchWorkflow.String(), Args: []any{in}, TaskQueue: s.TaskQueue,
			WorkflowRunTimeout: 24 * time.Hour,
		},
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 24 * time.Hour,
		Note:          "created by " + by,
	})
	var exists *serviceerror.AlreadyExists
	switch {
	case errors.As(err, &exists) || (err != nil && strings.Contains(err.Error(), "already")):
		return nil, fmt.Errorf("schedule for %s and this team: %w", templateKey, store.ErrConflict)
	case err != nil:
		return nil, s.updateErr(err)
	}
	return s.DescribeSchedule(ctx, orgID, id)
}

// DescribeSchedule reads a schedule of the organisation.
func (s *Service) DescribeSchedule(ctx context.Context, orgID, id string) (*Schedule, error) {
	if !strings.HasPrefix(id, "schedule-"+orgID+"-") {
		return nil, fmt.Errorf("schedule %s: %w", id, store.ErrNotFound)
	}
	d, err := s.Client.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, fmt.Errorf("schedule %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, s.updateErr(err)
	}
	out := &Schedule{ID: id, Paused: d.Schedule.State.Paused, Note: d.Schedule.State.Note, Launched: int64(d.Info.NumActions), NextRuns: d.Info.NextActionTimes}
	if a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction); ok && len(a.Args) > 0 {
		var in ScheduleInput
		if p, ok := a.Args[0].(*commonpb.Payload); ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, &in)
		}
		out.TemplateKey, out.TeamID = in.TemplateKey, in.TeamID
	}
	if d.Schedule.Spec != nil {
		out.Timezone = d.Schedule.Spec.TimeZoneName
	}
	if out.NextRuns == nil {
		out.NextRuns = []time.Time{}
	}
	return out, nil
}

// SteerSchedule pauses, resumes or triggers a schedule now. A trigger
// launches the current period at once on behalf of by, with the key the
// schedule's own run uses, so the cycle records who launched it and the
// period is launched once however often it is triggered.
func (s *Service) SteerSchedule(ctx context.Context, orgID, id, action, by string) (*Schedule, error) {
	sc, err := s.DescribeSchedule(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	h := s.Client.ScheduleClient().GetHandle(ctx, id)
	switch action {
	case "pause":
		err = h.Pause(ctx, client.SchedulePauseOptions{Note: "paused by " + by})
	case "resume":
		err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: "resumed by " + by})
	case "trigger":
		if _, err := s.launchPeriod(ctx, ScheduleInput{OrgID: orgID, TemplateKey: sc.TemplateKey, TeamID: sc.TeamID, By: by, ScheduleID: id}); err != nil {
			return nil, err
		}
	default:
		return nil, Invalid{{Path: "action", Value: action, Message: "expected pause, resume or trigger"}}
	}
	if err != nil {
		return nil, s.updateErr(err)
	}
	return s.DescribeSchedule(ctx, orgID, id)
}

// Launcher is the activity a schedule's LaunchWorkflow runs.
type Launcher struct{ Service *Service }

// LaunchScheduledCycle launches the period that contains now. Its
// idempotency key is the schedule and period, so a retried or repeated
// trigger in the same period returns the same cycle; a cycle a manager
// launched by hand for that period is left alone.
func (l *Launcher) LaunchScheduledCycle(ctx context.Context, in ScheduleInput) (string, error) {
	return l.Service.launchPeriod(ctx, in)
}

func (s *Service) launchPeriod(ctx context.Context, in ScheduleInput) (string, error) {
	tv, err := s.Store.GetTemplateVersion(ctx, in.OrgID, in.TemplateKey, 0)
	if err != nil {
		return "", err
	}
	t, errs := templates.Parse([]byte(tv.Body))
	if len(errs) > 0 {
		return "", errs
	}
	p, err := PeriodOf(t.Period, time.Now(), t.Timezone)
	if err != nil {
		return "", err
	}
	c, _, err := s.Launch(ctx, LaunchRequest{OrgID: in.OrgID, TemplateKey: in.TemplateKey, TeamID: in.TeamID, Period: p.Label,
		IdempotencyKey: in.ScheduleID + ":" + p.Label, By: in.By})
	if errors.Is(err, store.ErrConflict) {
		return "", nil // launched by hand already
	}
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// ListSchedules lists the organisation's schedules.
func (s *Service) ListSchedules(ctx context.Context, orgID string) ([]Schedule, error) {
	it, err := s.Client.ScheduleClient().List(ctx, client.ScheduleListOptions{PageSize: 100})
	if err != nil {
		return nil, s.updateErr(err)
	}
	out := []Schedule{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, s.updateErr(err)
		}
		if !strings.HasPrefix(e.ID, "schedule-"+orgID+"-") {
			continue
		}
		d, err := s.DescribeSchedule(ctx, orgID, e.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}
