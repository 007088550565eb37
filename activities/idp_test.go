package activities_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

// TestTheIDPReviewIsDueOneCheckinIntervalLaterCompressedWithItsCycle:
// cs-ops-monthly checks in every 14 days, so the mentor has 14 days to
// review, not a week; in a cycle compressed so that a day lasts a second,
// 14 seconds.
func TestTheIDPReviewIsDueOneCheckinIntervalLaterCompressedWithItsCycle(t *testing.T) {
	body, err := templates.BuiltinFile("cs-ops-monthly")
	require.NoError(t, err)
	st := storetest.SQLite(t)
	p := seed(t, st)
	a := &activities.Activities{Store: st}

	reviewWindow := func(period string, compress float64) time.Duration {
		start, err := time.Parse("2006-01", period)
		require.NoError(t, err)
		c, _, err := st.CreateCycle(ctx, &store.Cycle{OrgID: p.org.ID, TemplateKey: "cs-ops-monthly", TemplateVersion: 1, TemplateBody: string(body),
			ScopeTeamID: "team", Period: period, PeriodStart: start, PeriodEnd: start.AddDate(0, 1, 0), Timezone: "Asia/Shanghai", Title: period,
			State: store.CycleCompleted, Compress: compress}, nil)
		require.NoError(t, err)
		idp, _, err := st.CreateIDP(ctx, &store.IDP{OrgID: p.org.ID, MemberID: p.wang.ID, CycleID: c.ID, MentorID: p.li.ID, Items: "[]", TriggerPeriods: "[]",
			DueAt: time.Now().UTC(), CheckinEveryDays: 14, DedupeKey: "idp:" + c.ID})
		require.NoError(t, err)
		opened := time.Now()
		ref, err := a.EnsureIDPReview(ctx, idp.ID)
		require.NoError(t, err)
		require.Equal(t, p.li.ID, ref.AssigneeID)
		return ref.Due.Sub(opened)
	}
	require.InDelta(t, float64(14*24*time.Hour), float64(reviewWindow("2026-09", 0)), float64(time.Minute), "one check-in interval")
	require.InDelta(t, float64(14*time.Second), float64(reviewWindow("2026-10", 86400)), float64(500*time.Millisecond), "compressed like the plan")
}
