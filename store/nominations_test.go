package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestNominatingAgainReplacesTheGroupsListAndKeepsTheOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newCycle(t, s, 4, "k")
		subject, a, b, c := f.members[0].ID, f.members[1].ID, f.members[2].ID, f.members[3].ID
		require.NoError(t, s.SetNominations(ctx, f.cycle.ID, subject, "peer", "lead", []string{b, a}))
		require.NoError(t, s.SetNominations(ctx, f.cycle.ID, subject, "crossDept", "lead", []string{c}))
		require.NoError(t, s.SetNominations(ctx, f.cycle.ID, subject, "peer", "lead", []string{c, b}))
		got, err := s.ListNominations(ctx, f.cycle.ID, subject)
		require.NoError(t, err)
		var rows [][2]string
		for _, n := range got {
			rows = append(rows, [2]string{n.RaterKey, n.RaterID})
		}
		require.Equal(t, [][2]string{{"crossDept", c}, {"peer", c}, {"peer", b}}, rows, "the second peer list replaces the first, in the order named")

		require.NoError(t, s.SetNominations(ctx, f.cycle.ID, subject, "peer", "lead", nil))
		got, err = s.ListNominations(ctx, f.cycle.ID, subject)
		require.NoError(t, err)
		require.Len(t, got, 1, "an empty list returns the group to the automatic pick")
		other, err := s.ListNominations(ctx, f.cycle.ID, a)
		require.NoError(t, err)
		require.Empty(t, other)
	})
}
