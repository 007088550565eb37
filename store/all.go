package store

import (
	"context"
	"fmt"
)

// AllMembers and AllTeams read every matching row of an organisation, page
// after page, because ListMembers and ListTeams stop at MaxLimit and a large
// organisation has thousands of members. They are for internal reads that
// need the whole organisation (resolving e-mails, naming rows of an export,
// scoping a cycle, picking raters), never for an API response, which stays
// paged. Pages are ordered by e-mail and team key, each unique in an
// organisation, so consecutive pages neither skip nor repeat a row.
func (s *Store) AllMembers(ctx context.Context, orgID string, f MemberFilter) ([]Member, error) {
	out, err := everyPage("email", func(p Page) ([]Member, int64, error) {
		return s.ListMembers(ctx, orgID, f, p)
	})
	if err != nil {
		return nil, fmt.Errorf("all members: %w", err)
	}
	return out, nil
}

// AllTeams is AllMembers for teams.
func (s *Store) AllTeams(ctx context.Context, orgID string, f TeamFilter) ([]Team, error) {
	out, err := everyPage("key", func(p Page) ([]Team, int64, error) {
		return s.ListTeams(ctx, orgID, f, p)
	})
	if err != nil {
		return nil, fmt.Errorf("all teams: %w", err)
	}
	return out, nil
}

// everyPage stops at the first short page instead of trusting the count of
// the first one, which rows written meanwhile may have made stale.
func everyPage[T any](sort string, list func(Page) ([]T, int64, error)) ([]T, error) {
	var out []T
	for off := 0; ; off += MaxLimit {
		page, _, err := list(Page{Limit: MaxLimit, Offset: off, Sort: sort})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < MaxLimit {
			return out, nil
		}
	}
}
