package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/metrics"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// MaxUpload bounds a metrics spreadsheet.
const MaxUpload = 10 << 20

func spreadsheetRoutes() []route {
	return []route{
		{"GET", "/api/v1/cycles/:id/export.xlsx", leadsOnly, (*Server).exportCycle, Doc{Tag: "results", Summary: "Results and calibration changes as an Excel workbook with 中文/English headers", Responses: map[int]any{200: nil}}},
		{"GET", "/api/v1/cycles/:id/metrics-template.xlsx", leadsOnly, (*Server).metricsTemplate, Doc{Tag: "metrics", Summary: "An Excel sheet to fill in: one row per member, one column per metric the template reads", Responses: map[int]any{200: nil}}},
		{"POST", "/api/v1/metrics/upload", leadsOnly, (*Server).uploadMetrics, Doc{Tag: "metrics", Summary: "Ingest a filled-in sheet (text/csv or .xlsx) under the same rules as POST /metrics: bad cells are reported by row and column (the first 100, then a count) and nothing is imported; replace=true overwrites recorded values; the same file twice changes nothing", Query: []string{"period", "source", "replace"}, Request: map[string]any{}, Responses: map[int]any{200: store.MetricUpsert{}}}},
	}
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
	_ = f.SetSheetName("Sheet1", res)
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

func (s *Server) metricsTemplate(c *gin.Context) {
	cy, ok := s.cycleLead(c)
	if !ok {
		return
	}
	tpl, _ := templates.Parse([]byte(cy.TemplateBody))
	keys := metrics.Columns(tpl)
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
	_ = f.SetSheetName("Sheet1", sheet)
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
