package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	// The modernc driver registers itself as "sqlite"; the embedded Temporal
	// server links the same engine, so we reuse it instead of a second copy.
	_ "modernc.org/sqlite"
)

// Dialect names the database engine behind a Store.
type Dialect string

const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// Store is the application database.
type Store struct {
	DB      *gorm.DB
	Dialect Dialect

	submits *submitQueue // group commit of task submissions; nil on a store bound to a transaction
}

// ParseDSN splits a Perfloop DSN into engine and driver DSN.
// Accepted forms:
//
//	sqlite:/path/to/file.db   sqlite:relative.db   sqlite::memory:
//	mysql://user:pass@tcp(host:3306)/db?parseTime=true
//	user:pass@tcp(host:3306)/db   (a bare go-sql-driver DSN)
func ParseDSN(dsn string) (Dialect, string, error) {
	switch {
	case dsn == "":
		return "", "", fmt.Errorf("database DSN is empty: give sqlite:FILE or mysql://user:pass@tcp(host:3306)/db")
	case strings.HasPrefix(dsn, "sqlite://"):
		return SQLite, strings.TrimPrefix(dsn, "sqlite://"), nil
	case strings.HasPrefix(dsn, "sqlite:"):
		return SQLite, strings.TrimPrefix(dsn, "sqlite:"), nil
	case strings.HasPrefix(dsn, "mysql://"):
		return mysqlDSN(strings.TrimPrefix(dsn, "mysql://"))
	case strings.Contains(dsn, "@tcp(") || strings.Contains(dsn, "@unix("):
		return mysqlDSN(dsn)
	}
	return "", "", fmt.Errorf("database DSN %q is not understood: give sqlite:FILE or mysql://user:pass@tcp(host:3306)/db", redact(dsn))
}

func mysqlDSN(raw string) (Dialect, string, error) {
	cfg, err := mysqldriver.ParseDSN(raw)
	if err != nil {
		return "", "", fmt.Errorf("database DSN %q is not a valid MySQL DSN (%v): expected user:pass@tcp(host:3306)/db", redact(raw), err)
	}
	// Times are stored in UTC and scanned back as time.Time; utf8mb4 keeps Chinese names intact.
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	if _, ok := cfg.Params["charset"]; !ok {
		cfg.Params["charset"] = "utf8mb4"
	}
	return MySQL, cfg.FormatDSN(), nil
}

// redact hides a password in a DSN before it reaches an error or a log line.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	head := dsn[:at]
	scheme := ""
	if i := strings.Index(head, "://"); i >= 0 {
		scheme, head = head[:i+3], head[i+3:]
	}
	if c := strings.Index(head, ":"); c >= 0 {
		head = head[:c] + ":***"
	}
	return scheme + head + dsn[at:]
}

// Open connects to the database named by dsn and checks that it answers.
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	dialect, driverDSN, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		Logger:                 gormLogger(log),
		NowFunc:                func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) },
		SkipDefaultTransaction: true,
		TranslateError:         false,
	}
	var db *gorm.DB
	switch dialect {
	case SQLite:
		db, err = openSQLite(driverDSN, cfg)
	case MySQL:
		db, err = openMySQL(driverDSN, cfg, log)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database %s: %w", dialect, redact(dsn), err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if dialect == MySQL {
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(8)
		sqlDB.SetConnMaxLifetime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database %s: %w", dialect, redact(dsn), err)
	}
	if log != nil {
		log.Info("database open", "dialect", dialect, "dsn", redact(dsn))
	}
	return &Store{DB: db, Dialect: dialect, submits: &submitQueue{db: db, dialect: dialect}}, nil
}

func openMySQL(dsn string, cfg *gorm.Config, log *slog.Logger) (*gorm.DB, error) {
	dc, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if log != nil {
		// By default the driver prints connection trouble ("closing bad idle
		// connection") through the standard library's log: plain text in the
		// middle of a JSON log stream. This store's connections log through
		// slog instead, with no process-wide setting to race over.
		dc.Logger = driverLogger{log}
	}
	conn, err := mysqldriver.NewConnector(dc)
	if err != nil {
		return nil, err
	}
	sqlDB := sql.OpenDB(conn)
	db, err := gorm.Open(mysql.New(mysql.Config{Conn: sqlDB, DSNConfig: dc}), cfg)
	if err != nil {
		sqlDB.Close()
		return nil, err
	}
	return db, nil
}

// driverLogger is the MySQL driver's logger over slog.
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Print(v ...any) {
	l.log.Warn("mysql driver: " + strings.TrimSpace(fmt.Sprint(v...)))
}

// slowQuery is when a statement is worth a warning in the log.
const slowQuery = time.Second

// gormLogger sends GORM's lines through slog: slow statements as warnings,
// every statement (and its error) at debug level. Values never appear
// (statements are logged with placeholders), so no e-mail or token hash
// reaches the log. Below debug, failed statements are not logged: the store
// returns every error wrapped with its operation, and a duplicate key is often
// expected (409, a replica that lost a race), so a line per failed statement
// would repeat each real failure and cry wolf over the rest.
func gormLogger(log *slog.Logger) logger.Interface {
	if log == nil {
		return logger.Discard
	}
	c := logger.Config{SlowThreshold: slowQuery, ParameterizedQueries: true, IgnoreRecordNotFoundError: true}
	if log.Enabled(context.Background(), slog.LevelDebug) {
		c.LogLevel = logger.Info
		return logger.NewSlogLogger(log, c)
	}
	c.LogLevel = logger.Warn
	return slowOnly{logger.NewSlogLogger(log, c)}
}

// slowOnly passes on slow statements only.
type slowOnly struct{ logger.Interface }

func (s slowOnly) LogMode(level logger.LogLevel) logger.Interface {
	return slowOnly{s.Interface.LogMode(level)}
}

func (s slowOnly) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	// Rendering a statement's text costs on every query; skip it for the fast ones.
	if time.Since(begin) >= slowQuery {
		s.Interface.Trace(ctx, begin, fc, nil)
	}
}

func openSQLite(path string, cfg *gorm.Config) (*gorm.DB, error) {
	memory := path == ":memory:" || path == ""
	var dsn string
	if memory {
		// A named shared-cache memory database so every pooled connection sees the same data.
		dsn = fmt.Sprintf("file:perfloop-%d?mode=memory&cache=shared", time.Now().UnixNano())
	} else {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		dsn = "file:" + path
	}
	// WAL lets readers run beside the single writer; busy_timeout makes writers
	// queue instead of failing with SQLITE_BUSY; foreign keys are off by default in SQLite.
	// _txlock=immediate takes the write lock at BEGIN, so two transactions never
	// deadlock upgrading read locks (busy_timeout cannot resolve that case).
	dsn += sep(dsn) + "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_time_format=sqlite&_txlock=immediate"
	if !memory {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	}
	db, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: "sqlite", DSN: dsn}), cfg)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if memory {
		// Shared-cache memory databases lock whole tables across connections
		// (SQLITE_LOCKED, which busy_timeout does not wait on); one connection
		// serialises access instead and keeps the database alive.
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetConnMaxIdleTime(0)
		sqlDB.SetConnMaxLifetime(0)
	} else {
		// One writer at a time is SQLite's model; a small pool lets reads run beside it.
		sqlDB.SetMaxOpenConns(4)
	}
	return db, nil
}

func sep(dsn string) string {
	if strings.Contains(dsn, "?") {
		return "&"
	}
	return "?"
}

// SQL returns the underlying database handle.
func (s *Store) SQL() *sql.DB {
	db, _ := s.DB.DB()
	return db
}

// Ping reports whether the database answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	return s.SQL().PingContext(ctx)
}

// Close releases the connection pool.
func (s *Store) Close() error {
	return s.SQL().Close()
}

// InsertBatch is how many rows one multi-row INSERT carries. SQLite's
// driver binds parameters at a cost that grows with the statement, so small
// statements win there: 120,000 metric values took 7.7 s at 1,000 rows a
// statement, 2.5 s at 200 and 1.6 s at 20. MySQL gains from fewer round
// trips: 1.73 s at 1,000, 1.87 s at 200, 2.3 s at 50
// (BenchmarkIngest120kMetricValues).
func InsertBatch(tx *gorm.DB) int {
	if tx.Name() == "sqlite" {
		return 25
	}
	return 500
}
