package catalog_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
	"github.com/perfloop/perfloop/templates"
)

func TestStampVersionKeepsFormattingAndOrder(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"replaces":       {"{\n  \"key\": \"a\",\n  \"version\" :  7 ,\n  \"x\": {\"version\": 1}\n}", "{\n  \"key\": \"a\",\n  \"version\" :  3 ,\n  \"x\": {\"version\": 1}\n}"},
		"adds":           {`{"key":"a"}`, `{"version": 3,"key":"a"}`},
		"adds to empty":  {`{ }`, `{"version": 3 }`},
		"replaces a str": {`{"version":"v1","key":"a"}`, `{"version":3,"key":"a"}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := catalog.StampVersion([]byte(tc.in), 3)
			require.NoError(t, err)
			require.Equal(t, tc.want, string(got))
			require.True(t, json.Valid(got))
		})
	}
	_, err := catalog.StampVersion([]byte(`[1]`), 3)
	require.ErrorIs(t, err, catalog.ErrNotObject)
	_, err = catalog.StampVersion([]byte(`{"a":`), 3)
	require.ErrorIs(t, err, catalog.ErrNotObject)
}

func TestSeedingBuiltinsTwicePublishesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		files, err := templates.BuiltinFiles()
		require.NoError(t, err)
		n, err := catalog.SeedBuiltins(ctx, s)
		require.NoError(t, err)
		require.Equal(t, len(files), n)
		n, err = catalog.SeedBuiltins(ctx, s)
		require.NoError(t, err)
		require.Zero(t, n, "unchanged built-ins are not republished")
		list, total, err := s.ListTemplates(ctx, store.TemplateFilter{Status: store.TemplatePublished}, store.Page{})
		require.NoError(t, err)
		require.EqualValues(t, len(files), total)
		for _, tv := range list {
			require.Equal(t, 1, tv.Version)
			_, errs := templates.Parse([]byte(tv.Body))
			require.Empty(t, errs, tv.Key)
		}
	})
}

func TestInvalidDraftIsSavedButNotPublished(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(files[0].Data, &doc))
	doc["indicators"] = []any{}
	broken, _ := json.Marshal(doc)
	d, err := catalog.SaveDraft(ctx, s, store.SharedCatalogue, doc["key"].(string), broken, "admin")
	require.NoError(t, err)
	require.NotEmpty(t, d.Errors)
	_, errs, err := catalog.Publish(ctx, s, store.SharedCatalogue, d.Version.Key, d.Version.Version, "admin")
	require.ErrorIs(t, err, catalog.ErrInvalid)
	require.NotEmpty(t, errs)
	tv, err := s.GetTemplateVersion(ctx, store.SharedCatalogue, d.Version.Key, d.Version.Version)
	require.NoError(t, err)
	require.Equal(t, store.TemplateDraft, tv.Status)
}

func TestThreeWorkersSeedingTogetherPublishEachBuiltinOnce(t *testing.T) {
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	for _, db := range storetest.EmptyDatabases(t) {
		t.Run(db.Name, func(t *testing.T) {
			replicas := make([]*store.Store, 3)
			for i := range replicas {
				s, err := store.Open(context.Background(), db.DSN, nil)
				require.NoError(t, err)
				t.Cleanup(func() { s.Close() })
				replicas[i] = s
			}
			_, err := replicas[0].Migrate(context.Background(), nil)
			require.NoError(t, err)
			published := make([]int, len(replicas))
			errs := make([]error, len(replicas))
			var wg sync.WaitGroup
			for i, s := range replicas {
				wg.Go(func() { published[i], errs[i] = catalog.SeedBuiltins(context.Background(), s) })
			}
			wg.Wait()
			for i := range replicas {
				require.NoError(t, errs[i], "replica %d", i)
			}
			require.Equal(t, len(files), published[0]+published[1]+published[2], "each built-in is published by exactly one replica")
			all, total, err := replicas[0].ListTemplates(context.Background(), store.TemplateFilter{}, store.Page{Limit: 100})
			require.NoError(t, err)
			require.EqualValues(t, len(files), total, "no built-in gets a second, identical version")
			for _, tv := range all {
				require.Equal(t, 1, tv.Version, tv.Key)
				require.Equal(t, store.TemplatePublished, tv.Status, tv.Key)
			}
		})
	}
}

func TestPublishingOneBodyThreeTimesAtOnceSucceedsEveryTime(t *testing.T) {
	files, err := templates.BuiltinFiles()
	require.NoError(t, err)
	body := files[0].Data
	for _, db := range storetest.EmptyDatabases(t) {
		t.Run(db.Name, func(t *testing.T) {
			replicas := make([]*store.Store, 3)
			for i := range replicas {
				s, err := store.Open(context.Background(), db.DSN, nil)
				require.NoError(t, err)
				t.Cleanup(func() { s.Close() })
				replicas[i] = s
			}
			_, err := replicas[0].Migrate(context.Background(), nil)
			require.NoError(t, err)
			got := make([]*store.TemplateVersion, len(replicas))
			errs := make([]error, len(replicas))
			var wg sync.WaitGroup
			for i, s := range replicas {
				wg.Go(func() {
					got[i], _, _, errs[i] = catalog.PublishBody(context.Background(), s, store.SharedCatalogue, body, "cli")
				})
			}
			wg.Wait()
			for i := range replicas {
				require.NoError(t, errs[i], "replica %d: a duplicate key on the same content means another replica published it", i)
				require.Equal(t, store.TemplatePublished, got[i].Status)
			}
		})
	}
}
