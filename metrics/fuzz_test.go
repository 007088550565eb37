package metrics

import (
	"bytes"
	"math"
	"testing"

	"github.com/xuri/excelize/v2"
)

type collected struct {
	rows     []Row
	problems []Problem
}

func (c *collected) Row(r Row)         { c.rows = append(c.rows, r) }
func (c *collected) Problem(p Problem) { c.problems = append(c.problems, p) }

func acceptedRowsAreFinite(t *testing.T, c *collected) {
	for _, r := range c.rows {
		if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
			t.Fatalf("a non-finite value %v was accepted at %s", r.Value, r.ValueAt)
		}
		if r.ValueAt == "" || r.MemberAt == "" || r.IndicatorAt == "" {
			t.Fatalf("a row without its place: %+v", r)
		}
	}
}

var sheetSeeds = [][]string{
	{"email,name,retention,customer:serviceAttitude", "lin.tao@x.dev,林涛,41,88", "guo.min@x.dev,,12%,"},
	{"email,retention,satisfaction", "a@x.dev,Inf,NaN", "b@x.dev,1e309,-Infinity", "c@x.dev,0x1p-2,1_000"},
	{"\xef\xbb\xbfmemberId,retention", "01a2,  7 ", ",", "01a3,\"4,5\""},
	{"name,retention", "x,1"},
	{"email", ""},
}

// FuzzMetricsCSV: the CSV parser never panics and never hands on a value
// scoring could not use.
func FuzzMetricsCSV(f *testing.F) {
	for _, s := range sheetSeeds {
		var b bytes.Buffer
		for _, l := range s {
			b.WriteString(l + "\n")
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte("email,retention\n\"a@x.dev,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collected
		_ = ParseCSV(bytes.NewReader(data), &c)
		acceptedRowsAreFinite(t, &c)
	})
}

// FuzzMetricsXLSX: the workbook parser never panics and never hands on a
// value scoring could not use.
func FuzzMetricsXLSX(f *testing.F) {
	for _, s := range sheetSeeds {
		wb := excelize.NewFile()
		for i, l := range s {
			cells := bytes.Split([]byte(l), []byte(","))
			row := make([]any, len(cells))
			for j, c := range cells {
				row[j] = string(c)
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := wb.SetSheetRow("Sheet1", cell, &row); err != nil {
				f.Fatal(err)
			}
		}
		var b bytes.Buffer
		if err := wb.Write(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c collected
		_ = ParseXLSX(bytes.NewReader(data), &c)
		acceptedRowsAreFinite(t, &c)
	})
}
