package monitoring_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/monitoring"
	"github.com/perfloop/perfloop/store/storetest"
)

func scrape(t *testing.T, m *monitoring.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(raw)
}

// The SDK tags one metric with different tag sets at different call sites
// (a poll has no workflow type, a workflow task has one); a fixed-label
// vector would refuse the second set and lose the metric.
func TestTemporalSDKMetricsKeepEveryTagSetOfOneName(t *testing.T) {
	m := monitoring.New(nil)
	h := m.Temporal().WithTags(map[string]string{"namespace": "default"})
	h.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"operation": "StartWorkflowExecution"}).Counter("temporal_request").Inc(1)
	h.WithTags(map[string]string{"workflow_type": "CycleWorkflow", "task-queue": "perfloop"}).Counter("temporal_request").Inc(1)
	h.Counter("temporal_request").Inc(-5) // a counter never goes down
	h.Gauge("temporal_num_pollers").Update(8)
	h.Timer("temporal_request_latency").Record(300 * time.Millisecond)

	_, err := m.Registry.Gather()
	require.NoError(t, err)
	out := scrape(t, m)
	for _, line := range []string{
		`temporal_request{namespace="default",operation="StartWorkflowExecution"} 3`,
		`temporal_request{namespace="default",task_queue="perfloop",workflow_type="CycleWorkflow"} 1`,
		`temporal_request{namespace="default"} 0`,
		`temporal_num_pollers{namespace="default"} 8`,
		`temporal_request_latency_bucket{namespace="default",le="0.25"} 0`,
		`temporal_request_latency_bucket{namespace="default",le="0.5"} 1`,
		`temporal_request_latency_count{namespace="default"} 1`,
	} {
		require.Contains(t, strings.Split(out, "\n"), line)
	}
}

func TestAScrapeWithTheDatabaseDownStillAnswersWithoutTheStoreGauges(t *testing.T) {
	st := storetest.SQLite(t)
	m := monitoring.New(nil)
	m.WatchStore(st)
	m.Submitted("accepted")
	require.Contains(t, scrape(t, m), "perfloop_tasks_open 0\n")

	require.NoError(t, st.Close())
	out := scrape(t, m)
	require.NotContains(t, out, "perfloop_tasks_open")
	require.Contains(t, out, `perfloop_submissions_total{outcome="accepted"} 1`)
	require.Contains(t, out, "go_goroutines")
}
