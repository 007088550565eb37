package metrics

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

func TestASheetCellIsANumberOrAPercentAndNeverInfinite(t *testing.T) {
	for in, want := range map[string]float64{"41": 41, " 7 ": 7, "12%": 12, "-0.5": -0.5, "3e2": 300} {
		v, err := parseValue(in)
		require.NoError(t, err, in)
		require.Equal(t, want, v, in)
	}
	for _, in := range []string{"Inf", "+Inf", "-inf", "NaN", "Infinity", "1e309", "-1e309"} {
		_, err := parseValue(in)
		require.ErrorContains(t, err, "finite", in)
	}
	for _, in := range []string{"forty", "", "%", "1,5"} {
		_, err := parseValue(in)
		require.ErrorContains(t, err, "expected a number", in)
	}
}

func TestACSVSheetNamesEveryValueByItsCell(t *testing.T) {
	var c collected
	err := ParseCSV(strings.NewReader("\xef\xbb\xbfEmail,姓名,retention,customer:serviceAttitude\nlin.tao@x.dev,林涛,41,\n\n,,,\nguo.min@x.dev,,Inf,88\n"), &c)
	require.NoError(t, err)
	require.Equal(t, []Row{
		{Member: "lin.tao@x.dev", MemberAt: "A2", Indicator: "retention", IndicatorAt: "C1", Value: 41, ValueAt: "C2"},
		{Member: "guo.min@x.dev", MemberAt: "A5", Indicator: "serviceAttitude", IndicatorAt: "D1", Source: "customer", Value: 88, ValueAt: "D5"},
	}, c.rows)
	require.Equal(t, []Problem{{Path: "C5", Value: "Inf", Message: "row 5, column retention: expected a finite number"}}, c.problems)

	require.ErrorIs(t, ParseCSV(strings.NewReader("name,retention\nx,1\n"), &c), ErrNoHeader)
	require.ErrorIs(t, ParseCSV(strings.NewReader("email,retention\n"), &c), ErrNoRows)
	require.ErrorIs(t, ParseCSV(strings.NewReader("email,retention\n\"a,1\n"), &c), ErrUnreadable)
}

func TestAWorkbookNamesEveryValueByItsCellAcrossEmptyRows(t *testing.T) {
	wb := excelize.NewFile()
	require.NoError(t, wb.SetSheetRow("Sheet1", "A1", &[]any{"email", "retention"}))
	require.NoError(t, wb.SetSheetRow("Sheet1", "A2", &[]any{"lin.tao@x.dev", 41}))
	require.NoError(t, wb.SetSheetRow("Sheet1", "A4", &[]any{"guo.min@x.dev", "NaN"}))
	var buf bytes.Buffer
	require.NoError(t, wb.Write(&buf))
	var c collected
	require.NoError(t, ParseXLSX(&buf, &c))
	require.Equal(t, []Row{{Member: "lin.tao@x.dev", MemberAt: "A2", Indicator: "retention", IndicatorAt: "B1", Value: 41, ValueAt: "B2"}}, c.rows)
	require.Equal(t, []Problem{{Path: "B4", Value: "NaN", Message: "row 4, column retention: expected a finite number"}}, c.problems)
	require.ErrorIs(t, ParseXLSX(strings.NewReader("PK\x03\x04 not a zip"), &c), ErrUnreadable)
}
