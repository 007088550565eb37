package backtest

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/perfloop/perfloop/records"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// Period is one past cycle of the team: the template it ran on, parsed
// from the body frozen at launch, and what it recorded.
type Period struct {
	Cycle   store.Cycle
	AsRun   *templates.Template
	Records *store.CycleRecords
}

// Input is a backtest: a draft template over a team's past cycles, one per
// period, oldest first. Names are members' display names, by id.
type Input struct {
	Draft   *templates.Template
	TeamID  string
	From    string
	To      string
	Periods []Period
	Names   map[string]string
}

// ErrNoPeriods means the range holds no cycle of the team to re-score.
var ErrNoPeriods = errors.New("no cycle of the team in the period range")

// Run re-scores every period under the draft and compares. Periods are
// scored side by side, each on its own: a period's ranking reads no other.
func Run(in Input) (*Report, error) {
	if len(in.Periods) == 0 {
		return nil, ErrNoPeriods
	}
	rep := &Report{Draft: TemplateRef{Key: in.Draft.Key, Version: in.Draft.Version}, TeamID: in.TeamID, From: in.From, To: in.To,
		Periods: make([]PeriodReport, len(in.Periods)), Gaps: []Gap{}, Notes: []templates.Text{}}
	drafts := make([][]scorecard.MemberScore, len(in.Periods))
	errs := make([]error, len(in.Periods))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(in.Periods)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				rep.Periods[i], drafts[i], errs[i] = period(in, in.Periods[i])
			}
		}()
	}
	for i := range in.Periods {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("period %s (cycle %s): %w", in.Periods[i].Cycle.Period, in.Periods[i].Cycle.ID, err)
		}
		rep.Gaps = append(rep.Gaps, rep.Periods[i].Gaps...)
	}
	rep.IDPs = idps(in, drafts)
	// Best first: a grade's band starts higher than a worse one's.
	grades := slices.Clone(in.Draft.Grades)
	slices.SortStableFunc(grades, func(a, b templates.Grade) int { return cmp.Compare(b.Min, a.Min) })
	order := make([]string, len(grades))
	for i, g := range grades {
		order[i] = g.Key
	}
	if r := in.Draft.Outcomes; r != nil && r.IDP != nil {
		if runs := r.IDP.Runs(); runs > 1 {
			rep.Notes = append(rep.Notes, templates.Text{
				Zh: fmt.Sprintf("IDP 规则需连续 %d 个周期末位：区间前 %d 个周期之前的历史不在试算范围内，不计入", runs, runs-1),
				En: fmt.Sprintf("the IDP rule needs %d consecutive periods at the bottom: history before the range is not re-scored, so the range's first %d period(s) cannot complete a run on their own", runs, runs-1),
			})
		}
	}
	if len(rep.IDPs.Draft) > 0 {
		rep.Notes = append(rep.Notes, templates.Text{
			Zh: "每个周期触发的 IDP 都会列出；实际运行时，已有进行中计划的成员不会再叠加新计划",
			En: "every period's IDP trigger is listed; live, a member already on an open plan gets no second one",
		})
	}
	rep.Notes = append(rep.Notes, templates.Text{
		Zh: "按规则得出的等级（校准前）对比；校准会议的调整与已发放奖金另列",
		En: "grades compared are those the rules give (before calibration); the calibrated grade and the bonus actually set are shown beside them",
	})
	rep.Summary = summarise(rep, order)
	return rep, nil
}

// period re-scores one cycle under the draft.
func period(in Input, p Period) (PeriodReport, []scorecard.MemberScore, error) {
	c := p.Cycle
	pr := PeriodReport{Period: c.Period, CycleID: c.ID, State: c.State, AsRun: TemplateRef{Key: c.TemplateKey, Version: c.TemplateVersion},
		Headcount: len(p.Records.Members), GradeChanges: []GradeChange{}, Gaps: []Gap{}}
	pr.SameTemplate = len(templates.Diff(p.AsRun, in.Draft)) == 0
	g := records.NewGathering(in.Draft, p.Records.Members)
	for _, v := range p.Records.Metrics {
		g.Metric(v)
	}
	for _, tg := range p.Records.Targets {
		g.Target(tg)
	}
	for _, e := range p.Records.Evaluations {
		g.Evaluation(e)
	}
	data := g.Data()
	waive(data, p.Records.Results)
	if len(data) == 0 {
		pr.Notes = append(pr.Notes, "the cycle has no members")
		return pr, nil, nil
	}
	scores, err := scorecard.ScoreMembers(in.Draft, data)
	if err != nil {
		return pr, nil, err
	}
	recorded := make(map[string]*store.Result, len(p.Records.Results))
	for i := range p.Records.Results {
		recorded[p.Records.Results[i].MemberID] = &p.Records.Results[i]
	}
	if len(p.Records.Results) == 0 {
		pr.Notes = append(pr.Notes, "the cycle recorded no results yet: only the draft's side is shown")
	}

	// Both sides' outcomes by the one rule: the as-run template's on the
	// recorded proposed grades, the draft's on the draft's.
	asRunRows := make([]store.Result, 0, len(p.Records.Results))
	for _, r := range p.Records.Results {
		row := r
		row.Grade = r.ProposedGrade
		asRunRows = append(asRunRows, row)
	}
	draftRows := make([]store.Result, len(scores))
	for i, s := range scores {
		draftRows[i] = store.Result{MemberID: s.MemberID, FinalScore: s.Final, Grade: s.Proposed, Rank: s.Rank}
		if len(s.Blocked) > 0 {
			draftRows[i].Blocked, draftRows[i].Grade = "withheld", ""
		}
	}
	asRunOut := outcomesByMember(p.AsRun.Outcomes, asRunRows)
	draftOut := outcomesByMember(in.Draft.Outcomes, draftRows)
	pr.Bonus.Currency = currency(in.Draft, p.AsRun)

	pr.Members = make([]MemberRow, len(scores))
	for i, s := range scores {
		row := MemberRow{MemberID: s.MemberID, Name: in.Names[s.MemberID]}
		row.Draft = Standing{Score: s.Final, Grade: s.Proposed, Rank: s.Rank, Withheld: len(s.Blocked) > 0}
		if row.Draft.Withheld {
			row.Draft.Grade = ""
		}
		oc := draftOut[s.MemberID]
		row.Draft.Bonus, row.Draft.Promotion = oc.BonusAmount, oc.Promotion
		pr.Bonus.Draft += oc.BonusAmount
		if r := recorded[s.MemberID]; r != nil {
			row.AsRun = Standing{Score: r.FinalScore, Grade: r.ProposedGrade, Rank: r.Rank, Withheld: r.Blocked != ""}
			oc := asRunOut[s.MemberID]
			row.AsRun.Bonus, row.AsRun.Promotion = oc.BonusAmount, oc.Promotion
			row.Calibrated, row.RecordedBonus = r.Grade, r.BonusAmount
			pr.Bonus.AsRun += oc.BonusAmount
			pr.Bonus.Recorded += r.BonusAmount
			row.GradeChanged = row.AsRun.Grade != row.Draft.Grade
			if pr.SameTemplate {
				if d := mismatch(row); d != "" {
					pr.Mismatches = append(pr.Mismatches, s.MemberID+": "+d)
				}
			}
		} else if len(p.Records.Results) > 0 {
			pr.Notes = append(pr.Notes, fmt.Sprintf("member %s has no recorded result", s.MemberID))
		}
		pr.Members[i] = row
	}
	pr.Bonus.Difference = pr.Bonus.Draft - pr.Bonus.AsRun
	// Member ids are unique, so the order is total and needs no stable sort.
	slices.SortFunc(pr.Members, func(a, b MemberRow) int {
		if a.Draft.Withheld != b.Draft.Withheld {
			if a.Draft.Withheld {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(a.Draft.Rank, b.Draft.Rank); c != 0 {
			return c
		}
		return cmp.Compare(a.MemberID, b.MemberID)
	})
	pr.Promotions = Promotions{AsRun: []string{}, Draft: []string{}}
	for _, row := range pr.Members {
		if row.GradeChanged {
			pr.GradeChanges = append(pr.GradeChanges, GradeChange{MemberID: row.MemberID, Name: row.Name, From: row.AsRun.Grade, To: row.Draft.Grade, ScoreFrom: row.AsRun.Score, ScoreTo: row.Draft.Score})
		}
		if row.AsRun.Promotion {
			pr.Promotions.AsRun = append(pr.Promotions.AsRun, row.MemberID)
		}
		if row.Draft.Promotion {
			pr.Promotions.Draft = append(pr.Promotions.Draft, row.MemberID)
		}
	}
	pr.Distribution, pr.Limits = distribution(in.Draft, p.AsRun, pr.Members)
	pr.Gaps = gaps(c.Period, in.Draft, p.AsRun, data, scores)
	return pr, scores, nil
}

// mismatch says how a re-score under the as-run template differs from the
// recorded result; empty when it reproduces it.
func mismatch(r MemberRow) string {
	a, d := r.AsRun, r.Draft
	switch {
	case a.Withheld != d.Withheld:
		return fmt.Sprintf("withheld %v recorded, %v re-scored", a.Withheld, d.Withheld)
	case a.Score != d.Score:
		return fmt.Sprintf("score %.2f recorded, %.2f re-scored", a.Score, d.Score)
	case a.Grade != d.Grade:
		return fmt.Sprintf("grade %s recorded, %s re-scored", a.Grade, d.Grade)
	case a.Rank != d.Rank:
		return fmt.Sprintf("rank %d recorded, %d re-scored", a.Rank, d.Rank)
	}
	return ""
}

func outcomesByMember(o *templates.Outcomes, rows []store.Result) map[string]store.Outcome {
	out := make(map[string]store.Outcome, len(rows))
	if o == nil {
		return out
	}
	for _, oc := range records.Outcomes(o, rows) {
		out[oc.MemberID] = oc
	}
	return out
}

func currency(ts ...*templates.Template) string {
	for _, t := range ts {
		if t.Outcomes != nil && t.Outcomes.Bonus != nil && t.Outcomes.Bonus.Currency != "" {
			return t.Outcomes.Bonus.Currency
		}
	}
	return ""
}

// distribution counts both sides' grades, in the draft's grade order (then
// any grade only the as-run template has), and checks the draft's limits.
func distribution(draft, asRun *templates.Template, rows []MemberRow) ([]GradeCount, []LimitCheck) {
	var order []string
	for _, t := range []*templates.Template{draft, asRun} {
		for _, g := range t.Grades {
			if !slices.Contains(order, g.Key) {
				order = append(order, g.Key)
			}
		}
	}
	counts := make([]GradeCount, len(order))
	at := map[string]int{}
	for i, g := range order {
		counts[i], at[g] = GradeCount{Grade: g}, i
	}
	asRunGrades, draftGrades := map[string]string{}, map[string]string{}
	for _, r := range rows {
		if i, ok := at[r.AsRun.Grade]; ok && !r.AsRun.Withheld {
			counts[i].AsRun++
			asRunGrades[r.MemberID] = r.AsRun.Grade
		}
		if i, ok := at[r.Draft.Grade]; ok && !r.Draft.Withheld {
			counts[i].Draft++
			draftGrades[r.MemberID] = r.Draft.Grade
		}
	}
	limits := draft.ScoringLimits()
	violations := scoring.CheckDistribution(draftGrades, limits)
	checks := make([]LimitCheck, len(limits))
	for i, l := range limits {
		lc := LimitCheck{Grades: l.Grades, Min: draft.Distribution[i].Min, Max: draft.Distribution[i].Max, Within: true}
		lc.MinCount, lc.MaxCount = scoring.Bounds(l, len(draftGrades))
		for _, g := range asRunGrades {
			if slices.Contains(l.Grades, g) {
				lc.AsRun++
			}
		}
		for _, g := range draftGrades {
			if slices.Contains(l.Grades, g) {
				lc.Draft++
			}
		}
		for _, v := range violations {
			if v.Limit == i {
				lc.Within, lc.Message = false, v.Message
			}
		}
		checks[i] = lc
	}
	return counts, checks
}

// gaps are the data the draft found missing, one per indicator or rater
// group, with how many members lacked it and the policy that applied.
func gaps(period string, draft, asRun *templates.Template, data []scorecard.MemberData, scores []scorecard.MemberScore) []Gap {
	type key struct{ kind, key string }
	missing := map[key]map[string]bool{}
	policy := map[key]string{}
	var order []key
	for _, s := range scores {
		for _, m := range s.Missing {
			k := key{m.Kind, m.Key}
			if missing[k] == nil {
				missing[k] = map[string]bool{}
				order = append(order, k)
			}
			missing[k][s.MemberID] = true
			policy[k] = string(m.Policy)
		}
	}
	out := []Gap{}
	for _, k := range order {
		g := Gap{Period: period, Kind: k.kind, Key: k.key, Members: len(missing[k]), Of: len(data), Policy: policy[k]}
		g.New = !known(asRun, k.kind, k.key)
		g.NoHistory = !recorded(data, k.kind, k.key)
		g.Message = gapMessage(g)
		out = append(out, g)
	}
	return out
}

// known says whether t has the indicator or rater group.
func known(t *templates.Template, kind, key string) bool {
	if kind == scorecard.MissingRater {
		return slices.ContainsFunc(t.Raters, func(r templates.Rater) bool { return r.Key == key })
	}
	return slices.ContainsFunc(t.Indicators, func(i templates.Indicator) bool { return i.Key == key })
}

// recorded says whether any member has a value (or a rating) for key.
func recorded(data []scorecard.MemberData, kind, key string) bool {
	for _, m := range data {
		if kind == scorecard.MissingRater {
			if len(m.Ratings[key]) > 0 {
				return true
			}
			continue
		}
		if _, ok := m.Metrics[key]; ok {
			return true
		}
		for _, byIndicator := range m.Ratings {
			if len(byIndicator[key]) > 0 {
				return true
			}
		}
	}
	return false
}

func gapMessage(g Gap) templates.Text {
	zhWhat, enWhat := "指标 "+g.Key, "indicator "+g.Key
	switch g.Kind {
	case scorecard.MissingRater:
		zhWhat, enWhat = "评价人组 "+g.Key, "rater group "+g.Key
	case scorecard.MissingPart:
		zhWhat, enWhat = "公式项 "+g.Key, "formula part "+g.Key
	}
	zhNew, enNew := "", ""
	if g.New {
		zhNew, enNew = "（草稿新增）", " (new in the draft)"
	}
	if g.NoHistory {
		noun := "values"
		if g.Kind == scorecard.MissingRater {
			noun = "ratings"
		}
		return templates.Text{
			Zh: fmt.Sprintf("%s%s在 %s 没有任何历史记录，历史无法回答；%d 名成员全部按缺失数据策略 %s 处理", zhWhat, zhNew, g.Period, g.Members, g.Policy),
			En: fmt.Sprintf("%s%s has no recorded %s in %s, so the history cannot answer for it; the missing-data policy %s applied to all %d members", enWhat, enNew, noun, g.Period, g.Policy, g.Members),
		}
	}
	return templates.Text{
		Zh: fmt.Sprintf("%s%s在 %s 有 %d / %d 名成员缺失数据，按缺失数据策略 %s 处理", zhWhat, zhNew, g.Period, g.Members, g.Of, g.Policy),
		En: fmt.Sprintf("%s%s is missing for %d of %d members in %s; the missing-data policy %s applied", enWhat, enNew, g.Members, g.Of, g.Period, g.Policy),
	}
}

// waive carries over a calibration's waivers: a result it released records
// the waiver in its explanation, and the member is scored under the draft
// as the cycle scored them, on the data there is.
func waive(data []scorecard.MemberData, results []store.Result) {
	reasons := map[string]string{}
	for _, r := range results {
		if !strings.Contains(r.Explanation, `"waiver"`) {
			continue
		}
		var e struct {
			Waiver string `json:"waiver"`
		}
		if json.Unmarshal([]byte(r.Explanation), &e) == nil && e.Waiver != "" {
			reasons[r.MemberID] = e.Waiver
		}
	}
	for i := range data {
		data[i].Waiver = reasons[data[i].MemberID]
	}
}
