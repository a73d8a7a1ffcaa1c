// Package sqlite keeps the Handwash server's data in a SQLite file, the
// default that needs nothing installed: pure Go (modernc.org/sqlite, no
// cgo), migrations embedded and run when the file is opened.
//
// The file is in WAL mode, so readers never wait for the writer. All
// writes go through one connection: SQLite allows one writer at a time, and
// queueing writers in Go is cheaper and fairer than letting them retry on
// SQLITE_BUSY. Transactions begin IMMEDIATE so that another process (such as
// `handwash admin`) waits through the busy timeout instead of failing when
// a read turns into a write. synchronous=NORMAL is the usual choice in WAL
// mode: a committed transaction survives the process being killed, and at
// worst the last few are lost if the machine loses power.
//
// The write-ahead log is copied back into the database file (checkpointed)
// by a connection of its own in the background, so that the writer seldom
// does it when a commit finds the log long: a checkpoint waits for the
// disk to confirm its writes, and every upload would wait with it (see
// checkpointer).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a handwash.Store in a SQLite file.
type DB struct {
	*sqlstore.Store
	path string
	cp   *checkpointer
}

var _ handwash.Store = (*DB)(nil)

// Dialect is how SQLite differs from the other databases sqlstore serves:
// one writer, so no row locks; constraint errors by SQLite's codes.
var Dialect = sqlstore.Dialect{
	Name:              "sqlite",
	IsUniqueViolation: isUniqueViolation,
	GroupCommit:       true,
}

// pragmas are set on every connection.
const pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"

// Open opens the SQLite file at path, creating it (readable by its owner
// only, since it holds a care provider's weak spots) and its directory if
// need be, and brings its schema up to date.
func Open(path string) (*DB, error) {
	if path == "" {
		return nil, handwash.Errorf(handwash.EINVALID, "sqlite: database path is empty")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, handwash.Errorf(handwash.EINVALID, "sqlite: database path %q must not contain ? or #", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: create the database's directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f.Close()

	write, err := sql.Open("sqlite", path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(context.Background(), write); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, 2*runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	cp, err := startCheckpointer(path, checkpointEvery)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &DB{Store: sqlstore.New(write, read, Dialect), path: path, cp: cp}, nil
}

// Close stops the checkpointer and closes the database. The last
// connection to close checkpoints the whole log.
func (db *DB) Close() error {
	err := db.cp.stop()
	return errors.Join(err, db.Store.Close())
}

// checkpointEvery is how often the checkpointer copies the log back.
const checkpointEvery = 250 * time.Millisecond

// checkpointer copies the write-ahead log back into the database file
// from a connection of its own. Its PASSIVE checkpoints never block the
// writer or the readers: they copy what no reader still needs and leave
// the rest for next time. The writer still checkpoints when the log
// reaches SQLite's 1,000 pages, as it always did, which is what lets it
// start the log again from the top; but by then the checkpointer has
// copied nearly all of it, and the writer's checkpoint has little to copy
// and seldom anything to wait for.
type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

func startCheckpointer(path string, every time.Duration) (*checkpointer, error) {
	db, err := sql.Open("sqlite", path+"?"+pragmas)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, quit: make(chan struct{}), done: make(chan struct{})}
	go c.run(every)
	return c, nil
}

func (c *checkpointer) run(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			// An error (the file busy in another process's checkpoint, say)
			// is left for the next tick; the writer's own checkpoint
			// remains should none succeed.
			_, _ = c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		case <-c.quit:
			return
		}
	}
}

func (c *checkpointer) stop() error {
	c.once.Do(func() { close(c.quit) })
	<-c.done
	return c.db.Close()
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// migrate brings the schema up to date.
func migrate(ctx context.Context, db *sql.DB) error {
	dir, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, dir)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	case sqlite3.SQLITE_CONSTRAINT:
		return strings.Contains(e.Error(), "UNIQUE constraint failed")
	}
	return false
}
