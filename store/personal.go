package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Personal data (China's PIPL, the GDPR): what Perfloop holds about one
// member, for an export, and the erasure of a departed member, which
// pseudonymises who they were and what they wrote while keeping the
// numbers (scores, grades, metric values) that statistics rest on.

// ErasedText replaces free text written by or about an erased member.
const ErasedText = "[erased]"

// PseudonymName and PseudonymEmail are what an erased member is called from
// then on: derived from the member's id, so erasing again changes nothing,
// and unique, like the e-mail index requires. The .invalid domain can never
// receive mail (RFC 2606).
func PseudonymName(memberID string) string {
	short := strings.ReplaceAll(memberID, "-", "")
	if len(short) > 12 {
		short = short[len(short)-12:]
	}
	return "Erased member " + short
}

func PseudonymEmail(memberID string) string {
	return "erased-" + strings.ToLower(memberID) + "@erased.invalid"
}

// IsErased tells whether the member's identity was already pseudonymised.
func (m Member) IsErased() bool { return m.Email == PseudonymEmail(m.ID) }

// PersonalData is everything stored about one member. JSON fields the
// models hide (submissions, scores, plan items) are included here as JSON.
type PersonalData struct {
	ExportedAt          time.Time            `json:"exportedAt"`
	Member              Member               `json:"member"`
	Team                *Team                `json:"team"`
	ManagedTeams        []Team               `json:"managedTeams"`
	Tokens              []APIToken           `json:"tokens"`
	CycleMemberships    []PersonalMembership `json:"cycleMemberships"`
	Targets             []Target             `json:"targets"`
	Tasks               []PersonalTask       `json:"tasks"`
	EvaluationsGiven    []PersonalEvaluation `json:"evaluationsGiven"`
	EvaluationsReceived []PersonalEvaluation `json:"evaluationsReceived"`
	Results             []PersonalResult     `json:"results"`
	CalibrationChanges  []CalibrationChange  `json:"calibrationChanges"`
	Nominations         []RaterNomination    `json:"nominations"`
	Interviews          []FeedbackInterview  `json:"interviews"`
	IDPs                []PersonalIDP        `json:"idps"`
	Checkins            []IDPCheckin         `json:"checkins"`
	Notifications       []Notification       `json:"notifications"`
	MetricValues        []MetricValue        `json:"metricValues"`
	Audit               []AuditEntry         `json:"audit"`
	Counts              map[string]int       `json:"counts"`
}

// PersonalMembership is the member's frozen place in one cycle.
type PersonalMembership struct {
	CycleMember
	CycleID     string `json:"cycleId"`
	CycleTitle  string `json:"cycleTitle"`
	Period      string `json:"period"`
	CycleState  string `json:"cycleState"`
	TemplateKey string `json:"templateKey"`
}

// PersonalTask is a task assigned to the member, with what they submitted.
type PersonalTask struct {
	Task
	Payload    json.RawMessage `json:"payload"`
	Submission json.RawMessage `json:"submission"`
}

// PersonalEvaluation is one rating with its scores.
type PersonalEvaluation struct {
	Evaluation
	Scores json.RawMessage `json:"scores"`
}

// PersonalResult is a result with its per-indicator scores and explanation.
type PersonalResult struct {
	Result
	IndicatorScores json.RawMessage `json:"indicatorScores"`
	Explanation     json.RawMessage `json:"explanation"`
}

// PersonalIDP is a development plan with its items.
type PersonalIDP struct {
	IDP
	Items json.RawMessage `json:"items"`
}

// AsSeenByRatee is an evaluation as its ratee may read it: an anonymous
// rater's identity (their id, and the task that leads to them) is withheld;
// the rater group, scores and comment stay.
func (e Evaluation) AsSeenByRatee() Evaluation {
	if e.Anonymous {
		e.RaterID = ""
		e.TaskID = ""
	}
	return e
}

// rawJSON keeps a stored JSON body as JSON, or null when empty.
func rawJSON(s string) json.RawMessage {
	if strings.TrimSpace(s) == "" || !json.Valid([]byte(s)) {
		if s == "" {
			return json.RawMessage("null")
		}
		b, _ := json.Marshal(s)
		return b
	}
	return json.RawMessage(s)
}

// PersonalData gathers everything stored about member id of orgID.
func (s *Store) PersonalData(ctx context.Context, orgID, id string) (*PersonalData, error) {
	db := s.DB.WithContext(ctx)
	out := &PersonalData{ExportedAt: time.Now().UTC()}
	if err := db.Take(&out.Member, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
		return nil, notFound("member "+id, err)
	}
	if out.Member.TeamID != nil {
		var t Team
		if err := db.Take(&t, "org_id = ? AND id = ?", orgID, *out.Member.TeamID).Error; err == nil {
			out.Team = &t
		}
	}
	var tasks []Task
	var given, received []Evaluation
	var results []Result
	var idps []IDP
	var cms []CycleMember
	steps := []struct {
		what string
		run  func() error
	}{
		{"managed teams", func() error {
			return db.Where("org_id = ? AND manager_id = ?", orgID, id).Order("name").Find(&out.ManagedTeams).Error
		}},
		{"tokens", func() error { return db.Where("member_id = ?", id).Order("created_at").Find(&out.Tokens).Error }},
		{"cycle memberships", func() error { return db.Where("member_id = ?", id).Find(&cms).Error }},
		{"targets", func() error {
			return db.Where("member_id = ?", id).Order("cycle_id, indicator_key").Find(&out.Targets).Error
		}},
		{"tasks", func() error {
			return db.Where("org_id = ? AND assignee_id = ?", orgID, id).Order("created_at, id").Find(&tasks).Error
		}},
		{"evaluations given", func() error { return db.Where("rater_id = ?", id).Order("submitted_at, id").Find(&given).Error }},
		{"evaluations received", func() error { return db.Where("ratee_id = ?", id).Order("submitted_at, id").Find(&received).Error }},
		{"results", func() error { return db.Where("member_id = ?", id).Order("created_at, id").Find(&results).Error }},
		{"calibration changes", func() error {
			return db.Where("member_id = ?", id).Order("created_at, id").Find(&out.CalibrationChanges).Error
		}},
		{"nominations", func() error {
			return db.Where("member_id = ? OR rater_id = ?", id, id).Order("cycle_id, member_id, rater_key, position").Find(&out.Nominations).Error
		}},
		{"interviews", func() error {
			return db.Where("member_id = ? OR manager_id = ?", id, id).Order("starts_at, id").Find(&out.Interviews).Error
		}},
		{"idps", func() error {
			return db.Where("org_id = ? AND member_id = ?", orgID, id).Order("created_at, id").Find(&idps).Error
		}},
		{"check-ins", func() error {
			return db.Where("by_id = ? OR idp_id IN (?)", id, db.Model(&IDP{}).Select("id").Where("member_id = ?", id)).
				Order("at, id").Find(&out.Checkins).Error
		}},
		{"notifications", func() error {
			return db.Where("org_id = ? AND recipient_id = ?", orgID, id).Order("created_at, id").Find(&out.Notifications).Error
		}},
		{"metric values", func() error {
			return db.Where("org_id = ? AND member_id = ?", orgID, id).Order("period, indicator_key").Find(&out.MetricValues).Error
		}},
		{"audit", func() error {
			return db.Where("entity_id = ? OR actor_id = ?", id, id).Order("at, id").Find(&out.Audit).Error
		}},
	}
	for _, step := range steps {
		if err := step.run(); err != nil {
			return nil, fmt.Errorf("personal data of %s: %s: %w", id, step.what, err)
		}
	}
	if len(cms) > 0 {
		ids := make([]string, len(cms))
		for i, cm := range cms {
			ids[i] = cm.CycleID
		}
		var cycles []Cycle
		if err := db.Select("id", "title", "period", "state", "template_key").Where("org_id = ? AND id IN ?", orgID, ids).Find(&cycles).Error; err != nil {
			return nil, fmt.Errorf("personal data of %s: cycles: %w", id, err)
		}
		byID := map[string]Cycle{}
		for _, c := range cycles {
			byID[c.ID] = c
		}
		for _, cm := range cms {
			c := byID[cm.CycleID]
			out.CycleMemberships = append(out.CycleMemberships, PersonalMembership{CycleMember: cm, CycleID: cm.CycleID, CycleTitle: c.Title, Period: c.Period, CycleState: c.State, TemplateKey: c.TemplateKey})
		}
	}
	for _, t := range tasks {
		out.Tasks = append(out.Tasks, PersonalTask{Task: t, Payload: rawJSON(t.Payload), Submission: rawJSON(deref(t.Submission))})
	}
	for _, e := range given {
		out.EvaluationsGiven = append(out.EvaluationsGiven, PersonalEvaluation{Evaluation: e, Scores: rawJSON(e.Scores)})
	}
	for _, e := range received {
		out.EvaluationsReceived = append(out.EvaluationsReceived, PersonalEvaluation{Evaluation: e.AsSeenByRatee(), Scores: rawJSON(e.Scores)})
	}
	for _, r := range results {
		out.Results = append(out.Results, PersonalResult{Result: r, IndicatorScores: rawJSON(r.IndicatorScores), Explanation: rawJSON(r.Explanation)})
	}
	for _, p := range idps {
		out.IDPs = append(out.IDPs, PersonalIDP{IDP: p, Items: rawJSON(p.Items)})
	}
	// What the member did to others (as an admin, say) is listed, but the
	// records of those others it holds are theirs, not this member's.
	for i := range out.Audit {
		if out.Audit[i].EntityID != id {
			out.Audit[i].Detail = ""
		}
	}
	out.Counts = map[string]int{
		"managedTeams": len(out.ManagedTeams), "tokens": len(out.Tokens), "cycleMemberships": len(out.CycleMemberships),
		"targets": len(out.Targets), "tasks": len(out.Tasks), "evaluationsGiven": len(out.EvaluationsGiven),
		"evaluationsReceived": len(out.EvaluationsReceived), "results": len(out.Results), "calibrationChanges": len(out.CalibrationChanges),
		"nominations": len(out.Nominations), "interviews": len(out.Interviews), "idps": len(out.IDPs), "checkins": len(out.Checkins),
		"notifications": len(out.Notifications), "metricValues": len(out.MetricValues), "audit": len(out.Audit),
	}
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Erasure is what EraseMember did.
type Erasure struct {
	Member Member `json:"member"`
	// AlreadyErased is true when an earlier erasure had done it all; nothing changed now.
	AlreadyErased bool `json:"alreadyErased"`
	// Changed counts the rows rewritten, by what they are.
	Changed map[string]int64 `json:"changed"`
}

// EraseMember pseudonymises a departed (deactivated) member in one
// transaction: their name and e-mail become PseudonymName and
// PseudonymEmail, their position is cleared, every free text they wrote or
// that was written about them (evaluation comments, the strings in their
// task submissions and plan items, check-in notes, appeal and calibration
// reasons, target objectives, their notifications) becomes ErasedText, and
// their name and e-mail are replaced in the task titles, invitations and
// audit entries that mention them. Scores, grades, ranks, metric values and
// every id stay, so statistics over past cycles do not move. An active
// member is refused with ErrConflict; erasing again changes nothing. The
// erasure is audited without the data it removed.
func (s *Store) EraseMember(ctx context.Context, orgID, id, actorID string) (*Erasure, error) {
	out := &Erasure{Changed: map[string]int64{}}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var m Member
		if err := tx.Take(&m, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
			return notFound("erase member "+id, err)
		}
		if m.Active {
			return fmt.Errorf("erase member %s: %w: the member is active; only a departed member is erased (deactivate them first: DELETE /api/v1/members/%s)", id, ErrConflict, id)
		}
		if m.IsErased() {
			out.Member, out.AlreadyErased = m, true
			return nil
		}
		name, email := PseudonymName(id), PseudonymEmail(id)
		oldName, oldEmail := m.Name, m.Email
		count := func(what string, res *gorm.DB) error {
			if res.Error != nil {
				return fmt.Errorf("erase member %s: %s: %w", id, what, res.Error)
			}
			out.Changed[what] += res.RowsAffected
			return nil
		}
		// mentions replaces the old name and e-mail in the text columns of the rows where selects.
		mentions := func(what string, model any, where string, args []any, cols ...string) error {
			for _, col := range cols {
				for _, pair := range [][2]string{{oldEmail, email}, {oldName, name}} {
					if strings.TrimSpace(pair[0]) == "" {
						continue
					}
					if err := count(what, tx.Model(model).Where(where, args...).Where("INSTR("+col+", ?) > 0", pair[0]).
						UpdateColumn(col, gorm.Expr("REPLACE("+col+", ?, ?)", pair[0], pair[1]))); err != nil {
						return err
					}
				}
			}
			return nil
		}
		now := time.Now().UTC()
		if err := count("member", tx.Model(&Member{}).Where("id = ?", id).UpdateColumns(map[string]any{
			"name": name, "email": email, "position": "", "version": m.Version + 1, "updated_at": now,
		})); err != nil {
			return err
		}
		if err := count("evaluation comments", tx.Model(&Evaluation{}).Where("(rater_id = ? OR ratee_id = ?) AND comment <> ? AND comment <> ?", id, id, "", ErasedText).
			UpdateColumn("comment", ErasedText)); err != nil {
			return err
		}
		if err := count("appeals", tx.Model(&Result{}).Where("member_id = ? AND appeal IS NOT NULL AND appeal <> ?", id, ErasedText).UpdateColumn("appeal", ErasedText)); err != nil {
			return err
		}
		if err := count("calibration reasons", tx.Model(&CalibrationChange{}).Where("member_id = ? AND reason <> ? AND reason <> ?", id, "", ErasedText).UpdateColumn("reason", ErasedText)); err != nil {
			return err
		}
		if err := count("target objectives", tx.Model(&Target{}).Where("member_id = ? AND objective <> ? AND objective <> ?", id, "", ErasedText).UpdateColumn("objective", ErasedText)); err != nil {
			return err
		}
		if err := count("check-in notes", tx.Model(&IDPCheckin{}).Where("(by_id = ? OR idp_id IN (?)) AND note <> ? AND note <> ?", id, tx.Model(&IDP{}).Select("id").Where("member_id = ?", id), "", ErasedText).
			UpdateColumn("note", ErasedText)); err != nil {
			return err
		}
		if err := count("notifications", tx.Model(&Notification{}).Where("org_id = ? AND recipient_id = ?", orgID, id).
			UpdateColumns(map[string]any{"subject": ErasedText, "body": ErasedText})); err != nil {
			return err
		}
		if err := count("interview reasons", tx.Model(&FeedbackInterview{}).Where("member_id = ? AND change_reason <> ?", id, "").UpdateColumn("change_reason", "")); err != nil {
			return err
		}
		// Submissions and plan items are JSON: their strings are free text
		// (comments, plans), their numbers and booleans are scores and choices.
		var tasks []Task
		if err := tx.Select("id", "submission").Where("org_id = ? AND (assignee_id = ? OR subject_id = ?) AND submission IS NOT NULL", orgID, id, id).Find(&tasks).Error; err != nil {
			return fmt.Errorf("erase member %s: tasks: %w", id, err)
		}
		for _, t := range tasks {
			red, changed := redactJSON(*t.Submission)
			if !changed {
				continue
			}
			if err := count("task submissions", tx.Model(&Task{}).Where("id = ?", t.ID).UpdateColumn("submission", red)); err != nil {
				return err
			}
		}
		var idps []IDP
		if err := tx.Select("id", "items").Where("org_id = ? AND member_id = ?", orgID, id).Find(&idps).Error; err != nil {
			return fmt.Errorf("erase member %s: plans: %w", id, err)
		}
		for _, p := range idps {
			red, changed := redactJSON(p.Items)
			if !changed {
				continue
			}
			if err := count("plan items", tx.Model(&IDP{}).Where("id = ?", p.ID).UpdateColumn("items", red)); err != nil {
				return err
			}
		}
		if err := mentions("task texts", &Task{}, "org_id = ? AND (assignee_id = ? OR subject_id = ?)", []any{orgID, id, id}, "title", "title_en", "payload"); err != nil {
			return err
		}
		if err := mentions("notification texts", &Delivery{}, "org_id = ?", []any{orgID}, "subject", "body", "payload"); err != nil {
			return err
		}
		if err := mentions("invitations", &FeedbackInterview{}, "member_id = ? OR manager_id = ?", []any{id, id}, "ics"); err != nil {
			return err
		}
		if err := mentions("invitations", &CalibrationMeeting{}, "org_id = ?", []any{orgID}, "ics", "participants"); err != nil {
			return err
		}
		if err := mentions("audit entries", &AuditEntry{}, "entity_id = ? OR actor_id = ?", []any{id, id}, "detail"); err != nil {
			return err
		}
		if err := revokeMemberTokens(tx, id); err != nil {
			return err
		}
		if err := tx.Take(&out.Member, "id = ?", id).Error; err != nil {
			return fmt.Errorf("erase member %s: %w", id, err)
		}
		return Audit(tx, actorID, "member.erase", "member", id, map[string]any{"changed": out.Changed})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// redactJSON replaces every non-empty string value of a JSON document
// with ErasedText, keeping keys, numbers, booleans and the shape.
func redactJSON(body string) (string, bool) {
	var v any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		if strings.TrimSpace(body) == "" || body == ErasedText {
			return body, false
		}
		return ErasedText, true // not JSON: all of it is text
	}
	changed := false
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case string:
			if t == "" || t == ErasedText {
				return t
			}
			changed = true
			return ErasedText
		case map[string]any:
			for k, e := range t {
				t[k] = walk(e)
			}
			return t
		case []any:
			for i, e := range t {
				t[i] = walk(e)
			}
			return t
		default:
			return x
		}
	}
	v = walk(v)
	if !changed {
		return body, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ErasedText, true
	}
	return string(b), true
}
