package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/perfloop/perfloop/bench"
)

// The production shape of the bench: the server, two Perfloop workers and
// the raw worker each in a process of their own, this binary in the place
// of `perfloop api`. Every figure is measured, each process's peak RSS is
// reported, memory is read from the workers' and the server's processes,
// and no process outlives the bench.
func TestBenchInTheSplitShapeReportsEachProcessAndLeavesNoneRunning(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("the split shape reads its processes' memory from /proc")
	}
	cmd := perfloopProcess(t, "bench", "--shape", "split", "--workers", "2", "--scenario", "launch,submit,memory",
		"--members", "20", "--repeat", "1", "--json")
	var stdout bytes.Buffer
	stderr := &logBuffer{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case err := <-exited:
		require.NoError(t, err, "bench failed; its log:\n%s", stderr.String())
	case <-time.After(5 * time.Minute):
		t.Fatalf("bench still running after 5 minutes; its log:\n%s", stderr.String())
	}

	var results []bench.Result
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &results), "stdout:\n%s", stdout.String())
	require.Len(t, results, 3)
	byScenario := map[string]bench.Result{}
	for _, r := range results {
		byScenario[r.Scenario] = r
		require.Equal(t, 20, r.Members)
		if r.Scenario != "memory" {
			require.Positive(t, r.Ratio, "%s ratio", r.Scenario)
		}
		for _, name := range []string{"serverPeakRSSMiB", "worker1PeakRSSMiB", "worker2PeakRSSMiB", "apiPeakRSSMiB"} {
			require.Positive(t, r.Ours.Get(name), "%s: ours %s", r.Scenario, name)
		}
		require.Zero(t, r.Ours.Get("worker3PeakRSSMiB"), "%s: two workers were asked for", r.Scenario)
		require.Positive(t, r.Raw.Get("rawWorkerPeakRSSMiB"), "%s: raw rawWorkerPeakRSSMiB", r.Scenario)
	}
	launch, submit := byScenario["launch"], byScenario["submit"]
	for _, name := range []string{"allTasksMs", "firstTaskMs", "launchCallMs", "membersPerSec"} {
		require.Positive(t, launch.Ours.Get(name), "launch: ours %s", name)
	}
	for _, name := range []string{"signalWithStartMs", "childWorkflowsMs"} {
		require.Positive(t, launch.Raw.Get(name), "launch: raw %s", name)
	}
	for _, name := range []string{"p50Ms", "p99Ms", "perSec"} {
		require.Positive(t, submit.Ours.Get(name), "submit: ours %s", name)
		require.Positive(t, submit.Raw.Get(name), "submit: raw %s", name)
	}
	require.Equal(t, float64(20), submit.Ours.Get("calls"))
	require.Zero(t, submit.Ours.Get("failed"))
	// Growth over 20 workflows may round to nothing; the resident sets
	// read after each process's collection may not.
	memory := byScenario["memory"]
	for _, name := range []string{"rssMiB", "serverRssMiB"} {
		require.Positive(t, memory.Ours.Get(name), "memory: ours %s", name)
		require.Positive(t, memory.Raw.Get(name), "memory: raw %s", name)
	}

	log := stderr.String()
	require.Contains(t, log, "worker1| ", "the workers' logs reach the bench's, prefixed")
	children := startedChildren(t, log)
	require.Len(t, children, 4, "temporal, two workers and the raw worker; log:\n%s", log)
	for name, pid := range children {
		require.False(t, stillOurs(pid), "%s (pid %d) still runs after the bench exited", name, pid)
	}
}

// startedChildren reads the bench's "NAME: started, pid N" lines.
func startedChildren(t *testing.T, log string) map[string]int {
	t.Helper()
	re := regexp.MustCompile(`bench: ([\w-]+): started, pid (\d+)`)
	out := map[string]int{}
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		pid, err := strconv.Atoi(m[2])
		require.NoError(t, err)
		out[m[1]] = pid
	}
	return out
}

// stillOurs says whether pid is a live process of this test binary (a pid
// the kernel has since given to another program does not count).
func stillOurs(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return false
	}
	self, _ := os.Executable()
	return strings.TrimSuffix(exe, " (deleted)") == self
}

func TestBenchWorkersWithoutTheSplitShapeIsAUsageError(t *testing.T) {
	_, stderr, code := run(t, "bench", "--workers", "2", "--scenario", "launch")
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "--workers 2 needs --shape split")

	_, stderr, code = run(t, "bench", "--shape", "split", "--workers", "9", "--scenario", "launch")
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "--workers 9: give 1 to 4")
}

func TestTemporalCommandServesAHealthCheckAndStopsOnSIGTERM(t *testing.T) {
	_, port, err := net.SplitHostPort(freeAddr(t))
	require.NoError(t, err)
	p := &started{cmd: perfloopProcess(t, "temporal", "--port", port), log: &logBuffer{}, exit: make(chan error, 1)}
	p.cmd.Stderr = p.log
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		p.exit <- p.cmd.Wait()
	}()
	var hostPort string
	select {
	case hostPort = <-lines:
	case err := <-p.exit:
		t.Fatalf("perfloop temporal exited (%v) before it was ready; log:\n%s", err, p.log.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("perfloop temporal printed no address; log:\n%s", p.log.String())
	}
	require.Equal(t, "127.0.0.1:"+port, hostPort)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: hostPort, Namespace: "default", Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	require.NoError(t, err)
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	c.Close()
	require.NoError(t, err)

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, p.waitExit(t, 30*time.Second), "log:\n%s", p.log.String())
}

// Stopped halfway, politely or not, the bench leaves none of its processes
// behind: on SIGTERM it stops and reaps them itself; killed, it cannot, and
// the kernel kills them for it (they are started with a parent-death
// signal).
func TestBenchInTheSplitShapeStoppedHalfwayLeavesNoProcessRunning(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("the split shape's parent-death signal is Linux's")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			// A killed bench cannot remove its SQLite directory; the test's can.
			t.Setenv("TMPDIR", t.TempDir())
			p := startPerfloop(t, "bench", "--shape", "split", "--workers", "2", "--scenario", "launch", "--members", "20", "--repeat", "50")
			gone, exited := p.waitForLog(t, "launch 20: round 1 of ", 3*time.Minute, 50*time.Millisecond)
			require.False(t, gone, "bench exited (%v) before it measured anything; log:\n%s", exited, p.log.String())
			children := startedChildren(t, p.log.String())
			require.Len(t, children, 4, "log:\n%s", p.log.String())

			require.NoError(t, p.cmd.Process.Signal(sig))
			err := p.waitExit(t, 90*time.Second)
			require.Error(t, err, "a bench stopped halfway does not exit 0")
			for name, pid := range children {
				require.Eventually(t, func() bool { return !stillOurs(pid) }, 30*time.Second, 50*time.Millisecond,
					"%s (pid %d) still runs after the bench got %s", name, pid, sig)
			}
		})
	}
}
