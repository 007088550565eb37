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
