package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/perfloop/perfloop/scorecard"
	"github.com/stretchr/testify/require"
)

func TestBenchLaunchSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	results, err := Run(ctx, Options{Scenarios: []string{ScenarioLaunch}, Members: []int{20}, EngineOptions: EngineOptions{Log: testLog{t}}})
	require.NoError(t, err)
	require.Len(t, results, 1)
	r := results[0]
	require.Equal(t, "launch", r.Scenario)
	require.Equal(t, 20, r.Members)
	for _, name := range []string{"allTasksMs", "firstTaskMs", "launchCallMs", "membersPerSec"} {
		require.Positive(t, r.Ours.Get(name), "ours %s", name)
	}
	for _, name := range []string{"signalWithStartMs", "childWorkflowsMs"} {
		require.Positive(t, r.Raw.Get(name), "raw %s", name)
	}
	require.LessOrEqual(t, r.Ours.Get("firstTaskMs"), r.Ours.Get("allTasksMs"))

	var buf bytes.Buffer
	require.NoError(t, WriteJSON(&buf, results))
	var decoded []struct {
		Scenario string             `json:"scenario"`
		Members  int                `json:"members"`
		Ours     map[string]float64 `json:"ours"`
		Raw      map[string]float64 `json:"raw"`
		Ratio    float64            `json:"ratio"`
		Notes    string             `json:"notes"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &decoded))
	require.Len(t, decoded, 1)
	require.Positive(t, decoded[0].Ratio)
	require.Positive(t, decoded[0].Ours["allTasksMs"])
	require.Positive(t, decoded[0].Raw["signalWithStartMs"])
	require.NotEmpty(t, decoded[0].Notes)

	buf.Reset()
	require.NoError(t, WriteTable(&buf, results))
	require.Contains(t, buf.String(), "launch")
}

func TestScoreSQLAgreesWithScoreMembers(t *testing.T) {
	ctx := context.Background()
	e, err := Start(ctx, EngineOptions{NoTemporal: true, Log: testLog{t}})
	require.NoError(t, err)
	t.Cleanup(e.Close)
	res, err := e.runScore(ctx, 300, 2)
	require.NoError(t, err)
	require.Positive(t, res.Ours.Get("fromDbMs"))
	require.Positive(t, res.Raw.Get("sqlMs"))
	require.Equal(t, 300.0, res.Raw.Get("rows"))
	require.Contains(t, res.Notes, "totals agree within 0.0")
	require.Equal(t, 2, res.Rounds)
	require.LessOrEqual(t, res.RatioMin, res.Ratio)
	require.GreaterOrEqual(t, res.RatioMax, res.Ratio)
}

func TestScoreTemplateParses(t *testing.T) {
	tpl, err := ScoreTemplate()
	require.NoError(t, err)
	require.Len(t, tpl.Indicators, 12)
	scores, err := scorecard.ScoreMembers(tpl, ScoreData(tpl, 50, 7))
	require.NoError(t, err)
	require.Len(t, scores, 50)
}

func TestMembersAndScenariosParse(t *testing.T) {
	got, err := ParseMembers("100, 1000")
	require.NoError(t, err)
	require.Equal(t, []int{100, 1000}, got)
	_, err = ParseMembers("ten")
	require.ErrorIs(t, err, ErrUsage)

	sc, err := ParseScenarios("score,launch")
	require.NoError(t, err)
	require.Equal(t, []string{"launch", "score"}, sc)
	sc, err = ParseScenarios("all")
	require.NoError(t, err)
	require.Equal(t, Scenarios, sc)
	sc, err = ParseScenarios("memory")
	require.NoError(t, err)
	require.Equal(t, []string{ScenarioMemory}, sc)
	_, err = ParseScenarios("lunch")
	require.ErrorIs(t, err, ErrUsage)
	sc, err = ParseScenarios("cycle,submit")
	require.NoError(t, err)
	require.Equal(t, []string{ScenarioSubmit, ScenarioCycle}, sc, "cycle runs when named, after the others")
	sc, err = ParseScenarios("all")
	require.NoError(t, err)
	require.NotContains(t, sc, ScenarioCycle, "all leaves the long cycle out")
}

// TestBenchCycleSmall runs the whole-cycle scenario at 10 members, twice:
// every stage is timed, each member is rated by itself and its manager,
// the results are published, and the histories are read back and bounded.
// The second round runs in an organisation holding the first round's squad
// too, so two managers hold the calibrating role.
func TestBenchCycleSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	results, err := Run(ctx, Options{Scenarios: []string{ScenarioCycle}, Members: []int{10}, Repeat: 2, EngineOptions: EngineOptions{Log: testLog{t}}})
	require.NoError(t, err)
	require.Len(t, results, 1)
	r := results[0]
	require.Equal(t, ScenarioCycle, r.Scenario)
	for _, name := range []string{"publishedMs", "launchMs", "evaluateMs", "scoreMs", "calibrateMs", "publishMs", "peakRssMB"} {
		require.Positive(t, r.Ours.Get(name), "ours %s", name)
	}
	require.Equal(t, 20.0, r.Ours.Get("ratings"), "a self-evaluation and a manager's rating per member")
	require.Greater(t, r.Ours.Get("longestCycleHistory"), 20.0, "the cycle's runs were read")
	require.Less(t, r.Ours.Get("longestCycleHistory"), float64(historyLimit))
	require.Positive(t, r.Ours.Get("longestMemberHistory"))
	require.Positive(t, r.Ours.Get("stageReportSignals"), "the members' reports reached the cycle")
	require.NotContains(t, r.Notes, "failed")
}

// BenchmarkLaunch100 launches b.N cycles of 100 members on an embedded
// server, each until every member has its self-evaluation task.
func BenchmarkLaunch100(b *testing.B) {
	ctx := context.Background()
	e, err := Start(ctx, EngineOptions{})
	require.NoError(b, err)
	b.Cleanup(e.Close)
	require.NoError(b, e.WarmUp(ctx))
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		sq, err := e.SeedTeam(ctx, 100)
		require.NoError(b, err)
		b.StartTimer()
		l, err := e.Launch(ctx, sq)
		require.NoError(b, err)
		b.StopTimer()
		total += l.All
		require.NoError(b, e.Cancel(ctx, l))
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/launch")
}

// testLog keeps progress lines with the test.
type testLog struct{ t testing.TB }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

func TestBenchMemoryMeasuresBothSides(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	results, err := Run(ctx, Options{Scenarios: []string{ScenarioMemory}, Members: []int{30}, EngineOptions: EngineOptions{Log: testLog{t}}})
	require.NoError(t, err)
	require.Len(t, results, 1)
	r := results[0]
	require.Equal(t, "memory", r.Scenario)
	// Thirty open workflows in the cache grow the heap on both sides;
	// the totals are the heap after that growth.
	require.Positive(t, r.Ours.Get("heapMiB"))
	require.Positive(t, r.Raw.Get("heapMiB"))
	// The resident set only grows, where a collection during a round can
	// free earlier rounds' garbage and leave the heap's growth at zero
	// (runMemory): thirty members' worth of heap is within that noise.
	require.Positive(t, r.Ours.Get("rssKiBPerMember"), "a member workflow costs something")
	require.Contains(t, r.Notes, "embedded server")
}

func TestMeasureMemoryReadsTheResidentSet(t *testing.T) {
	m := measureMemory()
	require.Positive(t, m.HeapInuse)
	require.Positive(t, m.RSS, "VmRSS from /proc/self/status")
	require.Greater(t, m.RSS, m.HeapInuse/2, "the resident set holds most of the heap")
}
