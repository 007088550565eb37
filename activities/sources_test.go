package activities_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/activities"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestCustomerRatingsAreReadFromTheSourceTheirGroupNames: a customer group
// reading "survey" scores values stored under survey as its ratings, not as
// a measured figure with the customer part missing.
func TestCustomerRatingsAreReadFromTheSourceTheirGroupNames(t *testing.T) {
	st := storetest.SQLite(t)
	c, p := scoringCycle(t, st, 91)
	var tpl map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.TemplateBody), &tpl))
	customer := tpl["raters"].([]any)[2].(map[string]any)
	require.Equal(t, "customer", customer["key"])
	customer["source"] = "survey"
	body, err := json.Marshal(tpl)
	require.NoError(t, err)
	require.NoError(t, st.DB.Model(&store.Cycle{}).Where("id = ?", c.ID).Update("template_body", string(body)).Error)
	_, err = st.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: p.org.ID, Checksum: fmt.Sprintf("%064d", time.Now().UnixNano()), FileName: "test", CreatedBy: p.li.ID},
		[]store.MetricValue{{MemberID: p.wang.ID, IndicatorKey: "serviceAttitude", Period: "2026-10", Value: 80, Source: "survey"}})
	require.NoError(t, err)

	_, err = computeScores(&activities.Activities{Store: st}, c.ID)
	require.NoError(t, err)
	res, err := st.GetResult(ctx, c.ID, p.wang.ID)
	require.NoError(t, err)
	var missing []scorecard.MissingData
	require.NoError(t, json.Unmarshal([]byte(res.Missing), &missing))
	for _, m := range missing {
		require.NotEqual(t, "customer", m.Key, "the survey value is the customer group's rating: %+v", missing)
	}
	var scores map[string]float64
	require.NoError(t, json.Unmarshal([]byte(res.IndicatorScores), &scores))
	require.Equal(t, 80.0, scores["serviceAttitude"], "the customer's rating alone (no manager rated)")
}
