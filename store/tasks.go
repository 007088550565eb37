package store

import "context"

// GetTask reads a task of an organisation; a task of another organisation
// is ErrNotFound, so an id guessed across tenants reveals nothing.
func (s *Store) GetTask(ctx context.Context, orgID, id string) (*Task, error) {
	var t Task
	if err := s.DB.WithContext(ctx).Take(&t, "org_id = ? AND id = ?", orgID, id).Error; err != nil {
		return nil, notFound("get task "+id, err)
	}
	return &t, nil
}
