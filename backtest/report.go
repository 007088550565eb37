package backtest

import "github.com/perfloop/perfloop/templates"

// Report is a backtest's answer.
type Report struct {
	Draft   TemplateRef    `json:"draft"`
	TeamID  string         `json:"teamId"`
	From    string         `json:"from"`
	To      string         `json:"to"`
	Periods []PeriodReport `json:"periods"`
	// Summary adds the periods up, for a panel's headline and its chart of
	// grades before and after.
	Summary Summary `json:"summary"`
	// IDPs is who a development plan would follow, period by period, under
	// the as-run templates' rules on the recorded ranks and under the
	// draft's rule on the draft's ranks.
	IDPs IDPs `json:"idps"`
	// Gaps are the data the draft needs and the history lacks, every period's.
	Gaps []Gap `json:"gaps"`
	// Notes say what the backtest could not take into account.
	Notes []templates.Text `json:"notes"`
}

// TemplateRef names a template version.
type TemplateRef struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
}

// PeriodReport is one past cycle re-scored.
type PeriodReport struct {
	Period  string      `json:"period"`
	CycleID string      `json:"cycleId"`
	State   string      `json:"state"`
	AsRun   TemplateRef `json:"asRun"`
	// SameTemplate: the draft is the template the cycle ran on, so its
	// scores must reproduce the recorded ones; Mismatches lists any that do
	// not (metric values corrected after scoring, a waiver), each naming
	// the member and what differs.
	SameTemplate bool     `json:"sameTemplate"`
	Mismatches   []string `json:"mismatches,omitempty"`
	Headcount    int      `json:"headcount"`
	// Members are in the draft's rank order, withheld members last.
	Members      []MemberRow   `json:"members"`
	GradeChanges []GradeChange `json:"gradeChanges"`
	Distribution []GradeCount  `json:"distribution"`
	Limits       []LimitCheck  `json:"limits"`
	Bonus        BonusTotals   `json:"bonus"`
	Promotions   Promotions    `json:"promotions"`
	Gaps         []Gap         `json:"gaps"`
	Notes        []string      `json:"notes,omitempty"`
}

// Standing is a member's place under one template.
type Standing struct {
	Score     float64 `json:"score"`
	Grade     string  `json:"grade"` // by the rules: the proposed grade, before calibration
	Rank      int     `json:"rank"`
	Withheld  bool    `json:"withheld"` // a block policy withholds the score: no grade or rank
	Bonus     float64 `json:"bonus"`
	Promotion bool    `json:"promotion"`
}

// MemberRow is one member's recorded and draft standing.
type MemberRow struct {
	MemberID string `json:"memberId"`
	Name     string `json:"name,omitempty"`
	// AsRun is what the cycle recorded (its bonus and promotion recomputed
	// on the proposed grade, as the draft's are); Calibrated is the grade
	// the calibration settled and RecordedBonus what was set on it.
	AsRun         Standing `json:"asRun"`
	Calibrated    string   `json:"calibrated"`
	RecordedBonus float64  `json:"recordedBonus"`
	Draft         Standing `json:"draft"`
	GradeChanged  bool     `json:"gradeChanged"`
}

// GradeChange is a member whose grade the draft changes.
type GradeChange struct {
	MemberID  string  `json:"memberId"`
	Name      string  `json:"name,omitempty"`
	From      string  `json:"from"`
	To        string  `json:"to"`
	ScoreFrom float64 `json:"scoreFrom"`
	ScoreTo   float64 `json:"scoreTo"`
}

// GradeCount is how many members hold a grade.
type GradeCount struct {
	Grade string `json:"grade"`
	AsRun int    `json:"asRun"`
	Draft int    `json:"draft"`
}

// LimitCheck is one of the draft's forced-distribution limits against the
// draft's grades (and, for comparison, the recorded ones).
type LimitCheck struct {
	Grades []string `json:"grades"`
	// Min and Max are percentages of headcount as the draft writes them;
	// MinCount and MaxCount are the headcounts they allow (scoring.Bounds).
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	MinCount int      `json:"minCount"`
	MaxCount int      `json:"maxCount"`
	AsRun    int      `json:"asRun"`
	Draft    int      `json:"draft"`
	Within   bool     `json:"within"` // the draft's grades keep the limit
	Message  string   `json:"message,omitempty"`
}

// BonusTotals are a period's bonuses in the templates' currency (¥).
type BonusTotals struct {
	Currency string `json:"currency"`
	// AsRun is the as-run template's tiers on the recorded proposed
	// grades, Draft the draft's tiers on the draft's grades, Difference
	// Draft − AsRun; Recorded is what was set after calibration.
	AsRun      float64 `json:"asRun"`
	Draft      float64 `json:"draft"`
	Difference float64 `json:"difference"`
	Recorded   float64 `json:"recorded"`
}

// Promotions are the members each template would promote.
type Promotions struct {
	AsRun []string `json:"asRun"`
	Draft []string `json:"draft"`
}

// Gap is data the draft needs that a period's history lacks, and the
// missing-data policy that applied to it.
type Gap struct {
	Period string `json:"period"`
	Kind   string `json:"kind"` // indicator, rater or part (scorecard.Missing*)
	Key    string `json:"key"`
	// New: the as-run template had no such indicator or rater group.
	// NoHistory: no member of the period has any recorded value of it.
	New       bool           `json:"new"`
	NoHistory bool           `json:"noHistory"`
	Members   int            `json:"members"` // members it is missing for
	Of        int            `json:"of"`
	Policy    string         `json:"policy"`
	Message   templates.Text `json:"message"`
}

// IDPs are development plans each template's rule would start.
type IDPs struct {
	AsRun []IDPDue `json:"asRun"`
	Draft []IDPDue `json:"draft"`
}

// IDPDue is a member a plan would follow after Period, with the periods at
// the bottom that led to it, oldest first.
type IDPDue struct {
	Period   string      `json:"period"`
	MemberID string      `json:"memberId"`
	Name     string      `json:"name,omitempty"`
	Run      []BottomRun `json:"run"`
}

// BottomRun is one period at the bottom.
type BottomRun struct {
	Period   string  `json:"period"`
	Rank     int     `json:"rank"`
	TeamSize int     `json:"teamSize"`
	Score    float64 `json:"score"`
}

// Summary is the whole range at a glance.
type Summary struct {
	Periods int `json:"periods"`
	// Results counts member-periods re-scored; Changed those whose grade
	// the draft changes, Up to a better grade and Down to a worse one (by
	// the draft's grade order, best first).
	Results int `json:"results"`
	Changed int `json:"changed"`
	Up      int `json:"up"`
	Down    int `json:"down"`
	// Reproduced: every period ran on the draft and re-scored exactly as
	// recorded (false as soon as one did not run on it).
	Reproduced   bool         `json:"reproduced"`
	Distribution []GradeCount `json:"distribution"`
	Bonus        BonusTotals  `json:"bonus"`
	Promotions   struct {
		AsRun int `json:"asRun"`
		Draft int `json:"draft"`
	} `json:"promotions"`
	IDPs struct {
		AsRun int `json:"asRun"`
		Draft int `json:"draft"`
	} `json:"idps"`
	Gaps int `json:"gaps"`
}
