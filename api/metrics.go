package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/store"
)

// ingestMetrics takes a JSON batch of metric values. Members are named by
// id or email; every bad row is reported and then nothing is written.
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
	me := caller(c)
	ctx := c.Request.Context()
	var bad []Detail
	if !periodLabel(in.Period) {
		bad = append(bad, Detail{Path: "/period", Value: in.Period, Message: "expected YYYY-MM, YYYY-Qn or YYYY"})
	}
	if len(in.Values) == 0 {
		bad = append(bad, Detail{Path: "/values", Message: "needs at least one value"})
	}
	members, err := s.store.AllMembers(ctx, me.OrgID, store.MemberFilter{IncludeInactive: true})
	if err != nil {
		writeError(c, err)
		return
	}
	byID, byEmail := map[string]bool{}, map[string]string{}
	for _, m := range members {
		byID[m.ID] = true
		byEmail[strings.ToLower(m.Email)] = m.ID
	}
	rows := make([]store.MetricValue, 0, len(in.Values))
	seen := map[string]int{}
	for i, v := range in.Values {
		p := fmt.Sprintf("/values/%d", i)
		id := v.MemberID
		switch {
		case id != "" && !byID[id]:
			bad = append(bad, Detail{Path: p + "/memberId", Value: id, Message: "no member has this id"})
			continue
		case id == "" && v.Email == "":
			bad = append(bad, Detail{Path: p + "/memberId", Message: "name the member by memberId or email"})
			continue
		case id == "":
			id = byEmail[strings.ToLower(v.Email)]
			if id == "" {
				bad = append(bad, Detail{Path: p + "/email", Value: v.Email, Message: "no member has this email"})
				continue
			}
		}
		if !validMetricKey(v.Indicator) {
			bad = append(bad, Detail{Path: p + "/indicator", Value: v.Indicator, Message: "expected an indicator or signal key such as fanGrowth"})
			continue
		}
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			bad = append(bad, Detail{Path: p + "/value", Message: "expected a finite number"})
			continue
		}
		src := v.Source
		if src == "" {
			src = in.Source
		}
		if src == "" {
			src = "api"
		}
		key := id + "|" + v.Indicator + "|" + src
		if j, dup := seen[key]; dup {
			bad = append(bad, Detail{Path: p, Message: fmt.Sprintf("repeats row %d (same member, indicator and source)", j)})
			continue
		}
		seen[key] = i
		rows = append(rows, store.MetricValue{MemberID: id, IndicatorKey: v.Indicator, Period: in.Period, Value: v.Value, Source: src})
	}
	if len(bad) > 0 {
		writeError(c, badRequest(fmt.Sprintf("%d problem(s) in the batch; nothing was imported", len(bad)), bad...))
		return
	}
	sum := sha256.Sum256(data)
	res, err := s.store.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: me.OrgID, Checksum: hex.EncodeToString(sum[:]), FileName: "api", CreatedBy: me.ID}, rows)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func periodLabel(s string) bool {
	switch len(s) {
	case 4:
		return allDigits(s)
	case 7:
		if s[4] == '-' && s[5] == 'Q' {
			return allDigits(s[:4]) && s[6] >= '1' && s[6] <= '4'
		}
		return s[4] == '-' && allDigits(s[:4]) && allDigits(s[5:]) && s[5:] >= "01" && s[5:] <= "12"
	}
	return false
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func validMetricKey(k string) bool {
	if k == "" || len(k) > 64 || !(k[0] >= 'a' && k[0] <= 'z' || k[0] >= 'A' && k[0] <= 'Z') {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
