package store

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
)

var (
	// ErrNotFound means no row matched; the API turns it into 404.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique key or a version check refused the write; the API turns it into 409.
	ErrConflict = errors.New("conflict")
)

// isUniqueViolation recognises duplicate-key errors of both engines without
// importing the SQLite driver's error types (modernc reports them as text).
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "Duplicate entry")
}

// IsBusy recognises a database that could not take the statement now:
// SQLite's lock still held when busy_timeout ran out (SQLITE_BUSY,
// SQLITE_LOCKED) and MySQL's lock wait timeout or deadlock. Retrying
// later succeeds, so the API answers 503 with Retry-After, not 500.
func IsBusy(err error) bool {
	if err == nil {
		return false
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1205 || me.Number == 1213
	}
	var coded interface{ Code() int }
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff { // extended codes keep the primary in the low byte
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database table is locked")
}
