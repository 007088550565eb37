package store

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// Migration is one versioned schema step. SQL is written once in the subset
// that both SQLite and MySQL accept, with placeholders where they differ:
// {{table}} is MySQL's table options (InnoDB, utf8mb4, binary collation so
// comparisons match SQLite's), {{datetime}} is DATETIME(3) on MySQL and
// DATETIME on SQLite (the driver only turns exactly DATETIME back into
// time.Time), {{text}} is LONGTEXT on MySQL for JSON bodies, and
// DROP INDEX name{{on table}} names the table only on MySQL.
type Migration struct {
	Version int
	Name    string
	SQL     string
	// Statements, when set, are run one each as written instead of SQL
	// split at its semicolons: a trigger's body holds semicolons.
	Statements []string
	// Only, when set, is the one dialect the step changes; on the other
	// it is recorded as applied and changes nothing.
	Only Dialect
}

// statements are the step's statements as this store runs them.
func (s *Store) statements(m Migration) []string {
	if m.Only != "" && m.Only != s.Dialect {
		return nil
	}
	if m.Statements != nil {
		out := make([]string, len(m.Statements))
		for i, st := range m.Statements {
			out[i] = s.expand(st)
		}
		return out
	}
	return splitStatements(s.expand(m.SQL))
}

// migrations is append-only: a released step is never edited, a change is a new step.
var migrations []Migration

func register(m Migration) {
	migrations = append(migrations, m)
}

// Migrations lists the known schema steps in order.
func Migrations() []Migration {
	out := append([]Migration(nil), migrations...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Version < out[j-1].Version; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

type schemaMigration struct {
	Version   int       `gorm:"primaryKey;autoIncrement:false"`
	Name      string    `gorm:"size:200"`
	AppliedAt time.Time `gorm:"precision:3"`
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrate applies every step not yet recorded in schema_migrations, in order,
// and returns how many it applied. Concurrent runs (replicas started together)
// take turns under one lock, so the later ones find the work done. MySQL
// commits DDL implicitly, so each step is recorded right after it succeeds; a
// failed step names itself and stops. On SQLite the whole run is one
// transaction, so a failure leaves the schema as it was.
func (s *Store) Migrate(ctx context.Context, log *slog.Logger) (int, error) {
	n := 0
	err := s.Exclusively(ctx, "perfloop.migrate", func(locked *Store) error {
		var err error
		n, err = locked.migrate(ctx, log)
		return err
	})
	return n, err
}

func (s *Store) migrate(ctx context.Context, log *slog.Logger) (int, error) {
	db := s.DB.WithContext(ctx)
	if err := db.Exec(s.expand(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		name VARCHAR(200) NOT NULL,
		applied_at {{datetime}} NOT NULL
	) {{table}}`)).Error; err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var done []schemaMigration
	if err := db.Find(&done).Error; err != nil {
		return 0, fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	for _, d := range done {
		applied[d.Version] = true
	}
	n := 0
	for _, m := range Migrations() {
		if applied[m.Version] {
			continue
		}
		for i, stmt := range s.statements(m) {
			if err := db.Exec(stmt).Error; err != nil {
				return n, fmt.Errorf("migration %d (%s) statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := db.Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error; err != nil {
			return n, fmt.Errorf("record migration %d: %w", m.Version, err)
		}
		n++
		if log != nil {
			log.Info("migration applied", "version", m.Version, "name", m.Name)
		}
	}
	return n, nil
}

// SchemaVersion returns the highest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	if err := s.DB.WithContext(ctx).Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

func (s *Store) expand(sql string) string {
	r := strings.NewReplacer("{{table}}", "", "{{datetime}}", "DATETIME", "{{text}}", "TEXT")
	on := "" // SQLite's DROP INDEX names the index alone
	if s.Dialect == MySQL {
		r = strings.NewReplacer(
			"{{table}}", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
			"{{datetime}}", "DATETIME(3)",
			"{{text}}", "LONGTEXT")
		on = " ON $1"
	}
	return dropIndexOn.ReplaceAllString(r.Replace(sql), on)
}

// dropIndexOn is the fourth placeholder: DROP INDEX ix{{on table}}, as
// MySQL needs the table and SQLite refuses it.
var dropIndexOn = regexp.MustCompile(`\{\{on (\w+)\}\}`)

func splitStatements(sql string) []string {
	var out []string
	for _, part := range strings.Split(sql, ";") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
