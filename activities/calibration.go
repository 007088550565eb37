package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/perfloop/perfloop/calendar"
	"github.com/perfloop/perfloop/engine"
	"github.com/perfloop/perfloop/scorecard"
	"github.com/perfloop/perfloop/scoring"
	"github.com/perfloop/perfloop/store"
	"github.com/perfloop/perfloop/templates"
)

// Agenda is what the calibration meeting looks at.
type Agenda struct {
	Distribution map[string]int      `json:"distribution"` // proposed grade → members
	Limits       []templates.Limit   `json:"limits"`
	Violations   []string            `json:"violations"` // of the grades by score alone
	Outliers     []Outlier           `json:"outliers"`
	Proposed     map[string]string   `json:"proposed"`
	Moves        []map[string]string `json:"moves"` // members the distribution moved
	// Incomplete lists the members scored without some of their data (and
	// the policy that applied) or withheld until it arrives, so the meeting
	// sees them before it calibrates; withheld members take no part in the
	// distribution or the outliers.
	Incomplete []Incomplete `json:"incomplete"`
}

// Incomplete is a member whose data was not all there when scored.
type Incomplete struct {
	MemberID string                  `json:"memberId"`
	Missing  []scorecard.MissingData `json:"missing"`
	Blocked  string                  `json:"blocked,omitempty"`
}

// Outlier is a member whose score stands far from the team's.
type Outlier struct {
	MemberID string  `json:"memberId"`
	Score    float64 `json:"score"`
	Z        float64 `json:"z"`
	Why      string  `json:"why"`
}

// ScheduleCalibrationMeeting picks the first slot inside working hours (in
// the cycle's time zone, Monday to Friday) within the window that none of
// the participants has another calibration meeting in, records the
// participants, agenda and an ICS invite, and notifies everyone once.
func (a *Activities) ScheduleCalibrationMeeting(ctx context.Context, req MeetingRequest) (MeetingResult, error) {
	var res MeetingResult
	c, t, err := a.cycle(ctx, req.CycleID)
	if err != nil {
		return res, err
	}
	if m, err := a.Store.GetMeeting(ctx, req.CycleID); err == nil {
		var parts []string
		_ = json.Unmarshal([]byte(m.Participants), &parts)
		return MeetingResult{StartsAt: m.StartsAt, EndsAt: m.EndsAt, FacilitatorID: m.FacilitatorID, Participants: parts}, nil
	}
	stage := stageByKey(t, req.StageKey)
	spec := templates.Meeting{Duration: "PT1H"}
	if stage.Meeting != nil {
		spec = *stage.Meeting
	}
	fac, err := a.holders(ctx, c, orText(spec.Facilitator, "hrbp"))
	if err != nil {
		return res, err
	}
	mgrs, err := a.holders(ctx, c, "manager")
	if err != nil {
		return res, err
	}
	participants := uniqStrings(append(append([]string{}, fac...), mgrs...))
	facilitator := ""
	if len(fac) > 0 {
		facilitator = fac[0]
	}
	length := templates.DurationOf(spec.Duration)
	if c.Compress > 1 {
		length = scaleDur(length, c.Compress)
	}
	busy, err := a.Store.ListMeetingsOverlapping(ctx, participants, req.From, req.Until.Add(length))
	if err != nil {
		return res, err
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		loc = time.UTC
	}
	start := firstSlot(req.From, req.Until, length, loc, orText(spec.WorkdayStart, "09:00"), orText(spec.WorkdayEnd, "18:00"), meetingSpans(busy), c.Compress > 1)
	agenda, err := a.agenda(ctx, c, t)
	if err != nil {
		return res, err
	}
	members, err := a.membersByID(ctx, c.OrgID, participants)
	if err != nil {
		return res, err
	}
	in := calendar.NewMeetingInvite(c, stage, start, start.Add(length), facilitator, participants, members, 0, false)
	invite := in.ICS()
	partJSON, _ := json.Marshal(participants)
	agendaJSON, _ := json.Marshal(agenda)
	m := &store.CalibrationMeeting{
		OrgID: c.OrgID, CycleID: c.ID, StartsAt: start, EndsAt: start.Add(length), Timezone: c.Timezone,
		FacilitatorID: facilitator, Participants: string(partJSON), Agenda: string(agendaJSON), ICS: invite, State: store.MeetingScheduled,
	}
	if err := a.Store.SaveMeeting(ctx, m); err != nil {
		return res, err
	}
	if _, err := calendar.AnnounceMeeting(ctx, a.outbox(), c, t, m, members); err != nil {
		return res, err
	}
	return MeetingResult{StartsAt: start, EndsAt: start.Add(length), FacilitatorID: facilitator, Participants: participants}, nil
}

func orText(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func scaleDur(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) / f) }

func uniqStrings(xs []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// span is a stretch of time someone is busy in: [from, to).
type span struct{ from, to time.Time }

func meetingSpans(ms []store.CalibrationMeeting) []span {
	out := make([]span, len(ms))
	for i, m := range ms {
		out[i] = span{m.StartsAt, m.EndsAt}
	}
	return out
}

// firstSlot walks half-hour steps from `from` and returns the first start
// whose whole meeting fits a working day and clashes with no busy span.
// A compressed (demo) cycle has a window of minutes, so it takes the first
// free moment instead of waiting for office hours, past the window when
// the window is full: two meetings of one person must never overlap.
func firstSlot(from, until time.Time, length time.Duration, loc *time.Location, dayStart, dayEnd string, busy []span, compressed bool) time.Time {
	clash := func(s time.Time) bool {
		for _, b := range busy {
			if s.Before(b.to) && b.from.Before(s.Add(length)) {
				return true
			}
		}
		return false
	}
	if compressed {
		// busy is finite, so some step lies past all of it.
		s := from
		for clash(s) {
			s = s.Add(length)
		}
		return s
	}
	step := 30 * time.Minute
	s := from.In(loc).Truncate(step)
	if s.Before(from) {
		s = s.Add(step)
	}
	for ; !s.After(until); s = s.Add(step) {
		local := s.In(loc)
		if local.Weekday() == time.Saturday || local.Weekday() == time.Sunday {
			continue
		}
		open := atClock(local, dayStart)
		shut := atClock(local, dayEnd)
		if local.Before(open) || local.Add(length).After(shut) || clash(s) {
			continue
		}
		return s
	}
	// No slot in the window: the next working morning after it, and the
	// facilitator moves it if that does not suit.
	for d := until.In(loc); ; d = d.AddDate(0, 0, 1) {
		m := atClock(d, dayStart)
		if m.After(until) && m.Weekday() != time.Saturday && m.Weekday() != time.Sunday && !clash(m) {
			return m
		}
	}
}

func atClock(day time.Time, hhmm string) time.Time {
	var h, m int
	_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &m) // the template validator checked the HH:MM
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, day.Location())
}

func (a *Activities) membersByID(ctx context.Context, orgID string, ids []string) (map[string]*store.Member, error) {
	out, err := a.Store.MembersByID(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if out[id] == nil {
			return nil, notFound(fmt.Errorf("get member %s: %w", id, store.ErrNotFound))
		}
	}
	return out, nil
}

// agenda summarises the proposed grades against the forced distribution,
// the members the distribution moved, and score outliers (|z| ≥ 2, or a
// rank decided by member id alone).
func (a *Activities) agenda(ctx context.Context, c *store.Cycle, t *templates.Template) (*Agenda, error) {
	all, err := a.Store.AllResults(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	ag := &Agenda{Distribution: map[string]int{}, Limits: t.Distribution, Proposed: map[string]string{}, Violations: []string{}, Outliers: []Outlier{}, Moves: []map[string]string{}, Incomplete: []Incomplete{}}
	results := make([]store.Result, 0, len(all))
	for _, r := range all {
		var missing []scorecard.MissingData
		_ = json.Unmarshal([]byte(r.Missing), &missing)
		if len(missing) > 0 || r.Blocked != "" {
			ag.Incomplete = append(ag.Incomplete, Incomplete{MemberID: r.MemberID, Missing: missing, Blocked: r.Blocked})
		}
		if r.Blocked == "" {
			results = append(results, r)
		}
	}
	byScore := map[string]string{}
	mean, sq := 0.0, 0.0
	for _, r := range results {
		ag.Distribution[r.ProposedGrade]++
		ag.Proposed[r.MemberID] = r.ProposedGrade
		mean += r.FinalScore
	}
	if len(results) > 0 {
		mean /= float64(len(results))
	}
	grades := make([]scoring.Grade, len(t.Grades))
	for i, g := range t.Grades {
		grades[i] = scoring.Grade{Key: g.Key, Min: g.Min, Max: g.Max}
	}
	for _, r := range results {
		sq += (r.FinalScore - mean) * (r.FinalScore - mean)
		if g, err := scoring.GradeOf(r.FinalScore, grades); err == nil {
			byScore[r.MemberID] = g
			if g != r.ProposedGrade {
				ag.Moves = append(ag.Moves, map[string]string{"memberId": r.MemberID, "byScore": g, "proposed": r.ProposedGrade})
			}
		}
	}
	sd := 0.0
	if len(results) > 1 {
		sd = math.Sqrt(sq / float64(len(results)-1))
	}
	for _, r := range results {
		var extra struct {
			TieByID bool `json:"tieById"`
		}
		_ = json.Unmarshal([]byte(r.Adjustments), &extra)
		z := 0.0
		if sd > 0 {
			z = (r.FinalScore - mean) / sd
		}
		switch {
		case math.Abs(z) >= 2:
			ag.Outliers = append(ag.Outliers, Outlier{MemberID: r.MemberID, Score: r.FinalScore, Z: math.Round(z*100) / 100, Why: "score far from the team's"})
		case extra.TieByID:
			ag.Outliers = append(ag.Outliers, Outlier{MemberID: r.MemberID, Score: r.FinalScore, Z: math.Round(z*100) / 100, Why: "tied score ordered by id; decide in the meeting"})
		}
	}
	for _, v := range scoring.CheckDistribution(byScore, t.ScoringLimits()) {
		ag.Violations = append(ag.Violations, v.Message)
	}
	sort.Slice(ag.Outliers, func(i, j int) bool { return ag.Outliers[i].Score > ag.Outliers[j].Score })
	return ag, nil
}

// ApplyCalibration writes a facilitator's grade changes, each with its
// reason, to the results and the audit log, once per submission id. The
// workflow's validator has already checked the forced distribution.
func (a *Activities) ApplyCalibration(ctx context.Context, req CalibrationRequest) error {
	changes := make([]store.CalibrationChange, len(req.Submission.Changes))
	for i, ch := range req.Submission.Changes {
		changes[i] = store.CalibrationChange{CycleID: req.CycleID, MemberID: ch.MemberID, FromGrade: ch.From, ToGrade: ch.To, Reason: ch.Reason}
	}
	if _, err := a.Store.ApplyCalibration(ctx, req.CycleID, req.Submission.SubmissionID, changes, req.Submission.By, nil); err != nil {
		return err
	}
	if len(req.Submission.Waivers) == 0 {
		return nil
	}
	return a.waive(ctx, req.CycleID, req.Submission)
}

// waive scores the members whose withheld results the calibration
// releases, on the data there is, and places them among everyone else.
// Their grade follows their score: the forced distribution was settled on
// the members already scored, whose scores and grades stay as they are.
func (a *Activities) waive(ctx context.Context, cycleID string, sub engine.CalibrationSubmission) error {
	c, t, err := a.cycle(ctx, cycleID)
	if err != nil {
		return err
	}
	data, err := a.gather(ctx, c, t, nil)
	if err != nil {
		return err
	}
	reasons := map[string]string{}
	for _, w := range sub.Waivers {
		reasons[w.MemberID] = w.Reason
	}
	for i := range data {
		data[i].Waiver = reasons[data[i].MemberID]
	}
	scores, err := scorecard.ScoreMembers(t, data)
	if err != nil {
		return err
	}
	results, err := a.Store.AllResults(ctx, cycleID)
	if err != nil {
		return err
	}
	sc, err := scorecard.NewScorer(t)
	if err != nil {
		return err
	}
	var released []store.Result
	var entries []scoring.Entry
	for _, r := range results {
		if r.Blocked != "" {
			continue // still withheld, or released below with its fresh score
		}
		var ind map[string]float64
		_ = json.Unmarshal([]byte(r.IndicatorScores), &ind)
		entries = append(entries, scoring.Entry{MemberID: r.MemberID, Score: r.FinalScore, Tiebreak: sc.Tiebreak(ind)})
	}
	for _, s := range scores {
		if reasons[s.MemberID] == "" || len(s.Blocked) > 0 {
			continue
		}
		if held := resultOf(results, s.MemberID); held == nil || held.Blocked == "" {
			continue // not withheld (or released already): nothing to release
		}
		row := resultRow(cycleID, s)
		row.Grade, row.ProposedGrade = s.Grade, s.Grade
		released = append(released, row)
		entries = append(entries, scoring.Entry{MemberID: s.MemberID, Score: s.Final, Tiebreak: sc.Tiebreak(s.Indicators)})
	}
	placings := map[string]store.Placing{}
	for _, r := range scoring.Rank(entries) {
		placings[r.MemberID] = store.Placing{Rank: r.Rank, Percentile: r.Percentile}
	}
	return a.Store.WaiveResults(ctx, cycleID, sub.SubmissionID, sub.By, released, reasons, placings)
}

func resultOf(rs []store.Result, memberID string) *store.Result {
	for i := range rs {
		if rs[i].MemberID == memberID {
			return &rs[i]
		}
	}
	return nil
}

// AcceptProposedGrades settles a calibration nobody submitted: the
// proposed grades stand.
func (a *Activities) AcceptProposedGrades(ctx context.Context, cycleID string) error {
	return a.Store.AcceptProposedGrades(ctx, cycleID)
}
