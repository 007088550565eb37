package store

import (
	"context"
	"fmt"
	"time"

	"github.com/perfloop/perfloop/engine"
)

// Gauges is the engine's state at one moment, across every organisation,
// as an operator's dashboard shows it.
type Gauges struct {
	CyclesByState map[string]int64
	OpenTasks     int64
	OverdueTasks  int64 // open and past due at the moment asked
	// DeliveriesByState counts notifications in every state but sent: sent
	// ones only pile up, and counting them would read the whole table.
	DeliveriesByState map[string]int64
}

// ReadGauges counts, in one query each, what the Prometheus collector
// reports; the caller bounds the time with ctx.
func (s *Store) ReadGauges(ctx context.Context, now time.Time) (*Gauges, error) {
	g := &Gauges{}
	var err error
	if g.CyclesByState, err = s.countByState(ctx, &Cycle{}); err != nil {
		return nil, fmt.Errorf("read gauges: cycles: %w", err)
	}
	tasks := s.DB.WithContext(ctx).Model(&Task{})
	if err := tasks.Where("state = ?", engine.TaskOpen).Count(&g.OpenTasks).Error; err != nil {
		return nil, fmt.Errorf("read gauges: open tasks: %w", err)
	}
	tasks = s.DB.WithContext(ctx).Model(&Task{})
	if err := tasks.Where("state = ? AND due_at < ?", engine.TaskOpen, now.UTC()).Count(&g.OverdueTasks).Error; err != nil {
		return nil, fmt.Errorf("read gauges: overdue tasks: %w", err)
	}
	if g.DeliveriesByState, err = s.countByState(ctx, &Notification{}, NotificationSent); err != nil {
		return nil, fmt.Errorf("read gauges: deliveries: %w", err)
	}
	return g, nil
}

func (s *Store) countByState(ctx context.Context, model any, except ...string) (map[string]int64, error) {
	var rows []struct {
		State string
		N     int64
	}
	q := s.DB.WithContext(ctx).Model(model).Select("state, COUNT(*) AS n")
	if len(except) > 0 {
		q = q.Where("state NOT IN ?", except)
	}
	if err := q.Group("state").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}
