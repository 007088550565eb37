package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/perfloop/perfloop/engine"
	"gorm.io/gorm"
)

// ErrTaskClosed refuses a submission to a task that is not open.
var ErrTaskClosed = errors.New("the task is not open any more")

// EnsureTask inserts t unless a task with its dedupe key exists, and
// returns the stored one either way, so opening a stage twice opens its
// tasks once.
func (s *Store) EnsureTask(ctx context.Context, t *Task) (*Task, error) {
	var got Task
	err := s.DB.WithContext(ctx).Take(&got, "dedupe_key = ?", t.DedupeKey).Error
	if err == nil {
		return &got, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, fmt.Errorf("ensure task %s: %w", t.DedupeKey, err)
	}
	if t.ID == "" {
		t.ID = NewID()
	}
	if t.State == "" {
		t.State = engine.TaskOpen
	}
	t.Version = 1
	if err := s.DB.WithContext(ctx).Create(t).Error; err != nil {
		if isUniqueViolation(err) {
			// Another attempt inserted it between our read and write.
			if err := s.DB.WithContext(ctx).Take(&got, "dedupe_key = ?", t.DedupeKey).Error; err == nil {
				return &got, nil
			}
		}
		return nil, fmt.Errorf("ensure task %s: %w", t.DedupeKey, err)
	}
	return t, nil
}

// GetTaskByID reads a task.
func (s *Store) GetTaskByID(ctx context.Context, id string) (*Task, error) {
	var t Task
	if err := s.DB.WithContext(ctx).Take(&t, "id = ?", id).Error; err != nil {
		return nil, notFound("get task "+id, err)
	}
	return &t, nil
}

// SubmitTask records a submission on an open task. A stale version or a
// task that is no longer open is a conflict (ErrTaskClosed).
func (s *Store) SubmitTask(ctx context.Context, id, by, submission string, expectVersion int) (*Task, error) {
	return s.SubmitTaskWithEvaluation(ctx, id, by, submission, expectVersion, nil)
}

// SubmitTaskWithEvaluation submits a task as SubmitTask does and, in the
// same transaction, stores the evaluation evaluate derives from the
// submitted task (nil from evaluate: the task rates nobody). Either both
// are written or neither, so a crash cannot leave a submitted rating task
// without its evaluation; an error from evaluate submits nothing.
func (s *Store) SubmitTaskWithEvaluation(ctx context.Context, id, by, submission string, expectVersion int, evaluate func(*Task) (*Evaluation, error)) (*Task, error) {
	r := &submitRequest{id: id, by: by, submission: submission, expectVersion: expectVersion, evaluate: evaluate}
	if s.submits != nil {
		return s.submits.submit(ctx, r)
	}
	// A store bound to a transaction (Exclusively) writes in it, under a
	// savepoint so that the task and its evaluation land together.
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return submitIn(tx, s.Dialect, r) })
	if err != nil {
		return nil, unrefused(err)
	}
	return &r.out, nil
}

// TaskFilter narrows ListTasks.
type TaskFilter struct {
	CycleID    string
	StageKey   string
	State      engine.TaskState
	AssigneeID string
	SubjectID  string
	Kind       engine.TaskKind
}

var taskSorts = map[string]string{"dueAt": "due_at", "createdAt": "created_at", "state": "state"}

// ListTasks returns a page of tasks.
func (s *Store) ListTasks(ctx context.Context, orgID string, f TaskFilter, p Page) ([]Task, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Task{}).Where("org_id = ?", orgID)
	for col, v := range map[string]string{"cycle_id": f.CycleID, "stage_key": f.StageKey, "state": string(f.State), "assignee_id": f.AssigneeID, "subject_id": f.SubjectID, "kind": string(f.Kind)} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count tasks: %w", err)
	}
	var out []Task
	if err := p.apply(q, taskSorts, "due_at, id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list tasks: %w", err)
	}
	return out, total, nil
}

// ListInbox returns a person's tasks: open ones first, overdue before the
// rest, then by due date.
func (s *Store) ListInbox(ctx context.Context, assigneeID string, state engine.TaskState, now time.Time, p Page) ([]Task, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Task{}).Where("assignee_id = ?", assigneeID)
	if state != "" {
		q = q.Where("state = ?", state)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count inbox: %w", err)
	}
	order := "CASE WHEN state = 'open' THEN 0 ELSE 1 END, due_at, id"
	var out []Task
	if err := p.apply(q, taskSorts, order).Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list inbox: %w", err)
	}
	_ = now // open tasks sorted by due date already put the overdue ones first
	return out, total, nil
}

// OpenTasks lists a stage's open tasks, for one subject or all.
func (s *Store) OpenTasks(ctx context.Context, cycleID, stageKey, subjectID string) ([]Task, error) {
	q := s.DB.WithContext(ctx).Where("cycle_id = ? AND stage_key = ? AND state = ?", cycleID, stageKey, engine.TaskOpen)
	if subjectID != "" {
		q = q.Where("subject_id = ?", subjectID)
	}
	var out []Task
	if err := q.Order("id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("open tasks %s/%s: %w", cycleID, stageKey, err)
	}
	return out, nil
}

// ExpireTasks closes a stage's open tasks (one subject's, or all) as
// expired and returns how many.
func (s *Store) ExpireTasks(ctx context.Context, cycleID, stageKey, subjectID string) (int, error) {
	q := s.DB.WithContext(ctx).Model(&Task{}).Where("stage_key = ? AND state = ?", stageKey, engine.TaskOpen)
	if cycleID != "" {
		q = q.Where("cycle_id = ?", cycleID)
	}
	if subjectID != "" {
		q = q.Where("subject_id = ?", subjectID)
	}
	res := q.Updates(map[string]any{"state": engine.TaskExpired, "updated_at": time.Now().UTC(), "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return 0, fmt.Errorf("expire tasks %s/%s: %w", cycleID, stageKey, res.Error)
	}
	return int(res.RowsAffected), nil
}

// CloseTasks sets every open task of a cycle (or of one stage) to state.
func (s *Store) CloseTasks(ctx context.Context, cycleID, stageKey string, state engine.TaskState) (int, error) {
	q := s.DB.WithContext(ctx).Model(&Task{}).Where("cycle_id = ? AND state = ?", cycleID, engine.TaskOpen)
	if stageKey != "" {
		q = q.Where("stage_key = ?", stageKey)
	}
	res := q.Updates(map[string]any{"state": state, "updated_at": time.Now().UTC(), "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return 0, fmt.Errorf("close tasks %s: %w", cycleID, res.Error)
	}
	return int(res.RowsAffected), nil
}

// MarkReminded records that reminder index was sent (monotonic).
func (s *Store) MarkReminded(ctx context.Context, id string, index int) error {
	err := s.DB.WithContext(ctx).Model(&Task{}).Where("id = ? AND reminders_sent < ?", id, index+1).
		Update("reminders_sent", index+1).Error
	if err != nil {
		return fmt.Errorf("mark reminded %s: %w", id, err)
	}
	return nil
}

// MarkEscalated stamps the first escalation.
func (s *Store) MarkEscalated(ctx context.Context, id string) error {
	err := s.DB.WithContext(ctx).Model(&Task{}).Where("id = ? AND escalated_at IS NULL", id).
		Update("escalated_at", time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("mark escalated %s: %w", id, err)
	}
	return nil
}

// StageCount is one row of a cycle's task counts.
type StageCount struct {
	StageKey string           `json:"stage"`
	Kind     engine.TaskKind  `json:"kind"`
	State    engine.TaskState `json:"state"`
	Count    int              `json:"count"`
}

// CountTasksByStage groups a cycle's tasks by stage, kind and state.
func (s *Store) CountTasksByStage(ctx context.Context, cycleID string) ([]StageCount, error) {
	var out []StageCount
	err := s.DB.WithContext(ctx).Model(&Task{}).Select("stage_key, kind, state, COUNT(*) AS count").
		Where("cycle_id = ?", cycleID).Group("stage_key, kind, state").Order("stage_key, kind, state").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("count tasks %s: %w", cycleID, err)
	}
	return out, nil
}

// ListOverdue lists a cycle's open tasks past due.
func (s *Store) ListOverdue(ctx context.Context, cycleID string, now time.Time) ([]Task, error) {
	var out []Task
	if err := s.DB.WithContext(ctx).Where("cycle_id = ? AND state = ? AND due_at < ?", cycleID, engine.TaskOpen, now.UTC()).Order("due_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list overdue %s: %w", cycleID, err)
	}
	return out, nil
}

// GetTask reads a task of an organisation; a task of another organisation
// is ErrNotFound, so an id guessed across tenants reveals nothing.
func (s *Store) GetTask(ctx context.Context, orgID, id string) (*Task, error) {
	var t Task
	if err := s.DB.WithContext(ctx).Take(&t, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
		return nil, notFound("get task "+id, err)
	}
	return &t, nil
}

// Task is an inbox item: a form someone must submit by DueAt.
type Task struct {
	ID            string           `gorm:"primaryKey" json:"id"`
	OrgID         string           `json:"-"`
	CycleID       string           `json:"cycleId"`
	WorkflowID    string           `json:"-"`
	StageKey      string           `json:"stage"`
	Kind          engine.TaskKind  `json:"kind"`
	AssigneeID    string           `json:"assigneeId"`
	SubjectID     *string          `json:"subjectId"`
	Title         string           `json:"title"`
	TitleEn       string           `json:"titleEn"`
	DueAt         time.Time        `json:"dueAt"`
	State         engine.TaskState `json:"state"`
	Payload       string           `json:"-"`
	Submission    *string          `json:"-"`
	SubmittedAt   *time.Time       `json:"submittedAt"`
	SubmittedBy   *string          `json:"submittedBy"`
	RemindersSent int              `json:"remindersSent"`
	EscalatedAt   *time.Time       `json:"escalatedAt"`
	DedupeKey     string           `json:"-"`
	Version       int              `json:"version"`
	CreatedAt     time.Time        `json:"createdAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
}
