package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestTheListOfDevelopmentPlansSaysWhyEachExists: GET /idps carries each
// plan's trigger periods with rank, team size and score, as the single
// plan does, and the labels alone for a plan stored before triggers had
// more than a label.
func TestTheListOfDevelopmentPlansSaysWhyEachExists(t *testing.T) {
	s := storetest.SQLite(t)
	e := newEnv(t, s)
	ctx := context.Background()
	member := func(email string) *store.Member {
		m, err := s.MemberByEmail(ctx, email+"@demo.perfloop.dev")
		require.NoError(t, err)
		return m
	}
	wang, zhang, liu := member("wang.fang"), member("zhang.wei"), member("liu.yang")
	plan := func(m *store.Member, triggers string) {
		_, _, err := s.CreateIDP(ctx, &store.IDP{OrgID: m.OrgID, MemberID: m.ID, CycleID: "c1", MentorID: liu.ID, TriggerPeriods: triggers, Items: "[]",
			DueAt: time.Now().AddDate(0, 2, 0), CheckinEveryDays: 14, DedupeKey: "idp:" + m.ID})
		require.NoError(t, err)
	}
	plan(wang, `[{"period":"2026-08","rank":8,"teamSize":9,"score":61.2},{"period":"2026-09","rank":9,"teamSize":9,"score":55}]`)
	plan(zhang, `["2026-08","2026-09"]`)

	r := e.do("GET", "/api/v1/idps", "wang.fang", nil)
	require.Equal(t, 200, r.status, r.raw)
	items := r.body["items"].([]any)
	require.Len(t, items, 1)
	mine := items[0].(map[string]any)
	require.Equal(t, []any{"2026-08", "2026-09"}, mine["triggerPeriods"])
	require.Equal(t, []any{
		map[string]any{"period": "2026-08", "rank": 8.0, "teamSize": 9.0, "score": 61.2},
		map[string]any{"period": "2026-09", "rank": 9.0, "teamSize": 9.0, "score": 55.0},
	}, mine["triggers"])

	one := e.do("GET", "/api/v1/idps/"+mine["id"].(string), "wang.fang", nil)
	require.Equal(t, 200, one.status, one.raw)
	require.Equal(t, mine["triggers"], one.body["triggers"], "the list and the plan agree")
	require.Equal(t, []any{}, one.body["checkins"])

	r = e.do("GET", "/api/v1/idps", "liu.yang", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 2, r.body["total"])
	for _, it := range r.body["items"].([]any) {
		p := it.(map[string]any)
		require.Equal(t, []any{"2026-08", "2026-09"}, p["triggerPeriods"])
		require.Len(t, p["triggers"], 2, "plan of %s", p["memberId"])
	}
}
