package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
)

// TestMembersReportWeeklyDuringTheExecuteStageAndTheManagerReadsThem runs
// ops-assistant-monthly for next month on the real engine, a day
// lasting a second: during the execute stage each member gets a weekly
// report in the inbox, a report without its required field is refused
// naming it, a skipped report expires when the next round opens, and the
// manager reads everyone's reports while an employee sees only their own.
func TestMembersReportWeeklyDuringTheExecuteStageAndTheManagerReadsThem(t *testing.T) {
	e, ce := engineEnvN(t, 2)
	ctx := context.Background()
	// Next month: its execute stage runs a whole month whatever today's date.
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	next := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, now.Location())
	c := ce.Launch("ops-assistant-monthly", next.Format("2006-01"), time.Second)
	confirm := ce.OpenTasks(c.ID, ce.Manager.ID, engine.TaskConfirmTargets, 1)[0]
	r := e.do("POST", "/api/v1/tasks/"+confirm.ID+"/submit", "manager", map[string]any{"confirmed": true})
	require.Equal(t, 200, r.status, r.raw)

	// Week 1: e0 reports, e1 does not.
	first := ce.OpenTasks(c.ID, ce.Employees[0].ID, engine.TaskReport, 1)[0]
	require.Equal(t, "提交周报（第 1 期）", first.Title)
	require.Equal(t, "Weekly report 1", first.TitleEn)
	r = e.do("POST", "/api/v1/tasks/"+first.ID+"/submit", "e0", map[string]any{"next": "下周两场活动"})
	require.Equal(t, 400, r.status, r.raw)
	require.Equal(t, "/done", firstDetail(t, r)["path"])
	r = e.do("POST", "/api/v1/tasks/"+first.ID+"/submit", "e0", map[string]any{"done": "两场社群活动，新增会员 260 人", "next": "下周两场活动"})
	require.Equal(t, 200, r.status, r.raw)

	// Week 2 opens for e1 once week 1 has closed without a report.
	require.Eventually(t, func() bool {
		ts, _, err := ce.Store.ListTasks(ctx, ce.Org.ID, store.TaskFilter{CycleID: c.ID, AssigneeID: ce.Employees[1].ID, Kind: engine.TaskReport, State: engine.TaskOpen}, store.Page{Limit: 10})
		return err == nil && len(ts) == 1 && ts[0].TitleEn == "Weekly report 2"
	}, 60*time.Second, 100*time.Millisecond, "e1's second weekly report should open")
	// Each member's workflow opens its own round, so e0's may open a moment
	// after e1's on a loaded machine.
	require.Eventually(t, func() bool {
		ts, _, err := ce.Store.ListTasks(ctx, ce.Org.ID, store.TaskFilter{CycleID: c.ID, AssigneeID: ce.Employees[0].ID, Kind: engine.TaskReport}, store.Page{Limit: 10})
		return err == nil && len(ts) >= 2
	}, 60*time.Second, 100*time.Millisecond, "e0's second weekly report should open")

	r = e.do("GET", "/api/v1/cycles/"+c.ID+"/reports?sort=createdAt", "manager", nil)
	require.Equal(t, 200, r.status, r.raw)
	byMember := map[string][]map[string]any{}
	for _, it := range r.body["items"].([]any) {
		m := it.(map[string]any)
		byMember[m["assigneeId"].(string)] = append(byMember[m["assigneeId"].(string)], m)
	}
	e0, e1 := byMember[ce.Employees[0].ID], byMember[ce.Employees[1].ID]
	require.GreaterOrEqual(t, len(e0), 2)
	require.EqualValues(t, 1, e0[0]["round"])
	require.Equal(t, string(engine.TaskSubmitted), e0[0]["state"])
	require.Equal(t, "两场社群活动，新增会员 260 人", e0[0]["data"].(map[string]any)["done"])
	require.Equal(t, string(engine.TaskExpired), e1[0]["state"])
	require.Nil(t, e1[0]["data"])
	require.EqualValues(t, 2, e1[1]["round"])

	r = e.do("GET", "/api/v1/cycles/"+c.ID+"/reports", "e1", nil)
	require.Equal(t, 200, r.status, r.raw)
	for _, it := range r.body["items"].([]any) {
		require.Equal(t, ce.Employees[1].ID, it.(map[string]any)["assigneeId"], "an employee sees only their own reports")
	}
	require.Equal(t, 404, e.do("GET", "/api/v1/cycles/"+c.ID+"/reports", "outsider", nil).status)
}
