package monitoring

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/perfloop/perfloop/store"
)

// GaugeTimeout bounds the store's queries during one scrape, so a slow
// database makes the gauges missing from that scrape, not the scrape hang.
const GaugeTimeout = 2 * time.Second

var (
	cyclesDesc     = prometheus.NewDesc("perfloop_cycles", "Cycles by state, across organisations.", []string{"state"}, nil)
	openTasksDesc  = prometheus.NewDesc("perfloop_tasks_open", "Open tasks, across organisations.", nil, nil)
	overdueDesc    = prometheus.NewDesc("perfloop_tasks_overdue", "Open tasks past their due time.", nil, nil)
	deliveriesDesc = prometheus.NewDesc("perfloop_deliveries", "Notifications not yet sent, by state: pending, sending, failed (will retry), permanent_failure.", []string{"state"}, nil)
)

// storeCollector reads the gauges from the database at scrape time, so
// every replica reports the same numbers and nothing has to keep them.
type storeCollector struct {
	st *store.Store
}

// WatchStore adds the gauges read from st at each scrape.
func (m *Metrics) WatchStore(st *store.Store) {
	m.Registry.MustRegister(storeCollector{st: st})
}

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cyclesDesc
	ch <- openTasksDesc
	ch <- overdueDesc
	ch <- deliveriesDesc
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), GaugeTimeout)
	defer cancel()
	g, err := c.st.ReadGauges(ctx, time.Now())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(cyclesDesc, err)
		return
	}
	// States with no rows are reported as 0 so a series that drains to
	// nothing reads 0 on a dashboard instead of vanishing.
	for _, s := range []string{store.CyclePending, store.CycleRunning, store.CycleCompleted, store.CycleCancelled, store.CycleFailed} {
		if _, ok := g.CyclesByState[s]; !ok {
			g.CyclesByState[s] = 0
		}
	}
	for _, s := range []string{store.NotificationPending, store.NotificationSending, store.NotificationFailed, store.NotificationPermanentFailure} {
		if _, ok := g.DeliveriesByState[s]; !ok {
			g.DeliveriesByState[s] = 0
		}
	}
	for s, n := range g.CyclesByState {
		ch <- prometheus.MustNewConstMetric(cyclesDesc, prometheus.GaugeValue, float64(n), s)
	}
	ch <- prometheus.MustNewConstMetric(openTasksDesc, prometheus.GaugeValue, float64(g.OpenTasks))
	ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, float64(g.OverdueTasks))
	for s, n := range g.DeliveriesByState {
		ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(n), s)
	}
}
