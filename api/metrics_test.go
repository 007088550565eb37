package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/catalog"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/store/storetest"
)

// The demo organisation with the built-in templates published: chen.jing
// manages cs (lin.tao, guo.min, ...), liu.yang manages community (zhang.wei,
// ...), zhou.min manages ops above both, sun.li is the HRBP.
func metricsEnv(t *testing.T) *env {
	s := storetest.SQLite(t)
	_, err := catalog.SeedBuiltins(context.Background(), s)
	require.NoError(t, err)
	return newEnv(t, s)
}

const demoMail = "@demo.perfloop.dev"

// metricRow is one value as a test states it; column is an indicator key,
// or "rater:indicator" for a rating imported under the rater's source.
type metricRow struct{ who, column, value string }

var metricFormats = []string{"json", "csv", "xlsx"}

// sendMetrics posts the rows as a JSON batch or as a wide sheet (one
// column per distinct column key, one sheet row per metric row).
func (e *env) sendMetrics(format, who, period, source string, replace bool, rows []metricRow) resp {
	e.t.Helper()
	if format == "json" {
		var values []map[string]any
		for _, r := range rows {
			v := map[string]any{"email": r.who + demoMail, "indicator": r.column}
			if rater, ind, ok := strings.Cut(r.column, ":"); ok {
				v["indicator"], v["source"] = ind, rater
			}
			if json.Valid([]byte(r.value)) {
				v["value"] = json.RawMessage(r.value)
			} else {
				v["value"] = r.value
			}
			values = append(values, v)
		}
		body := map[string]any{"period": period, "values": values}
		if source != "" {
			body["source"] = source
		}
		if replace {
			body["replace"] = true
		}
		return e.do("POST", "/api/v1/metrics", who, body)
	}
	cols := sheetColumns(rows)
	sheet := [][]string{append([]string{"email"}, cols...)}
	for _, r := range rows {
		line := make([]string, len(cols)+1)
		line[0] = r.who + demoMail
		line[columnIndex(cols, r.column)+1] = r.value
		sheet = append(sheet, line)
	}
	var body []byte
	ct := "text/csv"
	if format == "csv" {
		var lines []string
		for _, l := range sheet {
			lines = append(lines, strings.Join(l, ","))
		}
		body = []byte(strings.Join(lines, "\n") + "\n")
	} else {
		ct = xlsx
		f := excelize.NewFile()
		for i, l := range sheet {
			for j, c := range l {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if v, err := strconv.ParseFloat(c, 64); err == nil && i > 0 && j > 0 && !strings.ContainsAny(c, "nN") {
					require.NoError(e.t, f.SetCellValue("Sheet1", cell, v))
				} else if c != "" {
					require.NoError(e.t, f.SetCellStr("Sheet1", cell, c))
				}
			}
		}
		var buf bytes.Buffer
		require.NoError(e.t, f.Write(&buf))
		body = buf.Bytes()
	}
	q := "?period=" + period
	if source != "" {
		q += "&source=" + source
	}
	if replace {
		q += "&replace=true"
	}
	status, data := e.raw("POST", "/api/v1/metrics/upload"+q, who, ct, body)
	r := resp{status: status, raw: string(data)}
	_ = json.Unmarshal(data, &r.body)
	return r
}

func sheetColumns(rows []metricRow) []string {
	var cols []string
	for _, r := range rows {
		if columnIndex(cols, r.column) < 0 {
			cols = append(cols, r.column)
		}
	}
	return cols
}

func columnIndex(cols []string, c string) int {
	for i, x := range cols {
		if x == c {
			return i
		}
	}
	return -1
}

// valueAt is where a row's value is named in an error: its JSON pointer or
// its cell.
func valueAt(format string, rows []metricRow, i int) string {
	if format == "json" {
		return fmt.Sprintf("/values/%d/value", i)
	}
	cell, _ := excelize.CoordinatesToCellName(columnIndex(sheetColumns(rows), rows[i].column)+2, i+2)
	return cell
}

func detailsOf(t *testing.T, r resp) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range errorOf(t, r)["details"].([]any) {
		out = append(out, d.(map[string]any))
	}
	return out
}

func detailAt(t *testing.T, r resp, path string) map[string]any {
	t.Helper()
	for _, d := range detailsOf(t, r) {
		if d["path"] == path {
			return d
		}
	}
	require.Failf(t, "no detail at "+path, "%s", r.raw)
	return nil
}

func storedMetrics(t *testing.T, e *env, member, period string) []store.MetricValue {
	t.Helper()
	m, err := e.store.MemberByEmail(context.Background(), member+demoMail)
	require.NoError(t, err)
	vals, err := e.store.ListMetricValues(context.Background(), store.MetricFilter{MemberIDs: []string{m.ID}, Period: period})
	require.NoError(t, err)
	return vals
}

func TestNonFiniteMetricValuesAreRefusedOnEveryPathNamingTheirRowAndColumn(t *testing.T) {
	e := metricsEnv(t)
	for _, format := range metricFormats {
		t.Run(format, func(t *testing.T) {
			bad := []string{"Inf", "-Inf", "NaN", "1e309", "-1e309", "Infinity"}
			for _, v := range bad {
				rows := []metricRow{{"lin.tao", "retention", "41"}, {"guo.min", "satisfaction", v}}
				r := e.sendMetrics(format, "chen.jing", "2026-10", "crm", false, rows)
				require.Equal(t, 400, r.status, "%s: %s", v, r.raw)
				d := detailAt(t, r, valueAt(format, rows, 1))
				require.Contains(t, d["message"], "finite", v)
				require.Empty(t, storedMetrics(t, e, "lin.tao", "2026-10"), "nothing of a refused batch is written")
			}
		})
	}
}

func TestUnknownIndicatorKeysAreRefusedListingTheKnownOnes(t *testing.T) {
	e := metricsEnv(t)
	for _, format := range metricFormats {
		t.Run(format, func(t *testing.T) {
			rows := []metricRow{{"lin.tao", "retention", "41"}, {"guo.min", "fanCount", "50"}}
			r := e.sendMetrics(format, "chen.jing", "2026-10", "crm", false, rows)
			require.Equal(t, 400, r.status, r.raw)
			var found map[string]any
			for _, d := range detailsOf(t, r) {
				if d["value"] == "fanCount" {
					found = d
				}
			}
			require.NotNil(t, found, r.raw)
			require.Contains(t, found["message"], "retention")
			require.Contains(t, found["message"], "satisfaction")
			require.Empty(t, storedMetrics(t, e, "lin.tao", "2026-10"))
		})
	}
}

func TestARepeatedRowInOneRequestOrFileIsRefused(t *testing.T) {
	e := metricsEnv(t)
	for _, format := range metricFormats {
		t.Run(format, func(t *testing.T) {
			rows := []metricRow{{"lin.tao", "retention", "41"}, {"guo.min", "retention", "40"}, {"lin.tao", "retention", "41"}}
			r := e.sendMetrics(format, "chen.jing", "2026-10", "crm", false, rows)
			require.Equal(t, 400, r.status, r.raw)
			require.Contains(t, detailAt(t, r, valueAt(format, rows, 2))["message"], "repeats "+valueAt(format, rows, 0))
			require.Empty(t, storedMetrics(t, e, "lin.tao", "2026-10"))
		})
	}
}

// The incident: satisfaction 84 arrived from the CRM by JSON and again by
// CSV upload; scoring summed them to 170 and failed forever.
func TestASecondValueForAMemberIndicatorAndPeriodIsRefusedUnlessReplacedAndTheReplacementIsAudited(t *testing.T) {
	e := metricsEnv(t)
	for i, format := range metricFormats {
		t.Run(format, func(t *testing.T) {
			period := fmt.Sprintf("2026-%02d", 10+i)
			first := []metricRow{{"lin.tao", "satisfaction", "84"}}
			r := e.sendMetrics("json", "chen.jing", period, "crm", false, first)
			require.Equal(t, 200, r.status, r.raw)

			again := []metricRow{{"guo.min", "satisfaction", "90"}, {"lin.tao", "satisfaction", "84"}}
			r = e.sendMetrics(format, "sun.li", period, "upload", false, again)
			require.Equal(t, 409, r.status, r.raw)
			d := detailAt(t, r, valueAt(format, again, 1))
			require.EqualValues(t, 84, d["value"])
			require.Contains(t, d["message"], "source crm")
			require.Contains(t, d["message"], "by chen.jing"+demoMail)
			require.Contains(t, errorOf(t, r)["message"], "replace")
			require.Empty(t, storedMetrics(t, e, "guo.min", period), "nothing of a refused batch is written")

			r = e.sendMetrics(format, "sun.li", period, "upload", true, again)
			require.Equal(t, 200, r.status, r.raw)
			require.EqualValues(t, 1, r.body["inserted"])
			require.EqualValues(t, 1, r.body["updated"])
			vals := storedMetrics(t, e, "lin.tao", period)
			require.Len(t, vals, 1, "one value, never a sum")
			require.Equal(t, 84.0, vals[0].Value)
			require.Equal(t, "upload", vals[0].Source)

			hr, err := e.store.MemberByEmail(context.Background(), "sun.li"+demoMail)
			require.NoError(t, err)
			require.Equal(t, hr.ID, vals[0].RecordedBy)
			entries, _, err := e.store.ListAudit(context.Background(), store.AuditFilter{ActorID: hr.ID}, store.Page{Limit: 50})
			require.NoError(t, err)
			var replaced string
			for _, a := range entries {
				if a.Action == "metrics.replace" && strings.Contains(a.Detail, period) {
					replaced = a.Detail
				}
			}
			require.Contains(t, replaced, `"source":"crm"`)
			require.Contains(t, replaced, `"to":{"source":"upload","value":84}`)
		})
	}
}

func TestManagersWriteMetricsOnlyForMembersOfTheTeamsTheyManage(t *testing.T) {
	e := metricsEnv(t)
	for i, format := range metricFormats {
		t.Run(format, func(t *testing.T) {
			period := fmt.Sprintf("2026-%02d", 10+i)
			rows := []metricRow{{"lin.tao", "retention", "41"}, {"zhang.wei", "retention", "40"}, {"wang.fang", "retention", "39"}}
			r := e.sendMetrics(format, "chen.jing", period, "crm", false, rows)
			require.Equal(t, 403, r.status, r.raw)
			var refused []any
			for _, d := range detailsOf(t, r) {
				refused = append(refused, d["value"])
			}
			require.Equal(t, []any{"zhang.wei" + demoMail, "wang.fang" + demoMail}, refused)
			require.Empty(t, storedMetrics(t, e, "lin.tao", period))

			own := []metricRow{{"chen.jing", "retention", "99"}}
			require.Equal(t, 403, e.sendMetrics(format, "chen.jing", period, "crm", false, own).status, "a manager never writes their own figures")

			// The head of ops manages both teams through the subtree.
			r = e.sendMetrics(format, "zhou.min", period, "crm", false, rows)
			require.Equal(t, 200, r.status, r.raw)
			boss, err := e.store.MemberByEmail(context.Background(), "zhou.min"+demoMail)
			require.NoError(t, err)
			require.Equal(t, boss.ID, storedMetrics(t, e, "zhang.wei", period)[0].RecordedBy)

			hr := []metricRow{{"lin.tao", "satisfaction", "88"}}
			require.Equal(t, 200, e.sendMetrics(format, "sun.li", period, "crm", false, hr).status)
			admin := []metricRow{{"lin.tao", "responseTime", "3"}}
			require.Equal(t, 200, e.sendMetrics(format, "admin", period, "crm", false, admin).status)
		})
	}
}

func TestCustomerRatingsAreRefusedUnderASourceNoRaterReads(t *testing.T) {
	e := metricsEnv(t)
	for i, format := range metricFormats {
		t.Run(format, func(t *testing.T) {
			period := fmt.Sprintf("2026-%02d", 10+i)
			r := e.sendMetrics(format, "chen.jing", period, "crm", false, []metricRow{{"lin.tao", "serviceAttitude", "88"}})
			require.Equal(t, 400, r.status, r.raw)
			require.Contains(t, firstDetail(t, r)["message"], "customer:serviceAttitude")
			r = e.sendMetrics(format, "chen.jing", period, "crm", false, []metricRow{{"lin.tao", "customer:serviceAttitude", "88"}})
			require.Equal(t, 200, r.status, r.raw)
			require.Equal(t, "customer", storedMetrics(t, e, "lin.tao", period)[0].Source)
		})
	}
}

func TestCustomerRatingsArriveUnderTheSourceTheirGroupNames(t *testing.T) {
	e := metricsEnv(t)
	body := builtinBody(t, "cs-ops-monthly")
	body["key"] = "cs-ops-survey"
	at(body, "raters", 2)["source"] = "survey"
	r := e.do("POST", "/api/v1/templates", "admin", body)
	require.Equal(t, 201, r.status, r.raw)
	r = e.do("POST", "/api/v1/templates/cs-ops-survey/versions/1/publish", "admin", nil)
	require.Equal(t, 200, r.status, r.raw)

	r = e.sendMetrics("json", "chen.jing", "2026-10", "crm", false, []metricRow{{"lin.tao", "survey:serviceAttitude", "88"}})
	require.Equal(t, 200, r.status, r.raw)
	require.Equal(t, "survey", storedMetrics(t, e, "lin.tao", "2026-10")[0].Source)

	r = e.sendMetrics("json", "chen.jing", "2026-11", "crm", false, []metricRow{{"lin.tao", "serviceAttitude", "88"}})
	require.Equal(t, 400, r.status, r.raw)
	d := firstDetail(t, r)
	require.Equal(t, "/values/0/indicator", d["path"])
	require.Contains(t, d["message"], `under source "crm"`)
	require.Contains(t, d["message"], "read from source customer or survey")
	require.Empty(t, storedMetrics(t, e, "lin.tao", "2026-11"))
}

func TestALongListOfBadRowsIsCutToTheFirstHundredAndACount(t *testing.T) {
	e := metricsEnv(t)
	var csv strings.Builder
	csv.WriteString("email,retention\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&csv, "ghost%d@nowhere.test,%d\n", i, i)
	}
	status, data := e.raw("POST", "/api/v1/metrics/upload?period=2026-10&source=crm", "chen.jing", "text/csv", []byte(csv.String()))
	require.Equal(t, 400, status)
	var body struct {
		Error struct {
			Message string
			Details []map[string]any
			Omitted int
		}
	}
	require.NoError(t, json.Unmarshal(data, &body))
	require.Len(t, body.Error.Details, 100)
	require.Equal(t, 4900, body.Error.Omitted)
	require.Equal(t, "A2", body.Error.Details[0]["path"])
	require.Contains(t, body.Error.Message, "5000 problem(s)")
	require.Less(t, len(data), 20_000)
}
