package cycles_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/cycles"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/enginetest"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestNobodyCalibratesTheirOwnGrade: the HRBP who facilitates calibration
// is reviewed in the cycle too when her team is in scope; a calibration
// that moves her own grade is refused before it reaches the workflow.
func TestNobodyCalibratesTheirOwnGrade(t *testing.T) {
	st := storetest.SQLite(t)
	e := enginetest.Start(t, st, 2)
	ctx := context.Background()
	c := e.Launch("cs-ops-monthly", "2026-10", time.Hour)
	task := &store.Task{ID: store.NewID(), OrgID: e.Org.ID, CycleID: c.ID, WorkflowID: c.WorkflowID, StageKey: "calibrate", Kind: engine.TaskCalibration,
		AssigneeID: e.HRBP.ID, Title: "校准", DueAt: time.Now().Add(time.Hour), State: engine.TaskOpen, Payload: `{"stageKey":"calibrate"}`, DedupeKey: "own-calibration"}
	require.NoError(t, st.DB.Create(task).Error)
	submit := func(member string) error {
		data, _ := json.Marshal(map[string]any{"changes": []map[string]string{{"memberId": member, "from": "B", "to": "A", "reason": "表现突出"}}, "submissionId": "s1"})
		_, err := e.Service.Submit(ctx, e.HRBP, task.ID, data)
		return err
	}
	var ref *cycles.Refused
	require.ErrorAs(t, submit(e.HRBP.ID), &ref)
	require.Equal(t, "OwnReview", ref.Kind)
	require.Contains(t, ref.Message, "/changes/0")
	err := submit(e.Employees[0].ID)
	if errors.As(err, &ref) {
		require.NotEqual(t, "OwnReview", ref.Kind, "someone else's grade is the facilitator's to calibrate")
	}
}
