package calendar

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/outbox"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// AnnounceMeeting sends every participant the meeting as it stands (its
// first invite, a move or the cancellation) in-app and on the channels
// meetings are routed to, once per participant and sequence. It returns
// the external messages newly owed.
func AnnounceMeeting(ctx context.Context, ob outbox.Outbox, c *store.Cycle, t *templates.Template, m *store.CalibrationMeeting, members map[string]*store.Member) (int, error) {
	var parts []string
	_ = json.Unmarshal([]byte(m.Participants), &parts)
	return send(ctx, ob, c, notice{
		Invite: MeetingInvite(c, t, m, members), What: notify.Text{Zh: "校准会", En: "Calibration meeting"},
		Reason: m.ChangeReason, Route: outbox.RouteOfType(t, templates.StageCalibrate), Key: []string{"meeting", c.ID},
	}, parts)
}

// AnnounceInterview sends the manager and the member the interview as it
// stands (its first invite, a move or the cancellation) in-app and on the
// channels meetings are routed to, once per person and sequence. It
// returns the external messages newly owed.
func AnnounceInterview(ctx context.Context, ob outbox.Outbox, c *store.Cycle, t *templates.Template, iv *store.FeedbackInterview, members map[string]*store.Member) (int, error) {
	return send(ctx, ob, c, notice{
		Invite: InterviewInvite(c, t, iv, members), What: notify.Text{Zh: "绩效面谈", En: "Feedback interview"},
		Reason: iv.ChangeReason, Route: outbox.RouteOfType(t, templates.StageFeedback), Key: []string{"interview", c.ID, iv.MemberID},
	}, []string{iv.ManagerID, iv.MemberID})
}

// notice is one version of a calendar invite owed to its people.
type notice struct {
	Invite notify.Invite
	What   notify.Text // the kind of meeting, for subjects: 校准会 / Calibration meeting
	Reason string      // why it moved or was cancelled
	Route  outbox.Route
	Key    []string // dedupe key parts before the recipient
}

// send sends each recipient a version of an invite in-app and on
// the channels meetings are routed to, in the invite's own time zone. The
// first version keeps the key it always had (no sequence); each later
// version is its own message. It returns the external messages newly owed.
func send(ctx context.Context, ob outbox.Outbox, c *store.Cycle, n notice, recipients []string) (int, error) {
	in := n.Invite
	invite := in.ICS()
	tz := orText(in.Timezone, "UTC")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	start := in.Start
	zh := start.In(loc).Format("2006-01-02 15:04 MST")
	en := start.In(loc).Format("Mon 2 Jan 15:04 MST")
	subject := fmt.Sprintf("%s %s / %s %s", n.What.Zh, zh, n.What.En, en)
	title := notify.Text{Zh: in.Summary, En: in.Summary}
	switch {
	case in.Cancel:
		subject = fmt.Sprintf("%s已取消（原定 %s）/ %s cancelled (was %s)", n.What.Zh, zh, n.What.En, en)
		title = notify.Text{Zh: "已取消：" + in.Summary, En: "Cancelled: " + in.Summary}
	case in.Sequence > 0:
		subject = fmt.Sprintf("%s改至 %s / %s moved to %s", n.What.Zh, zh, n.What.En, en)
		title = notify.Text{Zh: "改期：" + in.Summary, En: "Moved: " + in.Summary}
	}
	detail := notify.Text{Zh: start.In(loc).Format("2006-01-02 15:04") + " " + tz, En: start.In(loc).Format("Mon 2 Jan 15:04") + " " + tz}
	if n.Reason != "" {
		detail.Zh += "。原因：" + n.Reason
		detail.En += ". Reason: " + n.Reason
	}
	owed := 0
	for _, p := range recipients {
		key := strings.Join(append(append([]string{}, n.Key...), p), ":")
		if in.Sequence > 0 {
			key += ":" + fmt.Sprint(in.Sequence)
		}
		msg := &store.Notification{OrgID: c.OrgID, RecipientID: p, Channel: store.ChannelInApp, Kind: "meeting", Subject: subject, Body: invite, DedupeKey: key}
		ev := notify.Event{Title: title, Detail: detail, Due: &start, Calendar: invite, CalendarMethod: in.Method()}
		_, chs, err := ob.Notify(ctx, msg, ev, n.Route)
		if err != nil {
			return owed, err
		}
		owed += len(chs)
	}
	return owed, nil
}
