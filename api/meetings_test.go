package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// meetingEnv is the demo organisation with e-mail configured and a cs
// cycle whose calibration meeting (HRBP 孙丽 facilitating, cs manager 陈静
// attending) is already scheduled, as the engine leaves it.
func meetingEnv(t *testing.T) (*env, *store.Cycle, map[string]*store.Member) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cy, _ := boardCycle(t, e, nil)
	require.NoError(t, e.store.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: cy.OrgID, Channel: store.ChannelEmail}))
	people := map[string]*store.Member{}
	for _, email := range []string{"sun.li", "chen.jing"} {
		ms, _, err := e.store.ListMembers(ctx, cy.OrgID, store.MemberFilter{Query: email}, store.Page{Limit: 1})
		require.NoError(t, err)
		require.Len(t, ms, 1, email)
		people[email] = &ms[0]
	}
	// As the engine scopes a cycle, the team's manager leads it and is not reviewed in it.
	require.NoError(t, e.store.DB.Where("cycle_id = ? AND member_id = ?", cy.ID, people["chen.jing"].ID).Delete(&store.CycleMember{}).Error)
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour).UTC()
	parts, _ := json.Marshal([]string{people["sun.li"].ID, people["chen.jing"].ID})
	require.NoError(t, e.store.SaveMeeting(ctx, &store.CalibrationMeeting{OrgID: cy.OrgID, CycleID: cy.ID, StartsAt: start, EndsAt: start.Add(time.Hour),
		Timezone: "Asia/Shanghai", FacilitatorID: people["sun.li"].ID, Participants: string(parts), Agenda: "{}", ICS: "BEGIN:VCALENDAR", State: store.MeetingScheduled}))
	return e, cy, people
}

// queuedInvite is the calendar object of the newest e-mail owed to someone.
func queuedInvite(t *testing.T, e *env, m *store.Member) (store.Delivery, notify.Event) {
	t.Helper()
	var d store.Delivery
	require.NoError(t, e.store.DB.Where("recipient_id = ? AND channel = ? AND kind = ?", m.ID, store.ChannelEmail, "meeting").Order("created_at DESC").Order("dedupe_key DESC").First(&d).Error)
	require.Equal(t, store.NotificationPending, d.State)
	require.NotNil(t, d.Payload)
	var ev notify.Event
	require.NoError(t, json.Unmarshal([]byte(*d.Payload), &ev))
	return d, ev
}

func TestMovingTheCalibrationMeetingSendsEachParticipantAnUpdateAndCancellingSendsACancel(t *testing.T) {
	e, cy, people := meetingEnv(t)
	path := "/api/v1/cycles/" + cy.ID + "/calibration/meeting"
	loc, _ := time.LoadLocation("Asia/Shanghai")
	newStart := time.Now().In(loc).Add(72 * time.Hour).Truncate(time.Hour)
	r := e.do("PATCH", path, "chen.jing", map[string]any{"startsAt": newStart.Format(time.RFC3339), "durationMinutes": 90, "reason": "主管出差，改到周四"}, "If-Match", `"0"`)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["sequence"])
	require.Equal(t, `"1"`, r.header.Get("ETag"))

	dtstart := "DTSTART;TZID=Asia/Shanghai:" + newStart.Format("20060102T150405")
	dtend := "DTEND;TZID=Asia/Shanghai:" + newStart.Add(90*time.Minute).Format("20060102T150405")
	for _, who := range []string{"sun.li", "chen.jing"} {
		d, ev := queuedInvite(t, e, people[who])
		require.True(t, strings.HasSuffix(d.DedupeKey, ":1|email"), "one message per attendee and sequence: %s", d.DedupeKey)
		require.Equal(t, "REQUEST", ev.CalendarMethod)
		require.Contains(t, ev.Calendar, "SEQUENCE:1")
		require.Contains(t, ev.Calendar, "UID:calibration-"+cy.ID+"@perfloop")
		require.Contains(t, ev.Calendar, dtstart)
		require.Contains(t, ev.Calendar, dtend)
		require.Contains(t, ev.Detail.Zh, "主管出差", "the reason travels with the update")
		require.Contains(t, d.Subject, "改至")
	}
	ics := e.do("GET", "/api/v1/cycles/"+cy.ID+"/calibration.ics", "sun.li", nil)
	require.Equal(t, 200, ics.status)
	require.Contains(t, ics.raw, "SEQUENCE:1")
	require.Contains(t, ics.raw, dtstart)
	require.Equal(t, `"1"`, ics.header.Get("ETag"))

	r = e.do("PATCH", path, "sun.li", map[string]any{"startsAt": newStart.Add(time.Hour).Format(time.RFC3339), "durationMinutes": 60, "reason": "again"}, "If-Match", `"0"`)
	require.Equal(t, 409, r.status, "a move made from a stale read loses: %s", r.raw)

	r = e.do("DELETE", path, "sun.li", map[string]any{"reason": "改为书面校准"}, "If-Match", `"1"`)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, store.MeetingCancelled, r.body["state"])
	for _, who := range []string{"sun.li", "chen.jing"} {
		d, ev := queuedInvite(t, e, people[who])
		require.True(t, strings.HasSuffix(d.DedupeKey, ":2|email"), d.DedupeKey)
		require.Equal(t, "CANCEL", ev.CalendarMethod)
		require.Contains(t, ev.Calendar, "METHOD:CANCEL")
		require.Contains(t, ev.Calendar, "SEQUENCE:2")
		require.Contains(t, ev.Calendar, "STATUS:CANCELLED")
		require.Contains(t, ev.Calendar, "UID:calibration-"+cy.ID+"@perfloop")
	}
	ics = e.do("GET", "/api/v1/cycles/"+cy.ID+"/calibration.ics", "admin", nil)
	require.Contains(t, ics.raw, "METHOD:CANCEL")
	require.Contains(t, ics.header.Get("Content-Type"), "method=CANCEL")

	require.Equal(t, 409, e.do("DELETE", path, "sun.li", map[string]any{"reason": "twice"}).status, "cancelled already")
	var owed int64
	require.NoError(t, e.store.DB.Model(&store.Delivery{}).Where("kind = ? AND channel = ?", "meeting", store.ChannelEmail).Count(&owed).Error)
	require.EqualValues(t, 4, owed, "two versions (moved, cancelled) to two attendees")
}

func TestAMeetingMoveWithBadInputNamesTheFieldTheValueAndTheFix(t *testing.T) {
	e, cy, _ := meetingEnv(t)
	path := "/api/v1/cycles/" + cy.ID + "/calibration/meeting"
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	future := time.Now().Add(48 * time.Hour).Format(time.RFC3339)
	cases := []struct {
		body        map[string]any
		path, value string
		message     string
	}{
		{map[string]any{"startsAt": past, "durationMinutes": 60, "reason": "r"}, "/startsAt", past, "must be in the future"},
		{map[string]any{"startsAt": future, "durationMinutes": 0, "reason": "r"}, "/durationMinutes", "0", "expected whole minutes from 1 to 480"},
		{map[string]any{"startsAt": "next Tuesday", "durationMinutes": 60, "reason": "r"}, "/startsAt", "next Tuesday", "RFC 3339"},
		{map[string]any{"startsAt": future, "durationMinutes": 60, "reason": "r", "room": "A1"}, "/room", "", "not part of the request"},
		{map[string]any{"startsAt": future, "durationMinutes": 60}, "/reason", "", "required"},
	}
	for _, tc := range cases {
		r := e.do("PATCH", path, "sun.li", tc.body)
		require.Equal(t, 400, r.status, r.raw)
		d := firstDetail(t, r)
		require.Equal(t, tc.path, d["path"], r.raw)
		if tc.value != "" {
			require.Equal(t, tc.value, d["value"], r.raw)
		}
		require.Contains(t, d["message"], tc.message)
	}
	r := e.do("DELETE", path, "sun.li", map[string]any{"reason": " "})
	require.Equal(t, 400, r.status)
	require.Equal(t, "/reason", firstDetail(t, r)["path"])
	r = e.do("PATCH", path, "sun.li", map[string]any{"startsAt": future, "durationMinutes": 60, "reason": "r"}, "If-Match", "soon")
	require.Equal(t, 400, r.status)
	require.Equal(t, "If-Match", firstDetail(t, r)["path"])

	body := map[string]any{"startsAt": future, "durationMinutes": 60, "reason": "r"}
	for who, want := range map[string]int{"liu.yang": 404, "admin": 200} {
		require.Equal(t, want, e.do("PATCH", path, who, body).status, who)
	}
	var emp string
	for who := range e.token {
		if who != "admin" && who != "sun.li" && who != "zhou.min" && who != "liu.yang" && who != "chen.jing" {
			emp = who
			break
		}
	}
	require.Equal(t, 403, e.do("DELETE", path, emp, map[string]any{"reason": "x"}).status, "employees do not steer calibration")
	var n int64
	require.NoError(t, e.store.DB.Model(&store.Delivery{}).Where("kind = ? AND channel = ?", "meeting", store.ChannelEmail).Count(&n).Error)
	require.EqualValues(t, 2, n, "only the admin's valid move was announced")
}

// TestNeitherTheMeetingNorAnInterviewChangesOnceTheCycleIsOver: the one
// calendar-change flow refuses both kinds with 409, saying why, and
// leaves each at the sequence it had, with nothing owed.
func TestNeitherTheMeetingNorAnInterviewChangesOnceTheCycleIsOver(t *testing.T) {
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	later := time.Now().In(loc).Add(72 * time.Hour).Truncate(time.Hour)
	owed := func(e *env, cy *store.Cycle) int64 {
		var n int64
		require.NoError(t, e.store.DB.Model(&store.Delivery{}).Where("org_id = ? AND kind = ?", cy.OrgID, "meeting").Count(&n).Error)
		return n
	}

	e, cy, _ := meetingEnv(t)
	require.NoError(t, e.store.DB.Model(&store.Cycle{}).Where("id = ?", cy.ID).Update("state", store.CycleCompleted).Error)
	before := owed(e, cy)
	path := "/api/v1/cycles/" + cy.ID + "/calibration/meeting"
	r := e.do("PATCH", path, "chen.jing", map[string]any{"startsAt": later.Format(time.RFC3339), "durationMinutes": 60, "reason": "改期"}, "If-Match", `"0"`)
	require.Equal(t, 409, r.status, r.raw)
	require.Equal(t, "the cycle is completed; its calibration meeting can no longer change", r.body["error"].(map[string]any)["message"])
	r = e.do("DELETE", path, "sun.li", map[string]any{"reason": "取消"})
	require.Equal(t, 409, r.status, r.raw)
	m, err := e.store.GetMeeting(ctx, cy.ID)
	require.NoError(t, err)
	require.Equal(t, 0, m.Sequence)
	require.Equal(t, store.MeetingScheduled, m.State)
	require.Equal(t, before, owed(e, cy), "nothing announced")

	e, cy, people := interviewEnv(t)
	require.NoError(t, e.store.DB.Model(&store.Cycle{}).Where("id = ?", cy.ID).Update("state", store.CycleCancelled).Error)
	before = owed(e, cy)
	lin := people["lin.tao"]
	path = "/api/v1/cycles/" + cy.ID + "/interviews/" + lin.ID
	r = e.do("PATCH", path, "chen.jing", map[string]any{"startsAt": later.Format(time.RFC3339), "endsAt": later.Add(30 * time.Minute).Format(time.RFC3339), "reason": "改期"})
	require.Equal(t, 409, r.status, r.raw)
	require.Equal(t, "the cycle is cancelled; its interviews can no longer change", r.body["error"].(map[string]any)["message"])
	r = e.do("DELETE", path, "chen.jing", map[string]any{"reason": "取消"})
	require.Equal(t, 409, r.status, r.raw)
	iv, err := e.store.GetInterview(ctx, cy.OrgID, cy.ID, lin.ID)
	require.NoError(t, err)
	require.Equal(t, 0, iv.Sequence)
	require.Equal(t, store.MeetingScheduled, iv.State)
	require.Equal(t, before, owed(e, cy), "nothing announced")
}
