package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
)

// TestLaunchPreviewCountsTheMembersTheLaunchedCycleReviews: the team's
// manager belongs to the team but is reviewed a level up, so a team of a
// manager and four members previews, and launches, four.
func TestLaunchPreviewCountsTheMembersTheLaunchedCycleReviews(t *testing.T) {
	e, ce := engineEnv(t)
	req := map[string]any{"templateKey": "cs-ops-monthly", "teamId": ce.Team.ID, "period": "2026-09", "compress": 8640}
	r := e.do("POST", "/api/v1/cycles/preview", "manager", req)
	require.Equal(t, 200, r.status, r.raw)
	previewed := int(r.body["members"].(float64))

	r = e.do("POST", "/api/v1/cycles", "manager", req)
	require.Equal(t, 201, r.status, r.raw)
	id := r.body["id"].(string)
	reviewed, err := e.store.ListCycleMembers(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, len(reviewed), previewed, "the preview counts whom the cycle reviews")
	require.Equal(t, len(ce.Employees), previewed, "not the team's manager")

	require.Equal(t, 202, e.do("POST", "/api/v1/cycles/"+id+"/cancel", "manager", map[string]any{"reason": "preview test over"}).status)
	require.Eventually(t, func() bool {
		return e.do("GET", "/api/v1/cycles/"+id, "manager", nil).body["state"] != store.CycleRunning
	}, 60*time.Second, 200*time.Millisecond)
}
