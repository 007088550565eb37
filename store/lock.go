package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrLockTimeout means another process held a named lock for longer than the caller would wait.
var ErrLockTimeout = errors.New("another perfloop process held the lock too long")

// lockWait bounds how long a replica waits for another to finish migrating
// or seeding; a migration over a large table takes minutes, not hours.
const lockWait = 10 * time.Minute

// Exclusively runs fn while no other process runs fn under the same name on
// this database, so replicas started together take turns at migrating and
// seeding instead of racing to create the same tables and rows.
//
// MySQL holds GET_LOCK on a connection of its own; the server releases it if
// the process dies, so a killed replica never blocks the others. fn gets this
// store, because MySQL commits DDL implicitly and a transaction would not
// hold it. SQLite has no named locks: fn runs inside one write transaction
// (BEGIN IMMEDIATE, see openSQLite), the engine's only exclusion between
// processes, and gets a store bound to it, so its writes land together or
// not at all. fn must not take the same lock again: on MySQL that is another
// session, which would wait for this one.
func (s *Store) Exclusively(ctx context.Context, name string, fn func(*Store) error) error {
	if s.Dialect != MySQL {
		return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(&Store{DB: tx, Dialect: s.Dialect})
		})
	}
	conn, err := s.SQL().Conn(ctx)
	if err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	defer conn.Close()
	// Lock names are server-wide, so the database's name keeps two
	// installations on one server apart; MySQL caps names at 64 characters.
	const key = "LEFT(CONCAT(?, '@', DATABASE()), 64)"
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+key+", ?)", name, int(lockWait.Seconds())).Scan(&got); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	if !got.Valid || got.Int64 != 1 {
		return fmt.Errorf("lock %s after %s: %w", name, lockWait, ErrLockTimeout)
	}
	defer func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "DO RELEASE_LOCK("+key+")", name); err != nil {
			// The session may still hold the lock; close it rather than
			// return it to the pool, and the server releases the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return fn(s)
}
