package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// metricQuery narrows metric values by a filter.
func (s *Store) metricQuery(ctx context.Context, f MetricFilter) *gorm.DB {
	q := narrowMetrics(s.DB.WithContext(ctx).Model(&MetricValue{}), s, f)
	if len(f.IndicatorKeys) > 0 {
		q = q.Where("indicator_key IN ?", f.IndicatorKeys)
	}
	return q
}

// narrowMetrics narrows q, over metric_values or metric_packs, to the
// organisation, cycle, members and period of f.
func narrowMetrics(q *gorm.DB, s *Store, f MetricFilter) *gorm.DB {
	if f.OrgID != "" {
		q = q.Where("org_id = ?", f.OrgID)
	}
	if f.CycleID != "" {
		q = q.Where("member_id IN (?)", s.DB.Model(&CycleMember{}).Select("member_id").Where("cycle_id = ?", f.CycleID))
	}
	if len(f.MemberIDs) > 0 {
		q = q.Where("member_id IN ?", f.MemberIDs)
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
	// SplitAt are member ids, sorted, at which EachMetricValue may split
	// its read across connections (see MetricReadSplits).
	SplitAt []string
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
// A member's values come one after another, members in id order, so a
// member is complete once the next one's values begin
// (records.Gathering.Stream scores on that).
//
// With f.SplitAt (from MetricReadSplits) the read is split there by member
// id and the parts are read at once on their own connections: SQLite runs
// one query on one core, so a single read of a large cycle leaves the
// other cores idle. The first part goes to fn as it is read; the others
// are held and handed over in order after it, so fn is still called from
// one goroutine with the order above. Each part is its own read, so a
// value recorded while the parts are read may be seen by one part and not
// another; each member's values still come from one read.
func (s *Store) EachMetricValue(ctx context.Context, f MetricFilter, fn func(MetricPoint)) error {
	if len(f.SplitAt) == 0 {
		return s.eachMetricPart(ctx, f, "", "", fn)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type held struct {
		points []MetricPoint
		err    error
	}
	later := make([]chan held, len(f.SplitAt))
	for i, lo := range f.SplitAt {
		hi := ""
		if i+1 < len(f.SplitAt) {
			hi = f.SplitAt[i+1]
		}
		later[i] = make(chan held, 1)
		go func() {
			var h held
			h.err = s.eachMetricPart(ctx, f, lo, hi, func(p MetricPoint) { h.points = append(h.points, p) })
			later[i] <- h
		}()
	}
	if err := s.eachMetricPart(ctx, f, "", f.SplitAt[0], fn); err != nil {
		return err
	}
	for _, c := range later {
		h := <-c
		if h.err != nil {
			return h.err
		}
		for _, p := range h.points {
			fn(p)
		}
	}
	return nil
}

// MetricReadSplits picks where EachMetricValue may split a read of the
// values of members ids: one part per core, as many as the connection pool
// allows while keeping a connection free for writers, each part at least
// minSplitMembers members. None for a small read, and none on SQLite,
// whose packs (migration 13) are read in a few milliseconds per thousand
// members: there a second part saves less than handing its values over
// after the first costs (ADR 0008).
func (s *Store) MetricReadSplits(ids []string) []string {
	if s.Dialect == SQLite {
		return nil
	}
	parts := runtime.GOMAXPROCS(0)
	if open := s.SQL().Stats().MaxOpenConnections; open > 0 {
		parts = min(parts, open-1)
	}
	parts = min(parts, len(ids)/minSplitMembers)
	if parts < 2 {
		return nil
	}
	sorted := slices.Sorted(slices.Values(ids))
	at := make([]string, 0, parts-1)
	for i := 1; i < parts; i++ {
		at = append(at, sorted[i*len(sorted)/parts])
	}
	return slices.Compact(at)
}

// minSplitMembers is the fewest members a part of a split read covers:
// below it another connection's query costs more than it saves.
const minSplitMembers = 500

// eachMetricPart reads the values of members with ids from lo up to but
// not including hi ("" leaves that end open), as EachMetricValue orders
// them.
func (s *Store) eachMetricPart(ctx context.Context, f MetricFilter, lo, hi string, fn func(MetricPoint)) error {
	span := func(q *gorm.DB) *gorm.DB {
		if lo != "" {
			q = q.Where("member_id >= ?", lo)
		}
		if hi != "" {
			q = q.Where("member_id < ?", hi)
		}
		return q
	}
	if s.Dialect == SQLite {
		return eachPackedMetricValue(span(narrowMetrics(s.DB.WithContext(ctx).Table("metric_packs"), s, f)), f.IndicatorKeys, fn)
	}
	rows, err := span(s.metricQuery(ctx, f)).Select("member_id, indicator_key, source, value").Order("member_id").Rows()
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

// eachPackedMetricValue reads SQLite's metric_packs (migration 13): one
// row per member and period holding each of the member's values, so the
// driver hands over 10,000 rows of two columns for a 10,000-member cycle
// rather than 120,000 of four. The pure-Go driver allocates for every
// column of every row (the text, its interface box, a declared-type
// lookup), which made reading the values cost more than scoring them, and
// grouping them into one text per member on each read still cost the
// database more than the raw SQL's whole weighted sum; packed as they are
// written, the values are cut out of the text without allocating. keys,
// when given, are the only indicators passed on.
func eachPackedMetricValue(q *gorm.DB, keys []string, fn func(MetricPoint)) error {
	rows, err := q.Select("member_id, packed").Order("member_id").Rows()
	if err != nil {
		return fmt.Errorf("read metric values: %w", err)
	}
	defer rows.Close()
	if len(keys) > 0 {
		all := fn
		fn = func(p MetricPoint) {
			if slices.Contains(keys, p.IndicatorKey) {
				all(p)
			}
		}
	}
	var member, packed string
	for rows.Next() {
		if err := rows.Scan(&member, &packed); err != nil {
			return fmt.Errorf("read metric values: %w", err)
		}
		if err := unpackMetricValues(member, packed, fn); err != nil {
			return fmt.Errorf("read metric values of member %s: %w", member, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read metric values: %w", err)
	}
	return nil
}

// unpackMetricValues calls fn with each value of one member's packed text
// (see packedMetricValue). The key and source it passes share packed's
// memory.
func unpackMetricValues(member, packed string, fn func(MetricPoint)) error {
	p := MetricPoint{MemberID: member}
	for rest := packed; rest != ""; {
		var err error
		if p.IndicatorKey, rest, err = cutCounted(rest); err != nil {
			return fmt.Errorf("indicator key: %w", err)
		}
		if p.Source, rest, err = cutCounted(rest); err != nil {
			return fmt.Errorf("source of %s: %w", p.IndicatorKey, err)
		}
		text, next, _ := strings.Cut(rest, ";")
		if p.Value, err = strconv.ParseFloat(text, 64); err != nil {
			return fmt.Errorf("value of %s: %w", p.IndicatorKey, err)
		}
		fn(p)
		rest = next
	}
	return nil
}

// cutCounted cuts "<n>:<n bytes>" off the front of s.
func cutCounted(s string) (field, rest string, err error) {
	count, rest, ok := strings.Cut(s, ":")
	n, convErr := strconv.Atoi(count)
	if !ok || convErr != nil || n < 0 || n > len(rest) {
		return "", "", fmt.Errorf("packed text %.40q does not start with a byte count and its text", s)
	}
	return rest[:n], rest[n:], nil
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
			if err := tx.CreateInBatches(fresh, InsertBatch(tx)).Error; err != nil {
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

// MetricBatch is one ingested file or request, kept by checksum so the
// same upload twice is recognised.
type MetricBatch struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OrgID     string    `json:"-"`
	Checksum  string    `json:"checksum"`
	FileName  string    `json:"fileName"`
	RowCount  int       `json:"rows"`
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	// Replace lets the batch overwrite values already recorded for the same
	// member, indicator and period; without it such a row is refused.
	Replace bool `gorm:"-" json:"-"`
}

// MetricValue is a measured value of an indicator (or signal) for a member
// in a period, from one source. There is at most one per member, indicator
// and period, whatever its source: scoring reads that one value.
type MetricValue struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	OrgID        string    `json:"-"`
	MemberID     string    `json:"memberId"`
	IndicatorKey string    `json:"indicator"`
	Period       string    `json:"period"`
	Value        float64   `json:"value"`
	Source       string    `json:"source"`
	BatchID      string    `json:"batchId"`
	RecordedAt   time.Time `json:"recordedAt"`
	RecordedBy   string    `json:"recordedBy"` // the member whose request wrote it
}
