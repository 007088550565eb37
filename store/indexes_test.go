package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestTheGaugesQueriesUseAnIndexNotAScan: every Prometheus scrape counts
// open and overdue tasks and deliveries by state across all cycles; the
// planner must answer those from an index rather than reading every task
// and notification row the organisation ever had.
func TestTheGaugesQueriesUseAnIndexNotAScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, q := range []struct {
			sql   string
			args  []any
			index string
		}{
			{"SELECT COUNT(*) FROM tasks WHERE state = ?", []any{"open"}, "ix_tasks_state_due"},
			{"SELECT COUNT(*) FROM tasks WHERE state = ? AND due_at < ?", []any{"open", time.Now().UTC()}, "ix_tasks_state_due"},
			{"SELECT state, COUNT(*) FROM notifications WHERE state <> ? GROUP BY state", []any{"sent"}, "ix_notifications_state"},
		} {
			plan := explain(t, s, q.sql, q.args...)
			require.Contains(t, plan, q.index, "%s\nplan: %s", q.sql, plan)
		}
	})
}

// explain returns the planner's answer as one line of text.
func explain(t *testing.T, s *store.Store, sql string, args ...any) string {
	t.Helper()
	prefix := "EXPLAIN "
	if s.Dialect == store.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	rows, err := s.DB.Raw(prefix+sql, args...).Rows()
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				out = append(out, string(v))
			case string:
				out = append(out, v)
			}
		}
	}
	require.NoError(t, rows.Err())
	return strings.Join(out, " | ")
}
