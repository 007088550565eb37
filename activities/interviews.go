package activities

import (
	"context"
	"errors"
	"time"

	"github.com/perfloop/perfloop/calendar"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// InterviewRequest asks for every member's feedback interview within the
// feedback stage's window.
type InterviewRequest struct {
	CycleID  string
	StageKey string
	From     time.Time
	Until    time.Time
}

// InterviewResult counts the interviews the cycle holds and the members
// left without one (no manager, or the manager is themselves).
type InterviewResult struct {
	Booked  int
	Without []string
}

// busyHorizon is how far past the window a full manager's interviews may
// spill (to the next free working mornings), so the busy read covers it.
const busyHorizon = 14 * 24 * time.Hour

// ScheduleFeedbackInterviews books each member's one-to-one with their
// manager: the first free slot of the interview's length within the
// window, inside the manager's working hours in the manager's time zone,
// Monday to Friday, clear of the manager's and the member's other
// interviews and calibration meetings. Members are booked one after the
// other, so a manager's reports get distinct slots. Each booking sends the
// manager and the member an invite once; a retry finds the rows booked and
// the messages owed already.
func (a *Activities) ScheduleFeedbackInterviews(ctx context.Context, req InterviewRequest) (InterviewResult, error) {
	var res InterviewResult
	c, t, err := a.cycle(ctx, req.CycleID)
	if err != nil {
		return res, err
	}
	stage := stageByKey(t, req.StageKey)
	spec := templates.Interview{Duration: "PT30M"}
	if stage.Interview != nil {
		spec = *stage.Interview
	}
	length := templates.DurationOf(spec.Duration)
	if c.Compress > 1 {
		length = scaleDur(length, c.Compress)
	}
	cms, err := a.Store.ListCycleMembers(ctx, c.ID)
	if err != nil {
		return res, err
	}
	ob := a.outbox()
	for _, cm := range cms {
		if cm.ManagerID == nil || *cm.ManagerID == "" || *cm.ManagerID == cm.MemberID {
			res.Without = append(res.Without, cm.MemberID)
			continue
		}
		people, err := a.membersByID(ctx, c.OrgID, []string{cm.MemberID, *cm.ManagerID})
		if errors.Is(err, store.ErrNotFound) {
			res.Without = append(res.Without, cm.MemberID) // left the organisation since launch
			continue
		}
		if err != nil {
			return res, err
		}
		iv, err := a.bookInterview(ctx, c, t, spec, length, req, people[cm.MemberID], people[*cm.ManagerID])
		if err != nil {
			return res, err
		}
		if _, err := calendar.AnnounceInterview(ctx, ob, c, t, iv, people); err != nil {
			return res, err
		}
		res.Booked++
	}
	return res, nil
}

// bookInterview finds a member's interview, or picks its slot and books it.
func (a *Activities) bookInterview(ctx context.Context, c *store.Cycle, t *templates.Template, spec templates.Interview, length time.Duration, req InterviewRequest, member, mgr *store.Member) (*store.FeedbackInterview, error) {
	if iv, err := a.Store.GetInterview(ctx, c.OrgID, c.ID, member.ID); err == nil {
		return iv, nil
	}
	tz, loc := zoneOf(mgr.Timezone, c.Timezone)
	people := []string{mgr.ID, member.ID}
	until := req.Until.Add(length + busyHorizon)
	interviews, err := a.Store.ListInterviewsOverlapping(ctx, people, req.From, until)
	if err != nil {
		return nil, err
	}
	meetings, err := a.Store.ListMeetingsOverlapping(ctx, people, req.From, until)
	if err != nil {
		return nil, err
	}
	busy := meetingSpans(meetings)
	for _, iv := range interviews {
		busy = append(busy, span{iv.StartsAt, iv.EndsAt})
	}
	start := firstSlot(req.From, req.Until, length, loc, orText(spec.WorkdayStart, "09:00"), orText(spec.WorkdayEnd, "18:00"), busy, c.Compress > 1)
	iv := &store.FeedbackInterview{
		OrgID: c.OrgID, CycleID: c.ID, MemberID: member.ID, ManagerID: mgr.ID,
		StartsAt: start.UTC(), EndsAt: start.Add(length).UTC(), Timezone: tz, State: store.MeetingScheduled,
	}
	iv.ICS = calendar.InterviewInvite(c, t, iv, map[string]*store.Member{member.ID: member, mgr.ID: mgr}).ICS()
	got, _, err := a.Store.EnsureInterview(ctx, iv)
	return got, err
}

// zoneOf is the first of the names that is a known time zone, else UTC.
func zoneOf(names ...string) (string, *time.Location) {
	for _, n := range names {
		if n == "" {
			continue
		}
		if loc, err := time.LoadLocation(n); err == nil {
			return n, loc
		}
	}
	return "UTC", time.UTC
}
