package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

var ctx = context.Background()

func newOrg(t *testing.T, s *store.Store) *store.Organization {
	o := &store.Organization{Name: "Demo 私域运营", Timezone: "Asia/Shanghai", Locale: "zh"}
	require.NoError(t, s.CreateOrganization(ctx, o))
	return o
}

func TestMigrationsAreIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n, err := s.Migrate(ctx, nil)
		require.NoError(t, err)
		require.Zero(t, n, "a second run applies nothing")
		v, err := s.SchemaVersion(ctx)
		require.NoError(t, err)
		ms := store.Migrations()
		require.Equal(t, ms[len(ms)-1].Version, v)
	})
}

func TestChineseNamesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		team := &store.Team{OrgID: o.ID, Key: "community", Name: "社群运营组", NameEn: "Community"}
		require.NoError(t, s.CreateTeam(ctx, team))
		got, err := s.GetTeam(ctx, o.ID, team.ID)
		require.NoError(t, err)
		require.Equal(t, "社群运营组", got.Name)
		require.Equal(t, 1, got.Version)
		require.WithinDuration(t, time.Now(), got.CreatedAt, time.Minute)
	})
}

func TestDuplicateTeamKeyIsConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		require.NoError(t, s.CreateTeam(ctx, &store.Team{OrgID: o.ID, Key: "cs", Name: "客服"}))
		err := s.CreateTeam(ctx, &store.Team{OrgID: o.ID, Key: "cs", Name: "客服2"})
		require.ErrorIs(t, err, store.ErrConflict)
	})
}

func TestStaleVersionUpdateIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		team := &store.Team{OrgID: o.ID, Key: "cs", Name: "客服"}
		require.NoError(t, s.CreateTeam(ctx, team))
		_, err := s.UpdateTeam(ctx, o.ID, team.ID, 1, func(t *store.Team) error { t.Name = "客服一组"; return nil })
		require.NoError(t, err)
		_, err = s.UpdateTeam(ctx, o.ID, team.ID, 1, func(t *store.Team) error { t.Name = "lost update"; return nil })
		require.ErrorIs(t, err, store.ErrConflict)
		got, _ := s.GetTeam(ctx, o.ID, team.ID)
		require.Equal(t, "客服一组", got.Name)
		require.Equal(t, 2, got.Version)
	})
}

func TestTeamCannotMoveUnderItsOwnSubteam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		top := &store.Team{OrgID: o.ID, Key: "ops", Name: "运营部"}
		require.NoError(t, s.CreateTeam(ctx, top))
		sub := &store.Team{OrgID: o.ID, Key: "community", Name: "社群", ParentID: &top.ID}
		require.NoError(t, s.CreateTeam(ctx, sub))
		_, err := s.UpdateTeam(ctx, o.ID, top.ID, 0, func(t *store.Team) error { t.ParentID = &sub.ID; return nil })
		require.ErrorIs(t, err, store.ErrTeamCycle)
		ids, err := s.TeamSubtree(ctx, o.ID, top.ID)
		require.NoError(t, err)
		require.ElementsMatch(t, []string{top.ID, sub.ID}, ids)
	})
}

func TestNonEmptyTeamCannotBeDeleted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		team := &store.Team{OrgID: o.ID, Key: "cs", Name: "客服"}
		require.NoError(t, s.CreateTeam(ctx, team))
		m := &store.Member{OrgID: o.ID, TeamID: &team.ID, Name: "王芳", Email: "wang.fang@example.com", Role: store.RoleEmployee, Timezone: "Asia/Shanghai", Locale: "zh", Active: true}
		require.NoError(t, s.CreateMember(ctx, m))
		require.ErrorIs(t, s.DeleteTeam(ctx, o.ID, team.ID), store.ErrConflict)
		_, err := s.DeactivateMember(ctx, o.ID, m.ID)
		require.NoError(t, err)
		require.NoError(t, s.DeleteTeam(ctx, o.ID, team.ID))
		_, err = s.GetTeam(ctx, o.ID, team.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
	})
}

func TestMembersListFiltersSortsAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		team := &store.Team{OrgID: o.ID, Key: "cs", Name: "客服"}
		require.NoError(t, s.CreateTeam(ctx, team))
		for i := range 7 {
			role := store.RoleEmployee
			if i == 0 {
				role = store.RoleManager
			}
			require.NoError(t, s.CreateMember(ctx, &store.Member{OrgID: o.ID, TeamID: &team.ID, Name: fmt.Sprintf("member %02d", i),
				Email: fmt.Sprintf("M%d@Example.com", i), Role: role, Timezone: "Asia/Shanghai", Locale: "zh", Active: true}))
		}
		page, total, err := s.ListMembers(ctx, o.ID, store.MemberFilter{TeamIDs: []string{team.ID}, Role: store.RoleEmployee}, store.Page{Limit: 4, Offset: 4, Sort: "-name"})
		require.NoError(t, err)
		require.EqualValues(t, 6, total)
		require.Len(t, page, 2)
		require.Equal(t, "member 02", page[0].Name)
		require.Equal(t, "m2@example.com", page[0].Email, "e-mails are stored lower-case")
	})
}

func TestTokenAuthenticatesUntilRevokedOrExpired(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		m := &store.Member{OrgID: o.ID, Name: "Admin", Email: "admin@example.com", Role: store.RoleAdmin, Timezone: "UTC", Locale: "en", Active: true}
		require.NoError(t, s.CreateMember(ctx, m))
		plain, tok, err := s.IssueToken(ctx, m.ID, "cli", time.Hour)
		require.NoError(t, err)
		got, _, err := s.Authenticate(ctx, plain)
		require.NoError(t, err)
		require.Equal(t, m.ID, got.ID)
		_, _, err = s.Authenticate(ctx, plain+"x")
		require.ErrorIs(t, err, store.ErrTokenInvalid)
		require.NoError(t, s.RevokeToken(ctx, m.ID, tok.ID))
		_, _, err = s.Authenticate(ctx, plain)
		require.ErrorIs(t, err, store.ErrTokenInvalid)

		expired, err := s.ImportToken(ctx, m.ID, "old", "pfl_expired", time.Nanosecond)
		require.NoError(t, err)
		require.NotNil(t, expired.ExpiresAt)
		time.Sleep(2 * time.Millisecond) // the token must be past its expiry; there is nothing to poll
		_, _, err = s.Authenticate(ctx, "pfl_expired")
		require.ErrorIs(t, err, store.ErrTokenInvalid)
	})
}

func orgFile() store.OrgImport {
	return store.OrgImport{
		Teams: []store.ImportTeam{
			{Key: "community", Name: "社群运营组", NameEn: "Community", Parent: "ops", Manager: "lead@example.com"},
			{Key: "ops", Name: "运营部", NameEn: "Operations"},
		},
		Members: []store.ImportMember{
			{Name: "张伟", Email: "zhang.wei@example.com", Role: "employee", Team: "community", Manager: "lead@example.com", Level: "P4", JoinedOn: "2026-03-01"},
			{Name: "刘洋", Email: "lead@example.com", Role: "manager", Team: "community"},
		},
	}
}

func TestImportingTheSameFileTwiceChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		rep, err := s.ImportOrg(ctx, o.ID, "admin", orgFile(), false)
		require.NoError(t, err)
		require.Equal(t, store.ImportReport{TeamsCreated: 2, MembersCreated: 2}, *rep)
		rep, err = s.ImportOrg(ctx, o.ID, "admin", orgFile(), false)
		require.NoError(t, err)
		require.Equal(t, store.ImportReport{}, *rep)

		teams, _, err := s.ListTeams(ctx, o.ID, store.TeamFilter{Query: "community"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, teams, 1)
		require.NotNil(t, teams[0].ParentID, "the parent named later in the file is linked")
		members, _, err := s.ListMembers(ctx, o.ID, store.MemberFilter{Query: "zhang"}, store.Page{})
		require.NoError(t, err)
		require.NotNil(t, members[0].ManagerID)
		require.Equal(t, "Asia/Shanghai", members[0].Timezone, "defaults fill what the file leaves out")
	})
}

func TestBadImportRowWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		f := orgFile()
		f.Members = append(f.Members, store.ImportMember{Name: "陈静", Email: "chen.jing@example.com", Role: "employee", Team: "no-such-team"})
		_, err := s.ImportOrg(ctx, o.ID, "admin", f, false)
		var rows store.ImportErrors
		require.ErrorAs(t, err, &rows)
		require.Equal(t, []store.RowError{{List: "members", Row: 2, Field: "team", Value: "no-such-team", Message: "no team has this key in the file or the organisation"}}, []store.RowError(rows))
		_, total, err := s.ListMembers(ctx, o.ID, store.MemberFilter{IncludeInactive: true}, store.Page{})
		require.NoError(t, err)
		require.Zero(t, total)
		_, total, err = s.ListTeams(ctx, o.ID, store.TeamFilter{}, store.Page{})
		require.NoError(t, err)
		require.Zero(t, total)
	})
}

func TestImportReportsEveryBadFieldAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		f := store.OrgImport{
			Teams: []store.ImportTeam{{Key: "bad key", Name: ""}},
			Members: []store.ImportMember{
				{Name: "A", Email: "not-an-email", Role: "boss", Timezone: "Mars/Base"},
				{Name: "B", Email: "b@example.com", Role: "employee", Locale: "fr", JoinedOn: "2026/01/01"},
			},
		}
		_, err := s.ImportOrg(ctx, o.ID, "admin", f, false)
		var rows store.ImportErrors
		require.ErrorAs(t, err, &rows)
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%s[%d].%s", r.List, r.Row, r.Field))
		}
		require.Equal(t, []string{"teams[0].key", "teams[0].name", "members[0].email", "members[0].role", "members[0].timezone", "members[1].locale", "members[1].joinedOn"}, got)
	})
}

func TestDryRunImportCountsButWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		rep, err := s.ImportOrg(ctx, o.ID, "admin", orgFile(), true)
		require.NoError(t, err)
		require.Equal(t, 2, rep.MembersCreated)
		_, total, err := s.ListMembers(ctx, o.ID, store.MemberFilter{}, store.Page{})
		require.NoError(t, err)
		require.Zero(t, total)
	})
}

func TestPublishedTemplateIsFrozenAndEditOpensNextDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		body := func(v int) (store.DraftContent, error) {
			return store.DraftContent{Name: "客服月度", NameEn: "CS monthly", Body: fmt.Sprintf(`{"version":%d}`, v), Checksum: fmt.Sprintf("%064d", v)}, nil
		}
		v1, created, err := s.SaveDraft(ctx, store.SharedCatalogue, "cs-ops-monthly", "admin", body)
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, 1, v1.Version)
		again, created, err := s.SaveDraft(ctx, store.SharedCatalogue, "cs-ops-monthly", "admin", body)
		require.NoError(t, err)
		require.False(t, created, "saving a draft again rewrites it")
		require.Equal(t, v1.ID, again.ID)

		_, err = s.PublishTemplate(ctx, store.SharedCatalogue, "cs-ops-monthly", 1, "admin")
		require.NoError(t, err)
		_, err = s.PublishTemplate(ctx, store.SharedCatalogue, "cs-ops-monthly", 1, "admin")
		require.NoError(t, err, "a retried publish succeeds")

		v2, created, err := s.SaveDraft(ctx, store.SharedCatalogue, "cs-ops-monthly", "admin", body)
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, 2, v2.Version)
		pub, err := s.GetTemplateVersion(ctx, store.SharedCatalogue, "cs-ops-monthly", 0)
		require.NoError(t, err)
		require.Equal(t, 1, pub.Version, "version 0 resolves to the newest published")
		require.Equal(t, `{"version":1}`, pub.Body)

		_, err = s.RetireTemplate(ctx, store.SharedCatalogue, "cs-ops-monthly", 2, "admin")
		require.ErrorIs(t, err, store.ErrTemplateNotPublished)
		_, err = s.RetireTemplate(ctx, store.SharedCatalogue, "cs-ops-monthly", 1, "admin")
		require.NoError(t, err)
		_, err = s.GetTemplateVersion(ctx, store.SharedCatalogue, "cs-ops-monthly", 0)
		require.ErrorIs(t, err, store.ErrNotFound)

		audit, _, err := s.ListAudit(ctx, store.AuditFilter{Entity: "template"}, store.Page{})
		require.NoError(t, err)
		require.Len(t, audit, 5)
	})
}

func TestConcurrentWritersAllLand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.CreateTeam(ctx, &store.Team{OrgID: o.ID, Key: fmt.Sprintf("t%d", i), Name: "组"})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		_, total, err := s.ListTeams(ctx, o.ID, store.TeamFilter{}, store.Page{})
		require.NoError(t, err)
		require.EqualValues(t, 40, total)
	})
}

func TestFileDatabaseSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	s, err := store.Open(ctx, "sqlite:"+path, nil)
	require.NoError(t, err)
	_, err = s.Migrate(ctx, nil)
	require.NoError(t, err)
	o := newOrg(t, s)
	require.NoError(t, s.Close())
	s, err = store.Open(ctx, "sqlite:"+path, nil)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.GetOrganization(ctx, o.ID)
	require.NoError(t, err)
	require.Equal(t, o.Name, got.Name)
}

func TestDSNErrorsSayWhatIsExpected(t *testing.T) {
	_, _, err := store.ParseDSN("postgres://x")
	require.ErrorContains(t, err, "give sqlite:FILE or mysql://")
	_, _, err = store.ParseDSN("mysql://root:secret@tcp(127.0.0.1:3306")
	require.ErrorContains(t, err, "not a valid MySQL DSN")
	require.NotContains(t, err.Error(), "secret", "passwords never reach an error")
	_, err = store.Open(ctx, "mysql://root:secret@tcp(127.0.0.1:1)/x", nil)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret")
	require.False(t, errors.Is(err, store.ErrNotFound))
}

// TestAnOrganisationsAuditLogHoldsOnlyItsOwnMembersActions: two
// organisations write audit entries; each reads only its own.
func TestAnOrganisationsAuditLogHoldsOnlyItsOwnMembersActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, b := newOrg(t, s), newOrg(t, s)
		actor := func(o *store.Organization, email string) *store.Member {
			m := &store.Member{OrgID: o.ID, Name: email, Email: email, Role: store.RoleAdmin, Timezone: "Asia/Shanghai", Locale: "zh", Active: true}
			require.NoError(t, s.CreateMember(ctx, m))
			return m
		}
		ma, mb := actor(a, "admin@a.test"), actor(b, "admin@b.test")
		require.NoError(t, store.Audit(s.DB, ma.ID, "channel.save", "channel", "ca", nil))
		require.NoError(t, store.Audit(s.DB, mb.ID, "channel.save", "channel", "cb", nil))
		for _, tc := range []struct {
			org  *store.Organization
			want string
		}{{a, "ca"}, {b, "cb"}} {
			got, total, err := s.ListAudit(ctx, store.AuditFilter{OrgID: tc.org.ID, Entity: "channel"}, store.Page{})
			require.NoError(t, err)
			require.EqualValues(t, 1, total)
			require.Equal(t, tc.want, got[0].EntityID)
		}
		got, _, err := s.ListAudit(ctx, store.AuditFilter{OrgID: b.ID, ActorID: ma.ID}, store.Page{})
		require.NoError(t, err)
		require.Empty(t, got, "naming another organisation's actor finds nothing")
	})
}

// TestAnOrganisationReadsTheSharedCatalogueAndChangesOnlyItsOwnTemplates:
// a built-in is shared; the first organisation's own version of it is what
// it launches, and the second organisation neither sees nor changes it.
func TestAnOrganisationReadsTheSharedCatalogueAndChangesOnlyItsOwnTemplates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, b := newOrg(t, s), newOrg(t, s)
		body := func(v int) (store.DraftContent, error) {
			return store.DraftContent{Name: "客服月度", Body: fmt.Sprintf(`{"version":%d}`, v), Checksum: fmt.Sprintf("%064d", v)}, nil
		}
		_, _, err := s.SaveDraft(ctx, store.SharedCatalogue, "cs-ops-monthly", "system", body)
		require.NoError(t, err)
		_, err = s.PublishTemplate(ctx, store.SharedCatalogue, "cs-ops-monthly", 1, "system")
		require.NoError(t, err)

		own, created, err := s.SaveDraft(ctx, a.ID, "cs-ops-monthly", "admin-a", body)
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, 2, own.Version, "an organisation's own version follows the shared ones")
		_, err = s.PublishTemplate(ctx, b.ID, "cs-ops-monthly", 2, "admin-b")
		require.ErrorIs(t, err, store.ErrNotFound, "another organisation's draft is not there")
		_, err = s.PublishTemplate(ctx, a.ID, "cs-ops-monthly", 2, "admin-a")
		require.NoError(t, err)

		got, err := s.GetTemplateVersion(ctx, a.ID, "cs-ops-monthly", 0)
		require.NoError(t, err)
		require.Equal(t, 2, got.Version, "the first organisation launches its own")
		got, err = s.GetTemplateVersion(ctx, b.ID, "cs-ops-monthly", 0)
		require.NoError(t, err)
		require.Equal(t, 1, got.Version, "the second launches the shared one")
		_, err = s.GetTemplateVersion(ctx, b.ID, "cs-ops-monthly", 2)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.RetireTemplate(ctx, b.ID, "cs-ops-monthly", 2, "admin-b")
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.RetireTemplate(ctx, b.ID, "cs-ops-monthly", 1, "admin-b")
		require.ErrorIs(t, err, store.ErrNotFound, "the shared catalogue is not one organisation's to retire")
		_, total, err := s.ListTemplates(ctx, store.TemplateFilter{OrgID: b.ID}, store.Page{})
		require.NoError(t, err)
		require.EqualValues(t, 1, total)
		_, total, err = s.ListTemplates(ctx, store.TemplateFilter{OrgID: a.ID}, store.Page{})
		require.NoError(t, err)
		require.EqualValues(t, 2, total)

		// B's own first version of the key follows the shared one too; the
		// numbers may meet A's, each organisation having its own.
		other, _, err := s.SaveDraft(ctx, b.ID, "cs-ops-monthly", "admin-b", body)
		require.NoError(t, err)
		require.Equal(t, 2, other.Version)
	})
}

// TestTemplatesSavedBeforeOrganisationsOwnedThemBecomeTheirMakersOrganisations:
// migration 6's data step gives a version a member saved to the member's
// organisation and leaves the built-ins (saved by "system") shared.
func TestTemplatesSavedBeforeOrganisationsOwnedThemBecomeTheirMakersOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		m := &store.Member{OrgID: o.ID, Name: "Admin", Email: "admin@a.test", Role: store.RoleAdmin, Timezone: "Asia/Shanghai", Locale: "zh", Active: true}
		require.NoError(t, s.CreateMember(ctx, m))
		body := func(v int) (store.DraftContent, error) {
			return store.DraftContent{Name: "x", Body: fmt.Sprintf(`{"version":%d}`, v), Checksum: fmt.Sprintf("%064d", v)}, nil
		}
		_, _, err := s.SaveDraft(ctx, store.SharedCatalogue, "builtin", "system", body)
		require.NoError(t, err)
		// As it was stored before migration 6: no organisation.
		_, _, err = s.SaveDraft(ctx, store.SharedCatalogue, "edited", m.ID, body)
		require.NoError(t, err)
		var step string
		for _, mg := range store.Migrations() {
			if mg.Version == 6 {
				for _, stmt := range strings.Split(mg.SQL, ";") {
					if strings.Contains(stmt, "UPDATE template_versions") {
						step = stmt
					}
				}
			}
		}
		require.NotEmpty(t, step)
		require.NoError(t, s.DB.Exec(step).Error)
		_, err = s.GetTemplateVersion(ctx, o.ID, "edited", 1)
		require.NoError(t, err)
		_, err = s.GetTemplateVersion(ctx, "another-org", "edited", 1)
		require.ErrorIs(t, err, store.ErrNotFound, "the member's version is their organisation's now")
		_, err = s.GetTemplateVersion(ctx, "another-org", "builtin", 1)
		require.NoError(t, err, "the built-in stays shared")
	})
}
