package monitoring

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
)

// Scoring times every attempt of the named activity (ComputeScores) into
// perfloop_scoring_duration_seconds. It sits on the worker, so the
// activity's code carries no instrumentation.
func (m *Metrics) Scoring(activityName string) interceptor.WorkerInterceptor {
	return &scoringInterceptor{m: m, name: activityName}
}

type scoringInterceptor struct {
	interceptor.WorkerInterceptorBase
	m    *Metrics
	name string
}

func (i *scoringInterceptor) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &scoringActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, i: i}
}

type scoringActivity struct {
	interceptor.ActivityInboundInterceptorBase
	i *scoringInterceptor
}

func (a *scoringActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	if a.i.m == nil || activity.GetInfo(ctx).ActivityType.Name != a.i.name {
		return a.Next.ExecuteActivity(ctx, in)
	}
	start := time.Now()
	defer func() { a.i.m.scoring.Observe(time.Since(start).Seconds()) }()
	return a.Next.ExecuteActivity(ctx, in)
}
