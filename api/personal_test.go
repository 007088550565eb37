package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

func TestAnAdminExportsAMembersDataAndErasesThemOnlyOnceTheyLeft(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	me := e.do("GET", "/api/v1/me", "liu.yang", nil)
	require.Equal(t, 200, me.status)
	id := me.body["id"].(string)

	r := e.do("GET", "/api/v1/members/"+id+"/export", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "刘洋", r.body["member"].(map[string]any)["name"])
	require.Contains(t, r.body, "evaluationsReceived")
	require.NotEmpty(t, r.body["managedTeams"], "liu.yang leads the community team")

	r = e.do("GET", "/api/v1/members/"+id+"/export?format=csv", "admin", nil)
	require.Equal(t, 400, r.status)
	require.Equal(t, "format", firstDetail(t, r)["path"])

	// The workbook: one sheet per part.
	req, err := http.NewRequest("GET", e.srv.URL+"/api/v1/members/"+id+"/export?format=xlsx", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.token["admin"])
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode, string(body))
	require.Contains(t, res.Header.Get("Content-Disposition"), "personal-data-"+id+".xlsx")
	book, err := excelize.OpenReader(bytes.NewReader(body))
	require.NoError(t, err)
	require.Contains(t, book.GetSheetList(), "member")
	require.Contains(t, book.GetSheetList(), "evaluationsReceived")
	rows, err := book.GetRows("member")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(rows), 2)
	col := -1
	for i, h := range rows[0] {
		if h == "email" {
			col = i
		}
	}
	require.GreaterOrEqual(t, col, 0, "an email column: %v", rows[0])
	require.Equal(t, "liu.yang@demo.perfloop.dev", rows[1][col])

	r = e.do("POST", "/api/v1/members/"+id+"/erase", "admin", nil)
	require.Equal(t, 409, r.status, "an active member is not erased: %s", r.raw)
	require.Contains(t, errorOf(t, r)["message"], "deactivate them first")

	require.Equal(t, 200, e.do("DELETE", "/api/v1/members/"+id, "admin", nil).status)
	r = e.do("POST", "/api/v1/members/"+id+"/erase", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, false, r.body["alreadyErased"])
	require.Equal(t, store.PseudonymName(id), r.body["member"].(map[string]any)["name"])
	r = e.do("POST", "/api/v1/members/"+id+"/erase", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, true, r.body["alreadyErased"], "idempotent")

	r = e.do("GET", "/api/v1/members/"+id, "admin", nil)
	require.Equal(t, store.PseudonymEmail(id), r.body["email"])
	require.False(t, strings.Contains(r.raw, "刘洋"))

	r = e.do("GET", "/api/v1/audit?entityId="+id, "admin", nil)
	require.Equal(t, 200, r.status, r.raw)
	var actions []string
	for _, it := range r.body["items"].([]any) {
		actions = append(actions, it.(map[string]any)["action"].(string))
	}
	require.Contains(t, actions, "member.export")
	require.Contains(t, actions, "member.erase")
	require.NotContains(t, r.raw, "liu.yang@demo.perfloop.dev", "the audit log keeps no trace of the erased e-mail")
}
