package activities

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/raters"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

func TestNominatedRatersRateAndTheAutomaticPickFillsUpToMin(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	org, members := rosterOrg(t, st, 3, 5)
	a := &Activities{Store: st}
	c := &store.Cycle{ID: "cycle-n", OrgID: org.ID}
	subject := members[0]
	r := templates.Rater{Key: "crossDept", Role: templates.RaterCrossDepartment, Min: 2, Max: 3, Nomination: templates.NominatedByManager}

	auto, err := a.pickRaters(ctx, c, subject.ID, r)
	require.NoError(t, err)
	require.Len(t, auto, 3, "without nominations the automatic pick takes max")

	named := members[12].ID
	require.NoError(t, st.SetNominations(ctx, c.ID, subject.ID, r.Key, "lead", []string{named}))
	got, err := a.pickRaters(ctx, c, subject.ID, r)
	require.NoError(t, err)
	require.Len(t, got, 2, "one named, one filled up to min")
	fill := auto[0]
	if fill == named {
		fill = auto[1]
	}
	require.Equal(t, []string{named, fill}, got, "the one named first, then the automatic order, skipping them")

	three := []string{members[5].ID, members[6].ID, members[7].ID}
	require.NoError(t, st.SetNominations(ctx, c.ID, subject.ID, r.Key, "lead", three))
	got, err = a.pickRaters(ctx, c, subject.ID, r)
	require.NoError(t, err)
	require.Equal(t, three, got, "a full list is used as named")

	r.Nomination = ""
	got, err = a.pickRaters(ctx, c, subject.ID, r)
	require.NoError(t, err)
	require.Equal(t, auto, got, "a group that is not nominated ignores stored nominations")
}

func TestNominationsOfTheMemberTheirChainAnHRBPOrTooManyAreRefused(t *testing.T) {
	ctx := context.Background()
	st := storetest.SQLite(t)
	org, members := rosterOrg(t, st, 2, 3)
	boss := &store.Member{OrgID: org.ID, Name: "Boss", Email: "boss@roster.test", Role: store.RoleManager, Active: true}
	require.NoError(t, st.CreateMember(ctx, boss))
	hrbp := &store.Member{OrgID: org.ID, Name: "HR", Email: "hr@roster.test", Role: store.RoleHRBP, Active: true}
	require.NoError(t, st.CreateMember(ctx, hrbp))
	gone := &store.Member{OrgID: org.ID, Name: "Gone", Email: "gone@roster.test", Role: store.RoleEmployee, Active: true}
	require.NoError(t, st.CreateMember(ctx, gone))
	gone.Active = false
	require.NoError(t, st.DB.Save(gone).Error)
	subject := members[0]
	subject.ManagerID = &boss.ID
	require.NoError(t, st.DB.Save(subject).Error)
	r := templates.Rater{Key: "peer", Role: templates.RaterPeer, Max: 3, Nomination: templates.NominatedByManager}

	admin, err := st.MemberByEmail(ctx, "admin@roster.test")
	require.NoError(t, err)
	ps, err := raters.CheckNominations(ctx, st, org.ID, subject.ID, r, []string{members[1].ID, subject.ID, boss.ID, hrbp.ID, gone.ID, members[1].ID, admin.ID})
	require.NoError(t, err)
	var got []int
	for _, p := range ps {
		got = append(got, p.Index)
	}
	require.Equal(t, []int{1, 2, 3, 4, 5, 6, -1}, got, "%v", ps)
	require.Contains(t, ps[1].Message, "management chain")
	require.Contains(t, ps[2].Message, "HRBP")
	require.Contains(t, ps[3].Message, "not an active member")
	require.Contains(t, ps[5].Message, "admin")
	require.Contains(t, ps[6].Message, "at most 3")

	ps, err = raters.CheckNominations(ctx, st, org.ID, subject.ID, r, []string{members[1].ID, members[4].ID})
	require.NoError(t, err)
	require.Empty(t, ps)
}
