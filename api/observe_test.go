package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// scrape reads the registry the way Prometheus does and answers Perfloop's
// own samples, one a line.
func scrape(t *testing.T, m *monitoring.Metrics) []string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "perfloop_") {
			out = append(out, line)
		}
	}
	return out
}

func TestMetricsScrapeShowsRouteTemplatesStatusesAndStoreGauges(t *testing.T) {
	st := storetest.SQLite(t)
	e := newEnv(t, st)
	m := monitoring.New(nil)
	m.WatchStore(st)
	e.srv.Close()
	e.srv = httptest.NewServer(api.New(api.Deps{Store: st, Metrics: m}))
	t.Cleanup(e.srv.Close)

	me := e.do("GET", "/api/v1/me", "admin", nil)
	require.Equal(t, 200, me.status, me.raw)
	id := me.body["id"].(string)
	require.Equal(t, 200, e.do("GET", "/api/v1/members/"+id, "admin", nil).status)
	require.Equal(t, 200, e.do("GET", "/api/v1/members/"+id, "admin", nil).status)
	require.Equal(t, 401, e.do("GET", "/api/v1/members/"+id, "", nil).status)
	require.Equal(t, 404, e.do("GET", "/api/v1/no/such/"+id, "admin", nil).status)

	// A cycle with one overdue and one future task, and two notifications
	// of which one failed for good.
	ctx := context.Background()
	org, err := st.FirstOrganization(ctx)
	require.NoError(t, err)
	members, err := st.AllMembers(ctx, org.ID, store.MemberFilter{})
	require.NoError(t, err)
	a, b := members[0], members[1]
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: org.ID, TemplateKey: "k", TemplateVersion: 1, TemplateBody: "{}", ScopeTeamID: *a.TeamID, Period: "2026-10",
		PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "十月", WorkflowID: "wf", LaunchedBy: "admin"}, nil)
	require.NoError(t, err)
	for i, due := range []time.Time{time.Now().Add(-time.Hour), time.Now().Add(time.Hour)} {
		_, err := st.EnsureTask(ctx, &store.Task{OrgID: org.ID, CycleID: c.ID, WorkflowID: "w", StageKey: "evaluate", Kind: engine.TaskSelfEval, AssigneeID: members[i].ID,
			Title: "自评", TitleEn: "Self", DueAt: due, Payload: "{}", DedupeKey: "self:" + members[i].ID})
		require.NoError(t, err)
	}
	var first string
	for _, key := range []string{"x", "y"} {
		d := &store.Delivery{Notification: store.Notification{OrgID: org.ID, RecipientID: b.ID, Channel: store.ChannelWebhook, Kind: "results", DedupeKey: key}}
		_, err := st.EnqueueDelivery(ctx, d)
		require.NoError(t, err)
		if first == "" {
			first = d.ID
		}
	}
	// The sender gave up on the first (as MarkBatchAttempt records a
	// permanent failure).
	require.NoError(t, st.DB.WithContext(ctx).Model(&store.Notification{}).Where("id = ?", first).
		Updates(map[string]any{"state": store.NotificationPermanentFailure, "attempts": 1, "last_error": "webhook: 410 gone"}).Error)

	out := scrape(t, m)
	for _, line := range []string{
		`perfloop_http_request_duration_seconds_count{method="GET",route="/api/v1/members/:id",status="200"} 2`,
		`perfloop_http_request_duration_seconds_count{method="GET",route="/api/v1/members/:id",status="401"} 1`,
		`perfloop_http_request_duration_seconds_count{method="GET",route="/api/v1/me",status="200"} 1`,
		`perfloop_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		`perfloop_cycles{state="pending"} 1`,
		`perfloop_cycles{state="running"} 0`,
		`perfloop_tasks_open 2`,
		`perfloop_tasks_overdue 1`,
		`perfloop_deliveries{state="pending"} 1`,
		`perfloop_deliveries{state="permanent_failure"} 1`,
	} {
		require.Contains(t, out, line)
	}
	require.NotContains(t, strings.Join(out, "\n"), id, "raw paths (with ids) are never labels")
}
