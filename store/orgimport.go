package store

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/perfloop/perfloop/names"
)

// ImportTeam is one team row of an organisation import; Parent names another team's key.
type ImportTeam struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	NameEn  string `json:"nameEn"`
	Parent  string `json:"parent"`
	Manager string `json:"manager"` // e-mail of a member in the file or already stored
}

// ImportMember is one member row; Team is a team key, Manager an e-mail.
type ImportMember struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	Team     string `json:"team"`
	Position string `json:"position"`
	Level    string `json:"level"`
	Manager  string `json:"manager"`
	Timezone string `json:"timezone"`
	Locale   string `json:"locale"`
	JoinedOn string `json:"joinedOn"` // YYYY-MM-DD
}

// OrgImport is a whole organisation file: teams and members are upserted by
// team key and member e-mail, so importing the same file twice changes nothing.
type OrgImport struct {
	Teams   []ImportTeam   `json:"teams"`
	Members []ImportMember `json:"members"`
}

// RowError points at one bad field of one row. List is "teams" or "members",
// Row the 0-based index in that list, Field the JSON field name.
type RowError struct {
	List    string `json:"list"`
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// ImportErrors is every problem found in a file; nothing is written when there is one.
type ImportErrors []RowError

func (e ImportErrors) Error() string {
	if len(e) == 0 {
		return "no import errors"
	}
	first := e[0]
	return fmt.Sprintf("%d bad field(s) in the import, first %s[%d].%s: %s", len(e), first.List, first.Row, first.Field, first.Message)
}

// ImportReport counts what an import did (or would do, on a dry run).
type ImportReport struct {
	TeamsCreated   int  `json:"teamsCreated"`
	TeamsUpdated   int  `json:"teamsUpdated"`
	MembersCreated int  `json:"membersCreated"`
	MembersUpdated int  `json:"membersUpdated"`
	DryRun         bool `json:"dryRun"`
}

var errDryRun = errors.New("dry run")

// ImportOrg validates the whole file, then upserts it in one transaction.
// Any bad row returns ImportErrors and writes nothing; a dry run validates
// and counts but rolls back.
func (s *Store) ImportOrg(ctx context.Context, orgID, actorID string, in OrgImport, dryRun bool) (*ImportReport, error) {
	in = in.withLocales()
	if errs := in.Check(); len(errs) > 0 {
		return nil, errs
	}
	rep := &ImportReport{DryRun: dryRun}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := importRows(tx, orgID, in, rep); err != nil {
			return err
		}
		if err := Audit(tx, actorID, "org.import", "organization", orgID, rep); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return nil, err
	}
	return rep, nil
}

// Check reports every bad field that can be found without the database.
func (in OrgImport) Check() ImportErrors {
	var errs ImportErrors
	add := func(list string, row int, field, value, msg string) {
		errs = append(errs, RowError{List: list, Row: row, Field: field, Value: value, Message: msg})
	}
	teamKeys := map[string]int{}
	for i, t := range in.Teams {
		switch {
		case strings.TrimSpace(t.Key) == "":
			add("teams", i, "key", t.Key, "a team key is required (letters, digits, - and _)")
		case !validKey(t.Key):
			add("teams", i, "key", t.Key, "use only letters, digits, - and _ (at most 100)")
		default:
			if prev, dup := teamKeys[t.Key]; dup {
				add("teams", i, "key", t.Key, fmt.Sprintf("duplicate team key, already used by row %d", prev))
			}
			teamKeys[t.Key] = i
		}
		if strings.TrimSpace(t.Name) == "" {
			add("teams", i, "name", t.Name, "a team name is required")
		}
		for _, f := range [][2]string{{"name", t.Name}, {"nameEn", t.NameEn}} {
			if msg := names.Check(f[1], names.MaxName); msg != "" {
				add("teams", i, f[0], names.Shown(f[1]), msg)
			}
		}
		if t.Parent != "" && t.Parent == t.Key {
			add("teams", i, "parent", t.Parent, "a team cannot be its own parent")
		}
	}
	emails := map[string]int{}
	for i, m := range in.Members {
		if strings.TrimSpace(m.Name) == "" {
			add("members", i, "name", m.Name, "a member name is required")
		}
		for _, f := range [][2]string{{"name", m.Name}, {"position", m.Position}, {"level", m.Level}} {
			if msg := names.Check(f[1], names.MaxName); msg != "" {
				add("members", i, f[0], names.Shown(f[1]), msg)
			}
		}
		email := strings.ToLower(strings.TrimSpace(m.Email))
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			add("members", i, "email", m.Email, "a valid e-mail address is required, e.g. li.na@example.com")
		} else {
			if prev, dup := emails[email]; dup {
				add("members", i, "email", m.Email, fmt.Sprintf("duplicate e-mail, already used by row %d", prev))
			}
			emails[email] = i
		}
		if !slices.Contains(Roles, m.Role) {
			add("members", i, "role", m.Role, "role must be one of "+strings.Join(Roles, ", "))
		}
		if m.Timezone != "" {
			if _, err := time.LoadLocation(m.Timezone); err != nil {
				add("members", i, "timezone", m.Timezone, "an IANA time zone is expected, e.g. Asia/Shanghai")
			}
		}
		if l := LocaleOf(m.Locale); l != "" && l != "zh" && l != "en" {
			add("members", i, "locale", m.Locale, "locale must be zh or en (zh-CN, en-GB and the like read as zh and en)")
		}
		if m.JoinedOn != "" {
			if _, err := time.Parse(time.DateOnly, m.JoinedOn); err != nil {
				add("members", i, "joinedOn", m.JoinedOn, "a date YYYY-MM-DD is expected")
			}
		}
		if m.Manager != "" && strings.EqualFold(m.Manager, m.Email) {
			add("members", i, "manager", m.Manager, "a member cannot be their own manager")
		}
	}
	return errs
}

func validKey(k string) bool {
	if len(k) > 100 {
		return false
	}
	for _, r := range k {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// importRows resolves references against the file and the stored
// organisation, then writes. Teams first (parents before children does not
// matter: parents are linked in a second pass), then members, then managers.
func importRows(tx *gorm.DB, orgID string, in OrgImport, rep *ImportReport) error {
	var storedTeams []Team
	if err := tx.Where("org_id = ?", orgID).Find(&storedTeams).Error; err != nil {
		return fmt.Errorf("import: load teams: %w", err)
	}
	teamByKey := map[string]*Team{}
	for i := range storedTeams {
		teamByKey[storedTeams[i].Key] = &storedTeams[i]
	}
	var storedMembers []Member
	if err := tx.Where("org_id = ?", orgID).Find(&storedMembers).Error; err != nil {
		return fmt.Errorf("import: load members: %w", err)
	}
	memberByEmail := map[string]*Member{}
	for i := range storedMembers {
		memberByEmail[storedMembers[i].Email] = &storedMembers[i]
	}
	inFileEmail := map[string]bool{}
	for _, m := range in.Members {
		inFileEmail[strings.ToLower(strings.TrimSpace(m.Email))] = true
	}
	inFileTeam := map[string]bool{}
	for _, t := range in.Teams {
		inFileTeam[t.Key] = true
	}
	var errs ImportErrors
	for i, t := range in.Teams {
		if t.Parent != "" && !inFileTeam[t.Parent] && teamByKey[t.Parent] == nil {
			errs = append(errs, RowError{"teams", i, "parent", t.Parent, "no team has this key in the file or the organisation"})
		}
		if e := strings.ToLower(t.Manager); e != "" && !inFileEmail[e] && memberByEmail[e] == nil {
			errs = append(errs, RowError{"teams", i, "manager", t.Manager, "no member has this e-mail in the file or the organisation"})
		}
	}
	for i, m := range in.Members {
		if m.Team != "" && !inFileTeam[m.Team] && teamByKey[m.Team] == nil {
			errs = append(errs, RowError{"members", i, "team", m.Team, "no team has this key in the file or the organisation"})
		}
		if e := strings.ToLower(m.Manager); e != "" && !inFileEmail[e] && memberByEmail[e] == nil {
			errs = append(errs, RowError{"members", i, "manager", m.Manager, "no member has this e-mail in the file or the organisation"})
		}
	}
	if len(errs) > 0 {
		return errs
	}

	for _, it := range in.Teams {
		t, ok := teamByKey[it.Key]
		if !ok {
			t = &Team{OrgID: orgID, Key: it.Key, Name: it.Name, NameEn: it.NameEn}
			if err := createTeam(tx, t); err != nil {
				return err
			}
			teamByKey[it.Key] = t
			rep.TeamsCreated++
			continue
		}
		if t.Name != it.Name || t.NameEn != it.NameEn {
			t.Name, t.NameEn = it.Name, it.NameEn
			t.Version++
			if err := tx.Model(t).Select("name", "name_en", "version", "updated_at").Updates(t).Error; err != nil {
				return writeErr("import team "+it.Key, err)
			}
			rep.TeamsUpdated++
		}
	}
	for _, im := range in.Members {
		email := strings.ToLower(strings.TrimSpace(im.Email))
		want := Member{OrgID: orgID, Name: im.Name, Email: email, Role: im.Role, Position: im.Position, Level: im.Level,
			Timezone: im.Timezone, Locale: im.Locale, Active: true}
		if im.Team != "" {
			want.TeamID = &teamByKey[im.Team].ID
		}
		if im.JoinedOn != "" {
			d, _ := time.Parse(time.DateOnly, im.JoinedOn)
			want.JoinedOn = &d
		}
		m, ok := memberByEmail[email]
		if !ok {
			if want.Timezone == "" {
				want.Timezone = "Asia/Shanghai"
			}
			if want.Locale == "" {
				want.Locale = "zh"
			}
			if err := createMember(tx, &want); err != nil {
				return err
			}
			memberByEmail[email] = &want
			rep.MembersCreated++
			continue
		}
		if want.Timezone == "" {
			want.Timezone = m.Timezone
		}
		if want.Locale == "" {
			want.Locale = m.Locale
		}
		// Deactivation is an admin's decision the file does not undo: a
		// re-imported HR export still lists people who have left.
		want.Active = m.Active
		if sameMember(m, &want) {
			continue
		}
		want.ID, want.ManagerID, want.CreatedAt, want.Version = m.ID, m.ManagerID, m.CreatedAt, m.Version+1
		if err := tx.Model(&Member{}).Where("id = ?", m.ID).
			Select("team_id", "name", "role", "position", "level", "timezone", "locale", "joined_on", "active", "version", "updated_at").
			Updates(&want).Error; err != nil {
			return writeErr("import member "+email, err)
		}
		*m = want
		rep.MembersUpdated++
	}
	// Links last: parents and managers may appear later in the file than the rows naming them.
	if row, ok := importedLoop(teamByKey, in.Teams); ok {
		return ImportErrors{{List: "teams", Row: row, Field: "parent", Value: in.Teams[row].Parent, Message: ErrTeamCycle.Error()}}
	}
	for _, it := range in.Teams {
		t := teamByKey[it.Key]
		var parent, manager *string
		if it.Parent != "" {
			parent = &teamByKey[it.Parent].ID
		}
		if it.Manager != "" {
			manager = &memberByEmail[strings.ToLower(it.Manager)].ID
		}
		if eqPtr(t.ParentID, parent) && eqPtr(t.ManagerID, manager) {
			continue
		}
		if err := tx.Model(&Team{}).Where("id = ?", t.ID).Updates(map[string]any{"parent_id": parent, "manager_id": manager, "updated_at": time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("import: link team %s: %w", it.Key, err)
		}
		t.ParentID, t.ManagerID = parent, manager
	}
	for _, im := range in.Members {
		m := memberByEmail[strings.ToLower(strings.TrimSpace(im.Email))]
		if !m.Active {
			continue // their last manager stays on record with their history
		}
		var manager *string
		if im.Manager != "" {
			manager = &memberByEmail[strings.ToLower(im.Manager)].ID
		}
		if eqPtr(m.ManagerID, manager) {
			continue
		}
		if err := tx.Model(&Member{}).Where("id = ?", m.ID).Updates(map[string]any{"manager_id": manager, "updated_at": time.Now().UTC()}).Error; err != nil {
			return fmt.Errorf("import: link manager of %s: %w", m.Email, err)
		}
		m.ManagerID = manager
	}
	return nil
}

func sameMember(a, b *Member) bool {
	return eqPtr(a.TeamID, b.TeamID) && a.Name == b.Name && a.Role == b.Role && a.Position == b.Position &&
		a.Level == b.Level && a.Timezone == b.Timezone && a.Locale == b.Locale && a.Active == b.Active &&
		((a.JoinedOn == nil) == (b.JoinedOn == nil)) && (a.JoinedOn == nil || a.JoinedOn.Equal(*b.JoinedOn))
}

func eqPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// importedLoop finds the first file row whose parents, as the file sets
// them (stored parents for teams it leaves alone), run into a loop. Each
// team is walked once (a chain of thousands used to be re-walked from
// every row, scanning the file at each step, for tens of seconds under
// the write lock).
func importedLoop(stored map[string]*Team, rows []ImportTeam) (int, bool) {
	keyOfID := make(map[string]string, len(stored))
	for k, t := range stored {
		keyOfID[t.ID] = k
	}
	parentOf := make(map[string]string, len(stored)+len(rows))
	for k, t := range stored {
		if t.ParentID != nil {
			parentOf[k] = keyOfID[*t.ParentID]
		}
	}
	for _, r := range rows {
		parentOf[r.Key] = r.Parent
	}
	const (
		walking = 1
		clear   = 2
		looped  = 3
	)
	state := make(map[string]int, len(parentOf))
	for i, r := range rows {
		var path []string
		end := clear
		for cur := r.Key; cur != ""; cur = parentOf[cur] {
			if st := state[cur]; st != 0 {
				end = st
				if st == walking {
					end = looped
				}
				break
			}
			state[cur] = walking
			path = append(path, cur)
		}
		for _, k := range path {
			state[k] = end
		}
		if end == looped && r.Parent != "" {
			return i, true
		}
	}
	return 0, false
}
