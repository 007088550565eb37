package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gorm.io/gorm"
)

// UpsertTargets writes a cycle's targets keyed by (member or team,
// indicator); rewriting the same values is a no-op.
func (s *Store) UpsertTargets(ctx context.Context, cycleID string, rows []Target) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var have []Target
		if err := tx.Where("cycle_id = ?", cycleID).Find(&have).Error; err != nil {
			return fmt.Errorf("upsert targets %s: %w", cycleID, err)
		}
		byKey := map[string]*Target{}
		for i := range have {
			byKey[have[i].MemberKey+"|"+have[i].IndicatorKey] = &have[i]
		}
		var fresh []Target
		for _, r := range rows {
			r.CycleID = cycleID
			if old, ok := byKey[r.MemberKey+"|"+r.IndicatorKey]; ok {
				if old.Value == r.Value && old.Method == r.Method && old.ProRata == r.ProRata {
					continue
				}
				if err := tx.Model(&Target{}).Where("id = ?", old.ID).Updates(map[string]any{
					"value": r.Value, "method": r.Method, "pro_rata": r.ProRata, "version": old.Version + 1, "updated_at": time.Now().UTC(),
				}).Error; err != nil {
					return fmt.Errorf("upsert targets %s: %w", cycleID, err)
				}
				continue
			}
			r.ID, r.Version = NewID(), 1
			fresh = append(fresh, r)
		}
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(fresh, 500).Error; err != nil {
				return writeErr("upsert targets "+cycleID, err)
			}
		}
		return nil
	})
}

// ListTargets lists a cycle's targets, of one member when memberID is set.
func (s *Store) ListTargets(ctx context.Context, cycleID, memberID string) ([]Target, error) {
	q := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID)
	if memberID != "" {
		q = q.Where("member_id = ?", memberID)
	}
	var out []Target
	if err := q.Order("indicator_key, member_key").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list targets %s: %w", cycleID, err)
	}
	return out, nil
}

// ErrTargetSum refuses member targets that no longer add up to the team's.
type ErrTargetSum struct {
	Indicator string
	Want, Got float64
}

func (e *ErrTargetSum) Error() string {
	return fmt.Sprintf("member targets for %s add up to %g but the team target is %g (%+g)", e.Indicator, e.Got, e.Want, e.Got-e.Want)
}

// AdjustTargets changes member targets of one indicator by hand. Every row
// must still be at the version the caller read (else ErrConflict) and the
// member targets must still add up to the team target (else *ErrTargetSum).
// A cycle that is over keeps the targets it was judged against (ErrConflict).
func (s *Store) AdjustTargets(ctx context.Context, cycleID, indicator, actor string, values map[string]float64, versions map[string]int) ([]Target, error) {
	var out []Target
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cy Cycle
		if err := tx.Select("state").Take(&cy, "id = ?", cycleID).Error; err != nil {
			return notFound("adjust targets of cycle "+cycleID, err)
		}
		if cy.State != CyclePending && cy.State != CycleRunning {
			return fmt.Errorf("adjust targets: %w: the cycle is %s; its targets are final", ErrConflict, cy.State)
		}
		var rows []Target
		if err := s.locked(tx).Where("cycle_id = ? AND indicator_key = ?", cycleID, indicator).Order("member_key").Find(&rows).Error; err != nil {
			return fmt.Errorf("adjust targets: %w", err)
		}
		if len(rows) == 0 {
			return fmt.Errorf("adjust targets %s/%s: %w", cycleID, indicator, ErrNotFound)
		}
		team, sum := math.NaN(), 0.0
		for i := range rows {
			r := &rows[i]
			if r.MemberID == nil {
				team = r.Value
				continue
			}
			if v, ok := values[*r.MemberID]; ok {
				if want, ok := versions[*r.MemberID]; ok && want != r.Version {
					return fmt.Errorf("adjust targets: %w: the target of %s changed (version %d, you had %d); reload", ErrConflict, *r.MemberID, r.Version, want)
				}
				r.Value, r.Source, r.Version = v, "manual", r.Version+1
			}
			sum += r.Value
		}
		for id := range values {
			found := false
			for _, r := range rows {
				if r.MemberID != nil && *r.MemberID == id {
					found = true
				}
			}
			if !found {
				return fmt.Errorf("adjust targets: member %s has no target for %s: %w", id, indicator, ErrNotFound)
			}
		}
		if !math.IsNaN(team) && math.Abs(sum-team) > 1e-9*math.Max(1, math.Abs(team)) {
			return &ErrTargetSum{Indicator: indicator, Want: team, Got: sum}
		}
		now := time.Now().UTC()
		for _, r := range rows {
			if r.MemberID == nil || r.Source != "manual" {
				continue
			}
			if _, ok := values[*r.MemberID]; !ok {
				continue
			}
			if err := tx.Model(&Target{}).Where("id = ?", r.ID).Updates(map[string]any{"value": r.Value, "source": "manual", "version": r.Version, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("adjust targets: %w", err)
			}
		}
		out = rows
		return Audit(tx, actor, "targets.adjust", "cycle", cycleID, map[string]any{"indicator": indicator, "values": values})
	})
	return out, err
}

// metricQuery narrows metric values by a filter.
func (s *Store) metricQuery(ctx context.Context, f MetricFilter) *gorm.DB {
	q := s.DB.WithContext(ctx).Model(&MetricValue{})
	if f.OrgID != "" {
		q = q.Where("org_id = ?", f.OrgID)
	}
	if f.CycleID != "" {
		q = q.Where("member_id IN (?)", s.DB.Model(&CycleMember{}).Select("member_id").Where("cycle_id = ?", f.CycleID))
	}
	if len(f.MemberIDs) > 0 {
		q = q.Where("member_id IN ?", f.MemberIDs)
	}
	if len(f.IndicatorKeys) > 0 {
		q = q.Where("indicator_key IN ?", f.IndicatorKeys)
	}
	if f.Period != "" {
		q = q.Where("period = ?", f.Period)
	}
	return q
}

// MetricFilter narrows ListMetricValues.
type MetricFilter struct {
	OrgID         string
	CycleID       string // members of this cycle
	MemberIDs     []string
	IndicatorKeys []string
	Period        string
}

// ListMetricValues lists metric values.
func (s *Store) ListMetricValues(ctx context.Context, f MetricFilter) ([]MetricValue, error) {
	q := s.metricQuery(ctx, f)
	var out []MetricValue
	if err := q.Order("member_id, indicator_key, source").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list metric values: %w", err)
	}
	return out, nil
}

// MetricPoint is the part of a metric value scoring reads.
type MetricPoint struct {
	MemberID, IndicatorKey, Source string
	Value                          float64
}

// EachMetricValue calls fn with every value the filter matches, reading
// only the four columns scoring needs and scanning them without building
// records: scoring a large cycle reads hundreds of thousands of values.
// Order is unspecified.
func (s *Store) EachMetricValue(ctx context.Context, f MetricFilter, fn func(MetricPoint)) error {
	q := s.metricQuery(ctx, f).Select("member_id, indicator_key, source, value")
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("read metric values: %w", err)
	}
	defer rows.Close()
	var p MetricPoint
	for rows.Next() {
		if err := rows.Scan(&p.MemberID, &p.IndicatorKey, &p.Source, &p.Value); err != nil {
			return fmt.Errorf("read metric values: %w", err)
		}
		fn(p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read metric values: %w", err)
	}
	return nil
}

// MetricUpsert counts what an ingestion changed.
type MetricUpsert struct {
	BatchID   string `json:"batchId"`
	Inserted  int    `json:"inserted"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Duplicate bool   `json:"duplicate"` // the same file was ingested before; nothing changed
}

// MetricClash is a row of a batch that would be a second value for a
// member, indicator and period: Existing is what is recorded.
type MetricClash struct {
	Existing MetricValue `json:"existing"`
	Incoming MetricValue `json:"incoming"`
}

// ErrMetricExists refuses a batch that would record a second value for a
// member, indicator and period without saying it replaces the first.
type ErrMetricExists struct {
	Clashes []MetricClash
}

func (e *ErrMetricExists) Error() string {
	return fmt.Sprintf("ingest metrics: %d value(s) are already recorded for the same member, indicator and period", len(e.Clashes))
}

func (e *ErrMetricExists) Is(target error) bool { return target == ErrConflict }

// UpsertMetricValues writes a batch of values in one transaction: all or
// nothing. A batch whose checksum was seen before changes nothing. A row
// equal to the recorded one (value and source) is unchanged; any other row
// for a member, indicator and period that already has a value is refused
// with *ErrMetricExists unless the batch replaces, and each replacement is
// audited with the value and source it overwrote.
func (s *Store) UpsertMetricValues(ctx context.Context, b *MetricBatch, rows []MetricValue) (*MetricUpsert, error) {
	res := &MetricUpsert{}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var prev MetricBatch
		err := tx.Take(&prev, "org_id = ? AND checksum = ?", b.OrgID, b.Checksum).Error
		if err == nil {
			res.BatchID, res.Duplicate, res.Unchanged = prev.ID, true, prev.RowCount
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("ingest metrics: %w", err)
		}
		have, err := recordedMetrics(tx, rows)
		if err != nil {
			return err
		}
		if b.ID == "" {
			b.ID = NewID()
		}
		b.RowCount = len(rows)
		now := time.Now().UTC()
		var fresh []MetricValue
		var replaced []map[string]any
		clash := &ErrMetricExists{}
		for _, r := range rows {
			old, ok := have[metricSlot{r.MemberID, r.IndicatorKey, r.Period}]
			switch {
			case !ok:
				r.ID, r.OrgID, r.BatchID, r.RecordedAt, r.RecordedBy = NewID(), b.OrgID, b.ID, now, b.CreatedBy
				fresh = append(fresh, r)
			case old.Value == r.Value && old.Source == r.Source:
				res.Unchanged++
			case !b.Replace:
				clash.Clashes = append(clash.Clashes, MetricClash{Existing: old, Incoming: r})
			default:
				replaced = append(replaced, map[string]any{"memberId": r.MemberID, "indicator": r.IndicatorKey, "period": r.Period,
					"from": map[string]any{"value": old.Value, "source": old.Source, "recordedBy": old.RecordedBy, "batchId": old.BatchID},
					"to":   map[string]any{"value": r.Value, "source": r.Source}})
				if err := tx.Model(&MetricValue{}).Where("id = ?", old.ID).Updates(map[string]any{"value": r.Value, "source": r.Source, "batch_id": b.ID, "recorded_at": now, "recorded_by": b.CreatedBy}).Error; err != nil {
					return writeErr("ingest metrics", err)
				}
				res.Updated++
			}
		}
		if len(clash.Clashes) > 0 {
			return clash
		}
		if err := tx.Create(b).Error; err != nil {
			return writeErr("ingest metrics", err)
		}
		res.BatchID = b.ID
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(fresh, 200).Error; err != nil {
				if isUniqueViolation(err) {
					// Two imports read "no value yet" for the same slot at once; the other committed first.
					return fmt.Errorf("ingest metrics: %w: another import recorded a value for the same member, indicator and period meanwhile; send the batch again to see it", ErrConflict)
				}
				return writeErr("ingest metrics", err)
			}
		}
		res.Inserted = len(fresh)
		if len(replaced) > 0 {
			if err := Audit(tx, b.CreatedBy, "metrics.replace", "metric_batch", b.ID, map[string]any{"replaced": replaced}); err != nil {
				return err
			}
		}
		return Audit(tx, b.CreatedBy, "metrics.ingest", "metric_batch", b.ID, map[string]any{"rows": len(rows), "file": b.FileName})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

type metricSlot struct{ member, indicator, period string }

// recordedMetrics reads the values already held for a batch's members and
// periods in a few queries (500 members to an IN list) rather than one per row.
func recordedMetrics(tx *gorm.DB, rows []MetricValue) (map[metricSlot]MetricValue, error) {
	byPeriod := map[string][]string{}
	seen := map[[2]string]bool{}
	for _, r := range rows {
		if k := [2]string{r.Period, r.MemberID}; !seen[k] {
			seen[k] = true
			byPeriod[r.Period] = append(byPeriod[r.Period], r.MemberID)
		}
	}
	out := map[metricSlot]MetricValue{}
	for period, ids := range byPeriod {
		for len(ids) > 0 {
			n := min(len(ids), 500)
			var vals []MetricValue
			if err := tx.Where("period = ? AND member_id IN ?", period, ids[:n]).Find(&vals).Error; err != nil {
				return nil, fmt.Errorf("ingest metrics: %w", err)
			}
			for _, v := range vals {
				out[metricSlot{v.MemberID, v.IndicatorKey, v.Period}] = v
			}
			ids = ids[n:]
		}
	}
	return out, nil
}

// SaveResults writes computed results, keyed by member; a recomputation
// rewrites the scores but keeps grades a calibration already set.
func (s *Store) SaveResults(ctx context.Context, cycleID string, rows []Result) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var have []Result
		if err := tx.Where("cycle_id = ?", cycleID).Find(&have).Error; err != nil {
			return fmt.Errorf("save results %s: %w", cycleID, err)
		}
		byMember := map[string]*Result{}
		for i := range have {
			byMember[have[i].MemberID] = &have[i]
		}
		var fresh []Result
		now := time.Now().UTC()
		for _, r := range rows {
			r.CycleID = cycleID
			if old, ok := byMember[r.MemberID]; ok {
				up := map[string]any{
					"indicator_scores": r.IndicatorScores, "parts": r.Parts, "adjustments": r.Adjustments, "final_score": r.FinalScore,
					"missing": r.Missing, "explanation": r.Explanation, "blocked": r.Blocked,
					"proposed_grade": r.ProposedGrade, "rank_in_scope": r.Rank, "percentile": r.Percentile, "version": old.Version + 1, "updated_at": now,
				}
				if old.State == ResultComputed {
					up["grade"] = r.Grade
				}
				if err := tx.Model(&Result{}).Where("id = ?", old.ID).Updates(up).Error; err != nil {
					return fmt.Errorf("save results %s: %w", cycleID, err)
				}
				continue
			}
			r.ID, r.Version = NewID(), 1
			if r.State == "" {
				r.State = ResultComputed
			}
			fresh = append(fresh, r)
		}
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(fresh, 500).Error; err != nil {
				return writeErr("save results "+cycleID, err)
			}
		}
		return nil
	})
}

var resultSorts = map[string]string{"rank": "rank_in_scope", "score": "final_score", "grade": "grade", "member": "member_id"}

// ListResults lists a cycle's results, by rank unless asked otherwise.
func (s *Store) ListResults(ctx context.Context, cycleID string, p Page) ([]Result, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Result{}).Where("cycle_id = ?", cycleID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count results: %w", err)
	}
	var out []Result
	if err := p.apply(q, resultSorts, "rank_in_scope, member_id").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list results: %w", err)
	}
	return out, total, nil
}

// GetResult reads one member's result in a cycle.
func (s *Store) GetResult(ctx context.Context, cycleID, memberID string) (*Result, error) {
	var r Result
	if err := s.DB.WithContext(ctx).Take(&r, "cycle_id = ? AND member_id = ?", cycleID, memberID).Error; err != nil {
		return nil, notFound("get result", err)
	}
	return &r, nil
}

// PublishResults makes a cycle's results visible to members, except those
// a missing-data policy withholds.
func (s *Store) PublishResults(ctx context.Context, cycleID string) (int, error) {
	res := s.DB.WithContext(ctx).Model(&Result{}).Where("cycle_id = ? AND state IN ? AND blocked = ''", cycleID, []string{ResultComputed, ResultCalibrated}).
		Updates(map[string]any{"state": ResultPublished, "updated_at": time.Now().UTC(), "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return 0, fmt.Errorf("publish results %s: %w", cycleID, res.Error)
	}
	return int(res.RowsAffected), nil
}

// SetOutcomes writes bonus and promotion per member.
func (s *Store) SetOutcomes(ctx context.Context, cycleID string, outcomes []Outcome) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, o := range outcomes {
			if err := tx.Model(&Result{}).Where("cycle_id = ? AND member_id = ?", cycleID, o.MemberID).Updates(map[string]any{
				"bonus_amount": o.BonusAmount, "bonus_currency": o.BonusCurrency, "promotion": o.Promotion,
			}).Error; err != nil {
				return fmt.Errorf("set outcomes %s: %w", cycleID, err)
			}
		}
		return nil
	})
}

// AcceptProposedGrades settles results nobody calibrated.
func (s *Store) AcceptProposedGrades(ctx context.Context, cycleID string) error {
	err := s.DB.WithContext(ctx).Model(&Result{}).Where("cycle_id = ? AND state = ?", cycleID, ResultComputed).
		Updates(map[string]any{"grade": gorm.Expr("proposed_grade"), "state": ResultCalibrated, "version": gorm.Expr("version + 1")}).Error
	if err != nil {
		return fmt.Errorf("accept proposed grades %s: %w", cycleID, err)
	}
	return nil
}

// ApplyCalibration applies one calibration submission in one transaction:
// the changes with their reasons, the new grades and the audit entries. A
// submission id already applied is not applied again (applied=false).
// versions, when given, must match each result's version (else ErrConflict).
func (s *Store) ApplyCalibration(ctx context.Context, cycleID, submissionID string, changes []CalibrationChange, actor string, versions map[string]int) (bool, error) {
	applied := false
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&CalibrationChange{}).Where("cycle_id = ? AND submission_id = ?", cycleID, submissionID).Count(&n).Error; err != nil {
			return fmt.Errorf("apply calibration: %w", err)
		}
		var audits int64
		if err := tx.Model(&AuditEntry{}).Where("entity = ? AND entity_id = ? AND action = ?", "calibration", cycleID+":"+submissionID, "calibration.submit").Count(&audits).Error; err != nil {
			return fmt.Errorf("apply calibration: %w", err)
		}
		if n > 0 || audits > 0 {
			return nil
		}
		now := time.Now().UTC()
		for _, ch := range changes {
			var r Result
			if err := s.locked(tx).Take(&r, "cycle_id = ? AND member_id = ?", cycleID, ch.MemberID).Error; err != nil {
				return notFound("apply calibration: result of "+ch.MemberID, err)
			}
			if v, ok := versions[ch.MemberID]; ok && v != r.Version {
				return fmt.Errorf("apply calibration: %w: the result of %s changed (version %d, you had %d)", ErrConflict, ch.MemberID, r.Version, v)
			}
			ch.ID, ch.CycleID, ch.ChangedBy, ch.SubmissionID, ch.CreatedAt = NewID(), cycleID, actor, submissionID, now
			if ch.FromGrade == "" {
				ch.FromGrade = r.Grade
			}
			if err := tx.Create(&ch).Error; err != nil {
				return fmt.Errorf("apply calibration: %w", err)
			}
			if err := tx.Model(&Result{}).Where("id = ?", r.ID).Updates(map[string]any{"grade": ch.ToGrade, "state": ResultCalibrated, "version": r.Version + 1, "updated_at": now}).Error; err != nil {
				return fmt.Errorf("apply calibration: %w", err)
			}
			if err := Audit(tx, actor, "calibration.change", "result", r.ID, map[string]any{"member": ch.MemberID, "from": ch.FromGrade, "to": ch.ToGrade, "reason": ch.Reason}); err != nil {
				return err
			}
		}
		// Members nobody moved keep their proposed grade.
		if err := tx.Model(&Result{}).Where("cycle_id = ? AND state = ?", cycleID, ResultComputed).
			Updates(map[string]any{"grade": gorm.Expr("proposed_grade"), "state": ResultCalibrated, "version": gorm.Expr("version + 1")}).Error; err != nil {
			return fmt.Errorf("apply calibration: %w", err)
		}
		applied = true
		return Audit(tx, actor, "calibration.submit", "calibration", cycleID+":"+submissionID, map[string]any{"changes": len(changes)})
	})
	return applied, err
}

// ListCalibrationChanges lists a cycle's grade changes in order.
func (s *Store) ListCalibrationChanges(ctx context.Context, cycleID string) ([]CalibrationChange, error) {
	var out []CalibrationChange
	if err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list calibration changes: %w", err)
	}
	return out, nil
}

// TeamRankHistory returns the rankings of c's team in c's template, newest
// period first, for the latest n periods up to c's: c itself and the
// earlier cycles that were neither cancelled nor failed. The list holds only
// periods that had such a cycle, so a caller sees a gap as two periods that
// do not meet.
func (s *Store) TeamRankHistory(ctx context.Context, c *Cycle, n int) ([]PeriodRanking, error) {
	var cycles []Cycle
	err := s.DB.WithContext(ctx).Select("id", "period", "period_start", "period_end").
		Where("org_id = ? AND template_key = ? AND scope_team_id = ? AND period <= ?", c.OrgID, c.TemplateKey, c.ScopeTeamID, c.Period).
		Where("(id = ? OR state NOT IN ?)", c.ID, []string{CycleCancelled, CycleFailed}).
		Order("period DESC").Limit(n).Find(&cycles).Error
	if err != nil {
		return nil, fmt.Errorf("team rank history %s: %w", c.ID, err)
	}
	if len(cycles) == 0 {
		return nil, nil
	}
	ids := make([]string, len(cycles))
	out := make([]PeriodRanking, len(cycles))
	at := make(map[string]int, len(cycles))
	for i, cy := range cycles {
		ids[i], at[cy.ID] = cy.ID, i
		out[i] = PeriodRanking{CycleID: cy.ID, Period: cy.Period, PeriodStart: cy.PeriodStart, PeriodEnd: cy.PeriodEnd}
	}
	var rows []struct {
		CycleID    string
		MemberID   string
		Rank       int `gorm:"column:rank_in_scope"`
		FinalScore float64
	}
	err = s.DB.WithContext(ctx).Model(&Result{}).Select("cycle_id, member_id, rank_in_scope, final_score").
		// A result withheld for missing data has no rank: it is no one's
		// bottom place, and its period is not in the member's run.
		Where("cycle_id IN ? AND blocked = ''", ids).Order("rank_in_scope, member_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("team rank history %s: %w", c.ID, err)
	}
	for _, r := range rows {
		p := &out[at[r.CycleID]]
		p.Ranks = append(p.Ranks, MemberRank{MemberID: r.MemberID, Rank: r.Rank, Score: r.FinalScore})
	}
	return out, nil
}

// AcknowledgeResult records a member's acknowledgement.
func (s *Store) AcknowledgeResult(ctx context.Context, cycleID, memberID string, appeal *string) (*Result, error) {
	var out Result
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := s.locked(tx).Take(&out, "cycle_id = ? AND member_id = ?", cycleID, memberID).Error; err != nil {
			return notFound("acknowledge result", err)
		}
		if out.State != ResultPublished {
			return fmt.Errorf("acknowledge result: %w: the result is %s", ErrConflict, out.State)
		}
		now := time.Now().UTC()
		up := map[string]any{"acknowledged_at": now, "state": ResultAcknowledged, "version": out.Version + 1}
		if appeal != nil {
			up["appeal"], up["state"] = *appeal, ResultAppealed
		}
		if err := tx.Model(&Result{}).Where("id = ?", out.ID).Updates(up).Error; err != nil {
			return fmt.Errorf("acknowledge result: %w", err)
		}
		return tx.Take(&out, "id = ?", out.ID).Error
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AllResults returns every result of a cycle by rank, for the work that
// needs the whole cycle at once (outcomes, the agenda, exports).
func (s *Store) AllResults(ctx context.Context, cycleID string) ([]Result, error) {
	var out []Result
	if err := s.DB.WithContext(ctx).Where("cycle_id = ?", cycleID).Order("rank_in_scope, member_id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("all results %s: %w", cycleID, err)
	}
	return out, nil
}

// Placing is a result's rank and percentile in its cycle.
type Placing struct {
	Rank       int
	Percentile float64
}

// WaiveResults writes the scores of results a missing-data waiver releases
// (each row carries the member's fresh scores, grade and explanation) and
// every result's new placing, in one transaction. A result no longer
// withheld is left alone, so a retry changes nothing; each release is
// recorded as a calibration change of the submission and audited.
func (s *Store) WaiveResults(ctx context.Context, cycleID, submissionID, actor string, released []Result, reasons map[string]string, placings map[string]Placing) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := time.Now().UTC()
		for _, w := range released {
			var r Result
			if err := s.locked(tx).Take(&r, "cycle_id = ? AND member_id = ?", cycleID, w.MemberID).Error; err != nil {
				return notFound("waive result of "+w.MemberID, err)
			}
			if r.Blocked == "" {
				continue
			}
			if err := tx.Model(&Result{}).Where("id = ?", r.ID).Updates(map[string]any{
				"indicator_scores": w.IndicatorScores, "parts": w.Parts, "adjustments": w.Adjustments, "missing": w.Missing, "explanation": w.Explanation,
				"blocked": "", "final_score": w.FinalScore, "proposed_grade": w.ProposedGrade, "grade": w.Grade, "version": r.Version + 1, "updated_at": now,
			}).Error; err != nil {
				return fmt.Errorf("waive result %s: %w", w.MemberID, err)
			}
			ch := CalibrationChange{ID: NewID(), CycleID: cycleID, MemberID: w.MemberID, ToGrade: w.Grade, Reason: reasons[w.MemberID], ChangedBy: actor, SubmissionID: submissionID, CreatedAt: now}
			if err := tx.Create(&ch).Error; err != nil {
				return fmt.Errorf("waive result %s: %w", w.MemberID, err)
			}
			if err := Audit(tx, actor, "result.waive", "result", r.ID, map[string]any{"member": w.MemberID, "grade": w.Grade, "score": w.FinalScore, "reason": reasons[w.MemberID], "withheld": r.Blocked}); err != nil {
				return err
			}
		}
		for member, p := range placings {
			if err := tx.Model(&Result{}).Where("cycle_id = ? AND member_id = ?", cycleID, member).
				Updates(map[string]any{"rank_in_scope": p.Rank, "percentile": p.Percentile}).Error; err != nil {
				return fmt.Errorf("waive results %s: %w", cycleID, err)
			}
		}
		return nil
	})
}
