package templates

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // templates name IANA zones; the binary must not depend on the host's zoneinfo
	"unicode"

	"github.com/perfloop/perfloop/names"
	"github.com/perfloop/perfloop/scoring"
)

// validate runs the checks a schema cannot express. It must cope with a
// half-decoded template (schema errors already reported), so it never
// assumes a field is present.
func validate(c *errs, t *Template) {
	if t.Timezone != "" {
		if _, err := time.LoadLocation(t.Timezone); err != nil || t.Timezone == "Local" {
			c.add("/timezone", t.Timezone, "unknown time zone; use an IANA name such as Asia/Shanghai or Europe/Berlin")
		}
	}
	if t.Recurrence != nil && t.Recurrence.Offset != "" {
		checkOffset(c, "/recurrence/offset", t.Recurrence.Offset)
	}
	ind := indicatorIndex(c, t)
	checkSignals(c, t, ind)
	checkWeights(c, t, ind)
	checkIndicators(c, t)
	raters := checkRaters(c, t, ind)
	checkAdjustments(c, t, ind)
	checkMissing(c, t)
	if t.Formula != "" {
		if p, err := Compile(CtxFormula, t.Formula, t); err != nil {
			c.add("/formula", t.Formula, err.Error())
		} else if _, err := p.Linear(); err != nil {
			c.add("/formula", t.Formula, err.Error())
		}
	}
	grades := checkGrades(c, t)
	checkDistribution(c, t, grades)
	checkBreakdown(c, t, ind)
	checkStages(c, t, raters)
	checkOutcomes(c, t, grades)
	checkNames(c, t)
}

// checkNames holds every label a template shows people to the one rule
// for names (package names): they reach e-mails, calendars and exports.
func checkNames(c *errs, t *Template) {
	text := func(path string, x Text) {
		for lang, v := range map[string]string{"zh": x.Zh, "en": x.En} {
			if msg := names.Check(v, names.MaxName); msg != "" {
				c.add(path+"/"+lang, names.Shown(v), msg)
			}
		}
	}
	text("/name", t.Name)
	for i, x := range t.Indicators {
		text(fmt.Sprintf("/indicators/%d/name", i), x.Name)
	}
	for i, x := range t.Grades {
		text(fmt.Sprintf("/grades/%d/name", i), x.Name)
	}
	for i, x := range t.Stages {
		text(fmt.Sprintf("/stages/%d/name", i), x.Name)
	}
}

// checkMissing refuses a missing-data policy the scorer would not know.
func checkMissing(c *errs, t *Template) {
	const expected = "unknown missing-data policy; use renormalise (the default), zero or block"
	for i, x := range t.Indicators {
		if !scoring.Policy(x.Missing).Valid() {
			c.add(ptr("indicators", i, "missing"), x.Missing, expected)
		}
	}
	for i, r := range t.Raters {
		if !scoring.Policy(r.Missing).Valid() {
			c.add(ptr("raters", i, "missing"), r.Missing, expected)
		}
	}
}

func indicatorIndex(c *errs, t *Template) map[string]Indicator {
	ind := map[string]Indicator{}
	for i, x := range t.Indicators {
		if x.Key == "" {
			continue
		}
		if _, dup := ind[x.Key]; dup {
			c.add(ptr("indicators", i, "key"), x.Key, "duplicate indicator key; each indicator needs its own")
			continue
		}
		ind[x.Key] = x
	}
	return ind
}

func checkSignals(c *errs, t *Template, ind map[string]Indicator) {
	seen := map[string]bool{}
	for i, s := range t.Signals {
		switch {
		case s.Key == "":
		case seen[s.Key]:
			c.add(ptr("signals", i, "key"), s.Key, "duplicate signal key")
		case ind[s.Key].Key != "":
			c.add(ptr("signals", i, "key"), s.Key, "an indicator already has this key; metric."+s.Key+" would be ambiguous")
		}
		seen[s.Key] = true
	}
}

// near tolerates the binary rounding of decimal weights such as 33.3.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func checkWeights(c *errs, t *Template, ind map[string]Indicator) {
	if len(t.Indicators) > 0 && !c.under("/indicators/") {
		sum := 0.0
		for _, x := range t.Indicators {
			sum += x.Weight
		}
		if !near(sum, 100) {
			c.add("/indicators", trimFloat(sum), fmt.Sprintf("indicator weights total %s; they must total 100 (%s)", trimFloat(sum), fix(sum)))
		}
	}
	levels := sortedKeys(t.LevelWeights)
	for _, level := range levels {
		w := t.LevelWeights[level]
		sum := 0.0
		for _, k := range sortedKeys(w) {
			sum += w[k]
			if _, ok := ind[k]; !ok {
				c.add(ptr("levelWeights", level, k), k, "unknown indicator; known: "+strings.Join(sortedKeys(ind), ", "))
			}
		}
		if !near(sum, 100) {
			c.add(ptr("levelWeights", level), trimFloat(sum), fmt.Sprintf("weights for level %s total %s; they must total 100 (%s)", level, trimFloat(sum), fix(sum)))
		}
	}
}

func fix(sum float64) string {
	if sum < 100 {
		return "add " + trimFloat(100-sum)
	}
	return "remove " + trimFloat(sum-100)
}

func trimFloat(f float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", f), "0"), ".")
}

func checkIndicators(c *errs, t *Template) {
	for i, x := range t.Indicators {
		p := ptr("indicators", i)
		if x.Kind == Behavioural {
			if x.Scoring != nil {
				c.add(p+"/scoring", nil, "a behavioural indicator is scored by its raters; remove scoring or make the indicator quantitative")
			}
			continue
		}
		if x.Kind != Quantitative {
			continue
		}
		s := x.Scoring
		if s == nil {
			c.add(p+"/scoring", nil, "is required for a quantitative indicator: linear, bands, threshold or expression")
			continue
		}
		needRange := func() bool {
			ok := true
			if x.Baseline == nil {
				c.add(p+"/baseline", nil, "is required for "+s.Method+" scoring")
				ok = false
			}
			if x.Stretch == nil && s.Method == ScoreLinear {
				c.add(p+"/stretch", nil, "is required for linear scoring")
				ok = false
			}
			return ok
		}
		switch s.Method {
		case ScoreLinear:
			if !needRange() {
				break
			}
			b, st := *x.Baseline, *x.Stretch
			switch {
			case b == st:
				c.add(p+"/stretch", trimFloat(st), "must differ from the baseline; linear scoring needs a range")
			case x.LowerIsBetter() && st > b:
				c.add(p+"/stretch", trimFloat(st), fmt.Sprintf("lower is better here, so the stretch target must be below the baseline %s", trimFloat(b)))
			case !x.LowerIsBetter() && st < b:
				c.add(p+"/stretch", trimFloat(st), fmt.Sprintf("higher is better here, so the stretch target must be above the baseline %s (or set direction to lower)", trimFloat(b)))
			}
			floor, cap := orDefault(s.Floor, 60), orDefault(s.Cap, 100)
			if floor > cap {
				c.add(p+"/scoring/floor", trimFloat(floor), fmt.Sprintf("must not exceed cap %s", trimFloat(cap)))
			}
		case ScoreThreshold:
			needRange()
		case ScoreBands:
			if len(s.Bands) == 0 {
				c.add(p+"/scoring/bands", nil, "needs at least one band for bands scoring")
			}
			checkBands(c, p+"/scoring/bands", s.Bands)
		case ScoreExpression:
			if s.Expr == "" {
				c.add(p+"/scoring/expr", nil, "is required for expression scoring")
			} else if _, err := Compile(CtxScoring, s.Expr, t); err != nil {
				c.add(p+"/scoring/expr", s.Expr, err.Error())
			}
		}
	}
}

func orDefault(p *float64, d float64) float64 {
	if p == nil {
		return d
	}
	return *p
}

func checkBands(c *errs, path string, bands []Band) {
	idx := make([]int, len(bands))
	for i := range idx {
		idx[i] = i
	}
	for _, i := range idx {
		if bands[i].Min >= bands[i].Max {
			c.add(ptr2(path, i, "max"), trimFloat(bands[i].Max), fmt.Sprintf("must be greater than min %s", trimFloat(bands[i].Min)))
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return bands[idx[a]].Min < bands[idx[b]].Min })
	for k := 1; k < len(idx); k++ {
		prev, cur := bands[idx[k-1]], bands[idx[k]]
		if cur.Min < prev.Max {
			c.add(ptr2(path, idx[k], "min"), trimFloat(cur.Min), fmt.Sprintf("band [%s, %s) overlaps band [%s, %s); bands must not overlap", trimFloat(cur.Min), trimFloat(cur.Max), trimFloat(prev.Min), trimFloat(prev.Max)))
		}
	}
}

func ptr2(base string, tokens ...any) string { return base + ptr(tokens...) }

// checkRaters returns the rater roles present, for the stages' checks.
func checkRaters(c *errs, t *Template, ind map[string]Indicator) map[string]bool {
	decoded := !c.under("/raters/")
	roles := map[string]bool{}
	keys := map[string]bool{}
	sources := map[string]string{} // source → the metrics-fed group reading it
	rated := map[string]bool{}
	weighted := map[string]bool{} // rated by a rater whose weight counts
	sum := 0.0
	for i, r := range t.Raters {
		p := ptr("raters", i)
		sum += r.Weight
		if r.Key != "" {
			if keys[r.Key] {
				c.add(p+"/key", r.Key, "duplicate rater key")
			}
			switch r.Key {
			case "total", "quantitative", "behaviour", "score", "metric", "target":
				c.add(p+"/key", r.Key, "is a formula variable already; choose another key")
			}
			keys[r.Key] = true
		}
		checkRaterSource(c, p, r, sources)
		if (r.Role == RaterSelf || r.Role == RaterManager) && roles[r.Role] {
			c.add(p+"/role", r.Role, "only one "+r.Role+" rater is allowed")
		}
		roles[r.Role] = true
		multi := r.Role == RaterPeer || r.Role == RaterCrossDepartment
		if multi {
			if r.Max == 0 {
				c.add(p+"/max", nil, "is required for "+r.Role+" raters: how many people rate each member")
			} else if r.Min > r.Max {
				c.add(p+"/min", r.Min, fmt.Sprintf("must not exceed max %d", r.Max))
			}
		} else if r.Min != 0 || r.Max != 0 {
			c.add(p+"/max", r.Max, "only peer and crossDepartment raters have a count")
		}
		switch {
		case r.Nomination == "":
		case r.Nomination != NominatedByManager:
			c.add(p+"/nomination", r.Nomination, `unknown nomination; use "manager" (a lead of the cycle names the raters) or leave it out for the automatic pick`)
		case !multi || r.InputOf() != "task":
			c.add(p+"/nomination", r.Nomination, "only peer and crossDepartment groups rating in Perfloop are nominated")
		}
		if r.Scale != nil {
			checkScale(c, p+"/scale", r.Scale)
		}
		targets := r.Indicators
		if len(targets) == 0 {
			for _, x := range t.Indicators {
				if x.Kind == Behavioural {
					rated[x.Key] = true
					weighted[x.Key] = weighted[x.Key] || r.Weight > 0
				}
			}
		}
		for j, k := range targets {
			x, ok := ind[k]
			switch {
			case !ok:
				c.add(ptr("raters", i, "indicators", j), k, "unknown indicator; known: "+strings.Join(sortedKeys(ind), ", "))
			case x.Kind == Quantitative && r.InputOf() == "task":
				c.add(ptr("raters", i, "indicators", j), k, "is quantitative and scored from data; raters rate behavioural indicators")
			default:
				rated[k] = true
				weighted[k] = weighted[k] || r.Weight > 0
			}
		}
	}
	if len(t.Raters) > 0 && decoded && !near(sum, 100) {
		c.add("/raters", trimFloat(sum), fmt.Sprintf("rater weights total %s; they must total 100 (%s)", trimFloat(sum), fix(sum)))
	}
	for i, x := range t.Indicators {
		switch {
		case x.Kind != Behavioural || x.Key == "" || !decoded:
		case !rated[x.Key]:
			c.add(ptr("indicators", i, "kind"), x.Kind, "no rater rates this behavioural indicator; add a rater or list it in a rater's indicators")
		case !weighted[x.Key]:
			c.add(ptr("indicators", i, "kind"), x.Kind, "only raters with weight 0 rate this indicator, so it never gets a score; let a weighted rater rate it")
		}
	}
	return roles
}

// checkRaterSource holds a group fed by metrics to one source an import can
// name in a "source:indicator" column, read by no other group, so every
// imported score lands in exactly one group.
func checkRaterSource(c *errs, p string, r Rater, sources map[string]string) {
	if r.InputOf() != "metrics" {
		if r.Source != "" {
			c.add(p+"/source", r.Source, `only a group with input "metrics" reads a source; people who rate in Perfloop need none`)
		}
		return
	}
	src := r.SourceOf()
	switch {
	case src == "":
	case strings.TrimSpace(src) != src || len(src) > 64 || strings.ContainsAny(src, ":,") || strings.ContainsFunc(src, unicode.IsControl):
		c.add(p+"/source", src, "a source such as survey or customer: at most 64 bytes, no colon, comma, control characters or surrounding spaces")
	case sources[src] != "":
		c.add(p+"/source", src, fmt.Sprintf("rater group %s reads this source already; give each group fed by metrics its own", sources[src]))
	default:
		sources[src] = r.Key
	}
}

// checkScale reports, at its JSON path, each reason a rater group's scale
// cannot turn every answer into points; the rules are scoring's.
func checkScale(c *errs, p string, s *Scale) {
	if s.Min >= s.Max {
		c.add(p+"/max", trimFloat(s.Max), fmt.Sprintf("must be greater than min %s", trimFloat(s.Min)))
		return
	}
	switch s.Mapping {
	case "", scoring.MapLinear, scoring.MapRatio, scoring.MapPoints:
	default:
		return // the schema names the mappings
	}
	if s.Mapping != scoring.MapPoints {
		if len(s.Points) > 0 {
			c.add(p+"/points", nil, `points are read only with "mapping": "points"; add it or remove points`)
		}
		if s.Mapping == scoring.MapRatio && s.Min < 0 {
			c.add(p+"/min", trimFloat(s.Min), "ratio reads an answer as a share of max, so min must be 0 or more")
		}
		return
	}
	if len(s.Points) == 0 {
		c.add(p+"/points", nil, fmt.Sprintf(`is required with "mapping": "points": the points each answer scores, at least for min %s and max %s, such as {"1": 20, "3": 60, "5": 100}`, trimFloat(s.Min), trimFloat(s.Max)))
		return
	}
	keys := make([]string, 0, len(s.Points))
	for k := range s.Points {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ok := true
	for _, k := range keys {
		r, err := strconv.ParseFloat(k, 64)
		pp := p + "/points/" + pointerEscaper.Replace(k)
		switch {
		case err != nil || math.IsNaN(r) || math.IsInf(r, 0):
			c.add(pp, k, "a point's key is an answer on the scale, a number such as \"3\"")
			ok = false
		case r < s.Min || r > s.Max:
			c.add(pp, k, fmt.Sprintf("lies outside the scale %s–%s", trimFloat(s.Min), trimFloat(s.Max)))
			ok = false
		}
	}
	if !ok {
		return
	}
	rs := s.Rating()
	if rs.Points[0].Rating != s.Min || rs.Points[len(rs.Points)-1].Rating != s.Max {
		c.add(p+"/points", nil, fmt.Sprintf("must give points for min %s and max %s so every answer scores (answers between two listed ones score in proportion)", trimFloat(s.Min), trimFloat(s.Max)))
	}
	for i := 1; i < len(rs.Points); i++ {
		a, b := rs.Points[i-1], rs.Points[i]
		if b.Rating == a.Rating {
			c.add(p+"/points", trimFloat(b.Rating), "the same answer is listed twice")
		} else if b.Points < a.Points {
			c.add(p+"/points/"+pointerEscaper.Replace(trimFloat(b.Rating)), trimFloat(b.Points), fmt.Sprintf("is less than %s for %s; a higher answer must not score less", trimFloat(a.Points), trimFloat(a.Rating)))
		}
	}
}

func checkAdjustments(c *errs, t *Template, ind map[string]Indicator) {
	keys := map[string]bool{}
	for i, a := range t.Adjustments {
		p := ptr("adjustments", i)
		if a.Key != "" && keys[a.Key] {
			c.add(p+"/key", a.Key, "duplicate adjustment key")
		}
		keys[a.Key] = true
		if a.Indicator != "" {
			if _, ok := ind[a.Indicator]; !ok {
				c.add(p+"/indicator", a.Indicator, "unknown indicator; known: "+strings.Join(sortedKeys(ind), ", "))
			}
		}
		if a.When != "" {
			if _, err := Compile(CtxCondition, a.When, t); err != nil {
				c.add(p+"/when", a.When, err.Error())
			}
		}
		n := 0
		for _, f := range []*float64{a.Effect.Multiply, a.Effect.Add, a.Effect.Set} {
			if f != nil {
				n++
			}
		}
		if n > 1 {
			c.add(p+"/effect", nil, "set exactly one of multiply, add or set")
		}
	}
}

func checkGrades(c *errs, t *Template) map[string]bool {
	known := map[string]bool{}
	idx := []int{}
	for i, g := range t.Grades {
		if g.Key != "" && known[g.Key] {
			c.add(ptr("grades", i, "key"), g.Key, "duplicate grade key")
		}
		known[g.Key] = true
		if c.broken(ptr("grades", i)) {
			continue
		}
		if g.Min >= g.Max {
			c.add(ptr("grades", i, "max"), trimFloat(g.Max), fmt.Sprintf("must be greater than min %s", trimFloat(g.Min)))
			continue
		}
		idx = append(idx, i)
	}
	if len(idx) < 2 {
		return known
	}
	sort.SliceStable(idx, func(a, b int) bool { return t.Grades[idx[a]].Min < t.Grades[idx[b]].Min })
	if lo := t.Grades[idx[0]]; lo.Min != 0 {
		c.add(ptr("grades", idx[0], "min"), trimFloat(lo.Min), fmt.Sprintf("the lowest grade must start at 0, or scores below %s get no grade", trimFloat(lo.Min)))
	}
	if hi := t.Grades[idx[len(idx)-1]]; hi.Max != 100 {
		c.add(ptr("grades", idx[len(idx)-1], "max"), trimFloat(hi.Max), "the highest grade must end at 100")
	}
	for k := 1; k < len(idx); k++ {
		prev, cur := t.Grades[idx[k-1]], t.Grades[idx[k]]
		switch {
		case cur.Min < prev.Max:
			c.add(ptr("grades", idx[k], "min"), trimFloat(cur.Min), fmt.Sprintf("grade %s [%s, %s) overlaps grade %s [%s, %s)", cur.Key, trimFloat(cur.Min), trimFloat(cur.Max), prev.Key, trimFloat(prev.Min), trimFloat(prev.Max)))
		case cur.Min > prev.Max:
			c.add(ptr("grades", idx[k], "min"), trimFloat(cur.Min), fmt.Sprintf("gap between grade %s (ends at %s) and grade %s (starts at %s); scores in between get no grade", prev.Key, trimFloat(prev.Max), cur.Key, trimFloat(cur.Min)))
		}
	}
	return known
}

func checkDistribution(c *errs, t *Template, grades map[string]bool) {
	sets := make([]map[string]bool, len(t.Distribution))
	for i, l := range t.Distribution {
		p := ptr("distribution", i)
		sets[i] = map[string]bool{}
		for j, g := range l.Grades {
			if !grades[g] {
				c.add(ptr("distribution", i, "grades", j), g, "unknown grade; known: "+strings.Join(gradeKeys(t), ", "))
			}
			sets[i][g] = true
		}
		if l.Min != nil && l.Max != nil && *l.Min > *l.Max {
			c.add(p+"/min", trimFloat(*l.Min), fmt.Sprintf("cannot be satisfied: at least %s%% but at most %s%%", trimFloat(*l.Min), trimFloat(*l.Max)))
		}
	}
	// A set that must hold at least X% cannot sit inside a set allowed at most Y% < X%.
	for i, a := range t.Distribution {
		for j, b := range t.Distribution {
			if i == j || a.Min == nil || b.Max == nil || !subset(sets[i], sets[j]) || *a.Min <= *b.Max {
				continue
			}
			c.add(ptr("distribution", i, "min"), trimFloat(*a.Min), fmt.Sprintf("cannot be satisfied: %s must hold at least %s%% but limit %d allows %s at most %s%%", strings.Join(a.Grades, "+"), trimFloat(*a.Min), j, strings.Join(b.Grades, "+"), trimFloat(*b.Max)))
		}
	}
	// Minimums of separate grade sets cannot add up to more than everyone.
	total, disjoint := 0.0, true
	used := map[string]bool{}
	for i, l := range t.Distribution {
		if l.Min == nil {
			continue
		}
		for g := range sets[i] {
			if used[g] {
				disjoint = false
			}
			used[g] = true
		}
		total += *l.Min
	}
	if disjoint && total > 100 {
		c.add("/distribution", trimFloat(total), fmt.Sprintf("cannot be satisfied: the minimum shares add up to %s%%, more than all members", trimFloat(total)))
	}
	// Calibration moves members between neighbouring grades, so a limit
	// must name grades next to each other on the scale (S+A, not S+C).
	checkAdjacent(c, t, grades)
	// Maximums that cover every grade must leave room for everyone.
	maxSum, covered := 0.0, map[string]bool{}
	disjoint = true
	for i, l := range t.Distribution {
		if l.Max == nil {
			continue
		}
		for g := range sets[i] {
			if covered[g] {
				disjoint = false
			}
			covered[g] = true
		}
		maxSum += *l.Max
	}
	if disjoint && len(t.Grades) > 0 && len(covered) == len(grades) && maxSum < 100 {
		c.add("/distribution", trimFloat(maxSum), fmt.Sprintf("cannot be satisfied: every grade is capped and the caps add up to %s%%, less than all members", trimFloat(maxSum)))
	}
}

func subset(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return len(a) > 0
}

func gradeKeys(t *Template) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, g := range t.Grades {
		if !seen[g.Key] {
			seen[g.Key] = true
			out = append(out, g.Key)
		}
	}
	return out
}

func checkBreakdown(c *errs, t *Template, ind map[string]Indicator) {
	b := t.Breakdown
	if b == nil {
		return
	}
	if b.Method == SplitWeighted && len(b.LevelWeights) == 0 {
		c.add("/breakdown/levelWeights", nil, "is required for the weighted method: a weight per member level, such as {\"junior\": 1, \"senior\": 1.5}")
	}
	seen := map[string]bool{}
	for i, tt := range b.Targets {
		p := ptr("breakdown", "targets", i)
		x, ok := ind[tt.Indicator]
		switch {
		case tt.Indicator == "":
		case !ok:
			c.add(p+"/indicator", tt.Indicator, "unknown indicator; known: "+strings.Join(sortedKeys(ind), ", "))
		case x.Kind != Quantitative:
			c.add(p+"/indicator", tt.Indicator, "is behavioural; only quantitative indicators have targets to split")
		case x.Unit == "%":
			c.add(p+"/indicator", tt.Indicator, "is a rate (%); a rate is not split but applies to every member as the indicator's baseline and stretch")
		case seen[tt.Indicator]:
			c.add(p+"/indicator", tt.Indicator, "is already split by an earlier target")
		}
		seen[tt.Indicator] = true
	}
}

// stageOrder is the order the named building blocks must keep.
var stageOrder = map[string]int{StageGoal: 1, StagePlan: 2, StageExecute: 3, StageEvaluate: 4, StageCalibrate: 5, StageFeedback: 6}

// humanStages are the blocks that put tasks in someone's inbox and so need a deadline.
var humanStages = map[string]bool{StagePlan: true, StageEvaluate: true, StageCalibrate: true, StageFeedback: true, StageTask: true}

func checkStages(c *errs, t *Template, raters map[string]bool) {
	keys := map[string]bool{}
	last, lastAt := 0, -1
	once := map[string]int{}
	for i, s := range t.Stages {
		p := ptr("stages", i)
		if s.Key != "" && keys[s.Key] {
			c.add(p+"/key", s.Key, "duplicate stage key")
		}
		keys[s.Key] = true
		if o, ok := stageOrder[s.Type]; ok {
			if prev, dup := once[s.Type]; dup {
				c.add(p+"/type", s.Type, fmt.Sprintf("a template has one %s stage; stage %d is one already", s.Type, prev))
			} else if o < last {
				c.add(p+"/type", s.Type, fmt.Sprintf("must come before the %s stage at %d (order: goal, plan, execute, evaluate, calibrate, feedback)", t.Stages[lastAt].Type, lastAt))
			}
			once[s.Type] = i
			if o > last {
				last, lastAt = o, i
			}
		}
		var length time.Duration
		if s.Duration != "" && s.Deadline != nil {
			c.add(p+"/deadline", nil, "set either duration or deadline, not both")
		}
		if s.Duration != "" {
			length = checkDuration(c, p+"/duration", s.Duration)
		}
		if s.Deadline != nil {
			checkOffset(c, p+"/deadline/offset", s.Deadline.Offset)
		}
		needsTime := humanStages[s.Type] || s.Type == StageWait || (s.Type == StageGoal && t.Breakdown != nil && t.Breakdown.Confirm)
		if needsTime && s.Duration == "" && s.Deadline == nil && s.Type != "" {
			c.add(p+"/duration", nil, "is required: how long people have for this stage, such as P3D (or give a deadline)")
		}
		if r := s.Reminders; r != nil {
			for j, b := range r.Before {
				d := checkDuration(c, ptr2(p, "reminders", "before", j), b)
				if length > 0 && d >= length {
					c.add(ptr2(p, "reminders", "before", j), b, fmt.Sprintf("a reminder %s before a deadline %s after the stage opens would go out before the stage starts", b, s.Duration))
				}
			}
			if r.OverdueEvery != "" {
				checkDuration(c, p+"/reminders/overdueEvery", r.OverdueEvery)
			} else if r.OverdueMax > 0 {
				c.add(p+"/reminders/overdueEvery", nil, "is required when overdueMax is set")
			}
		}
		if e := s.Escalation; e != nil && e.After != "" {
			checkDuration(c, p+"/escalation/after", e.After)
		}
		if s.When != "" {
			if _, err := Compile(CtxStage, s.When, t); err != nil {
				c.add(p+"/when", s.When, err.Error())
			}
		}
		checkStageKind(c, t, p, s, length, raters)
		checkForm(c, p, s.Form)
	}
	if i, ok := once[StageCalibrate]; ok {
		if _, ev := once[StageEvaluate]; !ev {
			c.add(ptr("stages", i, "type"), StageCalibrate, "calibration needs an evaluate stage before it")
		}
	}
	if i, ok := once[StageFeedback]; ok {
		if _, ev := once[StageEvaluate]; !ev {
			c.add(ptr("stages", i, "type"), StageFeedback, "feedback publishes results, so an evaluate stage must come before it")
		}
	}
	if _, ok := once[StageGoal]; ok && t.Breakdown == nil {
		c.add("/breakdown", nil, "is required by the goal stage: the team targets to split and how")
	}
}

func checkStageKind(c *errs, t *Template, p string, s Stage, length time.Duration, raters map[string]bool) {
	switch s.Type {
	case StageTask:
		if s.Assignee == "" {
			c.add(p+"/assignee", nil, "is required for a task stage: who fills the form")
		}
		if len(s.Form) == 0 {
			c.add(p+"/form", nil, "a task stage needs at least one form field")
		}
	case StageNotify:
		if s.Message == nil {
			c.add(p+"/message", nil, "is required for a notify stage")
		}
		if s.Recipients == "" {
			c.add(p+"/recipients", nil, "is required for a notify stage: a role such as employee")
		}
	case StageEvaluate:
		if len(t.Raters) == 0 {
			c.add("/raters", nil, "an evaluate stage needs raters: at least a self or manager rater")
		}
	case StageExecute:
		if s.Monitor != nil {
			checkDuration(c, p+"/monitor/every", s.Monitor.Every)
		}
		if r := s.Reports; r != nil {
			every := checkDuration(c, p+"/reports/every", r.Every)
			if r.Every == "" {
				c.add(p+"/reports/every", nil, "is required: how often members report, e.g. P7D for weekly")
			}
			if due := checkDuration(c, p+"/reports/dueIn", r.DueIn); due > every && every > 0 {
				c.add(p+"/reports/dueIn", r.DueIn, "must be at most every ("+r.Every+"): a report is due before the next one opens")
			}
			if len(r.Form) == 0 {
				c.add(p+"/reports/form", nil, "a report needs at least one form field, e.g. the key actions done")
			}
			checkForm(c, p+"/reports", r.Form)
		}
	case StageCalibrate:
		if m := s.Meeting; m != nil {
			checkSlot(c, p+"/meeting", "meeting", "a calibration meeting", m.Within, m.Duration, m.WorkdayStart, m.WorkdayEnd, s.Duration, length)
		}
		if s.OnTimeout == "extend" && s.ExtendBy == "" {
			c.add(p+"/extendBy", nil, "is required when onTimeout is extend: how long the extension lasts")
		}
		if s.ExtendBy != "" {
			checkDuration(c, p+"/extendBy", s.ExtendBy)
		}
	case StageFeedback:
		if s.AppealWindow != "" {
			checkDuration(c, p+"/appealWindow", s.AppealWindow)
		}
		if iv := s.Interview; iv != nil {
			checkSlot(c, p+"/interview", "interview", "an interview", iv.Within, iv.Duration, iv.WorkdayStart, iv.WorkdayEnd, s.Duration, length)
		}
	}
	if s.Reports != nil && s.Type != StageExecute {
		c.add(p+"/reports", nil, aStage(s.Type)+" takes no reports; put the reports block on the execute stage")
	}
	if s.Interview != nil && s.Type != StageFeedback {
		c.add(p+"/interview", nil, aStage(s.Type)+" books no interviews; put the interview block on the feedback stage")
	}
	if len(s.Form) > 0 {
		switch s.Type {
		case StageTask, StagePlan, StageFeedback, StageGoal:
		default:
			c.add(p+"/form", nil, aStage(s.Type)+" builds its own form; only task, plan, goal and feedback stages take form fields")
		}
	}
}

// aStage names a stage type with its article: "an evaluate stage".
func aStage(typ string) string {
	if strings.IndexAny(typ[:min(1, len(typ))], "aeiou") == 0 {
		return "an " + typ + " stage"
	}
	return "a " + typ + " stage"
}

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func checkForm(c *errs, p string, form []Field) {
	keys := map[string]bool{}
	for i, f := range form {
		fp := ptr2(p, "form", i)
		if f.Key != "" && keys[f.Key] {
			c.add(fp+"/key", f.Key, "duplicate field key in this form")
		}
		keys[f.Key] = true
		if f.Type == "select" && len(f.Options) == 0 {
			c.add(fp+"/options", nil, "a select field needs options")
		}
		if f.Type != "select" && len(f.Options) > 0 {
			c.add(fp+"/options", nil, "only select fields take options")
		}
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			c.add(fp+"/min", trimFloat(*f.Min), "must not exceed max "+trimFloat(*f.Max))
		}
		vals := map[string]bool{}
		for j, o := range f.Options {
			if vals[o.Value] {
				c.add(ptr2(fp, "options", j, "value"), o.Value, "duplicate option value")
			}
			vals[o.Value] = true
		}
	}
}

func checkOutcomes(c *errs, t *Template, grades map[string]bool) {
	o := t.Outcomes
	if o == nil {
		return
	}
	unknown := "unknown grade; known: " + strings.Join(gradeKeys(t), ", ")
	if b := o.Bonus; b != nil {
		tierOf := map[string]int{}
		for i, tier := range b.Tiers {
			for j, g := range tier.Grades {
				p := ptr("outcomes", "bonus", "tiers", i, "grades", j)
				if !grades[g] {
					c.add(p, g, unknown)
				} else if prev, dup := tierOf[g]; dup {
					c.add(p, g, fmt.Sprintf("grade %s is already in tier %d; a grade pays one bonus", g, prev))
				}
				tierOf[g] = i
			}
		}
	}
	if pr := o.Promotion; pr != nil {
		for j, g := range pr.Grades {
			if !grades[g] {
				c.add(ptr("outcomes", "promotion", "grades", j), g, unknown)
			}
		}
	}
	if r := o.IDP; r != nil {
		if r.BottomCount == 0 && r.BottomPercent == nil {
			c.add("/outcomes/idp/bottomCount", nil, "set bottomCount or bottomPercent: which members count as ranked at the bottom")
		}
		if r.BottomCount > 0 && r.BottomPercent != nil {
			c.add("/outcomes/idp/bottomPercent", trimFloat(*r.BottomPercent), "set bottomCount or bottomPercent, not both")
		}
		dur := checkDuration(c, "/outcomes/idp/duration", r.Duration)
		every := checkDuration(c, "/outcomes/idp/checkinEvery", r.CheckinEvery)
		if dur > 0 && every >= dur {
			c.add("/outcomes/idp/checkinEvery", r.CheckinEvery, "check-ins must come more often than the plan lasts ("+r.Duration+")")
		}
	}
}

// checkDuration reports a duration that does not parse and returns its length.
func checkDuration(c *errs, path, s string) time.Duration {
	if s == "" {
		return 0
	}
	d, err := ParseDuration(s)
	if err != nil {
		c.add(path, s, err.Error())
		return 0
	}
	if d == 0 {
		c.add(path, s, "must be longer than zero")
	}
	return d
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkOffset is checkDuration for offsets, where zero is a fine answer.
func checkOffset(c *errs, path, s string) {
	if _, err := ParseDuration(s); err != nil && s != "" {
		c.add(path, s, err.Error())
	}
}

func checkAdjacent(c *errs, t *Template, grades map[string]bool) {
	order := append(make([]Grade, 0, len(t.Grades)), t.Grades...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].Min > order[j].Min })
	pos := map[string]int{}
	for i, g := range order {
		pos[g.Key] = i
	}
	for i, l := range t.Distribution {
		lo, hi, n := len(order), -1, 0
		seen := map[string]bool{}
		for _, g := range l.Grades {
			p, ok := pos[g]
			if !ok || seen[g] {
				continue
			}
			seen[g] = true
			n++
			lo, hi = min(lo, p), max(hi, p)
		}
		if n > 1 && hi-lo+1 != n {
			c.add(ptr("distribution", i, "grades"), strings.Join(l.Grades, "+"), fmt.Sprintf("names grades that are not next to each other (%s skips %s); limit neighbouring grades such as S+A or C+D", strings.Join(l.Grades, "+"), skipped(order, lo, hi, seen)))
		}
	}
}

func skipped(order []Grade, lo, hi int, in map[string]bool) string {
	var out []string
	for i := lo; i <= hi; i++ {
		if !in[order[i].Key] {
			out = append(out, order[i].Key)
		}
	}
	return strings.Join(out, "+")
}

// checkSlot checks a block that books a meeting (the calibration meeting,
// the feedback interviews): its length fits the window and a working day,
// the day ends after it starts, and the window fits the stage. what names
// it in messages ("meeting"), a names one ("a calibration meeting").
func checkSlot(c *errs, p, what, a, within, duration, dayStart, dayEnd, stageDuration string, length time.Duration) {
	win := checkDuration(c, p+"/within", within)
	dur := checkDuration(c, p+"/duration", duration)
	if win > 0 && dur > win {
		c.add(p+"/duration", duration, "the "+what+" is longer than the window "+within+" it must fit in")
	}
	if dur > 8*time.Hour {
		c.add(p+"/duration", duration, a+" must fit in one working day (at most PT8H)")
	}
	start, end := orText(dayStart, "09:00"), orText(dayEnd, "18:00")
	// The times compare as text only in the schema's HH:MM form; a
	// malformed one is reported by the schema already.
	if clockRE.MatchString(start) && clockRE.MatchString(end) && start >= end {
		c.add(p+"/workdayEnd", end, "must be later than workdayStart "+start)
	}
	if length > 0 && win > length {
		c.add(p+"/within", within, "the "+what+" window is longer than the stage ("+stageDuration+")")
	}
}
