// Package sqlstore implements handwash.Store once, over database/sql, for
// every SQL database Handwash supports.
//
// SQLite and PostgreSQL both accept $N placeholders, ON CONFLICT and
// RETURNING, so one set of queries serves both; what differs (row locks,
// how a constraint violation is recognised, column types in the schema) is
// a small Dialect that the sqlite and postgres packages supply with their
// migrations.
//
// Every call that reads or writes tenant data filters by the caller's
// handwash.Scope in SQL, so another tenant's object is ENOTFOUND exactly as
// a missing one is. Every call that writes does so in one transaction, so a
// call that fails changes nothing.
//
// Times are kept as microseconds since the Unix epoch in BIGINT columns and
// returned in UTC: the same representation on every database, ordered and
// compared as plain integers, at PostgreSQL's own precision.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
)

var _ handwash.Store = (*Store)(nil)

// Dialect is what differs between the databases behind a Store.
type Dialect struct {
	// Name names the database in error messages.
	Name string
	// LockRows ends a SELECT of rows the transaction will change, so that a
	// concurrent transaction waits for it (" FOR UPDATE" on PostgreSQL).
	// SQLite has a single writer and needs nothing.
	LockRows string
	// SkipLocked ends a SELECT of queued rows to claim, so that concurrent
	// claimers take different rows (" FOR UPDATE SKIP LOCKED").
	SkipLocked string
	// IsUniqueViolation reports whether err is a unique or primary key
	// constraint failing.
	IsUniqueViolation func(error) bool
	// GroupCommit runs concurrent snapshot uploads and assessments in
	// shared transactions (see batcher): a large gain where there is one
	// writer, as in SQLite.
	GroupCommit bool
}

// Store is a handwash.Store over a SQL database.
type Store struct {
	write *sql.DB
	read  *sql.DB
	d     Dialect
	// now is the clock for times the caller did not give.
	now func() time.Time
	// stmts holds the hot statements, prepared once: parsing the snapshot
	// UPDATE costs SQLite more than running it.
	stmts sync.Map // stmtKey → *sql.Stmt
	// batch is the group committer of hot writes, nil without one.
	batch *batcher
}

// New returns a Store that writes through write and reads through read,
// which may be the same pool. SQLite wants one write connection, so writers
// queue in Go rather than in busy retries, and a pool of readers beside it.
func New(write, read *sql.DB, d Dialect) *Store {
	if read == nil {
		read = write
	}
	if d.IsUniqueViolation == nil {
		d.IsUniqueViolation = func(error) bool { return false }
	}
	s := &Store{write: write, read: read, d: d, now: time.Now}
	if d.GroupCommit {
		s.batch = newBatcher(s)
	}
	return s
}

// Close closes the database pools.
func (s *Store) Close() error {
	if s.batch != nil {
		s.batch.close()
	}
	var err error
	s.stmts.Range(func(_, v any) bool {
		err = errors.Join(err, v.(*sql.Stmt).Close())
		return true
	})
	err = errors.Join(err, s.write.Close())
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// WriteDB returns the pool that writes, for benchmarks and maintenance.
func (s *Store) WriteDB() *sql.DB { return s.write }

// inTx runs fn in a write transaction and commits when fn returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", s.d.Name, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", s.d.Name, err)
	}
	return nil
}

// inWriteTx runs fn in a write transaction as inTx does; with group
// commit, in one shared with other callers' writes, under a savepoint (see
// batcher). fn may run twice, so it must set its results afresh, and any
// statement it takes from prepared must be prepared before it is called.
func (s *Store) inWriteTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if s.batch != nil {
		return s.batch.do(ctx, fn)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
}

// prepared returns query prepared on the write pool. Call it before a
// transaction begins and use the statement in it with tx.StmtContext:
// preparing needs a connection, and SQLite's only one may be the
// transaction's.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	return s.preparedOn(ctx, s.write, query)
}

// stmtKey names a prepared statement: its query on one of the pools.
type stmtKey struct {
	db    *sql.DB
	query string
}

// preparedOn returns query prepared on pool (s.write or s.read), once for
// the life of the Store: database/sql prepares it again on each connection
// that runs it, and keeps it there.
func (s *Store) preparedOn(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey{pool, query}
	if v, ok := s.stmts.Load(key); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, s.dbErr("prepare", err)
	}
	if v, loaded := s.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// dbErr wraps an unexpected database error with what was being done.
func (s *Store) dbErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var he *handwash.Error
	if errors.As(err, &he) {
		return err
	}
	return fmt.Errorf("%s: %s: %w", s.d.Name, what, err)
}

func notFound(what, id string) error {
	return handwash.Errorf(handwash.ENOTFOUND, "%s %q not found", what, id)
}

func invalid(format string, args ...any) error {
	return handwash.Errorf(handwash.EINVALID, format, args...)
}

// micros is how a time is stored.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros reads a stored time.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// norm returns t as it will read back: UTC, to the microsecond.
func norm(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// nowOr returns t normalised, or the current time when t is zero.
func (s *Store) nowOr(t time.Time) time.Time {
	if t.IsZero() {
		t = s.now()
	}
	return norm(t)
}

// optMicros stores an optional time as NULL or microseconds.
func optMicros(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return micros(*t)
}

// optTime reads an optional time.
func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// optString stores an optional ID as NULL, so foreign keys accept it.
func optString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// query builds a statement with $N placeholders from conditions written
// with ?, so optional filters can be added in any order.
type query struct {
	conds []string
	args  []any
}

// where adds a condition; each ? in cond takes the next of args.
func (q *query) where(cond string, args ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(args) {
			q.args = append(q.args, args[i])
			i++
			b.WriteString("$" + strconv.Itoa(len(q.args)))
			continue
		}
		b.WriteRune(r)
	}
	q.conds = append(q.conds, b.String())
}

// arg adds an argument and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// clause returns " WHERE a AND b …", or "" with no conditions.
func (q *query) clause() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// scoped adds the tenant conditions of scope on a table alias's
// provider_id and org_id columns.
func (q *query) scoped(scope handwash.Scope, alias string) {
	q.where(alias+".provider_id = ?", scope.ProviderID)
	if scope.OrgID != "" {
		q.where(alias+".org_id = ?", scope.OrgID)
	}
}

// page adds LIMIT and OFFSET; a limit of 0 or less means no limit.
func (q *query) page(offset, limit int) string {
	var b strings.Builder
	if limit > 0 {
		b.WriteString(" LIMIT " + q.arg(limit))
	}
	if offset > 0 {
		if limit <= 0 {
			// SQLite needs a LIMIT before OFFSET, and the databases spell
			// "no limit" differently.
			b.WriteString(" LIMIT " + q.arg(int64(math.MaxInt64)))
		}
		b.WriteString(" OFFSET " + q.arg(offset))
	}
	return b.String()
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// list runs a query on the read pool and scans each row with scan; what
// names the list in errors.
func list[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), stmt string, args ...any) ([]T, error) {
	rows, err := s.read.QueryContext(ctx, stmt, args...)
	if err != nil {
		return nil, s.dbErr(what, err)
	}
	return scanAll(s, rows, what, scan)
}

// scanAll scans each row with scan and closes rows.
func scanAll[T any](s *Store, rows *sql.Rows, what string, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, s.dbErr(what, err)
		}
		out = append(out, v)
	}
	return out, s.dbErr(what, rows.Err())
}

// orgInScope checks that an organisation exists within scope, returning
// ENOTFOUND otherwise. q is the transaction or pool to ask.
func (s *Store) orgInScope(ctx context.Context, db querier, scope handwash.Scope, orgID string) error {
	if orgID == "" {
		return invalid("organisation ID is empty")
	}
	if !scope.Covers(scope.ProviderID, orgID) {
		return notFound("organisation", orgID)
	}
	var one int
	err := db.QueryRowContext(ctx, `SELECT 1 FROM orgs WHERE id = $1 AND provider_id = $2`, orgID, scope.ProviderID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("organisation", orgID)
	}
	return s.dbErr("find organisation", err)
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
