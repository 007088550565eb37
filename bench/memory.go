package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
)

// Memory is the process's footprint at one moment, after a full
// collection: the Go heap in use and the resident set the kernel reports.
type Memory struct {
	HeapInuse uint64
	RSS       uint64 // 0 where /proc is not there
}

// measureMemory collects garbage twice (finalisers free more on the
// second pass) and reads the heap and the resident set.
func measureMemory() Memory {
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Memory{HeapInuse: ms.HeapInuse, RSS: residentBytes()}
}

// procFile is /proc/PID/NAME, or /proc/self/NAME for pid 0.
func procFile(pid int, name string) string {
	if pid == 0 {
		return "/proc/self/" + name
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}

// cpuTimeOf is the CPU time process pid (0: this one) has used, user and
// system, from /proc/PID/stat; 0 where /proc is not there or the process
// has ended. A burst's CPU per call moves less than its latency when other
// work shares the machine.
func cpuTimeOf(pid int) time.Duration {
	data, err := os.ReadFile(procFile(pid, "stat"))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces; count from after it.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	// Clock ticks are 1/100 s on Linux (USER_HZ).
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// residentBytes reads VmRSS from /proc/self/status.
func residentBytes() uint64 { return statusBytes(0, "VmRSS:") }

// peakResidentBytes reads VmHWM, the largest resident set so far, from
// /proc/self/status.
func peakResidentBytes() uint64 { return statusBytes(0, "VmHWM:") }

// statusBytes reads a kB figure of /proc/PID/status (pid 0: this
// process) in bytes; 0 where /proc is not there or the process has ended.
func statusBytes(pid int, field string) uint64 {
	f, err := os.Open(procFile(pid, "status"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, field) {
			continue
		}
		fields := strings.Fields(strings.TrimPrefix(line, field))
		if len(fields) == 0 {
			return 0
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}

// grew is how much a figure grew per member, in KiB (negative growth,
// which a collection can cause, counts as none).
func grew(before, after uint64, n int) float64 {
	if after <= before || n == 0 {
		return 0
	}
	return float64(after-before) / 1024 / float64(n)
}

// runMemory measures what n open member workflows cost the process: a
// launched cycle whose members all wait for their self-evaluations, against
// n trivial workflows waiting for a signal on the same server. Both sides
// are measured after a full collection, with the workflows in the worker's
// cache. With an embedded server (no --temporal) the process also holds the
// server's share of each workflow, on both sides alike.
func (e *Engine) runMemory(ctx context.Context, n int) (Result, error) {
	if e.procs != nil {
		return e.runMemorySplit(ctx, n)
	}
	res := Result{Scenario: "memory", Members: n}
	sq, err := e.SeedTeam(ctx, n)
	if err != nil {
		return res, err
	}
	base := measureMemory()
	e.logf("memory %d: baseline heap %s, RSS %s; launching", n, mib(base.HeapInuse), mib(base.RSS))
	l, err := e.Launch(ctx, sq)
	if err != nil {
		return res, err
	}
	// Let the last workflow tasks settle into the cache before measuring.
	if err := pause(ctx, 2*time.Second); err != nil {
		return res, err
	}
	open := measureMemory()
	e.logf("memory %d: %d members open: heap %s, RSS %s; cancelling", n, n, mib(open.HeapInuse), mib(open.RSS))
	if err := e.Cancel(ctx, l); err != nil {
		return res, err
	}

	rawBase := measureMemory()
	e.logf("memory %d: after cancelling: heap %s, RSS %s; raw signal-with-start", n, mib(rawBase.HeapInuse), mib(rawBase.RSS))
	run, err := e.openRawWaiting(ctx, n)
	defer e.forget(run)
	if err != nil {
		return res, err
	}
	rawOpen := measureMemory()
	e.logf("memory %d: %d trivial workflows open: heap %s, RSS %s", n, n, mib(rawOpen.HeapInuse), mib(rawOpen.RSS))
	e.finishRaw(ctx, run, n)

	// RSS growth is the headline: once rounds repeat, a collection during
	// a later round frees the earlier rounds' garbage, so heap growth can
	// come out as zero or negative, while the resident set only grows.
	res.Ours.add("rssKiBPerMember", grew(base.RSS, open.RSS, n))
	res.Ours.add("heapKiBPerMember", grew(base.HeapInuse, open.HeapInuse, n))
	res.Ours.add("rssMiB", float64(open.RSS)/(1<<20))
	res.Ours.add("heapMiB", float64(open.HeapInuse)/(1<<20))
	res.Raw.add("rssKiBPerWorkflow", grew(rawBase.RSS, rawOpen.RSS, n))
	res.Raw.add("heapKiBPerWorkflow", grew(rawBase.HeapInuse, rawOpen.HeapInuse, n))
	res.Raw.add("heapMiB", float64(rawOpen.HeapInuse)/(1<<20))
	res.Ratio = ratio(res.Ours.Get("rssKiBPerMember"), res.Raw.Get("rssKiBPerWorkflow"))
	res.Ratios = map[string]float64{
		"rssPerWorkflow":  res.Ratio,
		"heapPerWorkflow": ratio(res.Ours.Get("heapKiBPerMember"), res.Raw.Get("heapKiBPerWorkflow")),
	}
	where := "embedded server in the same process, so both sides include its share"
	if !e.Embedded {
		where = "external server, so this is the worker alone"
	}
	res.Notes = fmt.Sprintf("growth after a full GC with %d member workflows open (each waiting for its self-evaluation, in the worker cache) vs %d trivial workflows waiting for a signal; %s", n, n, where)
	return res, nil
}

// openRawWaiting signal-with-starts n trivial workflows, waits until all
// of them run, and lets them settle into the raw worker's cache: the raw
// side of a memory round in either shape. The caller forgets run.
func (e *Engine) openRawWaiting(ctx context.Context, n int) (run string, err error) {
	run = fmt.Sprintf("raw-mem-%s-%d", e.run, e.nextRaw())
	if _, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: run, TaskQueue: e.RawQueue}, SignalFanoutWorkflow, FanoutInput{Run: run, N: n}); err != nil {
		return run, fmt.Errorf("start raw signal-with-start parent: %w", err)
	}
	if _, _, err := waitFor(ctx, time.Now(), n, pollEvery, within(n), e.arrived(run)); err != nil {
		return run, fmt.Errorf("raw memory workflows of %d: %w", n, err)
	}
	return run, pause(ctx, 2*time.Second)
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// runMemorySplit measures the same in the split shape, from the outside:
// the resident-set growth of the Perfloop worker processes (together) for
// n open members against that of the raw worker process for n trivial
// waiting workflows, and the server's growth on each side separately.
func (e *Engine) runMemorySplit(ctx context.Context, n int) (Result, error) {
	res := Result{Scenario: "memory", Members: n}
	sq, err := e.SeedTeam(ctx, n)
	if err != nil {
		return res, err
	}
	base, err := e.footprint(ctx)
	if err != nil {
		return res, err
	}
	e.logf("memory %d: baseline RSS workers %s, server %s; launching", n, mib(base.workers), mib(base.server))
	l, err := e.Launch(ctx, sq)
	if err != nil {
		return res, err
	}
	// Let the last workflow tasks settle into the workers' caches.
	if err := pause(ctx, 2*time.Second); err != nil {
		return res, err
	}
	open, err := e.footprint(ctx)
	if err != nil {
		return res, err
	}
	e.logf("memory %d: %d members open: RSS workers %s, server %s; cancelling", n, n, mib(open.workers), mib(open.server))
	if err := e.Cancel(ctx, l); err != nil {
		return res, err
	}

	rawBase, err := e.footprint(ctx)
	if err != nil {
		return res, err
	}
	e.logf("memory %d: after cancelling: RSS raw worker %s, server %s; raw signal-with-start", n, mib(rawBase.raw), mib(rawBase.server))
	run, err := e.openRawWaiting(ctx, n)
	defer e.forget(run)
	if err != nil {
		return res, err
	}
	rawOpen, err := e.footprint(ctx)
	if err != nil {
		return res, err
	}
	e.logf("memory %d: %d trivial workflows open: RSS raw worker %s, server %s", n, n, mib(rawOpen.raw), mib(rawOpen.server))
	e.finishRaw(ctx, run, n)
	if err := e.drainRaw(ctx, within(n)); err != nil {
		e.logf("drain %s: %v", run, err)
	}

	res.Ours.add("rssKiBPerMember", grew(base.workers, open.workers, n))
	res.Ours.add("serverRssKiBPerMember", grew(base.server, open.server, n))
	res.Ours.add("rssMiB", float64(open.workers)/(1<<20))
	res.Ours.add("serverRssMiB", float64(open.server)/(1<<20))
	res.Raw.add("rssKiBPerWorkflow", grew(rawBase.raw, rawOpen.raw, n))
	res.Raw.add("serverRssKiBPerWorkflow", grew(rawBase.server, rawOpen.server, n))
	res.Raw.add("rssMiB", float64(rawOpen.raw)/(1<<20))
	res.Raw.add("serverRssMiB", float64(rawOpen.server)/(1<<20))
	res.Ratio = ratio(res.Ours.Get("rssKiBPerMember"), res.Raw.Get("rssKiBPerWorkflow"))
	res.Ratios = map[string]float64{
		"rssPerWorkflow":       res.Ratio,
		"serverRssPerWorkflow": ratio(res.Ours.Get("serverRssKiBPerMember"), res.Raw.Get("serverRssKiBPerWorkflow")),
	}
	res.Notes = fmt.Sprintf("RSS growth (VmRSS after a full collection in each process) of the %d perfloop worker process(es) with %d member workflows open vs the raw worker process with %d trivial workflows waiting; server growth on each side ours/raw %.2f",
		len(e.procs.workers), n, n, res.Ratios["serverRssPerWorkflow"])
	return res, nil
}
