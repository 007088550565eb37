package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// BenchmarkIngest120kMetricValues: one import of 10,000 members × 12
// indicators, on each backend; it sets the rows per INSERT (InsertBatch).
func BenchmarkIngest120kMetricValues(b *testing.B) {
	rows := make([]store.MetricValue, 0, 120000)
	for m := range 10000 {
		for k := range 12 {
			rows = append(rows, store.MetricValue{MemberID: fmt.Sprintf("m%05d", m), IndicatorKey: fmt.Sprintf("k%d", k), Period: "2026-10", Value: float64(m + k), Source: "crm"})
		}
	}
	for _, be := range storetest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			st := be.Open(b)
			for i := 0; i < b.N; i++ {
				batch := make([]store.MetricValue, len(rows))
				copy(batch, rows)
				for j := range batch {
					batch[j].Period = fmt.Sprintf("%d-%02d", 2000+i/12, 1+i%12)
				}
				res, err := st.UpsertMetricValues(context.Background(), &store.MetricBatch{OrgID: "o", Checksum: fmt.Sprint(i), CreatedBy: "x"}, batch)
				if err != nil {
					b.Fatal(err)
				}
				if res.Inserted != len(rows) {
					b.Fatalf("inserted %d of %d", res.Inserted, len(rows))
				}
			}
		})
	}
}
