package monitoring

import (
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// temporalBuckets span the SDK's latencies, from a poll (milliseconds) to a
// workflow's end-to-end time (hours).
var temporalBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 14400}

// Temporal returns the SDK metrics handler to set as client.Options.MetricsHandler.
// The SDK's own Prometheus bridge (contrib/tally) is a separate module that
// pulls in tally; this adapter reports onto the same registry instead.
func (m *Metrics) Temporal() client.MetricsHandler {
	if m == nil {
		return client.MetricsNopHandler
	}
	return temporalHandler{c: m.temporal}
}

// temporalCollector holds every series the SDK reported. The SDK tags one
// metric name with different tag sets at different call sites, which a
// prometheus.*Vec (fixed label names) cannot hold, so series are kept here
// and emitted as constant metrics at scrape time.
type temporalCollector struct {
	mu     sync.Mutex
	series map[string]*temporalSeries
}

type temporalSeries struct {
	name   string
	kind   prometheus.ValueType // CounterValue, GaugeValue; UntypedValue marks a timer
	labels prometheus.Labels
	value  atomic.Uint64 // float64 bits for a gauge, a count for a counter
	mu     sync.Mutex    // guards the histogram of a timer
	count  uint64
	sum    float64
	counts []uint64
}

func newTemporalCollector() *temporalCollector {
	return &temporalCollector{series: map[string]*temporalSeries{}}
}

func (c *temporalCollector) get(name string, kind prometheus.ValueType, tags map[string]string) *temporalSeries {
	keys := slices.Sorted(maps.Keys(tags))
	var b strings.Builder
	b.WriteString(name)
	for _, k := range keys {
		b.WriteString("\xff" + k + "=" + tags[k])
	}
	key := b.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.series[key]
	if !ok {
		s = &temporalSeries{name: name, kind: kind, labels: prometheus.Labels(maps.Clone(tags))}
		if kind == prometheus.UntypedValue {
			s.counts = make([]uint64, len(temporalBuckets))
		}
		c.series[key] = s
	}
	return s
}

// Describe sends nothing: the series are only known once the SDK reports them.
func (c *temporalCollector) Describe(chan<- *prometheus.Desc) {}

func (c *temporalCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	all := slices.Collect(maps.Values(c.series))
	c.mu.Unlock()
	for _, s := range all {
		names := slices.Sorted(maps.Keys(s.labels))
		values := make([]string, len(names))
		for i, n := range names {
			values[i] = s.labels[n]
		}
		desc := prometheus.NewDesc(s.name, "Temporal SDK metric "+s.name+".", names, nil)
		switch s.kind {
		case prometheus.CounterValue:
			ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(s.value.Load()), values...)
		case prometheus.GaugeValue:
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, math.Float64frombits(s.value.Load()), values...)
		default:
			s.mu.Lock()
			buckets := make(map[float64]uint64, len(temporalBuckets))
			var cum uint64
			for i, ub := range temporalBuckets {
				cum += s.counts[i]
				buckets[ub] = cum
			}
			count, sum := s.count, s.sum
			s.mu.Unlock()
			ch <- prometheus.MustNewConstHistogram(desc, count, sum, buckets, values...)
		}
	}
}

type temporalHandler struct {
	c    *temporalCollector
	tags map[string]string
}

func (h temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	for k, v := range tags {
		merged[labelName(k)] = v
	}
	return temporalHandler{c: h.c, tags: merged}
}

func (h temporalHandler) Counter(name string) client.MetricsCounter {
	return counter{h.c.get(name, prometheus.CounterValue, h.tags)}
}

func (h temporalHandler) Gauge(name string) client.MetricsGauge {
	return gauge{h.c.get(name, prometheus.GaugeValue, h.tags)}
}

func (h temporalHandler) Timer(name string) client.MetricsTimer {
	return timer{h.c.get(name, prometheus.UntypedValue, h.tags)}
}

type counter struct{ s *temporalSeries }

func (c counter) Inc(d int64) {
	if d > 0 { // a Prometheus counter never goes down
		c.s.value.Add(uint64(d))
	}
}

type gauge struct{ s *temporalSeries }

func (g gauge) Update(v float64) { g.s.value.Store(math.Float64bits(v)) }

type timer struct{ s *temporalSeries }

func (t timer) Record(d time.Duration) {
	v := d.Seconds()
	i := sort.SearchFloat64s(temporalBuckets, v)
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.s.count++
	t.s.sum += v
	if i < len(t.s.counts) {
		t.s.counts[i]++
	}
}

// labelName turns an SDK tag into a valid Prometheus label name.
func labelName(tag string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, tag)
}
