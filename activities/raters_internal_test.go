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
