package store_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// openReplicas opens n stores on one database, each with its own connection
// pool, as n processes would.
func openReplicas(t *testing.T, dsn string, n int) []*store.Store {
	t.Helper()
	out := make([]*store.Store, n)
	for i := range out {
		s, err := store.Open(ctx, dsn, nil)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out
}

func TestThreeMigrationsStartedTogetherApplyEachStepOnce(t *testing.T) {
	for _, db := range storetest.EmptyDatabases(t) {
		t.Run(db.Name, func(t *testing.T) {
			replicas := openReplicas(t, db.DSN, 3)
			applied := make([]int, len(replicas))
			errs := make([]error, len(replicas))
			var wg sync.WaitGroup
			for i, s := range replicas {
				wg.Go(func() { applied[i], errs[i] = s.Migrate(ctx, nil) })
			}
			wg.Wait()
			for i := range replicas {
				require.NoError(t, errs[i], "replica %d", i)
			}
			ms := store.Migrations()
			require.Equal(t, len(ms), applied[0]+applied[1]+applied[2], "each step is applied by exactly one replica")
			v, err := replicas[0].SchemaVersion(ctx)
			require.NoError(t, err)
			require.Equal(t, ms[len(ms)-1].Version, v)
		})
	}
}
