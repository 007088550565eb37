package cycles_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// TestAManagerWithTwelveReportsGetsTwelveSlotsInHerOwnWorkingHours books
// a cycle's interviews with the activity on a real store: the manager
// works from Berlin (the cycle's zone is Shanghai), the window opens on a
// Friday afternoon and her calibration meeting fills Monday 09:00–10:00.
// Every report gets one slot of 30 minutes on a weekday between 09:00 and
// 18:00 Berlin time, none overlapping another or the meeting, and each of
// them and the manager one invite; booking again changes nothing.
func TestAManagerWithTwelveReportsGetsTwelveSlotsInHerOwnWorkingHours(t *testing.T) {
	st := storetest.SQLite(t)
	o := enginetest.SeedOrg(t, st, 12)
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	_, err = st.UpdateMember(ctx, o.Org.ID, o.Manager.ID, o.Manager.Version, func(m *store.Member) error { m.Timezone = "Europe/Berlin"; return nil })
	require.NoError(t, err)

	var body []byte
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, f := range files {
		if tpl, errs := templates.Parse(f.Data); len(errs) == 0 && tpl.Key == "cs-ops-monthly" {
			body = f.Data
		}
	}
	var cms []store.CycleMember
	for _, m := range o.Employees {
		cms = append(cms, store.CycleMember{MemberID: m.ID, TeamID: m.TeamID, ManagerID: &o.Manager.ID, Level: m.Level})
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: o.Org.ID, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: string(body), ScopeTeamID: o.Team.ID,
		Period: "2026-10", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "十月", WorkflowID: "wf-interviews", LaunchedBy: o.Manager.ID}, cms)
	require.NoError(t, err)
	monday := time.Date(2026, 11, 9, 9, 0, 0, 0, berlin)
	parts, _ := json.Marshal([]string{o.HRBP.ID, o.Manager.ID})
	require.NoError(t, st.SaveMeeting(ctx, &store.CalibrationMeeting{OrgID: o.Org.ID, CycleID: c.ID, StartsAt: monday.UTC(), EndsAt: monday.Add(time.Hour).UTC(),
		Timezone: "Asia/Shanghai", FacilitatorID: o.HRBP.ID, Participants: string(parts), Agenda: "{}", ICS: "x", State: store.MeetingScheduled}))

	a := &activities.Activities{Store: st}
	from := time.Date(2026, 11, 6, 16, 0, 0, 0, berlin) // a Friday
	req := activities.InterviewRequest{CycleID: c.ID, StageKey: "feedback", From: from, Until: from.Add(4 * 24 * time.Hour)}
	res, err := a.ScheduleFeedbackInterviews(ctx, req)
	require.NoError(t, err)
	require.Equal(t, 12, res.Booked)
	again, err := a.ScheduleFeedbackInterviews(ctx, req)
	require.NoError(t, err, "a retry")
	require.Equal(t, 12, again.Booked)

	ivs, err := st.ListInterviews(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, ivs, 12, "one interview per member, however often the activity runs")
	require.True(t, from.Equal(ivs[0].StartsAt), "the first slot is the window's opening, Friday 16:00 in Berlin")
	for i, iv := range ivs {
		local := iv.StartsAt.In(berlin)
		require.Equal(t, o.Manager.ID, iv.ManagerID)
		require.Equal(t, "Europe/Berlin", iv.Timezone, "written in the manager's zone")
		require.Equal(t, 30*time.Minute, iv.EndsAt.Sub(iv.StartsAt))
		require.NotContains(t, []time.Weekday{time.Saturday, time.Sunday}, local.Weekday(), "%s", local)
		require.False(t, local.Hour() < 9 || iv.EndsAt.In(berlin).After(time.Date(local.Year(), local.Month(), local.Day(), 18, 0, 0, 0, berlin)), "outside working hours: %s", local)
		require.False(t, iv.StartsAt.Before(monday.Add(time.Hour).UTC()) && monday.UTC().Before(iv.EndsAt), "over the calibration meeting: %s", local)
		if i > 0 {
			require.False(t, iv.StartsAt.Before(ivs[i-1].EndsAt), "overlaps the one before: %s", local)
		}
		require.Contains(t, iv.ICS, "DTSTART;TZID=Europe/Berlin:"+local.Format("20060102T150405"))
		require.Contains(t, iv.ICS, "ORGANIZER;CN=陈静:mailto:chen.jing@test.perfloop.dev")
		require.Equal(t, 2, strings.Count(iv.ICS, "ATTENDEE;"), "the manager and the member")
	}
	require.True(t, time.Date(2026, 11, 9, 10, 0, 0, 0, berlin).Equal(ivs[4].StartsAt), "four on Friday, then Monday after the meeting")

	invites := func(who string) int {
		ns, _, err := st.ListNotifications(ctx, who, false, store.Page{Limit: 100})
		require.NoError(t, err)
		n := 0
		for _, x := range ns {
			if x.Kind == "meeting" && strings.Contains(x.Body, "UID:interview-") {
				n++
			}
		}
		return n
	}
	require.Equal(t, 12, invites(o.Manager.ID))
	for _, m := range o.Employees {
		require.Equal(t, 1, invites(m.ID), m.Name)
	}
}

// TestACycleBooksEveryMembersInterviewAndAMoveSendsSequenceOne drives
// cs-ops-monthly on a real Temporal server to its feedback stage: every
// member has one interview with the manager, none of the manager's
// overlap, manager and members each got their invites once, and moving
// one through the API sends both an update at SEQUENCE 1.
func TestACycleBooksEveryMembersInterviewAndAMoveSendsSequenceOne(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 4)
	e.Metrics("2026-10")
	c := e.Launch("cs-ops-monthly", "2026-10", 20*time.Second)
	ctx := context.Background()

	for _, m := range e.Employees {
		self := e.OpenTasks(c.ID, m.ID, engine.TaskSelfEval, 1)
		require.NoError(t, submit(t, e, m, self[0], map[string]any{"scores": map[string]float64{"collaboration": 4, "serviceAttitude": 4}, "comment": "本月响应更快"}))
	}
	for _, task := range e.OpenTasks(c.ID, e.Manager.ID, engine.TaskManagerEval, len(e.Employees)) {
		require.NoError(t, submit(t, e, e.Manager, task, map[string]any{"scores": map[string]float64{"collaboration": 4, "serviceAttitude": 4}}))
	}
	cal := e.OpenTasks(c.ID, e.HRBP.ID, engine.TaskCalibration, 1)[0]
	require.NoError(t, submit(t, e, e.HRBP, cal, map[string]any{"changes": []map[string]string{}}))
	// Acknowledgement tasks open after the interviews are booked.
	for _, m := range e.Employees {
		e.OpenTasks(c.ID, m.ID, engine.TaskAcknowledge, 1)
	}

	ivs, err := st.ListInterviews(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, ivs, len(e.Employees))
	seen := map[string]bool{}
	for i, iv := range ivs {
		require.False(t, seen[iv.MemberID], "one interview per member")
		seen[iv.MemberID] = true
		require.Equal(t, e.Manager.ID, iv.ManagerID)
		require.Equal(t, store.MeetingScheduled, iv.State)
		if i > 0 {
			require.False(t, iv.StartsAt.Before(ivs[i-1].EndsAt), "the manager's interviews overlap: %v", ivs)
		}
	}
	invites := func(who string) []store.Notification {
		ns, _, err := st.ListNotifications(ctx, who, false, store.Page{Limit: 200})
		require.NoError(t, err)
		var out []store.Notification
		for _, n := range ns {
			if n.Kind == "meeting" && strings.Contains(n.Body, "UID:interview-") {
				out = append(out, n)
			}
		}
		return out
	}
	require.Len(t, invites(e.Manager.ID), len(e.Employees))
	for _, m := range e.Employees {
		require.Len(t, invites(m.ID), 1, m.Name)
	}

	// The manager moves the first interview through the API.
	token, _, err := st.IssueToken(ctx, e.Manager.ID, "test", time.Hour)
	require.NoError(t, err)
	srv := httptest.NewServer(api.New(api.Deps{Store: st, Cycles: e.Service}))
	t.Cleanup(srv.Close)
	at := time.Now().Add(48 * time.Hour).Truncate(time.Minute)
	raw, _ := json.Marshal(map[string]string{"startsAt": at.Format(time.RFC3339), "endsAt": at.Add(30 * time.Minute).Format(time.RFC3339), "reason": "客户回访冲突"})
	req, err := http.NewRequest("PATCH", srv.URL+"/api/v1/cycles/"+c.ID+"/interviews/"+ivs[0].MemberID, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", `"0"`)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	for _, who := range []string{e.Manager.ID, ivs[0].MemberID} {
		var moved int
		for _, n := range invites(who) {
			if strings.Contains(n.Body, "SEQUENCE:1") && strings.Contains(n.DedupeKey, ivs[0].MemberID) {
				moved++
				require.Contains(t, n.Subject, "改至")
			}
		}
		require.Equal(t, 1, moved, "one update at SEQUENCE 1 for %s", who)
	}
}
