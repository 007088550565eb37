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

	"github.com/perfloop/perfloop/store"
)

// MaxImport bounds an organisation file; a 5,000-member CSV is about 600 KB.
const MaxImport = 10 << 20

// csvColumns are the columns of the members CSV, in the order the sample file
// has them. team_name and parent_team create or rename the team on the fly.
var csvColumns = []string{"name", "email", "role", "team", "team_name", "parent_team", "position", "level", "manager", "timezone", "locale", "joined_on"}

// importOrg upserts teams and members from JSON (application/json, an
// OrgImport) or CSV (text/csv, one member per line). ?dryRun=true reports
// what would change without writing. A bad field anywhere imports nothing.
func (s *Server) importOrg(c *gin.Context) {
	data, err := readBody(c, MaxImport)
	if err != nil {
		writeError(c, err)
		return
	}
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var in store.OrgImport
	var lines csvLines
	switch ct {
	case "application/json", "":
		if err := decodeStrict(data, &in); err != nil {
			writeError(c, err)
			return
		}
	case "text/csv":
		in, lines, err = parseMembersCSV(data)
		if err != nil {
			writeError(c, err)
			return
		}
	default:
		writeError(c, &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "send application/json (teams and members) or text/csv (members, one per line)"})
		return
	}
	me := caller(c)
	rep, err := s.store.ImportOrg(c.Request.Context(), me.OrgID, me.ID, in, c.Query("dryRun") == "true")
	var rows store.ImportErrors
	if errors.As(err, &rows) && ct == "text/csv" {
		writeError(c, lines.explain(rows))
		return
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

// csvLines remembers which CSV line produced each member and team, so errors
// name the line and column a person sees in their spreadsheet.
type csvLines struct {
	member []int
	team   []int
}

func (l csvLines) explain(rows store.ImportErrors) *Error {
	out := badRequest("the CSV has bad rows; nothing was imported")
	for _, r := range rows {
		line, col := 0, r.Field
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
	var in store.OrgImport
	var lines csvLines
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // Excel writes a BOM before UTF-8 CSV
	r := csv.NewReader(bytes.NewReader(data))
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err == io.EOF {
		return in, lines, badRequest("the CSV is empty; the first line must name the columns: " + strings.Join(csvColumns, ","))
	}
	if err != nil {
		return in, lines, badRequest("the CSV header cannot be read: " + err.Error())
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range csvColumns {
			known = known || c == h
		}
		if !known {
			return in, lines, badRequest("unknown CSV column", Detail{Path: fmt.Sprintf("line 1, column %d", i+1), Value: h,
				Message: "columns are " + strings.Join(csvColumns, ", ")})
		}
		index[h] = i
	}
	for _, need := range []string{"name", "email", "role"} {
		if _, ok := index[need]; !ok {
			return in, lines, badRequest("missing CSV column", Detail{Path: "line 1", Value: need, Message: "the header must include name, email and role"})
		}
	}
	teamRow := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return in, lines, badRequest("the CSV cannot be read", Detail{Path: fmt.Sprintf("line %d", line), Message: err.Error()})
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
		return in, lines, badRequest("the CSV has a header but no members")
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
