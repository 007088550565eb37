package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// interviewEnv is the demo organisation with e-mail configured and a cs
// cycle whose feedback interviews the engine's activity has booked: 陈静
// (the cs manager) with each of her nine reports, and 周敏 with 陈静.
func interviewEnv(t *testing.T) (*env, *store.Cycle, map[string]*store.Member) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cy, ms := boardCycle(t, e, nil)
	require.NoError(t, e.store.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: cy.OrgID, Channel: store.ChannelEmail}))
	people := map[string]*store.Member{}
	for i := range ms {
		people[strings.Split(ms[i].Email, "@")[0]] = &ms[i]
		// boardCycle snapshots no managers; the launch would.
		require.NoError(t, e.store.DB.Model(&store.CycleMember{}).Where("cycle_id = ? AND member_id = ?", cy.ID, ms[i].ID).Update("manager_id", ms[i].ManagerID).Error)
	}
	from := time.Now().Add(time.Hour)
	a := &activities.Activities{Store: e.store}
	res, err := a.ScheduleFeedbackInterviews(ctx, activities.InterviewRequest{CycleID: cy.ID, StageKey: "feedback", From: from, Until: from.Add(48 * time.Hour)})
	require.NoError(t, err)
	require.Equal(t, 10, res.Booked, "陈静 with each of her nine reports, and with her own manager 周敏")
	return e, cy, people
}

func TestMovingAFeedbackInterviewSendsAnUpdateAndCancellingSendsACancel(t *testing.T) {
	e, cy, people := interviewEnv(t)
	lin := people["lin.tao"]
	path := "/api/v1/cycles/" + cy.ID + "/interviews/" + lin.ID
	before := e.do("GET", path+".ics", "lin.tao", nil)
	require.Equal(t, 200, before.status, before.raw)
	require.Equal(t, `"0"`, before.header.Get("ETag"))
	require.Contains(t, unfold(before.raw), "UID:interview-"+cy.ID+"-"+lin.ID+"@perfloop")
	require.Contains(t, unfold(before.raw), "ATTENDEE;CN=林涛;ROLE=REQ-PARTICIPANT;RSVP=true:mailto:lin.tao@demo.perfloop.dev")
	require.Contains(t, before.raw, "ORGANIZER;CN=陈静:mailto:chen.jing@demo.perfloop.dev")

	loc, _ := time.LoadLocation("Asia/Shanghai")
	start := time.Now().In(loc).Add(72 * time.Hour).Truncate(time.Hour)
	move := map[string]any{"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(45 * time.Minute).Format(time.RFC3339), "reason": "客户回访冲突"}
	r := e.do("PATCH", path, "chen.jing", move, "If-Match", `"0"`)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["sequence"])
	require.Equal(t, "林涛", r.body["memberName"])
	require.Equal(t, `"1"`, r.header.Get("ETag"))
	dtstart := "DTSTART;TZID=Asia/Shanghai:" + start.Format("20060102T150405")
	for _, who := range []string{"chen.jing", "lin.tao"} {
		d, ev := queuedInvite(t, e, memberByEmail(t, e, cy, who))
		require.True(t, strings.HasSuffix(d.DedupeKey, ":1|email"), "one message per attendee and sequence: %s", d.DedupeKey)
		require.Equal(t, "REQUEST", ev.CalendarMethod)
		require.Contains(t, ev.Calendar, "SEQUENCE:1")
		require.Contains(t, unfold(ev.Calendar), "UID:interview-"+cy.ID+"-"+lin.ID+"@perfloop")
		require.Contains(t, ev.Calendar, dtstart)
		require.Contains(t, d.Subject, "绩效面谈改至")
		require.Contains(t, ev.Detail.Zh, "客户回访冲突")
	}
	ics := e.do("GET", path+".ics", "sun.li", nil)
	require.Contains(t, ics.raw, "SEQUENCE:1")
	require.Contains(t, ics.raw, dtstart)

	require.Equal(t, 409, e.do("PATCH", path, "chen.jing", move, "If-Match", `"0"`).status, "a move made from a stale read loses")

	r = e.do("DELETE", path, "sun.li", map[string]any{"reason": "林涛休假"}, "If-Match", `"1"`)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, store.MeetingCancelled, r.body["state"])
	_, ev := queuedInvite(t, e, lin)
	require.Equal(t, "CANCEL", ev.CalendarMethod)
	require.Contains(t, ev.Calendar, "METHOD:CANCEL")
	require.Contains(t, ev.Calendar, "SEQUENCE:2")
	ics = e.do("GET", path+".ics", "chen.jing", nil)
	require.Contains(t, ics.header.Get("Content-Type"), "method=CANCEL")
	require.Equal(t, 409, e.do("DELETE", path, "sun.li", map[string]any{"reason": "twice"}).status, "cancelled already")
}

func TestEveryoneSeesTheInterviewsTheirRoleAllows(t *testing.T) {
	e, cy, people := interviewEnv(t)
	path := "/api/v1/cycles/" + cy.ID + "/interviews"
	for who, want := range map[string]int{"chen.jing": 10, "sun.li": 10, "admin": 10, "lin.tao": 1} {
		r := e.do("GET", path, who, nil)
		require.Equal(t, 200, r.status, r.raw)
		require.Len(t, r.body["items"], want, who)
	}
	require.Equal(t, 404, e.do("GET", path, "liu.yang", nil).status, "another team's manager does not see the cycle")
	mine := e.do("GET", "/api/v1/me/interviews", "guo.min", nil)
	require.Equal(t, 200, mine.status, mine.raw)
	items := mine.body["items"].([]any)
	require.Len(t, items, 1)
	first := items[0].(map[string]any)
	require.Equal(t, people["guo.min"].ID, first["memberId"])
	require.Equal(t, "陈静", first["managerName"])
	require.Equal(t, "十月", first["cycleTitle"])

	other := "/api/v1/cycles/" + cy.ID + "/interviews/" + people["lin.tao"].ID
	require.Equal(t, 404, e.do("GET", other+".ics", "guo.min", nil).status, "a member does not read a colleague's interview")
	future := time.Now().Add(48 * time.Hour)
	move := map[string]any{"startsAt": future.Format(time.RFC3339), "endsAt": future.Add(30 * time.Minute).Format(time.RFC3339), "reason": "r"}
	for who, want := range map[string]int{"liu.yang": 403, "lin.tao": 403, "guo.min": 403} {
		r := e.do("PATCH", other, who, move)
		require.Equal(t, want, r.status, "%s: %s", who, r.raw)
	}
}

func TestAnInterviewMoveWithBadTimesNamesTheFieldTheValueAndTheFix(t *testing.T) {
	e, cy, people := interviewEnv(t)
	path := "/api/v1/cycles/" + cy.ID + "/interviews/" + people["he.yong"].ID
	past := time.Now().Add(-time.Hour).Format(time.RFC3339)
	at := time.Now().Add(48 * time.Hour)
	future, later := at.Format(time.RFC3339), at.Add(30*time.Minute).Format(time.RFC3339)
	cases := []struct {
		body                 map[string]any
		path, value, message string
	}{
		{map[string]any{"startsAt": past, "endsAt": later, "reason": "r"}, "/startsAt", past, "must be in the future"},
		{map[string]any{"startsAt": "next Tuesday", "endsAt": later, "reason": "r"}, "/startsAt", "next Tuesday", "RFC 3339"},
		{map[string]any{"startsAt": future, "reason": "r"}, "/endsAt", "", "required"},
		{map[string]any{"startsAt": later, "endsAt": future, "reason": "r"}, "/endsAt", future, "must be after startsAt"},
		{map[string]any{"startsAt": future, "endsAt": at.Add(9 * time.Hour).Format(time.RFC3339), "reason": "r"}, "/endsAt", "", "at most 480 minutes"},
		{map[string]any{"startsAt": future, "endsAt": later}, "/reason", "", "required"},
	}
	for _, tc := range cases {
		r := e.do("PATCH", path, "chen.jing", tc.body)
		require.Equal(t, 400, r.status, r.raw)
		d := firstDetail(t, r)
		require.Equal(t, tc.path, d["path"], r.raw)
		if tc.value != "" {
			require.Equal(t, tc.value, d["value"], r.raw)
		}
		require.Contains(t, d["message"], tc.message)
	}
	r := e.do("PATCH", path, "chen.jing", map[string]any{"startsAt": future, "endsAt": later, "reason": "r"}, "If-Match", "soon")
	require.Equal(t, 400, r.status)
	require.Equal(t, "If-Match", firstDetail(t, r)["path"])
}

func memberByEmail(t *testing.T, e *env, cy *store.Cycle, who string) *store.Member {
	t.Helper()
	ms, _, err := e.store.ListMembers(context.Background(), cy.OrgID, store.MemberFilter{Query: who}, store.Page{Limit: 1})
	require.NoError(t, err)
	require.Len(t, ms, 1, who)
	return &ms[0]
}

// unfold joins the lines iCalendar folds at 75 octets.
func unfold(ics string) string {
	return strings.NewReplacer("\r\n ", "", "\n ", "").Replace(ics)
}
