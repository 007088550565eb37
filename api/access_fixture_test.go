package api_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
)

// accessFixture is one organisation laid out for access questions, over the
// real engine, plus a second organisation with its own admin:
//
//	dept (deptMgr)                 growth (growthMgr; otherEmployee)
//	└── ops (opsMgr)
//	    ├── community (comMgr; hrbp, com1)
//	    └── cs (csMgr, who belongs to no team; employee, e1)
//
// The cycle is ops's, launched by opsMgr: comMgr, the HRBP, com1, employee
// and e1 are reviewed in it; csMgr manages a sub-team without being
// reviewed; deptMgr leads from above. The employee owns the task, the
// plan and the interview; the schedule is ops's.
type accessFixture struct {
	*env
	ce                                 *enginetest.Env
	orgB                               *store.Organization
	dept, ops, community, cs, growth   *store.Team
	deptMgr, opsMgr, csMgr, comMgr     *store.Member
	growthMgr, employee, otherEmployee *store.Member
	com1, admin, adminB, leaver        *store.Member
	cycle                              *store.Cycle
	task                               store.Task
	idp                                *store.IDP
	schedule                           *cycles.Schedule
	leaverToken                        string
}

func newAccessFixture(t *testing.T, st *store.Store) *accessFixture {
	ce := enginetest.Start(t, st, 2)
	ctx := context.Background()
	f := &accessFixture{env: &env{t: t, store: st, token: map[string]string{}}, ce: ce}
	org := ce.Org.ID
	member := func(orgID, name, email, role string, team *store.Team) *store.Member {
		m := &store.Member{OrgID: orgID, Name: name, Email: email, Role: role, Timezone: "Asia/Shanghai", Locale: "zh-CN", Active: true}
		if team != nil {
			m.TeamID = &team.ID
		}
		require.NoError(t, st.CreateMember(ctx, m))
		return m
	}
	team := func(key string, parent *store.Team, mgr **store.Member, name, email string) *store.Team {
		tm := &store.Team{OrgID: org, Key: key, Name: key}
		if parent != nil {
			tm.ParentID = &parent.ID
		}
		require.NoError(t, st.CreateTeam(ctx, tm))
		*mgr = member(org, name, email, store.RoleManager, tm)
		got, err := st.UpdateTeam(ctx, org, tm.ID, tm.Version, func(t *store.Team) error { t.ManagerID = &(*mgr).ID; return nil })
		require.NoError(t, err)
		return got
	}
	f.dept = team("dept", nil, &f.deptMgr, "部门经理", "dept.lead@test.perfloop.dev")
	f.ops = team("ops", f.dept, &f.opsMgr, "运营经理", "ops.lead@test.perfloop.dev")
	f.community = team("community", f.ops, &f.comMgr, "社群经理", "community.lead@test.perfloop.dev")
	f.growth = team("growth", nil, &f.growthMgr, "增长经理", "growth.lead@test.perfloop.dev")
	var err error
	f.cs, err = st.UpdateTeam(ctx, org, ce.Team.ID, ce.Team.Version, func(t *store.Team) error { t.ParentID = &f.ops.ID; return nil })
	require.NoError(t, err)
	f.csMgr, f.employee = ce.Manager, ce.Employees[0]
	_, err = st.UpdateMember(ctx, org, f.csMgr.ID, f.csMgr.Version, func(m *store.Member) error { m.TeamID = nil; return nil })
	require.NoError(t, err)
	_, err = st.UpdateMember(ctx, org, ce.HRBP.ID, ce.HRBP.Version, func(m *store.Member) error { m.TeamID = &f.community.ID; return nil })
	require.NoError(t, err)
	f.com1 = member(org, "社群01", "com1@test.perfloop.dev", store.RoleEmployee, f.community)
	f.otherEmployee = member(org, "外部", "outsider@test.perfloop.dev", store.RoleEmployee, f.growth)
	f.admin = member(org, "Admin", "admin@test.perfloop.dev", store.RoleAdmin, nil)
	f.leaver = member(org, "离职", "leaver@test.perfloop.dev", store.RoleEmployee, f.growth)
	f.orgB = &store.Organization{Name: "另一家", Timezone: "Asia/Shanghai", Locale: "zh-CN"}
	require.NoError(t, st.CreateOrganization(ctx, f.orgB))
	f.adminB = member(f.orgB.ID, "Admin B", "admin@b.perfloop.dev", store.RoleAdmin, nil)

	for name, m := range map[string]*store.Member{
		"admin": f.admin, "hrbp": ce.HRBP, "deptMgr": f.deptMgr, "opsMgr": f.opsMgr, "csMgr": f.csMgr, "comMgr": f.comMgr,
		"growthMgr": f.growthMgr, "employee": f.employee, "otherEmployee": f.otherEmployee, "adminB": f.adminB, "com1": f.com1,
	} {
		f.issue(name, m)
	}
	f.leaverToken = f.issue("leaver", f.leaver)

	f.cycle, _, err = ce.Service.Launch(ctx, cycles.LaunchRequest{OrgID: org, TemplateKey: "community-monthly", TeamID: f.ops.ID,
		Period: "2026-10", By: f.opsMgr.ID, Compress: 60})
	require.NoError(t, err)
	members, err := st.ListCycleMembers(ctx, f.cycle.ID)
	require.NoError(t, err)
	var ids []string
	for _, m := range members {
		ids = append(ids, m.MemberID)
	}
	require.ElementsMatch(t, []string{f.comMgr.ID, ce.HRBP.ID, f.com1.ID, f.employee.ID, ce.Employees[1].ID}, ids)
	f.task = ce.OpenTasks(f.cycle.ID, f.employee.ID, "", 1)[0]
	require.Eventually(t, func() bool {
		ts, err := st.ListTargets(ctx, f.cycle.ID, f.comMgr.ID)
		return err == nil && len(ts) > 0
	}, 30*time.Second, 50*time.Millisecond, "member targets are broken down")

	now := time.Now().UTC().Truncate(time.Second)
	require.NoError(t, st.DB.Create(&store.CalibrationMeeting{ID: store.NewID(), OrgID: org, CycleID: f.cycle.ID, StartsAt: now.Add(48 * time.Hour),
		EndsAt: now.Add(49 * time.Hour), Timezone: "Asia/Shanghai", FacilitatorID: ce.HRBP.ID, Participants: `[]`, Agenda: `[]`,
		ICS: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", State: store.MeetingScheduled, CreatedAt: now}).Error)
	_, _, err = st.EnsureInterview(ctx, &store.FeedbackInterview{OrgID: org, CycleID: f.cycle.ID, MemberID: f.employee.ID, ManagerID: f.opsMgr.ID,
		StartsAt: now.Add(72 * time.Hour), EndsAt: now.Add(73 * time.Hour), Timezone: "Asia/Shanghai", State: store.MeetingScheduled,
		ICS: "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"})
	require.NoError(t, err)
	f.idp, _, err = st.CreateIDP(ctx, &store.IDP{OrgID: org, MemberID: f.employee.ID, CycleID: f.cycle.ID, MentorID: f.com1.ID,
		DueAt: now.Add(90 * 24 * time.Hour), CheckinEveryDays: 14, DedupeKey: "access-fixture", TriggerPeriods: `[]`, Items: `[]`})
	require.NoError(t, err)
	f.schedule, err = ce.Service.CreateSchedule(ctx, org, "community-monthly", f.ops.ID, f.opsMgr.ID)
	require.NoError(t, err)

	f.srv = httptest.NewServer(api.New(api.Deps{Store: st, Cycles: ce.Service}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *accessFixture) issue(name string, m *store.Member) string {
	plain, _, err := f.store.IssueToken(context.Background(), m.ID, "test", time.Hour)
	require.NoError(f.t, err)
	f.token[name] = plain
	return plain
}
