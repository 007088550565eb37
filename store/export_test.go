package store

// HoldSubmits keeps the store's submissions queued until release is called,
// as if a transaction were in flight, so that the submissions made meanwhile
// are written together in one (tests of the group commit). waiting says how
// many are queued.
func (s *Store) HoldSubmits() (waiting func() int, release func()) {
	q := s.submits
	q.mu.Lock()
	q.busy = true
	q.mu.Unlock()
	waiting = func() int {
		q.mu.Lock()
		defer q.mu.Unlock()
		return len(q.pending)
	}
	return waiting, func() { go q.drain() }
}
