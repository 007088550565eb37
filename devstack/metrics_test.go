package devstack_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/devstack"
	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/store"
)

// sample is the value of the first scraped line that starts with prefix
// (a metric name and its labels), or -1 when there is none.
func sample(t *testing.T, url, prefix string) float64 {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			fields := strings.Fields(rest)
			v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
			require.NoError(t, err, line)
			return v
		}
	}
	return -1
}

// TestPerfloopDevMetricsCountLaunchesSubmissionsScoringAndTheTemporalSDK
// runs the stack as `perfloop dev --metrics` does: a compressed cycle runs
// to its scores, and the --metrics listener shows the launch, the refused
// submission, the scoring time and the Temporal SDK's own metrics.
func TestPerfloopDevMetricsCountLaunchesSubmissionsScoringAndTheTemporalSDK(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	m := monitoring.New(log)
	addr, err := m.Serve(ctx, "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + addr.String() + "/metrics"
	stack, err := devstack.Start(ctx, devstack.Options{HTTPAddr: "127.0.0.1:0", Ephemeral: true, TaskQueue: "devstack-" + t.Name(), Log: log, Metrics: m})
	require.NoError(t, err)
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		stack.Stop(stopCtx)
	})
	c := client{t: t, base: stack.URL, tok: map[string]string{}}
	for _, u := range stack.Users {
		c.tok[strings.Split(u.Email, "@")[0]] = u.Token
	}
	org, err := stack.Store.FirstOrganization(ctx)
	require.NoError(t, err)
	ms, _, err := stack.Store.ListMembers(ctx, org.ID, store.MemberFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	var cs string
	for _, m := range ms {
		if m.Email == "chen.jing@demo.perfloop.dev" && m.TeamID != nil {
			cs = *m.TeamID
		}
	}
	require.NotEmpty(t, cs)

	status, body := c.do("POST", "/api/v1/cycles", "chen.jing", map[string]any{"templateKey": "cs-ops-monthly", "teamId": cs, "period": "2026-Q4"})
	require.Equal(t, 400, status, body)
	period := time.Now().AddDate(0, -2, 0).Format("2006-01")
	status, body = c.do("POST", "/api/v1/cycles", "chen.jing", map[string]any{"templateKey": "cs-ops-monthly", "teamId": cs, "period": period, "compress": 86400})
	require.Equal(t, 201, status, body)
	status, body = c.do("POST", "/api/v1/tasks/"+store.NewID()+"/submit", "chen.jing", map[string]any{})
	require.Equal(t, 404, status, body)

	require.Equal(t, 1.0, sample(t, url, `perfloop_cycle_launches_total{outcome="created"}`))
	require.Equal(t, 1.0, sample(t, url, `perfloop_cycle_launches_total{outcome="invalid"}`))
	require.Equal(t, 1.0, sample(t, url, `perfloop_submissions_total{outcome="not_found"}`))
	require.Equal(t, 1.0, sample(t, url, `perfloop_http_request_duration_seconds_count{method="POST",route="/api/v1/tasks/:id/submit",status="404"}`))
	require.Positive(t, sample(t, url, `temporal_request{`), "the SDK's client calls are counted")
	require.Eventually(t, func() bool {
		return sample(t, url, `perfloop_scoring_duration_seconds_count`) >= 1
	}, 2*time.Minute, 200*time.Millisecond, "the cycle reaches its scores and the worker times them")
	require.Positive(t, sample(t, url, `temporal_activity_execution_latency_count{`), "the SDK's worker metrics are recorded")
}
