package backtest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/bench"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// benchHistory is twelve months of a 10,000-member team on the bench's
// twelve-indicator scorecard, recorded as ComputeScores records them.
func benchHistory(b *testing.B, members, months int) (*templates.Template, []backtest.Period) {
	asRun, err := bench.ScoreTemplate()
	require.NoError(b, err)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	periods := make([]backtest.Period, months)
	for mo := range months {
		data := bench.ScoreData(asRun, members, uint64(mo+1))
		if ids == nil {
			for _, d := range data {
				ids = append(ids, d.MemberID)
			}
		}
		rec := &store.CycleRecords{}
		for i := range data {
			data[i].MemberID = ids[i] // the same team every month
			rec.Members = append(rec.Members, store.CycleMember{MemberID: ids[i], Level: data[i].Level})
			for k, v := range data[i].Metrics {
				rec.Metrics = append(rec.Metrics, store.MetricPoint{MemberID: ids[i], IndicatorKey: k, Source: "import", Value: v})
			}
		}
		scores, err := scorecard.ScoreMembers(asRun, data)
		require.NoError(b, err)
		for _, s := range scores {
			rec.Results = append(rec.Results, store.Result{MemberID: s.MemberID, FinalScore: s.Final, ProposedGrade: s.Proposed, Grade: s.Proposed, Rank: s.Rank})
		}
		from := start.AddDate(0, mo, 0)
		periods[mo] = backtest.Period{AsRun: asRun, Records: rec, Cycle: store.Cycle{ID: fmt.Sprintf("c%02d", mo), Period: from.Format("2006-01"),
			PeriodStart: from, PeriodEnd: from.AddDate(0, 1, 0), TemplateKey: asRun.Key, TemplateVersion: 1}}
	}
	return asRun, periods
}

// BenchmarkBacktest10kMembers12Months re-scores twelve months of 10,000
// members under a draft that moves weight between two indicators and adds
// an IDP rule. The goal: under 5 s an operation on the 2-core machine.
func BenchmarkBacktest10kMembers12Months(b *testing.B) {
	asRun, periods := benchHistory(b, 10_000, 12)
	body, err := json.Marshal(asRun)
	require.NoError(b, err)
	body = bytes.Replace(body, []byte(`"weight":10,`), []byte(`"weight":15,`), 1)
	body = bytes.Replace(body, []byte(`"weight":8,`), []byte(`"weight":3,`), 1)
	draft := parse(b, body)
	require.NotEqual(b, asRun.Indicators[0].Weight, draft.Indicators[0].Weight)
	draft.Outcomes = &templates.Outcomes{IDP: &templates.IDPRule{BottomCount: 10, Consecutive: 2}}
	in := backtest.Input{Draft: draft, TeamID: "team", From: periods[0].Cycle.Period, To: periods[11].Cycle.Period, Periods: periods}
	b.ReportAllocs()
	b.ResetTimer()
	// The machine is shared: wall time per op counts other processes'
	// load too, so CPU time per op is reported beside it.
	before := cpuTime(b)
	for range b.N {
		rep, err := backtest.Run(in)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Periods) != 12 || len(rep.Periods[11].Members) != 10_000 {
			b.Fatalf("%d periods", len(rep.Periods))
		}
	}
	b.ReportMetric(float64(cpuTime(b)-before)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
