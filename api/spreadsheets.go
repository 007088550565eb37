package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// MaxUpload bounds a metrics spreadsheet.
const MaxUpload = 10 << 20

func documentSpreadsheetRoutes() {
	leads := []string{store.RoleAdmin, store.RoleHRBP, store.RoleManager}
	Document("GET", "/api/v1/cycles/:id/export.xlsx", Doc{Tag: "results", Summary: "Results and calibration changes as an Excel workbook with 中文/English headers", Roles: leads, Responses: map[int]any{200: nil}})
	Document("GET", "/api/v1/cycles/:id/metrics-template.xlsx", Doc{Tag: "metrics", Summary: "An Excel sheet to fill in: one row per member, one column per metric the template reads", Roles: leads, Responses: map[int]any{200: nil}})
	Document("POST", "/api/v1/metrics/upload", Doc{Tag: "metrics", Summary: "Ingest a filled-in sheet (text/csv or .xlsx): bad cells are reported by row and column and nothing is imported; the same file twice changes nothing", Roles: leads, Query: []string{"period", "source"}, Request: map[string]any{}, Responses: map[int]any{200: store.MetricUpsert{}}})
}

func (s *Server) spreadsheetRoutes(g *gin.RouterGroup) {
	leads := s.requireRole(store.RoleAdmin, store.RoleHRBP, store.RoleManager)
	g.GET("/cycles/:id/export.xlsx", leads, s.exportCycle)
	g.GET("/cycles/:id/metrics-template.xlsx", leads, s.metricsTemplate)
	g.POST("/metrics/upload", leads, s.uploadMetrics)
}

func (s *Server) memberNames(c *gin.Context) (map[string]store.Member, error) {
	ms, err := s.store.AllMembers(c.Request.Context(), caller(c).OrgID, store.MemberFilter{IncludeInactive: true})
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.Member, len(ms))
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, nil
}

func sendWorkbook(c *gin.Context, f *excelize.File, name string) {
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		writeError(c, err)
		return
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
}

// exportCycle writes results (with per-indicator scores) and calibration
// changes, headers in both languages, times in the cycle's time zone.
func (s *Server) exportCycle(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	tpl, _ := templates.Parse([]byte(cy.TemplateBody))
	results, err := s.store.AllResults(ctx, cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	names, err := s.memberNames(c)
	if err != nil {
		writeError(c, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	const res = "结果 Results"
	f.SetSheetName("Sheet1", res)
	head := []any{"排名 Rank", "姓名 Name", "邮箱 Email", "得分 Score", "建议等级 Proposed", "最终等级 Grade", "奖金 Bonus", "币种 Currency", "晋升 Promotion", "状态 State"}
	var inds []templates.Indicator
	if tpl != nil {
		inds = tpl.Indicators
	}
	for _, ind := range inds {
		head = append(head, ind.Name.Zh+" "+ind.Name.In("en"))
	}
	_ = f.SetSheetRow(res, "A1", &head)
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDE7F5"}, Pattern: 1}})
	last, _ := excelize.ColumnNumberToName(len(head))
	_ = f.SetCellStyle(res, "A1", last+"1", bold)
	_ = f.SetPanes(res, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	for i, r := range results {
		var scores map[string]float64
		_ = json.Unmarshal([]byte(r.IndicatorScores), &scores)
		m := names[r.MemberID]
		promo := "否 No"
		if r.Promotion {
			promo = "是 Yes"
		}
		row := []any{r.Rank, m.Name, m.Email, r.FinalScore, r.ProposedGrade, r.Grade, r.BonusAmount, r.BonusCurrency, promo, r.State}
		for _, ind := range inds {
			if v, ok := scores[ind.Key]; ok {
				row = append(row, v)
			} else {
				row = append(row, "")
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = f.SetSheetRow(res, cell, &row)
	}
	_ = f.SetColWidth(res, "B", "C", 24)
	const cal = "校准 Calibration"
	_, _ = f.NewSheet(cal)
	_ = f.SetSheetRow(cal, "A1", &[]any{"姓名 Name", "原等级 From", "新等级 To", "理由 Reason", "调整人 By", "时间 At"})
	_ = f.SetCellStyle(cal, "A1", "F1", bold)
	changes, err := s.store.ListCalibrationChanges(ctx, cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	loc, err := time.LoadLocation(cy.Timezone)
	if err != nil {
		loc = time.UTC
	}
	for i, ch := range changes {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = f.SetSheetRow(cal, cell, &[]any{names[ch.MemberID].Name, ch.FromGrade, ch.ToGrade, ch.Reason, names[ch.ChangedBy].Name, ch.CreatedAt.In(loc).Format("2006-01-02 15:04 MST")})
	}
	_ = f.SetColWidth(cal, "D", "D", 40)
	sendWorkbook(c, f, fmt.Sprintf("perfloop-%s-%s.xlsx", cy.TemplateKey, cy.Period))
}

// metricKeys are the columns a cycle's metrics sheet has: quantitative
// indicators, signals, and indicators customers rate through imported scores.
func metricKeys(t *templates.Template) []string {
	var out []string
	if t == nil {
		return out
	}
	for _, ind := range t.Indicators {
		if ind.Kind == templates.Quantitative {
			out = append(out, ind.Key)
		}
	}
	for _, sg := range t.Signals {
		out = append(out, sg.Key)
	}
	for _, r := range t.Raters {
		if r.InputOf() == "metrics" {
			for _, k := range r.Indicators {
				out = append(out, r.Key+":"+k)
			}
		}
	}
	return out
}

func (s *Server) metricsTemplate(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	tpl, _ := templates.Parse([]byte(cy.TemplateBody))
	keys := metricKeys(tpl)
	members, err := s.store.ListCycleMembers(c.Request.Context(), cy.ID)
	if err != nil {
		writeError(c, err)
		return
	}
	names, err := s.memberNames(c)
	if err != nil {
		writeError(c, err)
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := cy.Period
	f.SetSheetName("Sheet1", sheet)
	head := []any{"email", "name"}
	for _, k := range keys {
		head = append(head, k)
	}
	_ = f.SetSheetRow(sheet, "A1", &head)
	for i, m := range members {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = f.SetSheetRow(sheet, cell, &[]any{names[m.MemberID].Email, names[m.MemberID].Name})
	}
	_ = f.SetColWidth(sheet, "A", "B", 28)
	sendWorkbook(c, f, fmt.Sprintf("metrics-%s-%s.xlsx", cy.TemplateKey, cy.Period))
}

// uploadMetrics reads a wide sheet: email (or memberId), optional name,
// then one column per metric key ("customer:serviceAttitude" puts the
// value under the customer source). Empty cells are skipped.
func (s *Server) uploadMetrics(c *gin.Context) {
	data, err := readBody(c, MaxUpload)
	if err != nil {
		writeError(c, err)
		return
	}
	period, source := c.Query("period"), c.Query("source")
	if source == "" {
		source = "upload"
	}
	if !periodLabel(period) {
		writeError(c, badRequest("the period query parameter is required", Detail{Path: "period", Value: period, Message: "expected YYYY-MM, YYYY-Qn or YYYY"}))
		return
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var rows [][]string
	switch ct {
	case "text/csv":
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
		r.FieldsPerRecord = -1
		rows, err = r.ReadAll()
		if err != nil {
			writeError(c, badRequest("the file is not valid CSV: "+err.Error()))
			return
		}
	case xlsxType:
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			writeError(c, badRequest("the file is not a readable .xlsx workbook: "+err.Error()))
			return
		}
		defer f.Close()
		rows, err = f.GetRows(f.GetSheetName(0))
		if err != nil {
			writeError(c, badRequest("cannot read the first sheet: "+err.Error()))
			return
		}
	default:
		writeError(c, &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send text/csv or " + xlsxType})
		return
	}
	if len(rows) < 2 {
		writeError(c, badRequest("the sheet needs a header row and at least one member row"))
		return
	}
	me := caller(c)
	names, err := s.memberNames(c)
	if err != nil {
		writeError(c, err)
		return
	}
	byEmail := map[string]string{}
	for id, m := range names {
		byEmail[strings.ToLower(m.Email)] = id
	}
	head := rows[0]
	cell := func(row, col int) string {
		name, _ := excelize.CoordinatesToCellName(col+1, row+1)
		return name
	}
	var bad []Detail
	idCol := -1
	for i, h := range head {
		if h = strings.TrimSpace(strings.ToLower(h)); h == "email" || h == "memberid" {
			idCol = i
		}
	}
	if idCol < 0 {
		writeError(c, badRequest("the header needs an email (or memberId) column", Detail{Path: "A1", Value: strings.Join(head, ","), Message: "expected a column named email"}))
		return
	}
	var out []store.MetricValue
	for r := 1; r < len(rows); r++ {
		row := rows[r]
		if len(row) == 0 || strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		key := ""
		if idCol < len(row) {
			key = strings.TrimSpace(row[idCol])
		}
		member := byEmail[strings.ToLower(key)]
		if _, ok := names[key]; ok {
			member = key
		}
		if member == "" {
			bad = append(bad, Detail{Path: cell(r, idCol), Value: key, Message: fmt.Sprintf("row %d: no member has this email", r+1)})
			continue
		}
		for col := 0; col < len(head) && col < len(row); col++ {
			h := strings.TrimSpace(head[col])
			lh := strings.ToLower(h)
			if col == idCol || lh == "name" || lh == "姓名" || strings.TrimSpace(row[col]) == "" {
				continue
			}
			src, ind := source, h
			if i := strings.Index(h, ":"); i > 0 {
				src, ind = h[:i], h[i+1:]
			}
			if !validMetricKey(ind) {
				bad = append(bad, Detail{Path: cell(0, col), Value: h, Message: "the column is not a metric key such as retention or customer:serviceAttitude"})
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(row[col]), "%"), 64)
			if err != nil {
				bad = append(bad, Detail{Path: cell(r, col), Value: row[col], Message: fmt.Sprintf("row %d, column %s: expected a number", r+1, h)})
				continue
			}
			out = append(out, store.MetricValue{MemberID: member, IndicatorKey: ind, Period: period, Value: v, Source: src})
		}
	}
	if len(bad) > 0 {
		writeError(c, badRequest(fmt.Sprintf("%d problem(s) in the file; nothing was imported", len(bad)), dedupeDetails(bad)...))
		return
	}
	sum := sha256.Sum256(append([]byte(period+"|"+source+"|"), data...))
	res, err := s.store.UpsertMetricValues(c.Request.Context(), &store.MetricBatch{OrgID: me.OrgID, Checksum: hex.EncodeToString(sum[:]), FileName: "upload", CreatedBy: me.ID}, out)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func dedupeDetails(ds []Detail) []Detail {
	seen := map[string]bool{}
	var out []Detail
	for _, d := range ds {
		k := d.Path + "|" + d.Message
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}
