package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/api/apitest"
	"github.com/perfloop/perfloop/demo"
	"github.com/perfloop/perfloop/store/storetest"
)

// FuzzOrgImport sends arbitrary files to the organisation import (CSV, or
// JSON when the bytes start with a brace), as a dry run: it must answer
// 200 or a 4xx in the one error shape the OpenAPI document promises,
// never 500 or a panic, whatever the rows hold.
func FuzzOrgImport(f *testing.F) {
	s := storetest.SQLite(f)
	users, _, err := demo.Seed(context.Background(), s, "")
	if err != nil {
		f.Fatal(err)
	}
	var admin string
	for _, u := range users {
		if u.Role == "admin" {
			admin = u.Token
		}
	}
	h := api.New(api.Deps{Store: s})
	f.Add([]byte("name,email,role,team,team_name,parent_team,manager\n王芳,wang.fang@example.com,employee,cs,客服组,ops,li.lei@example.com\n李雷,li.lei@example.com,manager,cs,,,\n"))
	f.Add([]byte("\xef\xbb\xbfname,email,role\n\"a\r\nb\",x@example.com,employee\n"))
	f.Add([]byte("name,email,role,joined_on,timezone,locale\nA,a@example.com,employee,2026-13-01,Mars/Base,fr\n"))
	f.Add([]byte(`{"teams":[{"key":"a","name":"A","parent":"b"},{"key":"b","name":"B","parent":"a"}],"members":[]}`))
	f.Add([]byte(`{"teams":[{"key":"t","name":"\u202eT"}],"members":[{"name":"N","email":"n@example.com","role":"employee","team":"t","manager":"n@example.com"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ct := "text/csv"
		if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
			ct = "application/json"
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/org/import?dryRun=true", bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", ct)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("%s answered %d: %s", ct, rec.Code, rec.Body.String())
		}
		if err := apitest.CheckResponse(http.MethodPost, "/api/v1/org/import", rec.Code, rec.Body.Bytes()); err != nil {
			t.Fatal(err)
		}
	})
}
