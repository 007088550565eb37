package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/api"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// migrated returns the DSN of an empty, migrated database of each backend.
func migrated(t *testing.T) []storetest.Database {
	dbs := storetest.EmptyDatabases(t)
	for _, db := range dbs {
		_, stderr, code := run(t, "migrate", "--db", db.DSN, "--log-level", "warn")
		require.Equal(t, 0, code, stderr)
	}
	return dbs
}

func openStore(t *testing.T, dsn string) *store.Store {
	st, err := store.Open(context.Background(), dsn, nil)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st
}

func TestInitCreatesTheFirstAdminWhoseTokenSignsInAndASecondRunCreatesNothing(t *testing.T) {
	for _, db := range migrated(t) {
		t.Run(db.Name, func(t *testing.T) {
			stdout, stderr, code := run(t, "init", "--db", db.DSN, "--log-level", "warn",
				"--org", "星河科技", "--admin-email", "Li.Na@Example.com", "--admin-name", "李娜")
			require.Equal(t, 0, code, stderr)
			out := lines(stdout)
			require.Equal(t, `created organisation "星河科技" and its admin 李娜 <li.na@example.com>`, out[0])
			token := out[len(out)-1]
			require.True(t, strings.HasPrefix(token, store.TokenPrefix), stdout)

			st := openStore(t, db.DSN)
			h := api.New(api.Deps{Store: st})
			req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			require.Contains(t, rec.Body.String(), `"role":"admin"`)

			stdout, stderr, code = run(t, "init", "--db", db.DSN, "--log-level", "warn",
				"--org", "星河科技", "--admin-email", "someone.else@example.com")
			require.Equal(t, 0, code, stderr)
			require.Equal(t, `already initialised: organisation "星河科技" has an admin (li.na@example.com); nothing was created`+"\n", stdout)
			org, err := st.FirstOrganization(context.Background())
			require.NoError(t, err)
			members, total, err := st.ListMembers(context.Background(), org.ID, store.MemberFilter{}, store.Page{Limit: 10})
			require.NoError(t, err)
			require.EqualValues(t, 1, total, "no second admin, no second member")
			tokens, err := st.ListTokens(context.Background(), members[0].ID)
			require.NoError(t, err)
			require.Len(t, tokens, 1, "no second token")
		})
	}
}

func TestInitRefusesABadAdminEmailAndWritesNothing(t *testing.T) {
	db := migrated(t)[0]
	_, stderr, code := run(t, "init", "--db", db.DSN, "--log-level", "warn", "--org", "Acme", "--admin-email", "li.na-at-example.com")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `--admin-email "li.na-at-example.com": a valid e-mail address is required`)
	_, stderr, code = run(t, "init", "--db", db.DSN, "--log-level", "warn", "--admin-email", "li.na@example.com")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--org (or PERFLOOP_ORG) is required")
	_, err := openStore(t, db.DSN).FirstOrganization(context.Background())
	require.ErrorIs(t, err, store.ErrNotFound, "no organisation is left without an admin")
}

func TestInitRefusesAnUnmigratedDatabaseLikeApiAndWorker(t *testing.T) {
	db := storetest.EmptyDatabases(t)[0]
	_, stderr, code := run(t, "init", "--db", db.DSN, "--log-level", "warn", "--org", "Acme", "--admin-email", "a@example.com")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "run `perfloop migrate` first")
}

const teamCSV = "name,email,role,team,team_name,parent_team,level\n" +
	"赵敏,zhao.min@example.com,manager,growth,增长组,,P6\n" +
	"钱多,qian.duo@example.com,employee,growth,,,P3\n"

func TestOrgImportReadsTheAPIsCSVAndXLSXIdempotently(t *testing.T) {
	for _, db := range migrated(t) {
		t.Run(db.Name, func(t *testing.T) {
			_, stderr, code := run(t, "init", "--db", db.DSN, "--log-level", "warn", "--org", "Acme", "--admin-email", "admin@example.com")
			require.Equal(t, 0, code, stderr)
			dir := t.TempDir()
			file := filepath.Join(dir, "org.csv")
			require.NoError(t, os.WriteFile(file, []byte(teamCSV), 0o644))
			stdout, stderr, code := run(t, "org", "import", file, "--db", db.DSN, "--log-level", "warn")
			require.Equal(t, 0, code, stderr)
			require.Equal(t, "imported "+file+": teams 1 created, 0 updated; members 2 created, 0 updated\n", stdout)
			stdout, _, _ = run(t, "org", "import", file, "--db", db.DSN, "--log-level", "warn")
			require.Contains(t, stdout, "members 0 created, 0 updated", "importing the same file again changes nothing")

			wb := excelize.NewFile()
			rows := [][]any{{"name", "email", "role", "team"}, {"孙悟", "sun.wu@example.com", "employee", "growth"}}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				require.NoError(t, wb.SetSheetRow("Sheet1", cell, &r))
			}
			sheet := filepath.Join(dir, "org.xlsx")
			require.NoError(t, wb.SaveAs(sheet))
			stdout, stderr, code = run(t, "org", "import", sheet, "--db", db.DSN, "--log-level", "warn")
			require.Equal(t, 0, code, stderr)
			require.Contains(t, stdout, "members 1 created")
			st := openStore(t, db.DSN)
			m, err := st.MemberByEmail(context.Background(), "sun.wu@example.com")
			require.NoError(t, err)
			require.NotNil(t, m.TeamID, "the sheet's team column joins the member to the CSV's team")
		})
	}
}

func TestOrgImportNamesTheLineAndColumnOfEveryBadFieldAndImportsNothing(t *testing.T) {
	db := migrated(t)[0]
	_, stderr, code := run(t, "init", "--db", db.DSN, "--log-level", "warn", "--org", "Acme", "--admin-email", "admin@example.com")
	require.Equal(t, 0, code, stderr)
	file := filepath.Join(t.TempDir(), "org.csv")
	require.NoError(t, os.WriteFile(file, []byte(teamCSV+"孙悟,not-an-email,ceo,growth,,,P1\n"), 0o644))
	stdout, stderr, code := run(t, "org", "import", file, "--db", db.DSN, "--log-level", "warn")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, file+": line 4, column email: a valid e-mail address is required")
	require.Contains(t, stderr, file+": line 4, column role: role must be one of admin, hrbp, manager, employee (value: ceo)")
	_, err := openStore(t, db.DSN).MemberByEmail(context.Background(), "zhao.min@example.com")
	require.ErrorIs(t, err, store.ErrNotFound, "a bad row imports nothing")
}
