package faults_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

const (
	template = "cs-ops-monthly"
	// The cycle reviews November, which is over, so the execute stage ends
	// at once and the evaluate stage opens right after launch.
	period     = "2026-11"
	lastPeriod = "2026-10"
)

// team is the seeded organisation with a bearer token per person.
type team struct {
	*enginetest.Org
	tokens map[string]string // member id → token
	// bottom are the two members ranked last in lastPeriod and again in
	// period: the ones who must get an IDP, each exactly one.
	bottom []string
}

// seedTeam creates the organisation, tokens, period's metrics (member i
// strictly worse than member i-1, so ranks are known) and lastPeriod's
// ranks in the same order, as a finished earlier cycle would have left them.
func seedTeam(t *testing.T, st *store.Store, n int) *team {
	t.Helper()
	ctx := context.Background()
	tm := &team{Org: enginetest.SeedOrg(t, st, n), tokens: map[string]string{}}
	people := append([]*store.Member{tm.Manager, tm.HRBP}, tm.Employees...)
	for _, m := range people {
		tok, _, err := st.IssueToken(ctx, m.ID, "faults", 0)
		require.NoError(t, err)
		tm.tokens[m.ID] = tok
	}
	var rows []store.MetricValue
	for i, m := range tm.Employees {
		f := float64(i)
		add := func(ind, src string, v float64) {
			rows = append(rows, store.MetricValue{MemberID: m.ID, IndicatorKey: ind, Period: period, Value: v, Source: src})
		}
		add("satisfaction", "survey", 96)
		add("responseTime", "tickets", 3+0.009*f)
		add("retention", "crm", 50-0.07*f)
		add("oneOnOneRating", "service", 95)
		add("complaintRate", "tickets", 1)
		add("serviceAttitude", "customer", 95-0.02*f)
	}
	_, err := st.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: tm.Org.Org.ID, Checksum: fmt.Sprintf("%064d", time.Now().UnixNano()), FileName: "faults", CreatedBy: tm.Manager.ID}, rows)
	require.NoError(t, err)

	// October as the engine bounds it in Shanghai, so it ends exactly where
	// the launched November starts: only adjacent months make a run.
	october, err := cycles.ParsePeriod(templates.Monthly, lastPeriod, "Asia/Shanghai")
	require.NoError(t, err)
	var cms []store.CycleMember
	var ranks []store.Result
	for i, m := range tm.Employees {
		cms = append(cms, store.CycleMember{MemberID: m.ID, TeamID: m.TeamID, ManagerID: &tm.Manager.ID, Level: m.Level})
		ranks = append(ranks, store.Result{MemberID: m.ID, IndicatorScores: "{}", Parts: "{}", Adjustments: "{}", Rank: i + 1, Grade: "B", ProposedGrade: "B", State: store.ResultAcknowledged})
	}
	prev, _, err := st.CreateCycle(ctx, &store.Cycle{
		OrgID: tm.Org.Org.ID, TemplateKey: template, TemplateVersion: 1, TemplateBody: "{}", ScopeTeamID: tm.Team.ID, Period: lastPeriod,
		PeriodStart: october.Start.UTC(), PeriodEnd: october.End.UTC(), Timezone: "Asia/Shanghai", Title: "十月（导入）", WorkflowID: "imported-" + lastPeriod, LaunchedBy: tm.Manager.ID,
	}, cms)
	require.NoError(t, err)
	require.NoError(t, st.SaveResults(ctx, prev.ID, ranks))
	require.NoError(t, st.SetCycleStage(ctx, prev.ID, "", store.CycleCompleted))
	tm.bottom = []string{tm.Employees[n-2].ID, tm.Employees[n-1].ID}
	return tm
}

// cycleRun drives one cycle through the API while a test breaks things.
type cycleRun struct {
	t   *testing.T
	api *apiClient
	tm  *team
	// st reads the product's database; nil while it is down.
	st      func() *store.Store
	cycleID string

	mu   sync.Mutex
	sent []*submission
}

// launch starts the cycle over HTTP, a template day lasting dayEvery.
func (r *cycleRun) launch(dayEvery time.Duration) {
	r.t.Helper()
	body := map[string]any{"templateKey": template, "teamId": r.tm.Team.ID, "period": period, "compress": float64(24*time.Hour) / float64(dayEvery)}
	status, _, data, err := r.api.do(context.Background(), http.MethodPost, "/api/v1/cycles", r.tm.tokens[r.tm.Manager.ID], body, 30*time.Second)
	require.NoError(r.t, err)
	require.Equal(r.t, http.StatusCreated, status, "launch: %s", data)
	var c store.Cycle
	require.NoError(r.t, json.Unmarshal(data, &c))
	r.cycleID = c.ID
}

// openTasks waits until the cycle has want open tasks of kind and returns them.
func (r *cycleRun) openTasks(kind engine.TaskKind, want int, within time.Duration) []store.Task {
	r.t.Helper()
	var got []store.Task
	require.Eventually(r.t, func() bool {
		ts, _, err := r.st().ListTasks(context.Background(), r.tm.Org.Org.ID, store.TaskFilter{CycleID: r.cycleID, Kind: kind, State: engine.TaskOpen}, store.Page{Limit: store.MaxLimit, Sort: "createdAt"})
		got = ts
		return err == nil && len(ts) >= want
	}, within, 200*time.Millisecond, "the cycle should get %d open %s tasks", want, kind)
	return got
}

// forms builds a submission per task, each with content that identifies it.
func (r *cycleRun) forms(tasks []store.Task) []*submission {
	index := map[string]int{}
	for i, m := range r.tm.Employees {
		index[m.ID] = i
	}
	var out []*submission
	for _, task := range tasks {
		s := &submission{TaskID: task.ID, Kind: task.Kind, Token: r.tm.tokens[task.AssigneeID]}
		switch task.Kind {
		case engine.TaskSelfEval:
			i := index[task.AssigneeID]
			// Self-ratings weigh nothing in cs-ops-monthly, so they can vary
			// without moving anyone's rank.
			s.Form = map[string]any{"scores": map[string]any{"collaboration": 1 + i%5, "serviceAttitude": 1 + (i/5)%5}, "comment": fmt.Sprintf("自评 %d", i)}
		case engine.TaskManagerEval:
			s.Form = map[string]any{"scores": map[string]any{"collaboration": 4, "serviceAttitude": 4}, "comment": fmt.Sprintf("上级评价 %d", index[deref(task.SubjectID)])}
		case engine.TaskCalibration:
			s.Form = map[string]any{"changes": []any{}, "comment": "维持建议等级"}
		case engine.TaskAcknowledge:
			s.Form = map[string]any{"decision": "acknowledge"}
		default:
			r.t.Fatalf("no form for a %s task", task.Kind)
		}
		out = append(out, s)
	}
	r.mu.Lock()
	r.sent = append(r.sent, out...)
	r.mu.Unlock()
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// submit settles every submission, 16 at a time.
func (r *cycleRun) submit(ctx context.Context, subs []*submission, progress func(done int)) error {
	return r.api.settleAll(ctx, subs, 16, progress)
}

// evaluate submits every evaluation of the evaluate stage: half of them,
// then the other half with fault called once a fifth of those have
// settled, so the fault strikes with submissions in flight. Submissions
// that fail meanwhile are retried until the product answers.
func (r *cycleRun) evaluate(began time.Time, fault func()) {
	t := r.t
	t.Helper()
	n := len(r.tm.Employees)
	self := r.openTasks(engine.TaskSelfEval, n, 2*time.Minute)
	rated := r.openTasks(engine.TaskManagerEval, n, 2*time.Minute)
	t.Logf("%d evaluation tasks open %s after start", 2*n, since(began))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	require.NoError(t, r.submit(ctx, r.forms(append(self[:n/2:n/2], rated[:n/2]...)), nil))
	t.Logf("first half in %s after start", since(began))
	rest := r.forms(append(self[n/2:], rated[n/2:]...))
	strike := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		done <- r.submit(ctx, rest, func(settled int) {
			if settled >= len(rest)/5 {
				once.Do(func() { close(strike) })
			}
		})
	}()
	select {
	case <-strike:
	case err := <-done:
		t.Fatalf("the second half settled before the fault: %v", err)
	}
	fault()
	require.NoError(t, <-done)
	t.Logf("second half settled %s after start", since(began))
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

// finish runs the stages after the evaluate stage's forms are in:
// the HRBP calibrates without changes, every member acknowledges, and the
// cycle must complete.
func (r *cycleRun) finish(within time.Duration) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	n := len(r.tm.Employees)
	// The evaluate stage closes when its last evaluation is in, long before
	// its deadline (two minutes on): a member workflow that lost a
	// submission to the fault would hold it until then.
	began := time.Now()
	defer func() {
		if r.t.Failed() {
			r.diagnose()
		}
	}()
	cal := r.openTasks(engine.TaskCalibration, 1, 45*time.Second)
	r.t.Logf("calibration opened %s after the last evaluation settled", since(began))
	require.NoError(r.t, r.submit(ctx, r.forms(cal), nil))
	acks := r.openTasks(engine.TaskAcknowledge, n, within)
	require.NoError(r.t, r.submit(ctx, r.forms(acks), nil))
	var c struct {
		State string `json:"state"`
	}
	require.Eventually(r.t, func() bool {
		err := r.api.getJSON(ctx, "/api/v1/cycles/"+r.cycleID, r.tm.tokens[r.tm.Manager.ID], &c)
		return err == nil && c.State == store.CycleCompleted
	}, within, 250*time.Millisecond, "the cycle should complete")
}

// diagnose logs where a cycle that did not move on stands: its tasks by
// kind and state, and each one still open.
func (r *cycleRun) diagnose() {
	ts, _, err := r.st().ListTasks(context.Background(), r.tm.Org.Org.ID, store.TaskFilter{CycleID: r.cycleID}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		r.t.Logf("diagnose: %v", err)
		return
	}
	count := map[string]int{}
	for _, task := range ts {
		count[task.StageKey+" "+string(task.Kind)+" "+string(task.State)]++
		if task.State == engine.TaskOpen {
			r.t.Logf("diagnose: open %s task %s of %s (assignee %s, version %d, updated %s)", task.Kind, task.ID, deref(task.SubjectID), task.AssigneeID, task.Version, task.UpdatedAt.Format(time.RFC3339Nano))
		}
	}
	r.t.Logf("diagnose: tasks by stage, kind and state: %v", count)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.sent {
		if s.Closed || s.Attempts > 1 {
			r.t.Logf("diagnose: submission of %s (%s): accepted=%v closed=%v attempts=%d", s.TaskID, s.Kind, s.Accepted, s.Closed, s.Attempts)
		}
	}
}

// verify checks the finished cycle in the database: every accepted
// submission recorded once with what was sent, each task, notification and
// IDP once, and the outcome the metrics imply.
func (r *cycleRun) verify() {
	t := r.t
	t.Helper()
	ctx := context.Background()
	st := r.st()
	n := len(r.tm.Employees)
	cy, err := st.GetCycleByID(ctx, r.cycleID)
	require.NoError(t, err)
	require.Equal(t, store.CycleCompleted, cy.State)

	tasks, total, err := st.ListTasks(ctx, r.tm.Org.Org.ID, store.TaskFilter{CycleID: r.cycleID}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	for off := len(tasks); int64(off) < total; off = len(tasks) {
		more, _, err := st.ListTasks(ctx, r.tm.Org.Org.ID, store.TaskFilter{CycleID: r.cycleID}, store.Page{Limit: store.MaxLimit, Offset: off})
		require.NoError(t, err)
		require.NotEmpty(t, more)
		tasks = append(tasks, more...)
	}
	byKind := map[engine.TaskKind]int{}
	perAssignee := map[string]int{}
	seen := map[string]string{}
	for _, task := range tasks {
		key := task.StageKey + "/" + string(task.Kind) + "/" + task.AssigneeID + "/" + deref(task.SubjectID)
		require.Empty(t, seen[key], "task %s opened twice: %s and %s", key, seen[key], task.ID)
		seen[key] = task.ID
		byKind[task.Kind]++
		perAssignee[task.AssigneeID]++
	}
	// No IDP review yet: the mentor's review opens when the plan is due, a
	// plan's duration after the cycle created it.
	require.Equal(t, map[engine.TaskKind]int{engine.TaskSelfEval: n, engine.TaskManagerEval: n, engine.TaskCalibration: 1, engine.TaskAcknowledge: n}, byKind)

	// Every form the API accepted is in the database once, with its content.
	evals, err := st.ListEvaluations(ctx, r.cycleID, "", "")
	require.NoError(t, err)
	evalOf := map[string]store.Evaluation{}
	for _, ev := range evals {
		_, dup := evalOf[ev.TaskID]
		require.False(t, dup, "task %s evaluated twice", ev.TaskID)
		evalOf[ev.TaskID] = ev
	}
	states := map[string]engine.TaskState{}
	for _, task := range tasks {
		states[task.ID] = task.State
	}
	var accepted, closedLater, evalsSent int
	for _, s := range r.sent {
		require.True(t, s.Accepted || s.Closed, "task %s (%s) never settled", s.TaskID, s.Kind)
		if s.Accepted {
			accepted++
		} else {
			closedLater++
		}
		require.Equal(t, engine.TaskSubmitted, states[s.TaskID], "task %s (%s) was accepted but is %s", s.TaskID, s.Kind, states[s.TaskID])
		if s.Kind != engine.TaskSelfEval && s.Kind != engine.TaskManagerEval {
			continue
		}
		evalsSent++
		ev, ok := evalOf[s.TaskID]
		require.True(t, ok, "accepted %s %s has no evaluation", s.Kind, s.TaskID)
		require.Equal(t, s.Form["comment"], ev.Comment, "task %s", s.TaskID)
		var scores map[string]float64
		require.NoError(t, json.Unmarshal([]byte(ev.Scores), &scores))
		want := map[string]float64{}
		for k, v := range s.Form["scores"].(map[string]any) {
			want[k] = float64(v.(int))
		}
		require.Equal(t, want, scores, "task %s", s.TaskID)
	}
	require.Len(t, evals, evalsSent, "no evaluation that nobody sent")
	t.Logf("%d submissions: %d answered 200, %d found already recorded on a retry; API answers %v, %d without an answer",
		len(r.sent), accepted, closedLater, r.api.statuses, r.api.transport)

	// Results: everyone scored, acknowledged, and ranked as the metrics say.
	results, _, err := st.ListResults(ctx, r.cycleID, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	require.Len(t, results, n)
	rank := map[string]int{}
	for _, res := range results {
		require.Equal(t, store.ResultAcknowledged, res.State, "member %s", res.MemberID)
		rank[res.MemberID] = res.Rank
	}
	for i, m := range r.tm.Employees {
		require.Equal(t, i+1, rank[m.ID], "rank of member %d", i)
	}

	// Notifications: one per task for its assignee, one results notice per
	// member, and no dedupe key twice.
	type count struct {
		RecipientID string
		Kind        string
		N           int
	}
	var counts []count
	require.NoError(t, st.DB.WithContext(ctx).Model(&store.Notification{}).Select("recipient_id, kind, count(*) as n").Group("recipient_id, kind").Scan(&counts).Error)
	got := map[string]int{}
	for _, c := range counts {
		got[c.RecipientID+"/"+c.Kind] = c.N
	}
	for who, tasks := range perAssignee {
		require.Equal(t, tasks, got[who+"/task"], "task notifications for %s", who)
	}
	for _, m := range r.tm.Employees {
		require.Equal(t, 1, got[m.ID+"/results"], "results notifications for %s", m.ID)
	}
	var dups []string
	require.NoError(t, st.DB.WithContext(ctx).Model(&store.Notification{}).Select("dedupe_key").Group("dedupe_key").Having("count(*) > 1").Pluck("dedupe_key", &dups).Error)
	require.Empty(t, dups)

	// IDPs: the two members at the bottom two months running, one each.
	idps, _, err := st.ListIDPs(ctx, r.tm.Org.Org.ID, store.IDPFilter{}, store.Page{Limit: store.MaxLimit})
	require.NoError(t, err)
	var members []string
	for _, p := range idps {
		members = append(members, p.MemberID)
	}
	sort.Strings(members)
	want := append([]string{}, r.tm.bottom...)
	sort.Strings(want)
	require.Equal(t, want, members, "one IDP for each of the two members at the bottom twice")
}
