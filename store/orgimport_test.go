package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// chain is a file of n teams each under the one before, listed children
// first so every parent is named before it appears.
func chain(n int) store.OrgImport {
	var f store.OrgImport
	for i := n - 1; i >= 0; i-- {
		t := store.ImportTeam{Key: fmt.Sprintf("t%d", i), Name: fmt.Sprintf("Team %d", i)}
		if i > 0 {
			t.Parent = fmt.Sprintf("t%d", i-1)
		}
		f.Teams = append(f.Teams, t)
	}
	return f
}

// TestImportingADeepChainOfTeamsTakesSeconds: the probe's 2,000–3,000-team
// chain took 26–59 s holding the write lock, because each link re-walked
// the file for every ancestor. Linking is linear now.
func TestImportingADeepChainOfTeamsTakesSeconds(t *testing.T) {
	s := storetest.SQLite(t)
	o := newOrg(t, s)
	began := time.Now()
	rep, err := s.ImportOrg(ctx, o.ID, "admin", chain(3000), false)
	require.NoError(t, err)
	require.Equal(t, 3000, rep.TeamsCreated)
	require.Less(t, time.Since(began), 8*time.Second)

	teams, _, err := s.ListTeams(ctx, o.ID, store.TeamFilter{Query: "t2999"}, store.Page{})
	require.NoError(t, err)
	parent, err := s.GetTeam(ctx, o.ID, *teams[0].ParentID)
	require.NoError(t, err)
	require.Equal(t, "t2998", parent.Key)
}

func TestAnImportThatClosesALoopOfTeamsIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		f := chain(50)
		f.Teams[len(f.Teams)-1].Parent = "t49" // t0 under the last team: a loop
		_, err := s.ImportOrg(ctx, o.ID, "admin", f, false)
		var rows store.ImportErrors
		require.ErrorAs(t, err, &rows)
		require.Equal(t, "parent", rows[0].Field)
		require.Equal(t, store.ErrTeamCycle.Error(), rows[0].Message)

		// A loop through a stored team: the file moves the stored root under its own descendant.
		_, err = s.ImportOrg(ctx, o.ID, "admin", chain(50), false)
		require.NoError(t, err)
		_, err = s.ImportOrg(ctx, o.ID, "admin", store.OrgImport{Teams: []store.ImportTeam{{Key: "t0", Name: "Team 0", Parent: "t30"}}}, false)
		require.ErrorAs(t, err, &rows)
		require.Equal(t, store.RowError{List: "teams", Row: 0, Field: "parent", Value: "t30", Message: store.ErrTeamCycle.Error()}, rows[0])
	})
}

// TestReimportingDoesNotReactivateALeaverNorClearTheirManager: HR exports
// still list people who left; the import keeps them inactive, with the
// manager they had.
func TestReimportingDoesNotReactivateALeaverNorClearTheirManager(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		_, err := s.ImportOrg(ctx, o.ID, "admin", orgFile(), false)
		require.NoError(t, err)
		members, _, err := s.ListMembers(ctx, o.ID, store.MemberFilter{Query: "zhang"}, store.Page{})
		require.NoError(t, err)
		leaver := members[0]
		require.NotNil(t, leaver.ManagerID)
		_, err = s.DeactivateMember(ctx, o.ID, leaver.ID)
		require.NoError(t, err)

		f := orgFile()
		f.Members[0].Manager = "" // the export no longer names a manager for a leaver
		f.Members[0].Position = "Analyst"
		_, err = s.ImportOrg(ctx, o.ID, "admin", f, false)
		require.NoError(t, err)
		after, err := s.GetMember(ctx, o.ID, leaver.ID)
		require.NoError(t, err)
		require.False(t, after.Active)
		require.Equal(t, leaver.ManagerID, after.ManagerID)
		require.Equal(t, "Analyst", after.Position, "other fields still follow the file")
	})
}
