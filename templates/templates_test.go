package templates_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/templates"
)

func TestBuiltinTemplatesValidateWithUniqueKeys(t *testing.T) {
	ts, err := templates.Builtins()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(ts), 3)
	seen := map[string]bool{}
	for _, tpl := range ts {
		require.False(t, seen[tpl.Key], tpl.Key)
		seen[tpl.Key] = true
		require.NotEmpty(t, tpl.Name.Zh)
		require.NotEmpty(t, tpl.Name.En)
	}
	for _, k := range []string{"ops-assistant-monthly", "community-monthly", "community-quarterly", "cs-ops-monthly"} {
		require.True(t, seen[k], k)
	}
}

func TestDurationsFollowISO8601WithoutCalendarUnits(t *testing.T) {
	good := map[string]time.Duration{"P3D": 72 * time.Hour, "PT4H": 4 * time.Hour, "P1W": 168 * time.Hour, "P1DT12H": 36 * time.Hour, "PT90M": 90 * time.Minute, "PT30S": 30 * time.Second}
	for s, want := range good {
		got, err := templates.ParseDuration(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	for _, s := range []string{"", "P", "PT", "3D", "P1.5D", "PT-1H", "P1DT", "p3d", "P3D4H"} {
		_, err := templates.ParseDuration(s)
		require.ErrorIs(t, err, templates.ErrDuration, s)
	}
	for _, s := range []string{"P1M", "P1Y", "P1Y2M"} {
		_, err := templates.ParseDuration(s)
		require.ErrorContains(t, err, "years and months have no fixed length", s)
	}
}

func csOps(t *testing.T) *templates.Template {
	t.Helper()
	ts, err := templates.Builtins()
	require.NoError(t, err)
	for _, tpl := range ts {
		if tpl.Key == "cs-ops-monthly" {
			return tpl
		}
	}
	t.Fatal("cs-ops-monthly missing")
	return nil
}

func TestThreeWayFormulaWeighsTheParts(t *testing.T) {
	tpl := csOps(t)
	p, err := templates.Compile(templates.CtxFormula, tpl.Formula, tpl)
	require.NoError(t, err)
	got, err := p.Float(templates.Env{Vars: map[string]float64{"quantitative": 80, "manager": 90, "customer": 60}})
	require.NoError(t, err)
	require.InDelta(t, 0.6*80+0.25*90+0.15*60, got, 1e-9)
}

func TestConditionsReadMetricsAndAMissingOneIsZero(t *testing.T) {
	tpl := csOps(t)
	p, err := templates.Compile(templates.CtxCondition, "metric.complaintRate > 5", tpl)
	require.NoError(t, err)
	hit, err := p.Bool(templates.Env{Metric: map[string]float64{"complaintRate": 7.5}})
	require.NoError(t, err)
	require.True(t, hit)
	hit, err = p.Bool(templates.Env{})
	require.NoError(t, err)
	require.False(t, hit)
}

func TestStageConditionsKnowTheQuarter(t *testing.T) {
	p, err := templates.Compile(templates.CtxStage, "quarterEnd && members >= 3", csOps(t))
	require.NoError(t, err)
	for month, want := range map[int]bool{3: true, 10: false, 12: true} {
		got, err := p.Bool(templates.Env{Month: month, Members: 4})
		require.NoError(t, err)
		require.Equal(t, want, got, month)
	}
}

func TestDiffMatchesListItemsByKey(t *testing.T) {
	a := csOps(t)
	b := csOps(t)
	b.Indicators[1].Weight = 25
	b.Indicators[2].Weight = 15
	changes := templates.Diff(a, b)
	require.Len(t, changes, 2)
	require.Equal(t, "/indicators/1/weight", changes[0].Path)
	require.Equal(t, "changed", changes[0].Op)

	c := csOps(t)
	extra := c.Indicators[0]
	extra.Key = "nps"
	c.Indicators = append([]templates.Indicator{extra}, c.Indicators...)
	changes = templates.Diff(a, c)
	require.Len(t, changes, 1, "inserting one indicator is one change, not a shifted list")
	require.Equal(t, templates.Change{Path: "/indicators/0", Op: "added", To: changes[0].To}, changes[0])

	d := csOps(t)
	d.Stages = d.Stages[:len(d.Stages)-1]
	changes = templates.Diff(a, d)
	require.Len(t, changes, 1)
	require.Equal(t, "removed", changes[0].Op)
	require.Equal(t, "/stages/4", changes[0].Path)
}

func TestChecksumIsStableAndSensitive(t *testing.T) {
	require.Equal(t, templates.Checksum([]byte("{}")), templates.Checksum([]byte("{}")))
	require.NotEqual(t, templates.Checksum([]byte("{}")), templates.Checksum([]byte("{ }")))
}

func TestTextFallsBackToChinese(t *testing.T) {
	require.Equal(t, "考核", templates.Text{Zh: "考核"}.In("en-GB"))
	require.Equal(t, "Review", templates.Text{Zh: "考核", En: "Review"}.In("en"))
	require.Equal(t, "考核", templates.Text{Zh: "考核", En: "Review"}.In("zh-CN"))
}

func TestSchemaIsDraft2020(t *testing.T) {
	var s map[string]any
	require.NoError(t, json.Unmarshal(templates.Schema(), &s))
	require.Equal(t, "https://json-schema.org/draft/2020-12/schema", s["$schema"])
}

func BenchmarkParseBuiltin(b *testing.B) {
	files, err := templates.BuiltinFiles()
	require.NoError(b, err)
	largest := files[0].Data
	for _, f := range files {
		if len(f.Data) > len(largest) {
			largest = f.Data
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, errs := templates.Parse(largest); len(errs) > 0 {
			b.Fatal(errs)
		}
	}
}
