package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/perfloop/perfloop/store"
)

// MaxProblems is how many problems an answer lists; the rest are counted.
// A million-row file of unknown e-mails once answered with 85 MB of errors.
const MaxProblems = 100

// Kinds of refusal; Error unwraps to one of them.
var (
	ErrInvalid   = errors.New("invalid metrics")
	ErrForbidden = errors.New("not allowed to write these members' metrics")
	// ErrConflict is store.ErrConflict: a value is already recorded.
	ErrConflict = store.ErrConflict
)

// Error refuses a whole batch: nothing of it was written.
type Error struct {
	Kind     error
	Message  string
	Problems []Problem // the first MaxProblems
	Omitted  int       // problems beyond those listed
}

func (e *Error) Error() string { return e.Message }
func (e *Error) Unwrap() error { return e.Kind }

// Batch says what one request imports and who sends it.
type Batch struct {
	OrgID    string
	ActorID  string
	Period   string // YYYY-MM, YYYY-Qn or YYYY
	Source   string // for rows that name none
	Replace  bool   // overwrite values already recorded for the same member, indicator and period
	Origin   string // "api" or "upload": recorded as the batch's file name
	Checksum string // the same checksum twice changes nothing
	// MayWrite says whether the sender may write a member's metrics; nil
	// lets them write everyone's (admins and HR).
	MayWrite func(*store.Member) bool
}

// Service imports metric values.
type Service struct {
	Store *store.Store
	// Resume asks a blocked cycle to score again (cycles.Service.Resume),
	// after a write that may correct its data; nil resumes nothing.
	Resume func(ctx context.Context, orgID, cycleID, actor string) (*store.Cycle, error)
	Log    *slog.Logger
}

// Import is one batch being read: rows are checked as they arrive, and
// Commit writes all of them or none.
type Import struct {
	svc      *Service
	b        Batch
	byID     map[string]*store.Member
	byEmail  map[string]*store.Member
	known    map[string]*indicator
	keys     string // the known keys, listed in messages
	seen     map[string]string
	at       map[string]string // member|indicator → where the row was written
	reported map[string]bool
	refused  []string
	denied   map[string]bool
	problems []Problem
	omitted  int
	rows     []store.MetricValue
}

// Begin starts an import: it checks the batch's period and loads the
// organisation's members and the indicators its published templates read.
func (s *Service) Begin(ctx context.Context, b Batch) (*Import, error) {
	if !ValidPeriod(b.Period) {
		return nil, &Error{Kind: ErrInvalid, Message: "the period is required", Problems: []Problem{{Path: "period", Value: b.Period, Message: "expected YYYY-MM, YYYY-Qn or YYYY"}}}
	}
	if b.Source == "" {
		b.Source = b.Origin
	}
	members, err := s.Store.AllMembers(ctx, b.OrgID, store.MemberFilter{IncludeInactive: true})
	if err != nil {
		return nil, err
	}
	known, err := s.knownIndicators(ctx, b.OrgID)
	if err != nil {
		return nil, err
	}
	im := &Import{svc: s, b: b, known: known, byID: map[string]*store.Member{}, byEmail: map[string]*store.Member{},
		seen: map[string]string{}, at: map[string]string{}, reported: map[string]bool{}, denied: map[string]bool{}}
	for i := range members {
		m := &members[i]
		im.byID[m.ID] = m
		im.byEmail[strings.ToLower(m.Email)] = m
	}
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	im.keys = strings.Join(names, ", ")
	if im.keys == "" {
		im.keys = "none: no published template reads metrics"
	}
	return im, nil
}

// Problem records a problem a parser found.
func (im *Import) Problem(p Problem) {
	if len(im.problems) < MaxProblems {
		im.problems = append(im.problems, p)
	} else {
		im.omitted++
	}
}

// problemOnce records a problem about a header cell or key once, however
// many rows repeat it.
func (im *Import) problemOnce(p Problem) {
	k := p.Path + "|" + p.Message
	if !im.reported[k] {
		im.reported[k] = true
		im.Problem(p)
	}
}

// Row checks one value and keeps it for Commit.
func (im *Import) Row(r Row) {
	m := im.byID[r.Member]
	if m == nil {
		m = im.byEmail[strings.ToLower(strings.TrimSpace(r.Member))]
	}
	if m == nil {
		msg := "no member has this id or email"
		switch {
		case r.Member == "":
			msg = "name the member by memberId or email"
		case strings.Contains(r.Member, "@"):
			msg = "no member has this email"
		}
		im.Problem(Problem{Path: r.MemberAt, Value: r.Member, Message: msg})
		return
	}
	source := r.Source
	if source == "" {
		source = im.b.Source
	}
	ind := im.known[r.Indicator]
	switch {
	case ind == nil:
		im.problemOnce(Problem{Path: r.IndicatorAt, Value: r.Indicator, Message: "no published template reads this indicator; known keys: " + im.keys})
		return
	case len(source) > 64 || strings.ContainsFunc(source, unicode.IsControl):
		im.problemOnce(Problem{Path: r.IndicatorAt, Value: source, Message: "the source names where the figure comes from, such as crm or customer: at most 64 bytes, no control characters"})
		return
	case ind.raters != nil && !ind.raters[source]:
		im.problemOnce(Problem{Path: r.IndicatorAt, Value: r.Indicator, Message: fmt.Sprintf("no published template reads %s under source %q, so the value would be stored and never scored; it is read from source %s: send it with that source (column %s:%s)", r.Indicator, source, ind.sourceList(), ind.firstSource(), r.Indicator)})
		return
	}
	if err := checkValue(r.Value); err != nil {
		im.Problem(Problem{Path: r.ValueAt, Value: strconv.FormatFloat(r.Value, 'g', -1, 64), Message: err.Error()})
		return
	}
	slot := m.ID + "|" + r.Indicator
	if first, dup := im.seen[slot]; dup {
		im.Problem(Problem{Path: r.ValueAt, Message: fmt.Sprintf("repeats %s: one value per member, indicator and period", first)})
		return
	}
	im.seen[slot] = r.ValueAt
	if im.b.MayWrite != nil && !im.b.MayWrite(m) {
		if !im.denied[m.ID] {
			im.denied[m.ID] = true
			im.refused = append(im.refused, m.Email)
		}
		return
	}
	im.at[slot] = r.ValueAt
	im.rows = append(im.rows, store.MetricValue{MemberID: m.ID, IndicatorKey: r.Indicator, Period: im.b.Period, Value: r.Value, Source: source})
}

// Commit writes every row, or none and says why: bad rows (ErrInvalid),
// members the sender may not write for (ErrForbidden), or values already
// recorded that the batch does not replace (ErrConflict). Once values
// change, the blocked cycles they may correct are resumed.
func (im *Import) Commit(ctx context.Context) (*store.MetricUpsert, error) {
	if len(im.problems) > 0 {
		return nil, &Error{Kind: ErrInvalid, Message: fmt.Sprintf("%d problem(s) in the batch; nothing was imported", len(im.problems)+im.omitted), Problems: im.problems, Omitted: im.omitted}
	}
	if len(im.refused) > 0 {
		e := &Error{Kind: ErrForbidden, Message: fmt.Sprintf("you may write metrics only for members of the teams you manage; refused for %d member(s); nothing was imported", len(im.refused))}
		for i, email := range im.refused {
			if i == MaxProblems {
				e.Omitted = len(im.refused) - MaxProblems
				break
			}
			e.Problems = append(e.Problems, Problem{Path: "member", Value: email, Message: "not a member of a team you manage"})
		}
		return nil, e
	}
	if len(im.rows) == 0 {
		return nil, &Error{Kind: ErrInvalid, Message: "the batch has no values; nothing was imported", Problems: []Problem{{Path: "/values", Message: "needs at least one value"}}}
	}
	res, err := im.svc.Store.UpsertMetricValues(ctx, &store.MetricBatch{OrgID: im.b.OrgID, Checksum: im.b.Checksum, FileName: im.b.Origin, CreatedBy: im.b.ActorID, Replace: im.b.Replace}, im.rows)
	var exists *store.ErrMetricExists
	if errors.As(err, &exists) {
		e := &Error{Kind: ErrConflict, Message: fmt.Sprintf("%d value(s) are already recorded for the same member, indicator and period; send replace=true to overwrite them; nothing was imported", len(exists.Clashes))}
		for i, c := range exists.Clashes {
			if i == MaxProblems {
				e.Omitted = len(exists.Clashes) - MaxProblems
				break
			}
			by := ""
			if w := im.byID[c.Existing.RecordedBy]; w != nil {
				by = " by " + w.Email
			}
			e.Problems = append(e.Problems, Problem{Path: im.at[c.Incoming.MemberID+"|"+c.Incoming.IndicatorKey], Value: c.Existing.Value,
				Message: fmt.Sprintf("%s of %s for %s is already %s from source %s (recorded %s%s); this row says %s from %s",
					c.Existing.IndicatorKey, im.byID[c.Existing.MemberID].Email, c.Existing.Period, strconv.FormatFloat(c.Existing.Value, 'g', -1, 64), c.Existing.Source,
					c.Existing.RecordedAt.UTC().Format("2006-01-02 15:04 MST"), by, strconv.FormatFloat(c.Incoming.Value, 'g', -1, 64), c.Incoming.Source)})
		}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	if res.Inserted+res.Updated > 0 {
		im.resumeBlocked(ctx)
	}
	return res, nil
}

// ValidPeriod accepts YYYY-MM, YYYY-Qn and YYYY.
func ValidPeriod(s string) bool {
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
