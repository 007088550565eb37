package api_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func (e *env) raw(method, path, who, contentType string, body []byte) (int, []byte) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Authorization", "Bearer "+e.token[who])
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data
}

const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// TestMetricsSheetRoundTrip: a manager downloads the cycle's metrics sheet,
// fills it in Excel and uploads it; a bad cell is reported by its cell name
// and imports nothing; the same file twice changes nothing.
func TestMetricsSheetRoundTrip(t *testing.T) {
	e, ce := engineEnv(t)
	r := e.do("POST", "/api/v1/cycles", "manager", map[string]any{"templateKey": "cs-ops-monthly", "teamId": ce.Team.ID, "period": "2026-10", "compress": 60})
	require.Equal(t, 201, r.status, r.raw)
	id := r.body["id"].(string)

	status, data := e.raw("GET", "/api/v1/cycles/"+id+"/metrics-template.xlsx", "manager", "", nil)
	require.Equal(t, 200, status, string(data))
	f, err := excelize.OpenReader(bytes.NewReader(data))
	require.NoError(t, err)
	rows, err := f.GetRows("2026-10")
	require.NoError(t, err)
	require.Equal(t, []string{"email", "name", "satisfaction", "responseTime", "retention", "oneOnOneRating", "complaintRate", "customer:serviceAttitude"}, rows[0])
	require.Len(t, rows, 5, "a header and one row per member")
	for i := 2; i <= 5; i++ {
		require.NoError(t, f.SetSheetRow("2026-10", "C"+string(rune('0'+i)), &[]any{92.5, 3.1, 41, 95, 2, 88}))
	}
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	status, data = e.raw("POST", "/api/v1/metrics/upload?period=2026-10&source=survey", "manager", xlsx, buf.Bytes())
	require.Equal(t, 200, status, string(data))
	require.Contains(t, string(data), `"inserted":24`)
	status, data = e.raw("POST", "/api/v1/metrics/upload?period=2026-10&source=survey", "manager", xlsx, buf.Bytes())
	require.Equal(t, 200, status)
	require.Contains(t, string(data), `"duplicate":true`)

	csv := "email,retention,nps\n" + ce.Employees[0].Email + ",41,50\nghost@test.perfloop.dev,40,45\n" + ce.Employees[1].Email + ",forty,45\n"
	status, data = e.raw("POST", "/api/v1/metrics/upload?period=2026-10", "manager", "text/csv", []byte(csv))
	require.Equal(t, 400, status)
	require.Contains(t, string(data), `"path":"A3"`)
	require.Contains(t, string(data), `"path":"B4"`)
	require.Contains(t, string(data), "nothing was imported")
	status, _ = e.raw("POST", "/api/v1/metrics/upload?period=2026-10", "e0", "text/csv", []byte(csv))
	require.Equal(t, 403, status)

	status, data = e.raw("GET", "/api/v1/cycles/"+id+"/export.xlsx", "manager", "", nil)
	require.Equal(t, 200, status)
	f, err = excelize.OpenReader(bytes.NewReader(data))
	require.NoError(t, err)
	require.Equal(t, []string{"结果 Results", "校准 Calibration"}, f.GetSheetList())
	head, err := f.GetRows("结果 Results")
	require.NoError(t, err)
	require.Equal(t, "排名 Rank", head[0][0])
	require.Contains(t, head[0], "客户满意度 Customer satisfaction")
}
