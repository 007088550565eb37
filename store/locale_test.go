package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// TestAnOrgImportReadsZhCNAndEnGBAsTheLocalesTheProductStores: HR systems
// export language tags; the import stores zh and en, and still refuses a
// language the product does not speak, naming the value.
func TestAnOrgImportReadsZhCNAndEnGBAsTheLocalesTheProductStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := newOrg(t, s)
		in := store.OrgImport{Teams: []store.ImportTeam{{Key: "cs", Name: "客服"}}, Members: []store.ImportMember{
			{Name: "李娜", Email: "li.na@example.com", Role: "employee", Team: "cs", Locale: "zh-CN"},
			{Name: "Ann Lee", Email: "ann.lee@example.com", Role: "employee", Team: "cs", Locale: "en_GB"},
		}}
		_, err := s.ImportOrg(ctx, o.ID, "admin", in, false)
		require.NoError(t, err)
		require.Equal(t, "zh-CN", in.Members[0].Locale, "the caller's rows are left as they were")
		ms, _, err := s.ListMembers(ctx, o.ID, store.MemberFilter{}, store.Page{Limit: 10})
		require.NoError(t, err)
		got := map[string]string{}
		for _, m := range ms {
			got[m.Email] = m.Locale
		}
		require.Equal(t, "zh", got["li.na@example.com"])
		require.Equal(t, "en", got["ann.lee@example.com"])

		in.Members[1].Locale = "fr-FR"
		_, err = s.ImportOrg(ctx, o.ID, "admin", in, true)
		var rows store.ImportErrors
		require.ErrorAs(t, err, &rows)
		require.Equal(t, "locale", rows[0].Field)
		require.Equal(t, "fr-FR", rows[0].Value)
	})
}
