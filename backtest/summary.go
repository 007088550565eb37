package backtest

import "slices"

// summarise adds the periods up.
func summarise(rep *Report, gradeOrder []string) Summary {
	s := Summary{Periods: len(rep.Periods), Reproduced: len(rep.Periods) > 0, Distribution: []GradeCount{}, Gaps: len(rep.Gaps)}
	at := map[string]int{}
	for _, p := range rep.Periods {
		if !p.SameTemplate || len(p.Mismatches) > 0 {
			s.Reproduced = false
		}
		for _, g := range p.Distribution {
			i, ok := at[g.Grade]
			if !ok {
				i = len(s.Distribution)
				at[g.Grade] = i
				s.Distribution = append(s.Distribution, GradeCount{Grade: g.Grade})
			}
			s.Distribution[i].AsRun += g.AsRun
			s.Distribution[i].Draft += g.Draft
		}
		s.Results += len(p.Members)
		for _, c := range p.GradeChanges {
			s.Changed++
			from, to := slices.Index(gradeOrder, c.From), slices.Index(gradeOrder, c.To)
			switch {
			case from < 0 || to < 0: // withheld on one side, or a grade only one template has
			case to < from:
				s.Up++
			case to > from:
				s.Down++
			}
		}
		if s.Bonus.Currency == "" {
			s.Bonus.Currency = p.Bonus.Currency
		}
		s.Bonus.AsRun += p.Bonus.AsRun
		s.Bonus.Draft += p.Bonus.Draft
		s.Bonus.Recorded += p.Bonus.Recorded
		s.Promotions.AsRun += len(p.Promotions.AsRun)
		s.Promotions.Draft += len(p.Promotions.Draft)
	}
	s.Bonus.Difference = s.Bonus.Draft - s.Bonus.AsRun
	s.IDPs.AsRun, s.IDPs.Draft = len(rep.IDPs.AsRun), len(rep.IDPs.Draft)
	return s
}
