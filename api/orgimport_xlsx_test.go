package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/store/storetest"
)

func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, r := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow("Sheet1", cell, &r))
	}
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	return buf.Bytes()
}

func TestXLSXImportTakesTheCSVColumnsAndNamesTheLineAndColumnOfABadCell(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	header := []any{"name", "email", "role", "team", "team_name"}
	bad := workbook(t, header, []any{"赵敏", "zhao.min@demo.perfloop.dev", "employee", "growth", "增长组"}, []any{}, []any{"钱多", "qian.duo@demo.perfloop.dev", "ceo", "growth"})
	r := e.do("POST", "/api/v1/org/import", "admin", bad, "Content-Type", xlsx)
	require.Equal(t, 400, r.status, r.raw)
	details := errorOf(t, r)["details"].([]any)
	require.Len(t, details, 1)
	require.Equal(t, "line 4, column role", details[0].(map[string]any)["path"], "lines count as the sheet's rows, blank ones included")

	good := workbook(t, header, []any{"赵敏", "zhao.min@demo.perfloop.dev", "employee", "growth", "增长组"})
	r = e.do("POST", "/api/v1/org/import", "admin", good, "Content-Type", xlsx)
	require.Equal(t, 200, r.status, r.raw)
	require.EqualValues(t, 1, r.body["membersCreated"])
	require.EqualValues(t, 1, r.body["teamsCreated"])
}
