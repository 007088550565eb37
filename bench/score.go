package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/perfloop/perfloop/records"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// ScoreMembers is how many members the score scenario scores by default.
const ScoreMembers = 10_000

// scoreTemplate is a scorecard of twelve quantitative indicators using
// every rule the SQL side can express: linear (both directions), bands and
// threshold; weights total 100, with grades and a forced distribution so
// ScoreMembers ranks and proposes as in a real cycle.
const scoreTemplate = `{
  "key": "bench-score", "version": 1,
  "name": {"zh": "评分压测", "en": "Scoring bench"},
  "period": "monthly", "timezone": "Asia/Shanghai",
  "indicators": [
    {"key": "satisfaction", "name": {"zh": "客户满意度"}, "category": "experience", "kind": "quantitative", "unit": "%", "weight": 10,
      "scoring": {"method": "bands", "bands": [{"min": 0, "max": 70, "points": 0}, {"min": 70, "max": 80, "points": 60}, {"min": 80, "max": 90, "points": 80}, {"min": 90, "max": 95, "points": 90}, {"min": 95, "max": 100, "points": 100}]}},
    {"key": "responseTime", "name": {"zh": "平均响应时长"}, "category": "efficiency", "kind": "quantitative", "unit": "min", "direction": "lower", "weight": 10, "baseline": 5, "stretch": 3, "scoring": {"method": "linear", "floor": 60, "cap": 100}},
    {"key": "retention", "name": {"zh": "客户留存率"}, "category": "business", "kind": "quantitative", "unit": "%", "weight": 10, "baseline": 35, "stretch": 50, "scoring": {"method": "linear"}},
    {"key": "oneOnOneRating", "name": {"zh": "一对一好评率"}, "category": "experience", "kind": "quantitative", "unit": "%", "weight": 10, "baseline": 90, "scoring": {"method": "threshold", "pass": 100, "fail": 50}},
    {"key": "firstContactResolution", "name": {"zh": "首次解决率"}, "category": "efficiency", "kind": "quantitative", "unit": "%", "weight": 8, "baseline": 60, "stretch": 85, "scoring": {"method": "linear", "floor": 50, "cap": 100, "belowBaseline": 10}},
    {"key": "ticketsClosed", "name": {"zh": "结单量"}, "category": "efficiency", "kind": "quantitative", "weight": 8, "baseline": 200, "stretch": 300, "scoring": {"method": "linear"}},
    {"key": "escalationRate", "name": {"zh": "升级率"}, "category": "experience", "kind": "quantitative", "unit": "%", "direction": "lower", "weight": 8, "baseline": 8, "stretch": 3, "scoring": {"method": "linear", "belowBaseline": 20}},
    {"key": "qaScore", "name": {"zh": "质检分"}, "category": "experience", "kind": "quantitative", "weight": 8,
      "scoring": {"method": "bands", "bands": [{"min": 0, "max": 60, "points": 0}, {"min": 60, "max": 75, "points": 50}, {"min": 75, "max": 90, "points": 80}, {"min": 90, "max": 100, "points": 100}]}},
    {"key": "upsellRevenue", "name": {"zh": "增购收入"}, "category": "business", "kind": "quantitative", "unit": "CNY", "weight": 7, "baseline": 10000, "stretch": 20000, "scoring": {"method": "linear", "floor": 70}},
    {"key": "onTimeFollowUps", "name": {"zh": "按时回访率"}, "category": "experience", "kind": "quantitative", "unit": "%", "weight": 7, "baseline": 95, "scoring": {"method": "threshold"}},
    {"key": "knowledgeArticles", "name": {"zh": "知识库贡献"}, "category": "growth", "kind": "quantitative", "weight": 7, "baseline": 2, "stretch": 6, "scoring": {"method": "linear", "floor": 60, "cap": 100, "belowBaseline": 30}},
    {"key": "complaintRate", "name": {"zh": "投诉率"}, "category": "experience", "kind": "quantitative", "unit": "%", "direction": "lower", "weight": 7, "baseline": 2, "scoring": {"method": "threshold", "pass": 100, "fail": 40}}
  ],
  "grades": [
    {"key": "S", "name": {"zh": "卓越"}, "min": 90, "max": 100},
    {"key": "A", "name": {"zh": "优秀"}, "min": 80, "max": 90},
    {"key": "B", "name": {"zh": "达标"}, "min": 70, "max": 80},
    {"key": "C", "name": {"zh": "待改进"}, "min": 0, "max": 70}
  ],
  "distribution": [{"grades": ["S"], "max": 10}, {"grades": ["C"], "min": 10}],
  "stages": [
    {"key": "execute", "type": "execute", "name": {"zh": "执行"}, "deadline": {"from": "periodEnd", "offset": "P0D"}}
  ]
}`

// ScoreTemplate parses the scenario's scorecard.
func ScoreTemplate() (*templates.Template, error) {
	t, errs := templates.Parse([]byte(scoreTemplate))
	if len(errs) > 0 {
		return nil, fmt.Errorf("bench scorecard: %w", errs)
	}
	return t, nil
}

// scoreRange is where each indicator's generated values fall: wide enough
// to reach every band, threshold side and linear segment.
var scoreRange = map[string][2]float64{
	"satisfaction": {60, 100}, "responseTime": {1, 8}, "retention": {25, 60}, "oneOnOneRating": {80, 100},
	"firstContactResolution": {50, 95}, "ticketsClosed": {150, 350}, "escalationRate": {1, 12}, "qaScore": {50, 100},
	"upsellRevenue": {5000, 25000}, "onTimeFollowUps": {85, 100}, "knowledgeArticles": {0, 8}, "complaintRate": {0, 5},
}

// ScoreData generates n members' metrics for t, the same for the same seed.
func ScoreData(t *templates.Template, n int, seed uint64) []scorecard.MemberData {
	rng := rand.New(rand.NewPCG(seed, 2026))
	out := make([]scorecard.MemberData, n)
	for i := range out {
		m := scorecard.MemberData{MemberID: store.NewID(), Level: "junior", Metrics: make(map[string]float64, len(t.Indicators))}
		for _, ind := range t.Indicators {
			r := scoreRange[ind.Key]
			// Two decimals, as metric files carry them.
			m.Metrics[ind.Key] = math.Round((r[0]+rng.Float64()*(r[1]-r[0]))*100) / 100
		}
		out[i] = m
	}
	return out
}

// scorePeriod is the period the scenario's metric values are filed under.
const scorePeriod = "2026-10"

// runScore times ScoreMembers on n members in memory, then reading their
// metric values from the database and scoring them, against one SQL query
// computing the same weighted totals.
func (e *Engine) runScore(ctx context.Context, n, rounds int) (Result, error) {
	t, err := ScoreTemplate()
	if err != nil {
		return Result{Scenario: "score", Members: n}, err
	}
	data := ScoreData(t, n, 1)
	e.logf("score %d: scoring in memory", n)
	pure, allocs, bytes, err := timeScoring(t, data, 3)
	if err != nil {
		return Result{Scenario: "score", Members: n}, err
	}
	e.logf("score %d: %s in memory; inserting %d metric values", n, pure.Round(time.Millisecond), n*len(t.Indicators))
	inserted, err := e.insertMetrics(ctx, data)
	if err != nil {
		return Result{Scenario: "score", Members: n}, err
	}
	e.logf("score %d: inserted in %s; reading back and scoring, then the same in one SQL query, %d rounds", n, inserted.Round(time.Millisecond), max(rounds, 1))
	q := scoreSQL(t)
	out := make([]Result, 0, max(rounds, 1))
	for i := range max(rounds, 1) {
		res, err := e.scoreRound(ctx, t, q, cycleMembers(data))
		if err != nil {
			return res, err
		}
		e.logf("score %d: round %d: from the database %.0fms, SQL %.0fms", n, i+1, res.Ours.Get("fromDbMs"), res.Raw.Get("sqlMs"))
		res.Ours.ms("scoreMs", pure)
		res.Ours.add("allocs", float64(allocs))
		res.Ours.add("allocsPerMember", float64(allocs)/float64(n))
		res.Ours.add("allocMB", float64(bytes)/(1<<20))
		res.Ours.ms("insertMs", inserted)
		res.Ours.add("metricValues", float64(n*len(t.Indicators)))
		res.Ratios["inMemory"] = ratio(res.Ours.Get("scoreMs"), res.Raw.Get("sqlMs"))
		out = append(out, res)
	}
	return combine(out), nil
}

// scoreTries is how many times each side of a score round runs.
const scoreTries = 3

// scoreRound reads the period's values back and scores them (ours), then
// computes the same totals in one SQL query q (raw), and checks that both
// sides agree.
func (e *Engine) scoreRound(ctx context.Context, t *templates.Template, q string, ms []store.CycleMember) (Result, error) {
	n := len(ms)
	res := Result{Scenario: "score", Members: n}
	began := time.Now()
	back, err := e.readMetrics(ctx, ms, t)
	if err != nil {
		return res, err
	}
	read := time.Since(began)
	if _, err := scorecard.ScoreMembers(t, back); err != nil {
		return res, fmt.Errorf("score %d members read back: %w", len(back), err)
	}
	apart := time.Since(began)
	// Each side starts on a quiet machine after a collection, as launch and
	// submit rounds do: in a run of every scenario the server in this
	// process is still settling the cycles before, and a collection of its
	// heap landing inside one side's 0.15 s would decide the ratio. Each
	// side runs scoreTries times, alternating, and its median counts: a
	// side this short moves by a third from one try to the next.
	var oursTimes, rawTimes []float64
	diff, missing, rows := 0.0, 0, 0
	// Each try's results are its own, garbage before the next try starts:
	// held over, they had slowed ours by a third through the collector.
	for try := range scoreTries {
		e.quiet(ctx, fmt.Sprintf("score %d: ours, try %d", n, try+1))
		began = time.Now()
		ours, err := e.readAndScore(ctx, ms, t)
		if err != nil {
			return res, err
		}
		oursTimes = append(oursTimes, float64(time.Since(began))/float64(time.Millisecond))
		if len(ours) != n {
			return res, fmt.Errorf("read back %d members, wrote %d", len(ours), n)
		}
		e.quiet(ctx, fmt.Sprintf("score %d: raw, try %d", n, try+1))
		took, totals, err := e.sqlScores(ctx, q)
		if err != nil {
			return res, err
		}
		rawTimes = append(rawTimes, float64(took)/float64(time.Millisecond))
		rows = len(totals)
		absent := 0
		for _, s := range ours {
			v, ok := totals[s.MemberID]
			if !ok {
				absent++
				continue
			}
			diff = math.Max(diff, math.Abs(v-s.Final))
		}
		missing = max(missing, absent)
	}
	res.Ours.add("fromDbMs", median(oursTimes))
	res.Ours.ms("readMs", read)
	res.Ours.ms("readThenScoreMs", apart)
	res.Raw.add("sqlMs", median(rawTimes))
	res.Raw.add("rows", float64(rows))
	res.Ratio = ratio(res.Ours.Get("fromDbMs"), res.Raw.Get("sqlMs"))
	res.Ratios = map[string]float64{"fromDb": res.Ratio}
	res.Notes = fmt.Sprintf("each side the median of %d tries; ours: EachMetricValue streaming each member to scoring on every core as it is read, as ComputeScores does (scores, explanations, adjustments, grade, rank, forced distribution); raw: one query (CASE per rule, weighted SUM, GROUP BY member, ORDER BY total) with totals only; %d indicators; totals agree within %.3f", scoreTries,
		len(t.Indicators), diff)
	if missing > 0 {
		res.Notes += fmt.Sprintf("; %d members missing from the SQL result (failed)", missing)
	}
	return res, nil
}

// timeScoring runs ScoreMembers runs times and returns the fastest run and
// the allocations of one run.
func timeScoring(t *templates.Template, data []scorecard.MemberData, runs int) (best time.Duration, allocs, bytes uint64, err error) {
	for i := range runs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		began := time.Now()
		if _, err := scorecard.ScoreMembers(t, data); err != nil {
			return 0, 0, 0, fmt.Errorf("score %d members: %w", len(data), err)
		}
		took := time.Since(began)
		runtime.ReadMemStats(&after)
		if i == 0 || took < best {
			best = took
		}
		allocs, bytes = after.Mallocs-before.Mallocs, after.TotalAlloc-before.TotalAlloc
	}
	return best, allocs, bytes, nil
}

// insertMetrics files the members' metric values under one batch, by
// batch insert (the ingestion path upserts row by row, which is not what
// is measured here).
func (e *Engine) insertMetrics(ctx context.Context, data []scorecard.MemberData) (time.Duration, error) {
	began := time.Now()
	batch := &store.MetricBatch{ID: store.NewID(), OrgID: e.Org.ID, Checksum: randomHex(32), FileName: "bench", CreatedBy: "bench"}
	rows := make([]store.MetricValue, 0, len(data)*12)
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, m := range data {
		for k, v := range m.Metrics {
			rows = append(rows, store.MetricValue{ID: store.NewID(), OrgID: e.Org.ID, MemberID: m.MemberID, IndicatorKey: k, Period: scorePeriod, Value: v, Source: "bench", BatchID: batch.ID, RecordedAt: now})
		}
	}
	batch.RowCount = len(rows)
	db := e.Store.DB.WithContext(ctx)
	if err := db.Create(batch).Error; err != nil {
		return 0, fmt.Errorf("insert metric batch: %w", err)
	}
	if err := db.CreateInBatches(rows, store.InsertBatch(db)).Error; err != nil {
		return 0, fmt.Errorf("insert %d metric values: %w", len(rows), err)
	}
	return time.Since(began), nil
}

// readMetrics reads the period's values back into a records.Gathering of
// the members, without scoring them (the read's share of the time).
func (e *Engine) readMetrics(ctx context.Context, ms []store.CycleMember, t *templates.Template) ([]scorecard.MemberData, error) {
	g := records.NewGathering(t, ms)
	if err := e.Store.EachMetricValue(ctx, e.scoreFilter(ms), g.Metric); err != nil {
		return nil, err
	}
	return g.Data(), nil
}

// readAndScore is ComputeScores' read and scoring: each member is handed
// to scoring, on every core, as soon as their values are read.
func (e *Engine) readAndScore(ctx context.Context, ms []store.CycleMember, t *templates.Template) ([]scorecard.MemberScore, error) {
	scorer, err := scorecard.NewScorer(t)
	if err != nil {
		return nil, err
	}
	g := records.NewGathering(t, ms)
	run := scorer.Start(len(ms))
	g.Stream(run)
	err = e.Store.EachMetricValue(ctx, e.scoreFilter(ms), g.Metric)
	if cerr := g.Close(); err == nil {
		err = cerr
	}
	scores, serr := run.Finish()
	if err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, fmt.Errorf("score %d members read back: %w", len(ms), serr)
	}
	return scores, nil
}

// scoreFilter is the read of ms's values ComputeScores makes, split as it
// splits it; the scenario's members are the organisation's.
func (e *Engine) scoreFilter(ms []store.CycleMember) store.MetricFilter {
	return store.MetricFilter{OrgID: e.Org.ID, Period: scorePeriod, SplitAt: e.Store.MetricReadSplits(store.MemberIDsOf(ms))}
}

// cycleMembers are the members of data as a cycle lists them.
func cycleMembers(data []scorecard.MemberData) []store.CycleMember {
	ms := make([]store.CycleMember, len(data))
	for i, m := range data {
		ms[i] = store.CycleMember{MemberID: m.MemberID, Level: m.Level}
	}
	return ms
}

func (e *Engine) sqlScores(ctx context.Context, q string) (time.Duration, map[string]float64, error) {
	began := time.Now()
	rows, err := e.Store.DB.WithContext(ctx).Raw(q, e.Org.ID, scorePeriod).Rows()
	if err != nil {
		return 0, nil, fmt.Errorf("score in SQL: %w", err)
	}
	defer rows.Close()
	totals := map[string]float64{}
	for rows.Next() {
		var id string
		var total float64
		if err := rows.Scan(&id, &total); err != nil {
			return 0, nil, fmt.Errorf("score in SQL: %w", err)
		}
		totals[id] = total
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("score in SQL: %w", err)
	}
	return time.Since(began), totals, nil
}

// scoreSQL is t's weighted total as one query over metric_values: a CASE
// per indicator turning value into points by its rule, weighted, summed per
// member and rounded as the engine rounds.
func scoreSQL(t *templates.Template) string {
	var b strings.Builder
	total := 0.0
	b.WriteString("SELECT member_id, ROUND(SUM(CASE indicator_key")
	for _, ind := range t.Indicators {
		if ind.Kind != templates.Quantitative || ind.Scoring == nil {
			continue
		}
		total += ind.Weight
		fmt.Fprintf(&b, "\n  WHEN '%s' THEN %s * (%s)", ind.Key, num(ind.Weight), pointsSQL(ind))
	}
	fmt.Fprintf(&b, "\n  ELSE 0 END) / %s, 2) AS total\nFROM metric_values WHERE org_id = ? AND period = ?\nGROUP BY member_id ORDER BY total DESC", num(total))
	return b.String()
}

func pointsSQL(ind templates.Indicator) string {
	s := ind.Scoring
	lower := ind.LowerIsBetter()
	base, stretch := 0.0, 0.0
	if ind.Baseline != nil {
		base = *ind.Baseline
	}
	if ind.Stretch != nil {
		stretch = *ind.Stretch
	}
	switch s.Method {
	case templates.ScoreLinear:
		floor, cp, below := val(s.Floor, 60), val(s.Cap, 100), val(s.BelowBaseline, 0)
		if lower {
			return fmt.Sprintf("CASE WHEN value > %s THEN %s WHEN value <= %s THEN %s ELSE %s + (%s - value) / %s * %s END",
				num(base), num(below), num(stretch), num(cp), num(floor), num(base), num(base-stretch), num(cp-floor))
		}
		return fmt.Sprintf("CASE WHEN value < %s THEN %s WHEN value >= %s THEN %s ELSE %s + (value - %s) / %s * %s END",
			num(base), num(below), num(stretch), num(cp), num(floor), num(base), num(stretch-base), num(cp-floor))
	case templates.ScoreBands:
		var b strings.Builder
		b.WriteString("CASE")
		top := 0
		for i, band := range s.Bands {
			if band.Max > s.Bands[top].Max {
				top = i
			}
		}
		for i, band := range s.Bands {
			op := "<"
			if i == top {
				op = "<="
			}
			fmt.Fprintf(&b, " WHEN value >= %s AND value %s %s THEN %s", num(band.Min), op, num(band.Max), num(band.Points))
		}
		b.WriteString(" ELSE 0 END")
		return b.String()
	case templates.ScoreThreshold:
		op := ">="
		if lower {
			op = "<="
		}
		return fmt.Sprintf("CASE WHEN value %s %s THEN %s ELSE %s END", op, num(base), num(val(s.Pass, 100)), num(val(s.Fail, 0)))
	}
	return "0"
}

func val(p *float64, d float64) float64 {
	if p == nil {
		return d
	}
	return *p
}

// num writes a float as SQL reads it; ".0" keeps integer division out.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}
