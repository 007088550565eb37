package templates

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/perfloop/perfloop/scoring"
)

// Text is a label in both languages the product speaks. zh is required;
// en falls back to zh where an author leaves it out.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en,omitempty"`
}

// In returns the label for a locale ("en…" gives English when present).
func (t Text) In(locale string) string {
	if len(locale) >= 2 && locale[:2] == "en" && t.En != "" {
		return t.En
	}
	return t.Zh
}

// Period lengths a cycle can have.
const (
	Monthly   = "monthly"
	Quarterly = "quarterly"
	Annual    = "annual"
)

// Template is one version of a review process.
type Template struct {
	Schema       string                        `json:"$schema,omitempty"`
	Key          string                        `json:"key"`
	Version      int                           `json:"version,omitempty"` // absent until Perfloop stamps it
	Name         Text                          `json:"name"`
	Description  Text                          `json:"description,omitempty"`
	Period       string                        `json:"period"`
	Timezone     string                        `json:"timezone"`
	Recurrence   *Recurrence                   `json:"recurrence,omitempty"`
	Signals      []Signal                      `json:"signals,omitempty"`
	Indicators   []Indicator                   `json:"indicators"`
	LevelWeights map[string]map[string]float64 `json:"levelWeights,omitempty"`
	Adjustments  []Adjustment                  `json:"adjustments,omitempty"`
	Raters       []Rater                       `json:"raters,omitempty"`
	Formula      string                        `json:"formula,omitempty"`
	RaterMix     string                        `json:"raterMix,omitempty"` // MixIndicator (default) or MixPart
	Grades       []Grade                       `json:"grades"`
	Distribution []Limit                       `json:"distribution,omitempty"`
	Breakdown    *Breakdown                    `json:"breakdown,omitempty"`
	Stages       []Stage                       `json:"stages"`
	Outcomes     *Outcomes                     `json:"outcomes,omitempty"`
	Channels     Channels                      `json:"channels,omitempty"`
}

// Channels sends each event (reminder, escalation, results, idp, meeting,
// task, notice, pace) out on the listed channels (inapp, email, wecom,
// dingtalk, feishu, slack, webhook). A stage's setting wins over the
// template's; an event neither names uses the organisation's default.
type Channels map[string][]string

// ChannelsFor returns the channels an event is routed to, and whether any level
// (the stage first, then the template) says so.
func (t *Template) ChannelsFor(stage *Stage, event string) ([]string, bool) {
	if stage != nil {
		if chs, ok := stage.Channels[event]; ok {
			return chs, true
		}
	}
	if t != nil {
		if chs, ok := t.Channels[event]; ok {
			return chs, true
		}
	}
	return nil, false
}

// Recurrence launches a cycle automatically each period, Offset after the
// period starts (in the template's time zone).
type Recurrence struct {
	Enabled bool   `json:"enabled"`
	Offset  string `json:"offset,omitempty"`
}

// Signal is a metric that is not scored but that adjustment rules and
// formulas may read, such as a community's group exit rate.
type Signal struct {
	Key    string `json:"key"`
	Name   Text   `json:"name"`
	Unit   string `json:"unit,omitempty"`
	Source string `json:"source,omitempty"`
}

// Indicator kinds.
const (
	Quantitative = "quantitative" // scored from metric data by its rule
	Behavioural  = "behavioural"  // rated by people (the raters)
)

// Indicator is one line of the scorecard.
type Indicator struct {
	Key       string   `json:"key"`
	Name      Text     `json:"name"`
	Category  string   `json:"category"`
	Kind      string   `json:"kind"`
	Unit      string   `json:"unit,omitempty"`
	Direction string   `json:"direction,omitempty"` // "higher" (default) or "lower"
	Weight    float64  `json:"weight"`
	Baseline  *float64 `json:"baseline,omitempty"`
	Stretch   *float64 `json:"stretch,omitempty"`
	Source    string   `json:"source,omitempty"`
	Scoring   *Scoring `json:"scoring,omitempty"`
	Missing   string   `json:"missing,omitempty"` // missing-data policy: renormalise (default), zero or block
}

// LowerIsBetter reports whether smaller values score higher (response time).
func (i Indicator) LowerIsBetter() bool { return i.Direction == "lower" }

// Scoring methods.
const (
	ScoreLinear     = "linear"
	ScoreBands      = "bands"
	ScoreThreshold  = "threshold"
	ScoreExpression = "expression"
)

// Scoring turns a metric value into points on a 0–100 scale.
type Scoring struct {
	Method        string   `json:"method"`
	Floor         *float64 `json:"floor,omitempty"`         // points at the baseline (linear, default 60)
	Cap           *float64 `json:"cap,omitempty"`           // points at or past the stretch (linear, default 100)
	BelowBaseline *float64 `json:"belowBaseline,omitempty"` // points short of the baseline (linear, default 0)
	Bands         []Band   `json:"bands,omitempty"`
	Pass          *float64 `json:"pass,omitempty"` // threshold: points when the baseline is met (default 100)
	Fail          *float64 `json:"fail,omitempty"` // threshold: points otherwise (default 0)
	Expr          string   `json:"expr,omitempty"`
}

// Band gives Points for values in [Min, Max); the highest band includes Max.
type Band struct {
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Points float64 `json:"points"`
}

// Adjustment is an anti-gaming rule: when its condition holds for a member,
// the effect changes one indicator's score.
type Adjustment struct {
	Key       string `json:"key"`
	Name      Text   `json:"name"`
	When      string `json:"when"`
	Indicator string `json:"indicator"`
	Effect    Effect `json:"effect"`
}

// Effect changes a score: exactly one of its fields is set.
type Effect struct {
	Multiply *float64 `json:"multiply,omitempty"`
	Add      *float64 `json:"add,omitempty"`
	Set      *float64 `json:"set,omitempty"`
}

// NominatedByManager lets a lead of the cycle name a peer or
// cross-department group's raters for each member.
const NominatedByManager = "manager"

// Rater roles.
const (
	RaterSelf            = "self"
	RaterManager         = "manager"
	RaterPeer            = "peer"
	RaterCrossDepartment = "crossDepartment"
	RaterCustomer        = "customer"
)

// Where rater weights act.
const (
	// MixIndicator mixes the groups that rate each behavioural indicator
	// by their weights, renormalised over those groups.
	MixIndicator = "indicator"
	// MixPart mixes each group's average over the behavioural indicators
	// it rated into one behaviour part by the rater weights as written
	// (40/30/30 stays 40/30/30); the part weighs what the behavioural
	// indicators' weights total.
	MixPart = "part"
)

// Rater is one source of ratings for behavioural indicators.
type Rater struct {
	Key        string   `json:"key"`
	Role       string   `json:"role"`
	Weight     float64  `json:"weight"`
	Min        int      `json:"min,omitempty"` // peers and cross-department raters per member
	Max        int      `json:"max,omitempty"`
	Anonymous  bool     `json:"anonymous,omitempty"`
	Input      string   `json:"input,omitempty"`      // "task" (people rate in Perfloop) or "metrics" (imported survey scores)
	Source     string   `json:"source,omitempty"`     // metrics input: the source its imported scores arrive under (default: the key)
	Nomination string   `json:"nomination,omitempty"` // "manager": a lead of the cycle names the raters instead of the automatic pick
	Indicators []string `json:"indicators,omitempty"` // default: every behavioural indicator
	Scale      *Scale   `json:"scale,omitempty"`      // default 0–100
	Missing    string   `json:"missing,omitempty"`    // missing-data policy: renormalise (default), zero or block
}

// Scale is the range raters answer in and how an answer becomes points on
// 0–100: linear from the minimum (the default), ratio of the maximum, or
// explicit points per answer ({"1": 20, "3": 60, "5": 100}).
type Scale struct {
	Min     float64            `json:"min"`
	Max     float64            `json:"max"`
	Mapping string             `json:"mapping,omitempty"`
	Points  map[string]float64 `json:"points,omitempty"`
}

// Rating is the scale in scoring's terms; a nil scale is 0–100 read as it
// is. Point keys that are not numbers are left out: the validator reports
// them.
func (s *Scale) Rating() scoring.RatingScale {
	if s == nil {
		return scoring.RatingScale{}
	}
	rs := scoring.RatingScale{Min: s.Min, Max: s.Max, Mapping: s.Mapping}
	for k, v := range s.Points {
		if r, err := strconv.ParseFloat(k, 64); err == nil {
			rs.Points = append(rs.Points, scoring.ScalePoint{Rating: r, Points: v})
		}
	}
	slices.SortFunc(rs.Points, func(a, b scoring.ScalePoint) int { return cmp.Compare(a.Rating, b.Rating) })
	return rs
}

// InputOf says where a rater's scores come from.
func (r Rater) InputOf() string {
	if r.Input != "" {
		return r.Input
	}
	if r.Role == RaterCustomer {
		return "metrics"
	}
	return "task"
}

// SourceOf is the metric source a group fed by metrics reads its scores
// from, and empty for a group whose people rate in Perfloop: imports name
// it ("survey:serviceAttitude") and a value under any other source is
// refused rather than stored and never read.
func (r Rater) SourceOf() string {
	if r.InputOf() != "metrics" {
		return ""
	}
	if r.Source != "" {
		return r.Source
	}
	return r.Key
}

// Grade is a band of final scores, [Min, Max), the top grade including 100.
type Grade struct {
	Key  string  `json:"key"`
	Name Text    `json:"name"`
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
}

// Limit bounds the share (percent of headcount) of a set of grades after
// calibration: S at most 10, C and D together at least 10.
type Limit struct {
	Grades []string `json:"grades"`
	Max    *float64 `json:"max,omitempty"`
	Min    *float64 `json:"min,omitempty"`
}

// Breakdown methods.
const (
	SplitEqual    = "equal"
	SplitWeighted = "weighted"
	SplitHistory  = "history"
	SplitManual   = "manual"
)

// Breakdown says how team targets become member targets.
type Breakdown struct {
	Method       string             `json:"method"`
	LevelWeights map[string]float64 `json:"levelWeights,omitempty"` // weighted: weight per member level
	Targets      []TeamTarget       `json:"targets"`
	Confirm      bool               `json:"confirm,omitempty"` // the manager confirms the split
}

// TeamTarget is a team figure to split across members.
type TeamTarget struct {
	Indicator string  `json:"indicator"`
	Value     float64 `json:"value"`
	Decimals  int     `json:"decimals,omitempty"`
	Objective Text    `json:"objective,omitempty"` // the team objective the member targets link to
}

// Stage types.
const (
	StageGoal      = "goal"
	StagePlan      = "plan"
	StageExecute   = "execute"
	StageEvaluate  = "evaluate"
	StageCalibrate = "calibrate"
	StageFeedback  = "feedback"
	StageTask      = "task"
	StageWait      = "wait"
	StageNotify    = "notify"
)

// StageTypes lists the building blocks in their usual order.
var StageTypes = []string{StageGoal, StagePlan, StageExecute, StageEvaluate, StageCalibrate, StageFeedback, StageTask, StageWait, StageNotify}

// Stage is one step of the cycle.
type Stage struct {
	Key          string      `json:"key"`
	Type         string      `json:"type"`
	Name         Text        `json:"name"`
	Duration     string      `json:"duration,omitempty"` // ISO 8601, from the moment the stage opens
	Deadline     *Deadline   `json:"deadline,omitempty"` // or a point relative to the period
	Assignee     string      `json:"assignee,omitempty"`
	Form         []Field     `json:"form,omitempty"`
	Approval     bool        `json:"approval,omitempty"` // plan: the manager approves
	Reminders    *Reminders  `json:"reminders,omitempty"`
	Escalation   *Escalation `json:"escalation,omitempty"`
	When         string      `json:"when,omitempty"`
	Monitor      *Monitor    `json:"monitor,omitempty"`      // execute
	Reports      *Reports    `json:"reports,omitempty"`      // execute
	Meeting      *Meeting    `json:"meeting,omitempty"`      // calibrate
	OnTimeout    string      `json:"onTimeout,omitempty"`    // calibrate: "accept" (default) or "extend"
	ExtendBy     string      `json:"extendBy,omitempty"`     // calibrate: how long an extension lasts
	Message      *Text       `json:"message,omitempty"`      // notify
	Recipients   string      `json:"recipients,omitempty"`   // notify: a role
	AppealWindow string      `json:"appealWindow,omitempty"` // feedback
	Interview    *Interview  `json:"interview,omitempty"`    // feedback
	Channels     Channels    `json:"channels,omitempty"`
}

// Deadline is an offset from the period's start or end.
type Deadline struct {
	From   string `json:"from"` // "periodStart" | "periodEnd"
	Offset string `json:"offset"`
}

// Reminders are sent Before the deadline and, once overdue, every
// OverdueEvery up to OverdueMax times.
type Reminders struct {
	Before       []string `json:"before,omitempty"`
	OverdueEvery string   `json:"overdueEvery,omitempty"`
	OverdueMax   int      `json:"overdueMax,omitempty"`
}

// Escalation tells someone else when a task is still open After its deadline.
type Escalation struct {
	After string `json:"after"`
	To    string `json:"to"`
}

// Monitor watches pace during the execute stage.
type Monitor struct {
	Every     string  `json:"every"`
	Tolerance float64 `json:"tolerance,omitempty"` // percent behind pace before an alert (default 20)
}

// Reports asks every member for a progress report on their key actions
// every Every while the execute stage runs (周报 / 月报), each due DueIn
// after it opens; rounds that would end after the stage are not opened.
type Reports struct {
	Every string  `json:"every"`
	DueIn string  `json:"dueIn,omitempty"` // default P2D, at most Every
	Name  *Text   `json:"name,omitempty"`  // default 工作汇报 / Progress report
	Form  []Field `json:"form"`
}

// DefaultReportDue is how long a report may take when the template does
// not say.
const DefaultReportDue = "P2D"

// Meeting is how the calibration meeting is scheduled.
type Meeting struct {
	Within       string `json:"within"`                 // the window after the stage opens
	Duration     string `json:"duration"`               // length of the meeting
	WorkdayStart string `json:"workdayStart,omitempty"` // "09:00"
	WorkdayEnd   string `json:"workdayEnd,omitempty"`   // "18:00"
	Facilitator  string `json:"facilitator,omitempty"`  // a role, default hrbp
}

// Interview is how the feedback stage books each member's one-to-one
// with their manager: a slot of Duration within the window after the
// stage opens, inside the manager's working hours in their time zone.
type Interview struct {
	Within       string `json:"within"`
	Duration     string `json:"duration"`
	WorkdayStart string `json:"workdayStart,omitempty"` // "09:00"
	WorkdayEnd   string `json:"workdayEnd,omitempty"`   // "18:00"
}

// Field is one input of a human task's form.
type Field struct {
	Key       string   `json:"key"`
	Type      string   `json:"type"` // text | textarea | number | rating | select | boolean | date
	Label     Text     `json:"label"`
	Required  bool     `json:"required,omitempty"`
	Min       *float64 `json:"min,omitempty"`
	Max       *float64 `json:"max,omitempty"`
	MaxLength int      `json:"maxLength,omitempty"`
	Options   []Option `json:"options,omitempty"`
}

// Option is a choice of a select field.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Outcomes are what results lead to.
type Outcomes struct {
	Bonus     *Bonus     `json:"bonus,omitempty"`
	Promotion *Promotion `json:"promotion,omitempty"`
	IDP       *IDPRule   `json:"idp,omitempty"`
}

// Bonus pays an amount per grade tier.
type Bonus struct {
	Currency string `json:"currency"`
	Tiers    []Tier `json:"tiers"`
}

// Tier is one bonus level.
type Tier struct {
	Grades []string `json:"grades"`
	Amount float64  `json:"amount"`
	Label  Text     `json:"label,omitempty"`
}

// Promotion puts the top members on the promotion list.
type Promotion struct {
	TopPercent *float64 `json:"topPercent,omitempty"`
	Grades     []string `json:"grades,omitempty"`
}

// IDPRule creates an individual development plan for members ranked at the
// bottom Consecutive periods running.
type IDPRule struct {
	BottomCount   int       `json:"bottomCount,omitempty"`
	BottomPercent *float64  `json:"bottomPercent,omitempty"`
	Consecutive   int       `json:"consecutive,omitempty"` // default 2
	Items         []IDPItem `json:"items"`
	MentorRole    string    `json:"mentorRole,omitempty"` // default manager
	Duration      string    `json:"duration"`
	CheckinEvery  string    `json:"checkinEvery"`
}

// Runs returns how many bottom periods in a row trigger an IDP.
func (r IDPRule) Runs() int {
	if r.Consecutive <= 0 {
		return 2
	}
	return r.Consecutive
}

// IDPItem is one line of a development plan.
type IDPItem struct {
	Kind  string `json:"kind"` // training | mentorship | project | course | other
	Title Text   `json:"title"`
}
