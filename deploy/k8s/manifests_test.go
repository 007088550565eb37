package k8s

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/perfloop/perfloop/worker"
)

type object = map[string]any

func load(t *testing.T) map[string]object {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]object{}
	for _, f := range files {
		r, err := os.Open(f)
		require.NoError(t, err)
		dec := yaml.NewDecoder(r)
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, f)
			meta := o["metadata"].(object)
			out[o["kind"].(string)+"/"+meta["name"].(string)] = o
		}
		r.Close()
	}
	return out
}

func dig(t *testing.T, o any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := o.(object)
			require.True(t, ok, "%v: not an object at %q", path, k)
			o = m[k]
		case int:
			l, ok := o.([]any)
			require.True(t, ok && k < len(l), "%v: no item %d", path, k)
			o = l[k]
		}
	}
	return o
}

func seconds(t *testing.T, s string) time.Duration {
	d, err := time.ParseDuration(s)
	require.NoError(t, err)
	return d
}

func TestGracePeriodsOutlastWhatTheProcessesMayTakeToStop(t *testing.T) {
	m := load(t)
	cfg := m["ConfigMap/perfloop"]["data"].(object)
	drain, stop := seconds(t, cfg["PERFLOOP_DRAIN_DELAY"].(string)), seconds(t, cfg["PERFLOOP_SHUTDOWN_TIMEOUT"].(string))
	require.Equal(t, worker.DefaultStopTimeout, stop, "the manifests use the binary's default shutdown timeout")
	require.Equal(t, 5*time.Second, drain, "and its default drain delay")

	api := time.Duration(dig(t, m["Deployment/perfloop-api"], "spec", "template", "spec", "terminationGracePeriodSeconds").(int)) * time.Second
	require.Greater(t, api, drain+stop, "api: SIGKILL only after draining and finishing requests")
	wrk := time.Duration(dig(t, m["Deployment/perfloop-worker"], "spec", "template", "spec", "terminationGracePeriodSeconds").(int)) * time.Second
	require.Greater(t, wrk, stop, "worker: SIGKILL only after activities in flight finish")
}

func TestProbesAskWhatTheProcessesServe(t *testing.T) {
	m := load(t)
	cfg := m["ConfigMap/perfloop"]["data"].(object)
	require.Equal(t, ":8080", cfg["PERFLOOP_HTTP"])
	require.Equal(t, ":9090", cfg["PERFLOOP_METRICS"], "the worker's probes need its metrics listener")
	for _, c := range []struct {
		deployment, port string
		number           int
	}{{"perfloop-api", "http", 8080}, {"perfloop-worker", "metrics", 9090}} {
		ctr := dig(t, m["Deployment/"+c.deployment], "spec", "template", "spec", "containers", 0)
		ports := map[string]int{}
		for _, p := range dig(t, ctr, "ports").([]any) {
			ports[p.(object)["name"].(string)] = p.(object)["containerPort"].(int)
		}
		require.Equal(t, c.number, ports[c.port], c.deployment)
		for probe, path := range map[string]string{"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
			require.Equal(t, path, dig(t, ctr, probe, "httpGet", "path"), "%s %s", c.deployment, probe)
			require.Equal(t, c.port, dig(t, ctr, probe, "httpGet", "port"), "%s %s", c.deployment, probe)
		}
		require.NotNil(t, dig(t, ctr, "resources", "requests", "cpu"), "the HPA and the scheduler need requests")
		require.NotNil(t, dig(t, ctr, "resources", "limits", "memory"))
	}
	require.Equal(t, "perfloop-worker", dig(t, m["HorizontalPodAutoscaler/perfloop-worker"], "spec", "scaleTargetRef", "name"))
	for _, name := range []string{"perfloop-api", "perfloop-worker"} {
		sel := dig(t, m["PodDisruptionBudget/"+name], "spec", "selector", "matchLabels")
		require.Equal(t, dig(t, m["Deployment/"+name], "spec", "template", "metadata", "labels"), sel, "the budget covers the %s pods", name)
	}
	for _, job := range []string{"Job/perfloop-migrate", "Job/perfloop-init"} {
		require.Contains(t, m, job)
	}
}
