package main

import (
	"context"
	"log/slog"

	"github.com/spf13/pflag"

	"github.com/perfloop/perfloop/monitoring"
)

func addMetricsFlag(fs *pflag.FlagSet, c *config) {
	addString(fs, &c.Metrics, "metrics", "")
}

// metrics starts the /metrics listener when --metrics names an address; it
// is nil (recording nothing) otherwise. The listener is separate from
// --http because the API's port faces users through a load balancer, while
// the counts and route names are for the operator's Prometheus alone.
func (c config) metrics(ctx context.Context, log *slog.Logger) (*monitoring.Metrics, error) {
	if c.Metrics == "" {
		return nil, nil
	}
	m := monitoring.New(log)
	if _, err := m.Serve(ctx, c.Metrics); err != nil {
		return nil, err
	}
	return m, nil
}
