package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/perfloop/perfloop/store"
)

// MaxImport bounds an organisation file; a 5,000-member CSV is about 600 KB.
const MaxImport = 10 << 20

// csvColumns are the columns of the members CSV, in the order the sample file
// has them. team_name and parent_team create or rename the team on the fly.
var csvColumns = []string{"name", "email", "role", "team", "team_name", "parent_team", "position", "level", "manager", "timezone", "locale", "joined_on"}

// importOrg upserts teams and members from JSON (application/json, an
// OrgImport), CSV (text/csv, one member per line) or the same columns in an
// XLSX workbook's first sheet. ?dryRun=true reports what would change
// without writing. A bad field anywhere imports nothing.
func (s *Server) importOrg(c *gin.Context) {
	data, err := readBody(c, MaxImport)
	if err != nil {
		writeError(c, err)
		return
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	f, err := ReadOrgFile(ct, data)
	if err != nil {
		writeError(c, err)
		return
	}
	me := caller(c)
	rep, err := s.store.ImportOrg(c.Request.Context(), me.OrgID, me.ID, f.Import, c.Query("dryRun") == "true")
	if err != nil {
		writeError(c, f.Explain(err))
		return
	}
	c.JSON(http.StatusOK, rep)
}

// OrgFile is an organisation file read the way POST /org/import reads it;
// `perfloop org import` reads files through it too, so a file imports the
// same way, with the same errors, through either door.
type OrgFile struct {
	Import store.OrgImport
	lines  *csvLines // where each row came from in a CSV or XLSX; nil for JSON
}

// XLSXMediaType is the media type of an Excel workbook.
const XLSXMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// ReadOrgFile parses an organisation file of a media type: application/json
// (or none), text/csv, or an XLSX workbook.
func ReadOrgFile(mediaType string, data []byte) (*OrgFile, error) {
	f := &OrgFile{}
	var err error
	switch mediaType {
	case "application/json", "":
		err = decodeStrict(data, &f.Import)
	case "text/csv":
		f.lines = &csvLines{}
		f.Import, *f.lines, err = parseMembersCSV(data)
	case XLSXMediaType:
		f.lines = &csvLines{}
		f.Import, *f.lines, err = parseMembersXLSX(data)
	default:
		err = &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "send application/json (teams and members), text/csv or an XLSX workbook (members, one per row)"}
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Explain returns an import's error as the API answers it: bad rows of a
// CSV or workbook are named by line and column, of JSON by pointer.
func (f *OrgFile) Explain(err error) error {
	var rows store.ImportErrors
	if !errors.As(err, &rows) {
		return err
	}
	if f.lines != nil {
		return f.lines.explain(rows)
	}
	return classify(err)
}

// csvLines remembers which CSV line produced each member and team, so errors
// name the line and column a person sees in their spreadsheet.
type csvLines struct {
	member []int
	team   []int
}

func (l csvLines) explain(rows store.ImportErrors) *Error {
	out := badRequest("the file has bad rows; nothing was imported")
	for _, r := range rows {
		var line int
		var col string
		if r.List == "members" {
			line = l.member[r.Row]
			col = csvColumnOf(r.Field)
		} else {
			line = l.team[r.Row]
			col = map[string]string{"key": "team", "name": "team_name", "parent": "parent_team"}[r.Field]
		}
		out.Details = append(out.Details, Detail{Path: fmt.Sprintf("line %d, column %s", line, col), Value: r.Value, Message: r.Message})
	}
	return out
}

func csvColumnOf(field string) string {
	if field == "joinedOn" {
		return "joined_on"
	}
	return field
}

func parseMembersCSV(data []byte) (store.OrgImport, csvLines, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel writes a BOM before UTF-8 CSV
	r := csv.NewReader(bytes.NewReader(data))
	r.TrimLeadingSpace = true
	return parseMemberRows("CSV", func() ([]string, int, error) {
		rec, err := r.Read()
		if err == io.EOF {
			return nil, 0, err
		}
		// FieldPos panics when the record has no fields, as after a parse
		// error (a lone quote); the error knows its own line.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return rec, pe.StartLine, err
		}
		line, _ := r.FieldPos(0)
		return rec, line, err
	})
}

// parseMembersXLSX reads the first sheet of a workbook, with the CSV's
// columns, so people can upload the spreadsheet they keep.
func parseMembersXLSX(data []byte) (store.OrgImport, csvLines, error) {
	wb, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return store.OrgImport{}, csvLines{}, badRequest("the workbook cannot be read as XLSX: " + err.Error())
	}
	defer wb.Close()
	rows, err := wb.GetRows(wb.GetSheetName(0))
	if err != nil {
		return store.OrgImport{}, csvLines{}, badRequest("the workbook's first sheet cannot be read: " + err.Error())
	}
	next := 0
	return parseMemberRows("sheet", func() ([]string, int, error) {
		for next < len(rows) && len(strings.Join(rows[next], "")) == 0 {
			next++ // blank rows between people are common in hand-kept sheets
		}
		if next == len(rows) {
			return nil, next, io.EOF
		}
		next++
		return rows[next-1], next, nil
	})
}

// parseMemberRows reads members, one per row after a header naming the
// columns; next returns a row, its 1-based line, and io.EOF after the last.
func parseMemberRows(kind string, next func() ([]string, int, error)) (store.OrgImport, csvLines, error) {
	var in store.OrgImport
	var lines csvLines
	header, _, err := next()
	if err == io.EOF {
		return in, lines, badRequest("the " + kind + " is empty; the first line must name the columns: " + strings.Join(csvColumns, ","))
	}
	if err != nil {
		return in, lines, badRequest("the " + kind + " header cannot be read: " + err.Error())
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range csvColumns {
			known = known || c == h
		}
		if !known {
			return in, lines, badRequest("unknown "+kind+" column", Detail{Path: fmt.Sprintf("line 1, column %d", i+1), Value: h,
				Message: "columns are " + strings.Join(csvColumns, ", ")})
		}
		index[h] = i
	}
	for _, need := range []string{"name", "email", "role"} {
		if _, ok := index[need]; !ok {
			return in, lines, badRequest("missing "+kind+" column", Detail{Path: "line 1", Value: need, Message: "the header must include name, email and role"})
		}
	}
	teamRow := map[string]int{}
	for {
		rec, line, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, lines, badRequest("the "+kind+" cannot be read", Detail{Path: fmt.Sprintf("line %d", line), Message: err.Error()})
		}
		get := func(col string) string {
			if i, ok := index[col]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		m := store.ImportMember{Name: get("name"), Email: get("email"), Role: get("role"), Team: get("team"), Position: get("position"),
			Level: get("level"), Manager: get("manager"), Timezone: get("timezone"), Locale: get("locale"), JoinedOn: get("joined_on")}
		in.Members = append(in.Members, m)
		lines.member = append(lines.member, line)
		if name := get("team_name"); m.Team != "" && name != "" {
			if _, seen := teamRow[m.Team]; !seen {
				teamRow[m.Team] = len(in.Teams)
				in.Teams = append(in.Teams, store.ImportTeam{Key: m.Team, Name: name, Parent: get("parent_team")})
				lines.team = append(lines.team, line)
			}
		}
	}
	if len(in.Members) == 0 {
		return in, lines, badRequest("the " + kind + " has a header but no members")
	}
	return in, lines, nil
}

func (s *Server) listAudit(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	entries, total, err := s.store.ListAudit(c.Request.Context(), store.AuditFilter{OrgID: caller(c).OrgID, Entity: c.Query("entity"), EntityID: c.Query("entityId"), ActorID: c.Query("actorId")}, p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(entries, total, p))
}
