package activities

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// rosterOrg is an organisation of teams × size members and an admin.
func rosterOrg(t testing.TB, st *store.Store, teams, size int) (*store.Organization, []*store.Member) {
	ctx := context.Background()
	org := &store.Organization{Name: "Roster", Timezone: "Asia/Shanghai", Locale: "zh-CN"}
	require.NoError(t, st.CreateOrganization(ctx, org))
	admin := &store.Member{OrgID: org.ID, Name: "Admin", Email: "admin@roster.test", Role: store.RoleAdmin, Active: true}
	require.NoError(t, st.CreateMember(ctx, admin))
	var out []*store.Member
	for i := range teams {
		tm := &store.Team{OrgID: org.ID, Key: fmt.Sprintf("t%d", i), Name: fmt.Sprintf("Team %d", i)}
		require.NoError(t, st.CreateTeam(ctx, tm))
		for j := range size {
			m := &store.Member{OrgID: org.ID, TeamID: &tm.ID, Name: fmt.Sprintf("M%d-%d", i, j), Email: fmt.Sprintf("m%d-%d@roster.test", i, j), Role: store.RoleEmployee, Active: true}
			require.NoError(t, st.CreateMember(ctx, m))
			out = append(out, m)
		}
	}
	return org, out
}

// TestCrossDepartmentRatersAreReadFromOneRosterAndPickedAsBefore: picking
// raters for every member of a stage reads the organisation's members
// once, not once per member, and picks exactly whom the hash order picked
// before: nobody from the member's own team, never the member or an admin.
func TestCrossDepartmentRatersAreReadFromOneRosterAndPickedAsBefore(t *testing.T) {
	st := storetest.SQLite(t)
	org, members := rosterOrg(t, st, 3, 40)
	a := &Activities{Store: st}
	c := &store.Cycle{ID: "cycle-1", OrgID: org.ID}
	r := templates.Rater{Key: "crossDept", Role: templates.RaterCrossDepartment, Max: 3}

	var pages atomic.Int64
	require.NoError(t, st.DB.Callback().Query().After("gorm:query").Register("test:count", func(db *gorm.DB) {
		if db.Statement.Table == "members" && strings.Contains(db.Statement.SQL.String(), "ORDER BY") {
			pages.Add(1)
		}
	}))
	for _, m := range members {
		got, err := a.pickRaters(context.Background(), c, m.ID, r)
		require.NoError(t, err)
		// The reference: every member of another team, by the hex of the hash.
		type cand struct{ id, key string }
		var want []cand
		for _, o := range members {
			if *o.TeamID != *m.TeamID {
				sum := sha256.Sum256([]byte(c.ID + "|" + m.ID + "|" + o.ID))
				want = append(want, cand{o.ID, fmt.Sprintf("%x", sum[:8])})
			}
		}
		sort.Slice(want, func(i, j int) bool { return want[i].key < want[j].key })
		require.Equal(t, []string{want[0].id, want[1].id, want[2].id}, got, "raters of %s", m.Name)
	}
	require.EqualValues(t, 1, pages.Load(), "the roster is read once for %d members", len(members))
}

// BenchmarkPickCrossDepartmentRaters picks raters for one member of a
// 2,000-member organisation, as opening an evaluation stage does for each.
func BenchmarkPickCrossDepartmentRaters(b *testing.B) {
	st := storetest.SQLite(b)
	org, members := rosterOrg(b, st, 20, 100)
	a := &Activities{Store: st}
	c := &store.Cycle{ID: "cycle-1", OrgID: org.ID}
	r := templates.Rater{Key: "crossDept", Role: templates.RaterCrossDepartment, Max: 3}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := a.pickRaters(context.Background(), c, members[i%len(members)].ID, r); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCrossDepartmentRatersLeaveOutTheMembersManagementChainAndTheHRBP: in
// a department of two teams, the member's team lead and the department
// head (who manages the team lead, from the parent team) decide on the
// member already, as does the manager named on the member (from a third
// team) and everyone above them, and the
// HRBP chairs the calibration; none of them may rate the member as an
// independent colleague. The other team's lead may.
func TestCrossDepartmentRatersLeaveOutTheMembersManagementChainAndTheHRBP(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	org := &store.Organization{Name: "Chain", Timezone: "Asia/Shanghai", Locale: "zh-CN"}
	require.NoError(t, st.CreateOrganization(ctx, org))
	newTeam := func(key string, parent *string) *store.Team {
		tm := &store.Team{OrgID: org.ID, Key: key, Name: key, ParentID: parent}
		require.NoError(t, st.CreateTeam(ctx, tm))
		return tm
	}
	newMember := func(name, role string, team *store.Team) *store.Member {
		m := &store.Member{OrgID: org.ID, TeamID: &team.ID, Name: name, Email: name + "@chain.test", Role: role, Active: true}
		require.NoError(t, st.CreateMember(ctx, m))
		return m
	}
	setManager := func(tm *store.Team, m *store.Member) {
		tm.ManagerID = &m.ID
		require.NoError(t, st.DB.Save(tm).Error)
	}
	dept := newTeam("ops", nil)
	a, b := newTeam("a", &dept.ID), newTeam("b", &dept.ID)
	hr := newTeam("hr", nil)
	head := newMember("head", store.RoleManager, dept)
	setManager(dept, head)
	leadA, leadB := newMember("leadA", store.RoleManager, a), newMember("leadB", store.RoleManager, b)
	setManager(a, leadA)
	setManager(b, leadB)
	hrbp := newMember("hrbp", store.RoleHRBP, hr)
	dotted := newMember("dotted", store.RoleManager, newTeam("c", &dept.ID))
	subject := newMember("subject", store.RoleEmployee, a)
	subject.ManagerID = &dotted.ID
	require.NoError(t, st.DB.Save(subject).Error)
	var colleagues []string
	for i := range 3 {
		colleagues = append(colleagues, newMember(fmt.Sprintf("b%d", i), store.RoleEmployee, b).ID)
	}

	act := &Activities{Store: st}
	got, err := act.pickRaters(ctx, &store.Cycle{ID: "cycle-1", OrgID: org.ID}, subject.ID, templates.Rater{Key: "crossDept", Role: templates.RaterCrossDepartment, Max: 20})
	require.NoError(t, err)
	require.ElementsMatch(t, append(colleagues, leadB.ID), got)
	for _, conflicted := range []*store.Member{dotted, head, hrbp} {
		require.NotContains(t, got, conflicted.ID, conflicted.Name)
	}
}

// TestPeerRatersLeaveOutTheTeamsOwnManager: a team's manager sits in the
// team but rates its members as their manager already, and the manager
// named on a member may sit in the same team too; neither may also rate
// the member as a peer. The other teammates may.
func TestPeerRatersLeaveOutTheTeamsOwnManager(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	org, members := rosterOrg(t, st, 1, 6)
	lead, senior, subject, teammates := members[0], members[1], members[2], members[3:]
	var team store.Team
	require.NoError(t, st.DB.First(&team, "id = ?", *lead.TeamID).Error)
	team.ManagerID = &lead.ID
	require.NoError(t, st.DB.Save(&team).Error)
	subject.ManagerID = &senior.ID
	require.NoError(t, st.DB.Save(subject).Error)

	act := &Activities{Store: st}
	got, err := act.pickRaters(ctx, &store.Cycle{ID: "cycle-1", OrgID: org.ID}, subject.ID, templates.Rater{Key: "peers", Role: templates.RaterPeer, Max: 20})
	require.NoError(t, err)
	var want []string
	for _, m := range teammates {
		want = append(want, m.ID)
	}
	require.ElementsMatch(t, want, got)

	// A teammate's own chain is just the lead: the senior may rate them.
	got, err = act.pickRaters(ctx, &store.Cycle{ID: "cycle-1", OrgID: org.ID}, teammates[0].ID, templates.Rater{Key: "peers", Role: templates.RaterPeer, Max: 20})
	require.NoError(t, err)
	require.Contains(t, got, senior.ID)
	require.NotContains(t, got, lead.ID)
}

// TestADepartedManagerIsNotPickedToRateTheirFormerReports: the manager
// named on a member left, so their team's lead rates them; once the lead
// leaves too, nobody is picked as their manager rather than a departed
// person whose task would never be done. Peers and cross-department
// raters come from the active members only.
func TestADepartedManagerIsNotPickedToRateTheirFormerReports(t *testing.T) {
	st := storetest.SQLite(t)
	ctx := context.Background()
	org, members := rosterOrg(t, st, 2, 3)
	lead, subject, dotted := members[0], members[1], members[3]
	var team store.Team
	require.NoError(t, st.DB.First(&team, "id = ?", *lead.TeamID).Error)
	team.ManagerID = &lead.ID
	require.NoError(t, st.DB.Save(&team).Error)
	subject.ManagerID = &dotted.ID
	require.NoError(t, st.DB.Save(subject).Error)
	act := &Activities{Store: st}

	got, err := act.managerOf(ctx, org.ID, subject.ID)
	require.NoError(t, err)
	require.Equal(t, dotted.ID, got)

	_, err = st.DeactivateMember(ctx, org.ID, dotted.ID)
	require.NoError(t, err)
	got, err = act.managerOf(ctx, org.ID, subject.ID)
	require.NoError(t, err)
	require.Equal(t, lead.ID, got, "the named manager left: the team's lead")

	_, err = st.DeactivateMember(ctx, org.ID, lead.ID)
	require.NoError(t, err)
	got, err = act.managerOf(ctx, org.ID, subject.ID)
	require.NoError(t, err)
	require.Empty(t, got, "the lead left too: nobody")

	c := &store.Cycle{ID: "cycle-1", OrgID: org.ID}
	for _, r := range []templates.Rater{{Key: "peers", Role: templates.RaterPeer, Max: 20}, {Key: "crossDept", Role: templates.RaterCrossDepartment, Max: 20}} {
		got, err := act.pickRaters(ctx, c, subject.ID, r)
		require.NoError(t, err)
		require.NotEmpty(t, got, r.Key)
		require.NotContains(t, got, lead.ID, r.Key)
		require.NotContains(t, got, dotted.ID, r.Key)
	}
}
