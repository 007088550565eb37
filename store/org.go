package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// CreateOrganization inserts an organisation.
func (s *Store) CreateOrganization(ctx context.Context, o *Organization) error {
	if o.ID == "" {
		o.ID = NewID()
	}
	if err := s.DB.WithContext(ctx).Create(o).Error; err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	return nil
}

// FirstOrganization returns the oldest organisation (single-tenant installs have one).
func (s *Store) FirstOrganization(ctx context.Context) (*Organization, error) {
	var o Organization
	err := s.DB.WithContext(ctx).Order("created_at").Order("id").Take(&o).Error
	if err != nil {
		return nil, notFound("first organization", err)
	}
	return &o, nil
}

// GetOrganization loads one organisation.
func (s *Store) GetOrganization(ctx context.Context, id string) (*Organization, error) {
	var o Organization
	if err := s.DB.WithContext(ctx).Take(&o, "id = ?", id).Error; err != nil {
		return nil, notFound("get organization", err)
	}
	return &o, nil
}

func notFound(op string, err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func writeErr(op string, err error) error {
	if isUniqueViolation(err) {
		return fmt.Errorf("%s: %w: %v", op, ErrConflict, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// CreateTeam inserts a team; a duplicate key in the organisation is ErrConflict.
func (s *Store) CreateTeam(ctx context.Context, t *Team) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := createTeam(tx, t); err != nil {
			return err
		}
		return auditChange(tx, "team.create", "team", t.ID, nil, t)
	})
}

func createTeam(db *gorm.DB, t *Team) error {
	if t.ID == "" {
		t.ID = NewID()
	}
	t.Version = 1
	if err := db.Create(t).Error; err != nil {
		return writeErr("create team "+t.Key, err)
	}
	return nil
}

// GetTeam loads a team of the organisation.
func (s *Store) GetTeam(ctx context.Context, orgID, id string) (*Team, error) {
	var t Team
	if err := s.DB.WithContext(ctx).Take(&t, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
		return nil, notFound("get team "+id, err)
	}
	return &t, nil
}

// TeamFilter narrows ListTeams.
type TeamFilter struct {
	ParentID *string
	Query    string
}

var teamSorts = map[string]string{"name": "name", "key": "team_key", "createdAt": "created_at"}

// ListTeams returns one page of teams and the total matching count.
func (s *Store) ListTeams(ctx context.Context, orgID string, f TeamFilter, p Page) ([]Team, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Team{}).Where("org_id = ?", orgID)
	if f.ParentID != nil {
		if *f.ParentID == "" {
			q = q.Where("parent_id IS NULL")
		} else {
			q = q.Where("parent_id = ?", *f.ParentID)
		}
	}
	if f.Query != "" {
		like := "%" + strings.ToLower(f.Query) + "%"
		q = q.Where("LOWER(name) LIKE ? OR LOWER(name_en) LIKE ? OR LOWER(team_key) LIKE ?", like, like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count teams: %w", err)
	}
	var out []Team
	if err := p.apply(q, teamSorts, "name").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list teams: %w", err)
	}
	return out, total, nil
}

// TeamSubtree returns the ids of a team and every team below it.
func (s *Store) TeamSubtree(ctx context.Context, orgID, rootID string) ([]string, error) {
	var all []Team
	if err := s.DB.WithContext(ctx).Select("id", "parent_id").Where("org_id = ?", orgID).Find(&all).Error; err != nil {
		return nil, fmt.Errorf("team subtree: %w", err)
	}
	children := map[string][]string{}
	for _, t := range all {
		if t.ParentID != nil {
			children[*t.ParentID] = append(children[*t.ParentID], t.ID)
		}
	}
	out := []string{rootID}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out, nil
}

// UpdateTeam runs change on the stored team inside one transaction. When
// expectVersion is non-zero and differs from the stored version the update
// is refused with ErrConflict, so two editors never overwrite each other.
func (s *Store) UpdateTeam(ctx context.Context, orgID, id string, expectVersion int, change func(*Team) error) (*Team, error) {
	var out Team
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&out, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
			return notFound("update team "+id, err)
		}
		if expectVersion != 0 && out.Version != expectVersion {
			return fmt.Errorf("update team %s: %w: version is %d, you sent %d", id, ErrConflict, out.Version, expectVersion)
		}
		before := out
		if err := change(&out); err != nil {
			return err
		}
		if out.ParentID != nil {
			if err := checkNoCycle(tx, orgID, out.ID, *out.ParentID); err != nil {
				return err
			}
		}
		out.Version++
		res := tx.Model(&Team{}).Where("id = ? AND version = ?", out.ID, out.Version-1).
			Select("name", "name_en", "team_key", "parent_id", "manager_id", "version", "updated_at").Updates(&out)
		if res.Error != nil {
			return writeErr("update team "+id, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("update team %s: %w: changed by someone else meanwhile", id, ErrConflict)
		}
		return auditChange(tx, "team.update", "team", id, before, out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ErrTeamCycle means a team would become its own ancestor.
var ErrTeamCycle = errors.New("a team cannot be placed under itself or one of its own sub-teams")

func checkNoCycle(tx *gorm.DB, orgID, teamID, parentID string) error {
	seen := map[string]bool{}
	for cur := parentID; cur != ""; {
		if cur == teamID {
			return ErrTeamCycle
		}
		if seen[cur] {
			return ErrTeamCycle
		}
		seen[cur] = true
		var t Team
		if err := tx.Select("id", "parent_id").Take(&t, "org_id = ? AND id = ?", orgID, cur).Error; err != nil {
			return notFound("parent team "+cur, err)
		}
		if t.ParentID == nil {
			break
		}
		cur = *t.ParentID
	}
	return nil
}

// ErrTeamNotEmpty refuses to delete a team that still has members or sub-teams.
var ErrTeamNotEmpty = errors.New("team still has members or sub-teams; move them first")

// DeleteTeam removes an empty team.
func (s *Store) DeleteTeam(ctx context.Context, orgID, id string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var t Team
		if err := tx.Take(&t, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
			return notFound("delete team "+id, err)
		}
		var n int64
		if err := tx.Model(&Member{}).Where("team_id = ? AND active = ?", id, true).Count(&n).Error; err != nil {
			return fmt.Errorf("delete team: %w", err)
		}
		var c int64
		if err := tx.Model(&Team{}).Where("parent_id = ?", id).Count(&c).Error; err != nil {
			return fmt.Errorf("delete team: %w", err)
		}
		if n+c > 0 {
			return fmt.Errorf("delete team %s: %w: %w", t.Key, ErrConflict, ErrTeamNotEmpty)
		}
		if err := tx.Delete(&Team{}, "id = ?", id).Error; err != nil {
			return fmt.Errorf("delete team: %w", err)
		}
		return auditChange(tx, "team.delete", "team", id, t, nil)
	})
}

// CreateMember inserts a member; a duplicate e-mail in the organisation is ErrConflict.
func (s *Store) CreateMember(ctx context.Context, m *Member) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := createMember(tx, m); err != nil {
			return err
		}
		return auditChange(tx, "member.create", "member", m.ID, nil, m)
	})
}

func createMember(db *gorm.DB, m *Member) error {
	if m.ID == "" {
		m.ID = NewID()
	}
	m.Version = 1
	m.Email = strings.ToLower(strings.TrimSpace(m.Email))
	if err := db.Create(m).Error; err != nil {
		return writeErr("create member "+m.Email, err)
	}
	return nil
}

// GetMember loads a member of the organisation.
func (s *Store) GetMember(ctx context.Context, orgID, id string) (*Member, error) {
	var m Member
	if err := s.DB.WithContext(ctx).Take(&m, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
		return nil, notFound("get member "+id, err)
	}
	return &m, nil
}

// MembersByID reads the organisation's members with these ids in one
// query per 500 ids; an id that names nobody is absent from the map.
func (s *Store) MembersByID(ctx context.Context, orgID string, ids []string) (map[string]*Member, error) {
	out := make(map[string]*Member, len(ids))
	for start := 0; start < len(ids); start += MaxLimit {
		var ms []Member
		chunk := ids[start:min(start+MaxLimit, len(ids))]
		if err := s.DB.WithContext(ctx).Where("org_id = ? AND id IN ?", orgID, chunk).Find(&ms).Error; err != nil {
			return nil, fmt.Errorf("members by id: %w", err)
		}
		for i := range ms {
			out[ms[i].ID] = &ms[i]
		}
	}
	return out, nil
}

// MemberFilter narrows ListMembers.
type MemberFilter struct {
	TeamIDs         []string
	Role            string
	Query           string
	IncludeInactive bool
}

var memberSorts = map[string]string{"name": "name", "email": "email", "role": "role", "level": "level", "createdAt": "created_at"}

// ListMembers returns one page of members and the total matching count.
func (s *Store) ListMembers(ctx context.Context, orgID string, f MemberFilter, p Page) ([]Member, int64, error) {
	q := s.DB.WithContext(ctx).Model(&Member{}).Where("org_id = ?", orgID)
	if len(f.TeamIDs) > 0 {
		q = q.Where("team_id IN ?", f.TeamIDs)
	}
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if !f.IncludeInactive {
		q = q.Where("active = ?", true)
	}
	if f.Query != "" {
		like := "%" + strings.ToLower(f.Query) + "%"
		q = q.Where("LOWER(name) LIKE ? OR LOWER(email) LIKE ?", like, like)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count members: %w", err)
	}
	var out []Member
	if err := p.apply(q, memberSorts, "name").Find(&out).Error; err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	return out, total, nil
}

// UpdateMember runs change on the stored member inside one transaction, with
// the same version check as UpdateTeam.
func (s *Store) UpdateMember(ctx context.Context, orgID, id string, expectVersion int, change func(*Member) error) (*Member, error) {
	var out *Member
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = updateMember(tx, orgID, id, expectVersion, "member.update", change)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func updateMember(tx *gorm.DB, orgID, id string, expectVersion int, action string, change func(*Member) error) (*Member, error) {
	var out Member
	if err := tx.Take(&out, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
		return nil, notFound("update member "+id, err)
	}
	if expectVersion != 0 && out.Version != expectVersion {
		return nil, fmt.Errorf("update member %s: %w: version is %d, you sent %d", id, ErrConflict, out.Version, expectVersion)
	}
	before := out
	if err := change(&out); err != nil {
		return nil, err
	}
	out.Email = strings.ToLower(strings.TrimSpace(out.Email))
	out.Version++
	res := tx.Model(&Member{}).Where("id = ? AND version = ?", out.ID, out.Version-1).
		Select("team_id", "name", "email", "role", "position", "level", "manager_id", "timezone", "locale", "joined_on", "active", "version", "updated_at").
		Updates(&out)
	if res.Error != nil {
		return nil, writeErr("update member "+id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("update member %s: %w: changed by someone else meanwhile", id, ErrConflict)
	}
	if err := auditChange(tx, action, "member", id, before, out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeactivateMember marks a member inactive and revokes their tokens. Members
// are never deleted: their past targets, evaluations and results stay readable.
func (s *Store) DeactivateMember(ctx context.Context, orgID, id string) (*Member, error) {
	var m *Member
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if m, err = updateMember(tx, orgID, id, 0, "member.deactivate", func(m *Member) error {
			m.Active = false
			return nil
		}); err != nil {
			return err
		}
		return revokeMemberTokens(tx, id)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
