package cycles

import (
	"context"
	"encoding/json"
	"time"

	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/store"
)

// SelfEvalView is the member's own self-evaluation as their manager reads
// it beside the rating form: the form it was written against and what was
// written, once submitted.
type SelfEvalView struct {
	TaskID      string          `json:"taskId"`
	State       string          `json:"state"`
	Form        json.RawMessage `json:"form"`
	Data        json.RawMessage `json:"data,omitempty"`
	SubmittedAt *time.Time      `json:"submittedAt,omitempty"`
}

// selfEvalOf finds the self-evaluation of the member a manager's rating is
// about, in the same cycle; nil when the member has none. Only the manager's
// own rating carries it: peers and other raters rate without it.
func selfEvalOf(ctx context.Context, st *store.Store, t *store.Task) (*SelfEvalView, error) {
	if t.Kind != engine.TaskManagerEval || t.SubjectID == nil {
		return nil, nil
	}
	ts, _, err := st.ListTasks(ctx, t.OrgID, store.TaskFilter{CycleID: t.CycleID, AssigneeID: *t.SubjectID, Kind: engine.TaskSelfEval}, store.Page{Limit: 1})
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	self := ts[0]
	v := &SelfEvalView{TaskID: self.ID, State: string(self.State), Form: FormOf(&self), SubmittedAt: self.SubmittedAt}
	if self.Submission != nil && self.State == engine.TaskSubmitted {
		v.Data = json.RawMessage(*self.Submission)
	}
	return v, nil
}
