package cycles_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	pworker "github.com/perfloop/perfloop/worker"
)

func submit(t *testing.T, e *enginetest.Env, who *store.Member, task store.Task, form any) error {
	t.Helper()
	data, err := json.Marshal(form)
	require.NoError(t, err)
	_, err = e.Service.Submit(context.Background(), who, task.ID, data)
	return err
}

// TestACycleRunsFromEvaluationToAcknowledgement drives cs-ops-monthly on a
// real Temporal server: every member self-evaluates and is rated, the
// facilitator's calibration is refused while it breaks the forced
// distribution and accepted once it keeps it, results are published and
// acknowledged (one appeal), and the cycle completes.
func TestACycleRunsFromEvaluationToAcknowledgement(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 4)
	e.Metrics("2026-10")
	c := e.Launch("cs-ops-monthly", "2026-10", 20*time.Second)
	ctx := context.Background()

	// Evaluate: a self-evaluation per member, and the manager rates each.
	for i, m := range e.Employees {
		self := e.OpenTasks(c.ID, m.ID, engine.TaskSelfEval, 1)
		require.NoError(t, submit(t, e, m, self[0], map[string]any{"scores": map[string]float64{"collaboration": 4, "serviceAttitude": 4}, "comment": "本月响应更快"}))
		_ = i
	}
	rated := e.OpenTasks(c.ID, e.Manager.ID, engine.TaskManagerEval, len(e.Employees))
	for i, task := range rated {
		score := 5.0 - float64(i%3)
		require.NoError(t, submit(t, e, e.Manager, task, map[string]any{"scores": map[string]float64{"collaboration": score, "serviceAttitude": score}}))
	}
	// A second submission of the same task is refused, not recorded twice.
	err := submit(t, e, e.Manager, rated[0], map[string]any{"scores": map[string]float64{"collaboration": 1, "serviceAttitude": 1}})
	var refused *cycles.Refused
	require.True(t, errors.As(err, &refused), "got %v", err)

	// Calibrate: the HRBP facilitates.
	cal := e.OpenTasks(c.ID, e.HRBP.ID, engine.TaskCalibration, 1)[0]
	results, _, err := st.ListResults(ctx, c.ID, store.Page{Limit: 50})
	require.NoError(t, err)
	require.Len(t, results, 4)
	var lowest, middle store.Result
	for _, r := range results {
		switch r.Rank {
		case 4:
			lowest = r
		case 2:
			middle = r
		}
	}
	require.Equal(t, "C", lowest.ProposedGrade, "C ≥ 10%% puts the last of four in C")
	// Lifting the only C to B breaks "C ≥ 10%".
	err = submit(t, e, e.HRBP, cal, map[string]any{"changes": []map[string]string{{"memberId": lowest.MemberID, "to": "B", "reason": "客户表扬多"}}})
	require.True(t, errors.As(err, &refused), "got %v", err)
	require.Equal(t, "DistributionBroken", refused.Kind)
	require.Contains(t, refused.Message, "C: 0 of 4 members")
	newGrade := "A"
	if middle.ProposedGrade == "A" {
		newGrade = "B"
	}
	require.NoError(t, submit(t, e, e.HRBP, cal, map[string]any{"changes": []map[string]string{{"memberId": middle.MemberID, "from": middle.ProposedGrade, "to": newGrade, "reason": "跨部门项目贡献突出"}}}))

	// Feedback: everyone acknowledges; the lowest-ranked appeals.
	for _, m := range e.Employees {
		ack := e.OpenTasks(c.ID, m.ID, engine.TaskAcknowledge, 1)[0]
		form := map[string]any{"decision": "acknowledge"}
		if m.ID == lowest.MemberID {
			form = map[string]any{"decision": "appeal", "comment": "响应时长统计包含了系统故障时段"}
		}
		require.NoError(t, submit(t, e, m, ack, form))
	}
	done := e.WaitState(c.ID, store.CycleCompleted, 60*time.Second)
	require.NotNil(t, done.FinishedAt)

	changes, err := st.ListCalibrationChanges(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, changes, 1)
	require.Equal(t, newGrade, changes[0].ToGrade)
	require.Equal(t, "跨部门项目贡献突出", changes[0].Reason)
	got, err := st.GetResult(ctx, c.ID, middle.MemberID)
	require.NoError(t, err)
	require.Equal(t, newGrade, got.Grade)
	// Bonus follows the calibrated grade.
	want := map[string]float64{"S": 1200, "A": 1000, "B": 500, "C": 0}[newGrade]
	require.Equal(t, want, got.BonusAmount)
	appealed, err := st.GetResult(ctx, c.ID, lowest.MemberID)
	require.NoError(t, err)
	require.Equal(t, store.ResultAppealed, appealed.State)
	require.Equal(t, "响应时长统计包含了系统故障时段", *appealed.Appeal)
	notes, _, err := st.ListNotifications(ctx, lowest.MemberID, false, store.Page{Limit: 100})
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, n := range notes {
		kinds[n.Kind]++
	}
	require.Equal(t, 1, kinds["results"], "one results notification, however often activities retried")

	// Every task was created once per (stage, kind, assignee, subject).
	tasks, total, err := st.ListTasks(ctx, e.Org.ID, store.TaskFilter{CycleID: c.ID}, store.Page{Limit: 500})
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, task := range tasks {
		key := fmt.Sprint(task.StageKey, task.Kind, task.AssigneeID)
		if task.SubjectID != nil {
			key += *task.SubjectID
		}
		require.False(t, seen[key], "duplicate task %s", key)
		seen[key] = true
	}
	require.EqualValues(t, len(tasks), total)

	replay(t, e, c.WorkflowID)
	requireNoVersionMarker(t, e, engine.MemberWorkflowID(c.ID, lowest.MemberID))
	record(t, e, "cycle-calibrate.json", c.WorkflowID, 2)
	record(t, e, "cycle-feedback.json", c.WorkflowID, 1)
	record(t, e, "member.json", engine.MemberWorkflowID(c.ID, lowest.MemberID), 0)
}

// requireNoVersionMarker: a member run is told by its input which table of
// changes it answers from, so its whole life (stages, submissions,
// reports, the finish) records no version marker and no search-attribute
// upsert, where each change used to record both and, until 3 December,
// the table itself one of each.
func requireNoVersionMarker(t *testing.T, e *enginetest.Env, workflowID string) {
	t.Helper()
	hist, err := pworker.FetchHistory(context.Background(), e.Client, workflowID, "")
	require.NoError(t, err)
	markers, upserts, submitted := 0, 0, 0
	for _, ev := range hist.GetEvents() {
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			if ev.GetMarkerRecordedEventAttributes().GetMarkerName() == "Version" {
				markers++
			}
		case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
			upserts++
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
			submitted++
		case enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED:
			t.Errorf("member %s signalled its cycle from the workflow (event %d); reports go through ReportStageDone", workflowID, ev.GetEventId())
		}
	}
	require.Positive(t, submitted, "the member's history should hold its submissions")
	require.Zero(t, markers, "version markers in %s", workflowID)
	require.Zero(t, upserts, "search-attribute upserts in %s", workflowID)
}

// record writes a workflow's history to workflows/testdata when
// PERFLOOP_RECORD_HISTORIES is set, for the replay tests there.
func record(t *testing.T, e *enginetest.Env, name, workflowID string, back int) {
	if os.Getenv("PERFLOOP_RECORD_HISTORIES") == "" {
		return
	}
	hist, err := pworker.FetchHistory(context.Background(), e.Client, workflowID, "")
	require.NoError(t, err)
	for ; back > 0; back-- { // earlier runs of a workflow that continued as new
		prev := hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		hist, err = pworker.FetchHistory(context.Background(), e.Client, workflowID, prev)
		require.NoError(t, err)
	}
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("..", "workflows", "testdata", name), data, 0o644))
}

// replay runs the recorded histories of the cycle's runs through the
// current workflow code: a non-deterministic change fails here.
func replay(t *testing.T, e *enginetest.Env, workflowID string) {
	t.Helper()
	ctx := context.Background()
	r := worker.NewWorkflowReplayer()
	pworker.RegisterWorkflows(r)
	hist, err := pworker.FetchHistory(ctx, e.Client, workflowID, "")
	require.NoError(t, err)
	require.NoError(t, r.ReplayWorkflowHistory(nil, hist))
}
