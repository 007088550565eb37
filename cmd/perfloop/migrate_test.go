package main

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestThreeMigrateProcessesStartedTogetherAllSucceed(t *testing.T) {
	for _, db := range storetest.EmptyDatabases(t) {
		t.Run(db.Name, func(t *testing.T) {
			outs := make([][]byte, 3)
			errs := make([]error, 3)
			var wg sync.WaitGroup
			for i := range outs {
				wg.Go(func() {
					outs[i], errs[i] = perfloopProcess(t, "migrate", "--db", db.DSN, "--log-level", "warn").CombinedOutput()
				})
			}
			wg.Wait()
			for i := range outs {
				require.NoError(t, errs[i], "migrate %d: %s", i, outs[i])
			}
			st, err := store.Open(t.Context(), db.DSN, nil)
			require.NoError(t, err)
			defer st.Close()
			v, err := st.SchemaVersion(t.Context())
			require.NoError(t, err)
			ms := store.Migrations()
			require.Equal(t, ms[len(ms)-1].Version, v)
		})
	}
}
