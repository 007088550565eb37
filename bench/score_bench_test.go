package bench

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/scorecard"
)

// BenchmarkScore10k times the score scenario's parts on a SQLite file
// without Temporal: the read (EachMetricValue into a Gathering), scoring
// the data read, both together (ours), and the one SQL query (raw). The
// 120,000 values are inserted once, before the timers start.
//
//	go test ./bench -run XXX -bench Score10k -benchmem
func BenchmarkScore10k(b *testing.B) {
	ctx := context.Background()
	e, err := Start(ctx, EngineOptions{NoTemporal: true})
	require.NoError(b, err)
	b.Cleanup(e.Close)
	t, err := ScoreTemplate()
	require.NoError(b, err)
	data := ScoreData(t, ScoreMembers, 1)
	_, err = e.insertMetrics(ctx, data)
	require.NoError(b, err)
	ms := cycleMembers(data)
	q := scoreSQL(t)
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			got, err := e.readMetrics(ctx, ms, t)
			require.NoError(b, err)
			require.Len(b, got, ScoreMembers)
		}
	})
	read, err := e.readMetrics(ctx, ms, t)
	require.NoError(b, err)
	b.Run("score", func(b *testing.B) {
		for b.Loop() {
			_, err := scorecard.ScoreMembers(t, read)
			require.NoError(b, err)
		}
	})
	b.Run("ours", func(b *testing.B) {
		for b.Loop() {
			got, err := e.readAndScore(ctx, ms, t)
			require.NoError(b, err)
			require.Len(b, got, ScoreMembers)
		}
	})
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			_, totals, err := e.sqlScores(ctx, q)
			require.NoError(b, err)
			require.Len(b, totals, ScoreMembers)
		}
	})
}
