package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestALeadNominatesPeersAndTheChainAnHRBPAndTheMemberAreRefused(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cy, ms := boardCycle(t, e, func(tpl map[string]any) {
		tpl["raters"] = append(tpl["raters"].([]any), map[string]any{"key": "peer", "role": "peer", "weight": 0, "max": 2, "nomination": "manager"})
	})
	team, err := e.store.GetTeam(ctx, cy.OrgID, cy.ScopeTeamID)
	require.NoError(t, err)
	require.NotNil(t, team.ManagerID)
	var subject, peer, other *store.Member
	for i := range ms {
		switch {
		case ms[i].ID == *team.ManagerID || ms[i].Role != store.RoleEmployee:
		case subject == nil:
			subject = &ms[i]
		case peer == nil:
			peer = &ms[i]
		case other == nil:
			other = &ms[i]
		}
	}
	require.NotNil(t, other, "the cs team has three employees")
	hrbp, _, err := e.store.ListMembers(ctx, cy.OrgID, store.MemberFilter{Role: store.RoleHRBP}, store.Page{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, hrbp)
	path := fmt.Sprintf("/api/v1/cycles/%s/raters/%s", cy.ID, subject.ID)

	r := e.do("PUT", path, "admin", map[string]any{"group": "manager", "raterIds": []string{peer.ID}})
	require.Equal(t, 400, r.status, r.raw)
	require.Equal(t, "/group", firstDetail(t, r)["path"])
	require.Contains(t, firstDetail(t, r)["message"], "known: peer")

	r = e.do("PUT", path, "admin", map[string]any{"group": "peer", "raterIds": []string{subject.ID, *team.ManagerID, hrbp[0].ID}})
	require.Equal(t, 400, r.status, r.raw)
	var paths []any
	for _, d := range detailsOf(t, r) {
		paths = append(paths, d["path"])
	}
	require.Equal(t, []any{"/raterIds/0", "/raterIds/1", "/raterIds/2", "/raterIds"}, paths, r.raw)
	r = e.do("GET", path, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 0, r.body["total"], "a refused list changes nothing")

	r = e.do("PUT", path, "admin", map[string]any{"group": "peer", "raterIds": []string{other.ID, peer.ID}})
	require.Equal(t, 200, r.status, r.raw)
	r = e.do("GET", path, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	var got []any
	for _, it := range r.body["items"].([]any) {
		got = append(got, it.(map[string]any)["raterId"])
	}
	require.Equal(t, []any{other.ID, peer.ID}, got)
}
