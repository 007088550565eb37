package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestEveryAdminWriteLeavesAnAuditEntryWithBeforeAndAfter: a role change,
// a token issued and revoked, a deactivation and a team change each leave
// an entry naming the admin, the record and what it was before and after.
func TestEveryAdminWriteLeavesAnAuditEntryWithBeforeAndAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newEnv(t, s)
		admin := e.do("GET", "/api/v1/me", "admin", nil).body["id"].(string)
		target := e.do("GET", "/api/v1/me", "zhang.wei", nil).body["id"].(string)

		r := e.do("PATCH", "/api/v1/members/"+target, "admin", map[string]any{"role": "hrbp"})
		require.Equal(t, 200, r.status, r.raw)
		r = e.do("POST", "/api/v1/members/"+target+"/tokens", "admin", map[string]any{"name": "laptop"})
		require.Equal(t, 201, r.status, r.raw)
		tok := r.body["id"].(string)
		require.Equal(t, 204, e.do("DELETE", "/api/v1/members/"+target+"/tokens/"+tok, "admin", nil).status)
		require.Equal(t, 200, e.do("DELETE", "/api/v1/members/"+target, "admin", nil).status)

		r = e.do("GET", "/api/v1/audit?entity=member&entityId="+target, "admin", nil)
		require.Equal(t, 200, r.status, r.raw)
		var entries []store.AuditEntry
		raw, _ := json.Marshal(r.body["items"])
		require.NoError(t, json.Unmarshal(raw, &entries))
		byAction := map[string]map[string]map[string]any{}
		for _, en := range entries {
			require.Equal(t, admin, en.ActorID, en.Action)
			var d map[string]map[string]any
			require.NoError(t, json.Unmarshal([]byte(en.Detail), &d), en.Detail)
			byAction[en.Action] = d
		}
		require.Contains(t, byAction, "member.update")
		require.Equal(t, "employee", byAction["member.update"]["before"]["role"])
		require.Equal(t, "hrbp", byAction["member.update"]["after"]["role"])
		require.Equal(t, "laptop", byAction["token.issue"]["after"]["name"])
		require.Nil(t, byAction["token.revoke"]["before"]["revokedAt"])
		require.NotNil(t, byAction["token.revoke"]["after"]["revokedAt"])
		require.Equal(t, true, byAction["member.deactivate"]["before"]["active"])
		require.Equal(t, false, byAction["member.deactivate"]["after"]["active"])
		require.NotContains(t, r.raw, "hash", "a token's hash is not in the log")

		team := e.do("GET", "/api/v1/teams?limit=1", "admin", nil).body["items"].([]any)[0].(map[string]any)
		r = e.do("PATCH", "/api/v1/teams/"+team["id"].(string), "admin", map[string]any{"name": "Renamed"})
		require.Equal(t, 200, r.status, r.raw)
		r = e.do("GET", "/api/v1/audit?entity=team&entityId="+team["id"].(string), "admin", nil)
		require.Equal(t, 200, r.status, r.raw)
		require.Contains(t, r.raw, "team.update")
		require.Contains(t, r.raw, `Renamed`)

		r = e.do("PUT", "/api/v1/notifications/policy", "admin", map[string]any{"window": map[string]any{"start": "08:00", "end": "20:00", "days": []int{1, 2, 3, 4, 5}}, "digestMinutes": 5})
		require.Equal(t, 200, r.status, r.raw)
		r = e.do("GET", "/api/v1/audit?entity=organization&actorId="+admin, "admin", nil)
		require.Equal(t, 200, r.status, r.raw)
		require.Contains(t, r.raw, "delivery.policy")
		require.Contains(t, r.raw, `08:00`)
	})
}

// TestATokenRecordsWhenItWasLastUsed: the first request with a token sets
// lastUsedAt; the ones right after do not write again.
func TestATokenRecordsWhenItWasLastUsed(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.do("GET", "/api/v1/me", "zhang.wei", nil).body["id"].(string)
	var first time.Time
	require.Eventually(t, func() bool {
		r := e.do("GET", "/api/v1/members/"+id+"/tokens", "admin", nil)
		at, _ := r.body["items"].([]any)[0].(map[string]any)["lastUsedAt"].(string)
		first, _ = time.Parse(time.RFC3339Nano, at)
		return !first.IsZero()
	}, 5*time.Second, 50*time.Millisecond)
	for range 5 {
		require.Equal(t, 200, e.do("GET", "/api/v1/me", "zhang.wei", nil).status)
	}
	r := e.do("GET", "/api/v1/members/"+id+"/tokens", "admin", nil)
	again, _ := time.Parse(time.RFC3339Nano, r.body["items"].([]any)[0].(map[string]any)["lastUsedAt"].(string))
	require.True(t, first.Equal(again), "throttled: %s then %s", first, again)
}
