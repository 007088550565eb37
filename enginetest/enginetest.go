// Package enginetest runs the real engine for tests: an embedded Temporal
// server, a worker with every workflow and activity, a migrated store with a
// small customer-service team, and the built-in templates published. It is
// not a _test file so that the API, bench and fault tests share it.
package enginetest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/devserver/devservertest"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/worker"
)

// Env is a running engine with a team.
type Env struct {
	T         testing.TB
	Store     *store.Store
	Client    client.Client
	Service   *cycles.Service
	Org       *store.Organization
	Team      *store.Team
	Manager   *store.Member
	HRBP      *store.Member
	Employees []*store.Member
	TaskQueue string
	// StopWorker stops the worker Start began (once; later calls do nothing).
	StopWorker func()
}

// Start brings up the engine on st with a team of n employees.
func Start(t testing.TB, st *store.Store, n int) *Env {
	t.Helper()
	srv := devservertest.Start(t)
	c, err := client.Dial(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(), Logger: sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})))})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	e := &Env{T: t, Store: st, Client: c, TaskQueue: fmt.Sprintf("test-%d", time.Now().UnixNano())}
	e.seed(n)
	w := worker.New(worker.Options{Client: c, Store: st, TaskQueue: e.TaskQueue})
	require.NoError(t, w.Start())
	e.StopWorker = sync.OnceFunc(w.Stop)
	t.Cleanup(e.StopWorker)
	e.Service = &cycles.Service{Store: st, Client: c, TaskQueue: e.TaskQueue}
	return e
}

func (e *Env) seed(n int) {
	o := SeedOrg(e.T, e.Store, n)
	e.Org, e.Team, e.Manager, e.HRBP, e.Employees = o.Org, o.Team, o.Manager, o.HRBP, o.Employees
}

// Org is a seeded organisation: an HRBP and a customer-service team of
// employees led by a manager.
type Org struct {
	Org       *store.Organization
	Team      *store.Team
	Manager   *store.Member
	HRBP      *store.Member
	Employees []*store.Member
}

// SeedOrg publishes the built-in templates and creates an organisation with
// a team of n employees in st. Tests that run the worker in another process
// (the fault tests) seed the database with it before starting one.
func SeedOrg(t testing.TB, st *store.Store, n int) *Org {
	t.Helper()
	ctx := context.Background()
	_, err := catalog.SeedBuiltins(ctx, st)
	require.NoError(t, err)
	org := &store.Organization{Name: "星河私域运营", Timezone: "Asia/Shanghai", Locale: "zh-CN"}
	require.NoError(t, st.CreateOrganization(ctx, org))
	o := &Org{Org: org}
	member := func(name, email, role, level string, team *string) *store.Member {
		m := &store.Member{OrgID: org.ID, TeamID: team, Name: name, Email: email, Role: role, Position: "客服", Level: level, Timezone: "Asia/Shanghai", Locale: "zh-CN", Active: true}
		require.NoError(t, st.CreateMember(ctx, m))
		return m
	}
	o.HRBP = member("孙丽", "sun.li@test.perfloop.dev", store.RoleHRBP, "senior", nil)
	team := &store.Team{OrgID: org.ID, Key: "cs", Name: "客服组", NameEn: "Customer service"}
	require.NoError(t, st.CreateTeam(ctx, team))
	o.Manager = member("陈静", "chen.jing@test.perfloop.dev", store.RoleManager, "lead", &team.ID)
	_, err = st.UpdateTeam(ctx, org.ID, team.ID, team.Version, func(t *store.Team) error {
		t.ManagerID = &o.Manager.ID
		return nil
	})
	require.NoError(t, err)
	o.Team, err = st.GetTeam(ctx, org.ID, team.ID)
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		level := "junior"
		if i%3 == 0 {
			level = "senior"
		}
		o.Employees = append(o.Employees, member(fmt.Sprintf("客服%02d", i+1), fmt.Sprintf("agent%02d@test.perfloop.dev", i+1), store.RoleEmployee, level, &team.ID))
	}
	return o
}

// Metrics records cs-ops-monthly's metric values for every employee of the
// period, member i doing a little worse than member i-1, so ranks are known.
func (e *Env) Metrics(period string) {
	var rows []store.MetricValue
	for i, m := range e.Employees {
		f := float64(i)
		add := func(ind, src string, v float64) {
			rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: ind, Period: period, Value: v, Source: src})
		}
		add("satisfaction", "survey", 97-3*f)
		add("responseTime", "tickets", 2.5+0.4*f)
		add("retention", "crm", 52-2*f)
		add("oneOnOneRating", "service", 96-f)
		add("complaintRate", "tickets", 1+f)
		add("serviceAttitude", "customer", 95-4*f)
	}
	_, err := e.Store.UpsertMetricValues(context.Background(), &store.MetricBatch{OrgID: e.Org.ID, Checksum: fmt.Sprintf("%064d", time.Now().UnixNano()), FileName: "test", CreatedBy: e.Manager.ID}, rows)
	require.NoError(e.T, err)
}

// SetMetric changes one recorded metric value in place, as an import
// replacing it would, so a test can break or mend a cycle's data whatever
// the import's rules for a second value.
func (e *Env) SetMetric(member *store.Member, indicator, period string, v float64) {
	res := e.Store.DB.Model(&store.MetricValue{}).Where("member_id = ? AND indicator_key = ? AND period = ?", member.ID, indicator, period).Update("value", v)
	require.NoError(e.T, res.Error)
	require.EqualValues(e.T, 1, res.RowsAffected, "one recorded %s value for the member in %s", indicator, period)
}

// Launch starts a cycle of a template for the team, compressed so a day of
// the template lasts dayEvery.
func (e *Env) Launch(key, period string, dayEvery time.Duration) *store.Cycle {
	c, created, err := e.Service.Launch(context.Background(), cycles.LaunchRequest{
		OrgID: e.Org.ID, TemplateKey: key, TeamID: e.Team.ID, Period: period, By: e.Manager.ID,
		Compress: float64(24*time.Hour) / float64(dayEvery),
	})
	require.NoError(e.T, err)
	require.True(e.T, created)
	return c
}

// OpenTasks waits until assignee has want open tasks of kind in the cycle.
func (e *Env) OpenTasks(cycleID, assignee string, kind engine.TaskKind, want int) []store.Task {
	var got []store.Task
	require.Eventually(e.T, func() bool {
		ts, _, err := e.Store.ListTasks(context.Background(), e.Org.ID, store.TaskFilter{CycleID: cycleID, AssigneeID: assignee, Kind: kind, State: engine.TaskOpen}, store.Page{Limit: 500})
		got = ts
		return err == nil && len(ts) >= want
	}, 60*time.Second, 50*time.Millisecond, "%s should get %d open %s task(s)", assignee, want, kind)
	return got
}

// WaitState waits for the cycle's row to reach state.
func (e *Env) WaitState(cycleID, state string, within time.Duration) *store.Cycle {
	var c *store.Cycle
	require.Eventually(e.T, func() bool {
		got, err := e.Store.GetCycleByID(context.Background(), cycleID)
		c = got
		return err == nil && got.State == state
	}, within, 100*time.Millisecond, "cycle %s should reach %s", cycleID, state)
	return c
}

// testWriter keeps the SDK's warnings with the test that caused them.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
