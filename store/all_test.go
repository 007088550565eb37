package store_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// largeOrg imports an organisation of n members spread over the teams cs,
// ops and growth, plus extra empty teams under ops, in one transaction so a
// few thousand rows take well under a second. Member i (from 1) has the
// e-mail m%04d@scale.test, so e-mail order is creation order.
func largeOrg(t *testing.T, s *store.Store, n, extraTeams int) *store.Organization {
	t.Helper()
	o := newOrg(t, s)
	in := store.OrgImport{Teams: []store.ImportTeam{
		{Key: "cs", Name: "客服组"}, {Key: "ops", Name: "运营部"}, {Key: "growth", Name: "增长组"},
	}}
	for i := 1; i <= extraTeams; i++ {
		in.Teams = append(in.Teams, store.ImportTeam{Key: fmt.Sprintf("squad%03d", i), Name: fmt.Sprintf("小组%03d", i), Parent: "ops"})
	}
	keys := []string{"cs", "ops", "growth"}
	for i := 1; i <= n; i++ {
		in.Members = append(in.Members, store.ImportMember{Name: fmt.Sprintf("成员%04d", i), Email: fmt.Sprintf("m%04d@scale.test", i), Role: store.RoleEmployee, Team: keys[i%3]})
	}
	_, err := s.ImportOrg(ctx, o.ID, "admin", in, false)
	require.NoError(t, err)
	return o
}

func emails(ms []store.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Email
	}
	return out
}

func TestAllMembersReturnsEveryMemberOfALargeOrganisationExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const n = 1203
		o := largeOrg(t, s, n, 0)
		page, total, err := s.ListMembers(ctx, o.ID, store.MemberFilter{}, store.Page{Limit: n})
		require.NoError(t, err)
		require.Equal(t, store.MaxLimit, len(page), "one list call stops at the cap")
		require.EqualValues(t, n, total)

		everyone, err := s.AllMembers(ctx, o.ID, store.MemberFilter{IncludeInactive: true})
		require.NoError(t, err)
		want := make([]string, n)
		for i := range want {
			want[i] = fmt.Sprintf("m%04d@scale.test", i+1)
		}
		require.Equal(t, want, emails(everyone), "every member once, in e-mail order")

		gone := map[string]bool{}
		for _, i := range []int{7, 600, 1100} {
			m := everyone[i-1]
			_, err := s.DeactivateMember(ctx, o.ID, m.ID)
			require.NoError(t, err)
			gone[m.Email] = true
		}
		active, err := s.AllMembers(ctx, o.ID, store.MemberFilter{})
		require.NoError(t, err)
		require.Equal(t, n-len(gone), len(active))
		for _, m := range active {
			require.False(t, gone[m.Email], "%s is inactive", m.Email)
		}
		withInactive, err := s.AllMembers(ctx, o.ID, store.MemberFilter{IncludeInactive: true})
		require.NoError(t, err)
		require.Equal(t, want, emails(withInactive))

		teams, err := s.AllTeams(ctx, o.ID, store.TeamFilter{})
		require.NoError(t, err)
		teamKey := map[string]string{}
		for _, tm := range teams {
			teamKey[tm.ID] = tm.Key
		}
		var csOps []string
		for _, m := range everyone {
			if k := teamKey[*m.TeamID]; (k == "cs" || k == "ops") && !gone[m.Email] {
				csOps = append(csOps, m.Email)
			}
		}
		var ids []string
		for id, k := range teamKey {
			if k == "cs" || k == "ops" {
				ids = append(ids, id)
			}
		}
		two, err := s.AllMembers(ctx, o.ID, store.MemberFilter{TeamIDs: ids})
		require.NoError(t, err)
		require.Greater(t, len(csOps), store.MaxLimit)
		require.Equal(t, csOps, emails(two), "the active members of cs and ops, past the first page")
	})
}

func TestAllTeamsReturnsEveryTeamPastTheListLimitExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const squads = 620
		o := largeOrg(t, s, 3, squads)
		all, err := s.AllTeams(ctx, o.ID, store.TeamFilter{})
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, tm := range all {
			require.False(t, seen[tm.Key], "%s twice", tm.Key)
			seen[tm.Key] = true
		}
		require.Equal(t, squads+3, len(seen))
		require.True(t, seen["squad620"])

		var ops string
		for _, tm := range all {
			if tm.Key == "ops" {
				ops = tm.ID
			}
		}
		under, err := s.AllTeams(ctx, o.ID, store.TeamFilter{ParentID: &ops})
		require.NoError(t, err)
		require.Equal(t, squads, len(under), "only the squads sit under ops")
	})
}

// TestMembersByIDReadsPastOneChunkAndLeavesUnknownIDsOut: 1,203 ids (three
// chunks of the IN list) come back as 1,203 members; an id of nobody, or of
// a member of another organisation, is simply absent.
func TestMembersByIDReadsPastOneChunkAndLeavesUnknownIDsOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		org := largeOrg(t, s, 1203, 0)
		all, err := s.AllMembers(ctx, org.ID, store.MemberFilter{IncludeInactive: true})
		require.NoError(t, err)
		ids := make([]string, 0, len(all)+1)
		for _, m := range all {
			ids = append(ids, m.ID)
		}
		other := largeOrg(t, s, 1, 0)
		stranger, err := s.AllMembers(ctx, other.ID, store.MemberFilter{})
		require.NoError(t, err)
		got, err := s.MembersByID(ctx, org.ID, append(ids, "nobody", stranger[0].ID))
		require.NoError(t, err)
		require.Len(t, got, len(all))
		require.Equal(t, all[1100].Name, got[all[1100].ID].Name)
		require.Nil(t, got["nobody"])
		require.Nil(t, got[stranger[0].ID], "another organisation's member is not read")
	})
}
