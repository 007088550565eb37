package metrics

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Row is one value as a request or a sheet states it, before its member and
// indicator are resolved. The *At fields say where each part was written
// (a JSON pointer or a cell name), so a problem points at it.
type Row struct {
	Member      string // a member id or e-mail
	MemberAt    string
	Indicator   string
	IndicatorAt string
	Source      string // empty: the batch's source
	Value       float64
	ValueAt     string
}

// Problem points at one bad field or cell.
type Problem struct {
	Path    string
	Value   any
	Message string
}

// Sink takes what a parser reads, one row at a time, so a large file is
// never held whole as rows.
type Sink interface {
	Row(Row)
	Problem(Problem)
}

// ErrUnreadable means the body is not a CSV file or workbook at all.
var ErrUnreadable = errors.New("unreadable file")

// checkValue is the one rule for a value's number: Inf and NaN would be
// stored and then stall scoring.
func checkValue(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return errors.New("expected a finite number")
	}
	return nil
}

// parseValue reads a cell: a number, optionally with a trailing percent sign
// (the figure is kept as written: "12%" is 12).
func parseValue(s string) (float64, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	var ne *strconv.NumError
	if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
		return 0, errors.New("expected a finite number; this one is out of range")
	}
	if err != nil {
		return 0, errors.New("expected a number")
	}
	if err := checkValue(v); err != nil {
		return 0, err
	}
	return v, nil
}

// JSONBatch is the body of POST /metrics.
type JSONBatch struct {
	Period  string      `json:"period"`
	Source  string      `json:"source,omitempty"`
	Replace bool        `json:"replace,omitempty"` // overwrite values already recorded for the same member, indicator and period
	Values  []JSONValue `json:"values"`
}

// JSONValue is one value of a JSON batch; the member is named by id or e-mail.
type JSONValue struct {
	MemberID  string          `json:"memberId,omitempty"`
	Email     string          `json:"email,omitempty"`
	Indicator string          `json:"indicator"`
	Value     json.RawMessage `json:"value"`
	Source    string          `json:"source,omitempty"`
}

// Rows hands the batch's values to the sink. The value is read from its raw
// text so 1e309 is named by its row rather than failing the whole decode.
func (b *JSONBatch) Rows(sink Sink) {
	for i, v := range b.Values {
		p := fmt.Sprintf("/values/%d", i)
		r := Row{Member: v.MemberID, MemberAt: p + "/memberId", Indicator: v.Indicator, IndicatorAt: p + "/indicator", Source: v.Source, ValueAt: p + "/value"}
		if r.Member == "" {
			r.Member, r.MemberAt = v.Email, p+"/email"
		}
		raw := bytes.TrimSpace(v.Value)
		if len(raw) == 0 || raw[0] == '"' || raw[0] == 'n' || raw[0] == 't' || raw[0] == 'f' || raw[0] == '[' || raw[0] == '{' {
			sink.Problem(Problem{Path: r.ValueAt, Value: string(raw), Message: "expected a finite number"})
			continue
		}
		val, err := parseValue(string(raw))
		if err != nil {
			sink.Problem(Problem{Path: r.ValueAt, Value: string(raw), Message: err.Error()})
			continue
		}
		r.Value = val
		sink.Row(r)
	}
}

// ParseCSV reads a wide sheet from CSV (see wide), one record at a time.
func ParseCSV(r io.Reader, sink Sink) error {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	w := &wide{sink: sink}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: not valid CSV: %v", ErrUnreadable, err)
		}
		// The reader skips blank lines: name cells by the line a record
		// starts on, as a spreadsheet shows them.
		line, _ := cr.FieldPos(0)
		if err := w.line(line-1, rec); err != nil {
			return err
		}
	}
	return w.end()
}

// MaxUnzipped bounds what a workbook may expand to; excelize's default is 16 GB.
const MaxUnzipped = 256 << 20

// ParseXLSX reads a wide sheet from the first sheet of a workbook,
// streaming its rows.
func ParseXLSX(r io.Reader, sink Sink) (err error) {
	// A workbook is a zip of XML read by a third-party library: a hostile
	// file must be a 400, not a crashed request.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: not a readable .xlsx workbook (%v)", ErrUnreadable, p)
		}
	}()
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: MaxUnzipped})
	if err != nil {
		return fmt.Errorf("%w: not a readable .xlsx workbook: %v", ErrUnreadable, err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		return fmt.Errorf("%w: cannot read the first sheet: %v", ErrUnreadable, err)
	}
	defer rows.Close()
	w := &wide{sink: sink}
	for n := 0; rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("%w: cannot read row %d: %v", ErrUnreadable, n+1, err)
		}
		if err := w.line(n, cells); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("%w: cannot read the first sheet: %v", ErrUnreadable, err)
	}
	return w.end()
}

// ErrNoHeader and ErrNoRows refuse a sheet without its header's member
// column or without any member row.
var (
	ErrNoHeader = errors.New("the header needs an email (or memberId) column")
	ErrNoRows   = errors.New("the sheet needs a header row and at least one member row")
)

// wide reads the layout of the sheet Perfloop hands out: a header row with
// email (or memberId), an optional name, then one column per metric key
// ("customer:serviceAttitude" puts the value under the customer source);
// then one row per member. Empty cells are skipped.
type wide struct {
	sink      Sink
	headerRow int
	idCol     int
	columns   []column // by position; nil until the header is read
	rows      int
}

type column struct {
	source, indicator, header string
	value                     bool
}

// line takes the record on sheet row n (0-based); the first is the header.
func (w *wide) line(n int, cells []string) error {
	if w.columns == nil {
		w.headerRow = n
		return w.header(cells)
	}
	blank := true
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			blank = false
			break
		}
	}
	if blank {
		return nil
	}
	w.rows++
	member := ""
	if w.idCol < len(cells) {
		member = strings.TrimSpace(cells[w.idCol])
	}
	for col := 0; col < len(w.columns) && col < len(cells); col++ {
		c := w.columns[col]
		if !c.value || strings.TrimSpace(cells[col]) == "" {
			continue
		}
		at := cellName(col, n)
		v, err := parseValue(cells[col])
		if err != nil {
			w.sink.Problem(Problem{Path: at, Value: cells[col], Message: fmt.Sprintf("row %d, column %s: %s", n+1, c.header, err)})
			continue
		}
		w.sink.Row(Row{Member: member, MemberAt: cellName(w.idCol, n), Indicator: c.indicator, IndicatorAt: cellName(col, w.headerRow), Source: c.source, Value: v, ValueAt: at})
	}
	return nil
}

func (w *wide) header(cells []string) error {
	w.idCol = -1
	w.columns = make([]column, len(cells))
	for i, h := range cells {
		h = strings.TrimSpace(h)
		switch lh := strings.ToLower(h); lh {
		case "email", "memberid":
			if w.idCol < 0 {
				w.idCol = i
			}
			continue
		case "name", "姓名", "":
			continue
		}
		c := column{indicator: h, header: h, value: true}
		if i := strings.Index(h, ":"); i > 0 {
			c.source, c.indicator = h[:i], h[i+1:]
		}
		w.columns[i] = c
	}
	if w.idCol < 0 {
		return ErrNoHeader
	}
	return nil
}

func (w *wide) end() error {
	if w.columns == nil || w.rows == 0 {
		return ErrNoRows
	}
	return nil
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col+1, row+1)
	return name
}
