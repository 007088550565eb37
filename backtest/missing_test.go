package backtest_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// withNewData adds what the history never recorded: a fan-growth
// indicator (weight 10, taken from conversion) with the given missing-data
// policy, and a peer rater group beside the manager on teamwork (60/40).
func withNewData(t *testing.T, body []byte, policy string) []byte {
	t.Helper()
	fan := `{"key": "fanGrowth", "name": {"zh": "粉丝增长", "en": "Fan growth"}, "category": "business", "kind": "quantitative", "weight": 10, "baseline": 0, "stretch": 100, "scoring": {"method": "linear", "floor": 0, "cap": 100}` + policy + `},
    {"key": "teamwork"`
	out := bytes.Replace(body, []byte(`"unit": "%", "weight": 50,`), []byte(`"unit": "%", "weight": 40,`), 1)
	out = bytes.Replace(out, []byte(`{"key": "teamwork"`), []byte(fan), 1)
	out = bytes.Replace(out, []byte(`{"key": "manager", "role": "manager", "weight": 100, "indicators": ["teamwork"], "scale": {"min": 1, "max": 5}}`),
		[]byte(`{"key": "manager", "role": "manager", "weight": 60, "indicators": ["teamwork"], "scale": {"min": 1, "max": 5}},
    {"key": "peer", "role": "peer", "weight": 40, "min": 1, "max": 2, "indicators": ["teamwork"], "scale": {"min": 1, "max": 5}}`), 1)
	tpl := parse(t, out)
	require.Len(t, tpl.Indicators, 4)
	require.Len(t, tpl.Raters, 2)
	return out
}

// TestBacktestNamesTheDataTheHistoryLacksAndAppliesTheDraftsPolicy: a
// month of two members, (conversion 80, retention 60, teamwork 5) and
// (60, 60, 3). Under the draft the new indicator and the new rater group
// have no recorded data; renormalised, member 1 scores
// (40·80 + 30·60 + 20·100) / 90 = 77.78 (the manager alone rates
// teamwork); with fan growth's policy zero, 7000 / 100 = 70.
func TestBacktestNamesTheDataTheHistoryLacksAndAppliesTheDraftsPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		body := opsBody(t)
		h := record(t, st, body, []month{{period: "2026-10", values: [][3]float64{{80, 60, 5}, {60, 60, 3}}}})

		rep := h.backtest(t, withNewData(t, body, ""), "2026-10", "2026-10")
		p := rep.Periods[0]
		require.Equal(t, 77.78, row(t, p, h.id(0)).Draft.Score)
		require.Equal(t, rep.Gaps, p.Gaps)
		require.Len(t, p.Gaps, 2, "%+v", p.Gaps)
		fan, peer := gap(t, p.Gaps, scorecard.MissingIndicator, "fanGrowth"), gap(t, p.Gaps, scorecard.MissingRater, "peer")
		for _, g := range []backtest.Gap{fan, peer} {
			require.True(t, g.New, g.Key)
			require.True(t, g.NoHistory, g.Key)
			require.Equal(t, 2, g.Members, g.Key)
			require.Equal(t, 2, g.Of, g.Key)
			require.Equal(t, "renormalise", g.Policy, g.Key)
			require.Equal(t, "2026-10", g.Period)
		}
		require.Equal(t, "indicator fanGrowth (new in the draft) has no recorded values in 2026-10, so the history cannot answer for it; the missing-data policy renormalise applied to all 2 members", fan.Message.En)
		require.Contains(t, peer.Message.En, "rater group peer (new in the draft) has no recorded ratings in 2026-10")
		require.Contains(t, fan.Message.Zh, "fanGrowth")

		zero := h.backtest(t, withNewData(t, body, `, "missing": "zero"`), "2026-10", "2026-10").Periods[0]
		require.Equal(t, 70.0, row(t, zero, h.id(0)).Draft.Score)
		require.Equal(t, "zero", gap(t, zero.Gaps, scorecard.MissingIndicator, "fanGrowth").Policy)
	})
}

func gap(t *testing.T, gaps []backtest.Gap, kind, key string) backtest.Gap {
	t.Helper()
	for _, g := range gaps {
		if g.Kind == kind && g.Key == key {
			return g
		}
	}
	t.Fatalf("no %s gap %s in %+v", kind, key, gaps)
	return backtest.Gap{}
}
