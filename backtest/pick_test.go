package backtest_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/backtest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestBacktestTakesThePeriodsCycleOfTheDraftsKeyElseTheNewest: a team ran
// two cycles in October, bt-ops and (later) another template. A draft of
// bt-ops is compared with the bt-ops cycle; a draft of a new key with the
// newest cycle.
func TestBacktestTakesThePeriodsCycleOfTheDraftsKeyElseTheNewest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		body := opsBody(t)
		h := record(t, st, body, []month{{period: "2026-10", values: [][3]float64{{80, 60, 5}, {60, 60, 3}}}})
		start := h.cycles[0].PeriodStart
		later, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: h.org.ID, TemplateKey: "other-ops", TemplateVersion: 1, TemplateBody: string(body), ScopeTeamID: h.team.ID,
			Period: "2026-10", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: "另一个", State: store.CycleRunning,
			CreatedAt: time.Now().UTC().Add(time.Hour)}, nil)
		require.NoError(t, err)

		_, chosen, err := backtest.Load(ctx, st, h.org.ID, h.team.ID, "2026-10", "2026-10", parse(t, body))
		require.NoError(t, err)
		require.Len(t, chosen, 1)
		require.Equal(t, h.cycles[0].ID, chosen[0].ID)

		renamed := bytes.Replace(body, []byte(`"key": "bt-ops"`), []byte(`"key": "bt-ops-v2"`), 1)
		in, chosen, err := backtest.Load(ctx, st, h.org.ID, h.team.ID, "2026-10", "2026-10", parse(t, renamed))
		require.NoError(t, err)
		require.Equal(t, later.ID, chosen[0].ID)
		rep, err := backtest.Run(in)
		require.NoError(t, err)
		require.Equal(t, []string{"the cycle has no members"}, rep.Periods[0].Notes)
	})
}
