// Package postgres keeps the Handwash server's data in PostgreSQL, for
// larger installations and for several `handwash serve` processes sharing
// one database. The queries are sqlstore's, the same as SQLite's; what
// differs is row locking (FOR UPDATE, and SKIP LOCKED so replicas claim
// different devices to judge) and the column types in the migrations.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a handwash.Store in a PostgreSQL database.
type DB struct {
	*sqlstore.Store
}

var _ handwash.Store = (*DB)(nil)

// Dialect is how PostgreSQL differs from the other databases sqlstore
// serves.
var Dialect = sqlstore.Dialect{
	Name:              "postgres",
	LockRows:          " FOR UPDATE",
	SkipLocked:        " FOR UPDATE SKIP LOCKED",
	IsUniqueViolation: isUniqueViolation,
}

// Open connects to the database named by dsn (a postgres:// URL or
// key=value list, as libpq takes) and brings its schema up to date. The
// tables go in the connection's current schema, so a search_path in the
// DSN puts them elsewhere than public. Several processes may open one
// database at once: migrations run under an advisory lock.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password and all.
		return nil, handwash.Errorf(handwash.EINVALID, "postgres: the database URL is not valid: check its form (postgres://user@host:5432/name)")
	}
	n := max(8, 4*runtime.NumCPU())
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		// Not our fault, and not to be reported: say what to check. pgx's
		// connection errors name the host, user and database, never the
		// password.
		return nil, &handwash.Error{Code: handwash.EINVALID, Err: err, Message: fmt.Sprintf(
			"postgres: could not connect to the database: %v: check that PostgreSQL is running and reachable from here, and that the database URL (--database or HANDWASH_DATABASE) names the right host, port, user and database", err)}
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &DB{Store: sqlstore.New(db, db, Dialect)}, nil
}

// migrate brings the schema up to date, holding an advisory lock named
// after the schema so that replicas starting together migrate once, and
// databases in other schemas do not wait for each other.
func migrate(ctx context.Context, db *sql.DB) error {
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("find the current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("handwash migrations " + schema))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64() >> 1)))
	if err != nil {
		return err
	}
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, dir, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}
