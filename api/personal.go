package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/store"
)

// Personal data requests (PIPL, GDPR): an admin exports everything held
// about one member, and erases a departed member. Both leave an audit entry.

func personalDataRoutes() []route {
	return []route{
		{"GET", "/api/v1/members/:id/export", adminOnly, (*Server).exportPersonalData, Doc{Tag: "organisation", Summary: "Everything held about one member (profile, team, tokens, cycles, targets, tasks with submissions, evaluations given and received — an anonymous rater's identity withheld —, results, calibration changes, nominations, interviews, development plans, notifications, metric values, audit entries) as JSON, or as an Excel workbook with format=xlsx; audited", Query: []string{"format"}, Responses: map[int]any{200: store.PersonalData{}}}},
		{"POST", "/api/v1/members/:id/erase", adminOnly, (*Server).eraseMember, Doc{Tag: "organisation", Summary: "Erase a departed (deactivated) member in one transaction: name and e-mail pseudonymised, free text they wrote or that was written about them replaced, scores, grades and metric values kept for statistics; 409 for an active member; again, changes nothing; audited", Responses: map[int]any{200: store.Erasure{}}}},
	}
}

func (s *Server) exportPersonalData(c *gin.Context) {
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "xlsx" {
		writeError(c, badRequest("unknown export format", Detail{Path: "format", Value: format, Message: "json or xlsx"}))
		return
	}
	me := caller(c)
	ctx := c.Request.Context()
	data, err := s.store.PersonalData(ctx, me.OrgID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	var f *excelize.File
	if format == "xlsx" {
		if f, err = personalWorkbook(data); err != nil {
			writeError(c, err)
			return
		}
	}
	// Audited before anything leaves: an export nobody can account for must not happen.
	if err := store.Audit(s.store.DB.WithContext(ctx), me.ID, "member.export", "member", data.Member.ID, map[string]any{"format": format, "counts": data.Counts}); err != nil {
		writeError(c, err)
		return
	}
	if f != nil {
		sendWorkbook(c, f, "personal-data-"+data.Member.ID+".xlsx")
		return
	}
	c.JSON(http.StatusOK, data)
}

func (s *Server) eraseMember(c *gin.Context) {
	me := caller(c)
	out, err := s.store.EraseMember(c.Request.Context(), me.OrgID, c.Param("id"), me.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// personalWorkbook lays the export out as one sheet per part, a row per
// record and a column per field (nested JSON stays JSON in its cell).
func personalWorkbook(d *store.PersonalData) (*excelize.File, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	keys, parts, err := orderedObject(b)
	if err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDE7F5"}, Pattern: 1}})
	first := true
	for _, key := range keys {
		var rows []json.RawMessage
		switch raw := bytes.TrimSpace(parts[key]); {
		case key == "counts":
			continue
		case len(raw) > 0 && raw[0] == '[':
			if err := json.Unmarshal(raw, &rows); err != nil {
				return nil, err
			}
		case len(raw) > 0 && raw[0] == '{':
			rows = []json.RawMessage{raw}
		default: // exportedAt, a null team
			if key == "exportedAt" {
				continue
			}
			rows = nil
		}
		sheet := sheetName(key)
		if first {
			if err := f.SetSheetName("Sheet1", sheet); err != nil {
				return nil, err
			}
			first = false
		} else if _, err := f.NewSheet(sheet); err != nil {
			return nil, err
		}
		var head []string
		seen := map[string]bool{}
		records := make([]map[string]json.RawMessage, len(rows))
		for i, r := range rows {
			ks, m, err := orderedObject(r)
			if err != nil {
				return nil, err
			}
			records[i] = m
			for _, k := range ks {
				if !seen[k] {
					seen[k] = true
					head = append(head, k)
				}
			}
		}
		if len(head) == 0 {
			head = []string{"(none)"}
		}
		for j, h := range head {
			cell, _ := excelize.CoordinatesToCellName(j+1, 1)
			if err := f.SetCellValue(sheet, cell, h); err != nil {
				return nil, err
			}
		}
		last, _ := excelize.ColumnNumberToName(len(head))
		_ = f.SetCellStyle(sheet, "A1", last+"1", bold)
		for i, rec := range records {
			for j, h := range head {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
				if err := f.SetCellValue(sheet, cell, cellValue(rec[h])); err != nil {
					return nil, err
				}
			}
		}
	}
	meta := "about"
	if _, err := f.NewSheet(meta); err != nil {
		return nil, err
	}
	_ = f.SetCellValue(meta, "A1", "exportedAt")
	_ = f.SetCellValue(meta, "B1", d.ExportedAt.Format("2006-01-02T15:04:05Z"))
	_ = f.SetCellValue(meta, "A2", "member")
	_ = f.SetCellValue(meta, "B2", d.Member.ID)
	counts := make([]string, 0, len(d.Counts))
	for k := range d.Counts {
		counts = append(counts, k)
	}
	sort.Strings(counts)
	for i, k := range counts {
		_ = f.SetCellValue(meta, fmt.Sprintf("A%d", i+4), k)
		_ = f.SetCellValue(meta, fmt.Sprintf("B%d", i+4), d.Counts[k])
	}
	return f, nil
}

// sheetName fits Excel's 31-character limit.
func sheetName(key string) string {
	if len(key) > 31 {
		return key[:31]
	}
	return key
}

// cellValue is a JSON value as a cell shows it: strings and numbers as
// themselves, null empty, objects and arrays as compact JSON.
func cellValue(raw json.RawMessage) any {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '{', '[':
		return string(raw)
	case 't', 'f':
		return string(raw) == "true"
	default:
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			if v, err := n.Float64(); err == nil {
				return v
			}
		}
	}
	return string(raw)
}

// orderedObject decodes a JSON object keeping its keys in order.
func orderedObject(b []byte) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("personal data export: expected a JSON object")
	}
	var keys []string
	m := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, dup := m[k]; !dup {
			keys = append(keys, k)
		}
		m[k] = v
	}
	return keys, m, nil
}
