package api_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestAPeriodOrCompressionOutOfRangeIsRefusedNamingTheRange: 9999-12 and
// 0000-01 answered 200 with an empty body (their dates cannot be written
// as JSON) and compress 0.0001 launched; both preview and launch answer
// 400 naming the field, the value and the range.
func TestAPeriodOrCompressionOutOfRangeIsRefusedNamingTheRange(t *testing.T) {
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	_, err := catalog.SeedBuiltins(context.Background(), s)
	require.NoError(t, err)
	// Bad input is refused before the workflow service is needed.
	e.srv = httptest.NewServer(api.New(api.Deps{Store: s, Cycles: &cycles.Service{Store: s}}))
	t.Cleanup(e.srv.Close)
	team := e.do("GET", "/api/v1/teams?q=cs", "admin", nil).body["items"].([]any)[0].(map[string]any)["id"].(string)

	ok := e.do("POST", "/api/v1/cycles/preview", "admin", map[string]any{"templateKey": "cs-ops-monthly", "teamId": team, "period": "2026-10"})
	require.Equal(t, 200, ok.status, ok.raw)
	for _, period := range []string{"9999-12", "0000-01", "1969-12", "3000-01"} {
		r := e.do("POST", "/api/v1/cycles/preview", "admin", map[string]any{"templateKey": "cs-ops-monthly", "teamId": team, "period": period})
		require.Equal(t, 400, r.status, "%s: %s", period, r.raw)
		d := r.body["error"].(map[string]any)["details"].([]any)[0].(map[string]any)
		require.Equal(t, "/period", d["path"])
		require.Equal(t, period, d["value"])
		require.Contains(t, d["message"], "between 1970 and 2999")
	}
	for _, path := range []string{"/api/v1/cycles/preview", "/api/v1/cycles"} {
		for _, compress := range []float64{0.0001, 0.5, -1, 2e6} {
			r := e.do("POST", path, "admin", map[string]any{"templateKey": "cs-ops-monthly", "teamId": team, "period": "2026-10", "compress": compress})
			require.Equal(t, 400, r.status, "%s %v: %s", path, compress, r.raw)
			d := r.body["error"].(map[string]any)["details"].([]any)[0].(map[string]any)
			require.Equal(t, "/compress", d["path"])
			require.Contains(t, d["message"], "between 1 and 1000000")
		}
	}
}
