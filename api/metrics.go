package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/metrics"
	"github.com/perfloop/perfloop/store"
)

type metricsInput = metrics.JSONBatch

// ingestMetrics takes a JSON batch of metric values. Members are named by
// id or email; the rules are metrics.Import's, the same as for uploads.
func (s *Server) ingestMetrics(c *gin.Context) {
	data, err := readBody(c, MaxBody)
	if err != nil {
		writeError(c, err)
		return
	}
	var in metricsInput
	if err := decodeStrict(data, &in); err != nil {
		writeError(c, err)
		return
	}
	im, err := s.beginMetrics(c, metrics.Batch{Period: in.Period, Source: in.Source, Replace: in.Replace, Origin: "api"}, data)
	if err != nil {
		writeError(c, metricsError(err, "/period"))
		return
	}
	in.Rows(im)
	s.commitMetrics(c, im)
}

// uploadMetrics reads a filled-in sheet (CSV or the first sheet of a
// workbook); see metrics.ParseCSV for its layout.
func (s *Server) uploadMetrics(c *gin.Context) {
	data, err := readBody(c, MaxUpload)
	if err != nil {
		writeError(c, err)
		return
	}
	parse := metrics.ParseCSV
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch ct {
	case "text/csv":
	case xlsxType:
		parse = metrics.ParseXLSX
	default:
		writeError(c, &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send text/csv or " + xlsxType})
		return
	}
	replace, err := strconv.ParseBool(c.DefaultQuery("replace", "false"))
	if err != nil {
		writeError(c, badRequest("replace is true or false", Detail{Path: "replace", Value: c.Query("replace"), Message: "expected true or false"}))
		return
	}
	b := metrics.Batch{Period: c.Query("period"), Source: c.Query("source"), Replace: replace, Origin: "upload"}
	im, err := s.beginMetrics(c, b, []byte(fmt.Sprintf("%s|%s|%t|", b.Period, b.Source, replace)), data)
	if err != nil {
		writeError(c, metricsError(err, "period"))
		return
	}
	if err := parse(bytes.NewReader(data), im); err != nil {
		writeError(c, metricsError(err, ""))
		return
	}
	s.commitMetrics(c, im)
}

// beginMetrics starts an import for the caller: admins and HR write any
// member's metrics, managers those of the members of the teams they
// manage (their subtrees), never their own.
func (s *Server) beginMetrics(c *gin.Context, b metrics.Batch, body ...[]byte) (*metrics.Import, error) {
	me := caller(c)
	ctx := c.Request.Context()
	may, err := s.metricWriter(ctx, me)
	if err != nil {
		return nil, err
	}
	sum := sha256.New()
	for _, part := range body {
		sum.Write(part)
	}
	b.OrgID, b.ActorID, b.MayWrite, b.Checksum = me.OrgID, me.ID, may, hex.EncodeToString(sum.Sum(nil))
	svc := &metrics.Service{Store: s.store, Log: s.log}
	if s.cycles != nil {
		svc.Resume = s.cycles.Resume
	}
	return svc.Begin(ctx, b)
}

func (s *Server) metricWriter(ctx context.Context, me *store.Member) (func(*store.Member) bool, error) {
	if me.Role == store.RoleAdmin || me.Role == store.RoleHRBP {
		return nil, nil
	}
	teams, err := s.managedTeams(ctx, me)
	if err != nil {
		return nil, err
	}
	managed := make(map[string]bool, len(teams))
	for _, t := range teams {
		managed[t] = true
	}
	return func(m *store.Member) bool {
		return m.ID != me.ID && m.TeamID != nil && managed[*m.TeamID]
	}, nil
}

func (s *Server) commitMetrics(c *gin.Context, im *metrics.Import) {
	res, err := im.Commit(c.Request.Context())
	if err != nil {
		writeError(c, metricsError(err, ""))
		return
	}
	c.JSON(http.StatusOK, res)
}

// metricsError turns the import's refusals into the API's error shape.
func metricsError(err error, periodPath string) error {
	var me *metrics.Error
	switch {
	case errors.As(err, &me):
		out := &Error{Status: http.StatusBadRequest, Code: "invalid", Message: me.Message, Omitted: me.Omitted}
		switch {
		case errors.Is(me, metrics.ErrForbidden):
			out.Status, out.Code = http.StatusForbidden, "forbidden"
		case errors.Is(me, metrics.ErrConflict):
			out.Status, out.Code = http.StatusConflict, "conflict"
		}
		for _, p := range me.Problems {
			if p.Path == "period" {
				p.Path = periodPath
			}
			out.Details = append(out.Details, Detail{Path: p.Path, Value: p.Value, Message: p.Message})
		}
		return out
	case errors.Is(err, metrics.ErrUnreadable), errors.Is(err, metrics.ErrNoHeader), errors.Is(err, metrics.ErrNoRows):
		return badRequest(err.Error())
	}
	return err
}
