package calendar

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// MeetingInvite is the calendar invite of a cycle's meeting as it stands:
// its times, its sequence, and a cancellation once it is cancelled.
// DTSTAMP is when this version was made, so a retry renders the same
// bytes. members holds the participants by id.
func MeetingInvite(c *store.Cycle, t *templates.Template, m *store.CalibrationMeeting, members map[string]*store.Member) notify.Invite {
	var parts []string
	_ = json.Unmarshal([]byte(m.Participants), &parts)
	stage := templates.Stage{}
	if r := outbox.RouteOfType(t, templates.StageCalibrate); r.Stage != nil {
		stage = *r.Stage
	}
	in := NewMeetingInvite(c, stage, m.StartsAt, m.EndsAt, m.FacilitatorID, parts, members, m.Sequence, m.State == store.MeetingCancelled)
	if m.UpdatedAt != nil {
		in.Stamp = *m.UpdatedAt
	}
	return in
}

// NewMeetingInvite is the calendar invite every participant of a cycle's
// calibration meeting receives: the
// cycle's time zone, the facilitator as organiser, the UID fixed per
// cycle so a later move (a higher sequence) or cancellation replaces it.
func NewMeetingInvite(c *store.Cycle, stage templates.Stage, start, end time.Time, organiser string, participants []string, members map[string]*store.Member, sequence int, cancel bool) notify.Invite {
	in := notify.Invite{
		UID: "calibration-" + c.ID + "@perfloop", Sequence: sequence, Cancel: cancel, Start: start, End: end, Timezone: c.Timezone,
		Summary:     fmt.Sprintf("%s · %s / Calibration %s", stage.Name.Zh, c.Period, c.Period),
		Description: fmt.Sprintf("绩效校准会：对照强制分布审核建议等级。Cycle %s, time zone %s.", c.ID, c.Timezone),
		Stamp:       c.CreatedAt,
	}
	return withPeople(in, organiser, participants, members)
}

// InterviewInvite is the calendar invite of a member's feedback interview
// as it stands: the manager organises, manager and member attend, times in
// the manager's time zone, one UID per cycle and member so a move (a
// higher sequence) or cancellation replaces it. DTSTAMP is when this
// version was made, so a retry renders the same bytes. members holds the
// manager and the member by id.
func InterviewInvite(c *store.Cycle, t *templates.Template, iv *store.FeedbackInterview, members map[string]*store.Member) notify.Invite {
	name := notify.Text{Zh: "绩效面谈", En: "Feedback interview"}
	if r := outbox.RouteOfType(t, templates.StageFeedback); r.Stage != nil {
		name = notify.Text{Zh: orText(r.Stage.Name.Zh, name.Zh), En: orText(r.Stage.Name.En, name.En)}
	}
	who := iv.MemberID
	if m := members[iv.MemberID]; m != nil {
		who = m.Name
	}
	in := notify.Invite{
		UID: "interview-" + c.ID + "-" + iv.MemberID + "@perfloop", Sequence: iv.Sequence, Cancel: iv.State == store.MeetingCancelled,
		Start: iv.StartsAt, End: iv.EndsAt, Timezone: iv.Timezone,
		Summary:     fmt.Sprintf("%s · %s / %s · %s (%s)", name.Zh, who, name.En, who, c.Period),
		Description: fmt.Sprintf("绩效面谈：上级与成员一对一沟通本期结果与改进计划。Feedback interview on the results of %s. Cycle %s, time zone %s.", c.Period, c.ID, iv.Timezone),
		Stamp:       c.CreatedAt,
	}
	if iv.UpdatedAt != nil {
		in.Stamp = *iv.UpdatedAt
	}
	return withPeople(in, iv.ManagerID, []string{iv.ManagerID, iv.MemberID}, members)
}

// withPeople names an invite's organiser and attendees from members by
// id; someone not among members (no longer in the organisation) is left
// out rather than invited without an address.
func withPeople(in notify.Invite, organiser string, attendees []string, members map[string]*store.Member) notify.Invite {
	if m := members[organiser]; m != nil {
		in.Organizer = notify.Person{Name: m.Name, Email: m.Email}
	}
	for _, p := range attendees {
		if m := members[p]; m != nil {
			in.Attendees = append(in.Attendees, notify.Person{Name: m.Name, Email: m.Email})
		}
	}
	return in
}

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
