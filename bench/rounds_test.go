package bench

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func round3(scenario string, ratio float64, ours, raw float64, ratios map[string]float64) Result {
	r := Result{Scenario: scenario, Members: 100, Ratio: ratio, Ratios: ratios}
	r.Ours.add("allTasksMs", ours)
	r.Raw.add("signalWithStartMs", raw)
	return r
}

func TestCombineTakesMediansAndReportsTheSpread(t *testing.T) {
	got := combine([]Result{
		round3("launch", 1.6, 1600, 1000, map[string]float64{"vsSignalWithStart": 1.6}),
		round3("launch", 1.2, 1320, 1100, map[string]float64{"vsSignalWithStart": 1.2}),
		round3("launch", 1.4, 4200, 3000, map[string]float64{"vsSignalWithStart": 1.4}),
	})
	require.Equal(t, 3, got.Rounds)
	require.Equal(t, 1.4, got.Ratio, "the median round's ratio, not the ratio of medians")
	require.Equal(t, 1.6, got.RatioMax)
	require.Equal(t, 1.2, got.RatioMin)
	require.InDelta(t, 0.4/1.4, got.Spread, 0.001)
	require.Equal(t, 1600.0, got.Ours.Get("allTasksMs"))
	require.Equal(t, 1100.0, got.Raw.Get("signalWithStartMs"))
	require.Equal(t, 1.4, got.Ratios["vsSignalWithStart"])

	one := combine([]Result{round3("launch", 1.3, 13, 10, nil)})
	require.Equal(t, 1, one.Rounds)
	require.Equal(t, 1.3, one.RatioMin)
	require.Zero(t, one.Spread)

	even := median([]float64{4, 1, 3, 2})
	require.Equal(t, 2.5, even)
}

func TestCheckHoldsEachResultToTheGoalForItsSize(t *testing.T) {
	results := []Result{
		{Scenario: "launch", Members: 100, Ratios: map[string]float64{"vsSignalWithStart": 1.4}},
		{Scenario: "launch", Members: 1000, Ratios: map[string]float64{"vsSignalWithStart": 1.4}},
		{Scenario: "submit", Members: 100, Ratios: map[string]float64{"p50": 1.2, "throughput": 0.5}},
		{Scenario: "memory", Members: 100, Ratios: map[string]float64{}},
	}
	vs := Check(results)
	met := map[string]bool{}
	for _, v := range vs {
		met[v.Scenario+"/"+v.Ratio+"/"+string(rune('0'+v.Members/1000))] = v.Met
	}
	require.True(t, met["launch/vsSignalWithStart/0"], "1.4 is within 1.5 at 100 members")
	require.False(t, met["launch/vsSignalWithStart/1"], "1.4 is over 1.3 at 1,000 members")
	require.True(t, met["submit/p50/0"])
	require.False(t, met["submit/throughput/0"], "0.5 is under the 0.7 floor")
	require.False(t, met["memory/rssPerWorkflow/0"], "a ratio not measured is not met")
	require.Len(t, vs, 5, "launch at 1,000 is held to its own goal only")

	var buf bytes.Buffer
	require.Equal(t, 3, WriteVerdicts(&buf, vs))
	require.Contains(t, buf.String(), "MISSED launch 1000: vsSignalWithStart ours/raw 1.40, goal ≤ 1.30")
}

// Small teams run more rounds, up to three times as many, so a figure of
// a quarter-second burst rests on about as many calls as one of 1,000.
func TestSmallTeamsRunMoreRounds(t *testing.T) {
	for _, c := range []struct{ repeat, n, want int }{
		{3, 1000, 3}, {3, 5000, 3}, {3, 300, 3}, {3, 200, 6}, {3, 100, 9}, {3, 10, 9}, {1, 100, 3}, {5, 150, 10},
	} {
		if got := RoundsAt(ScenarioSubmit, c.repeat, c.n); got != c.want {
			t.Errorf("RoundsAt(submit, %d, %d) = %d, want %d", c.repeat, c.n, got, c.want)
		}
	}
}
