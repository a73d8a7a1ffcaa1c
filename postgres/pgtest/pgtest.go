// Package pgtest gives tests a PostgreSQL store of their own: a fresh
// schema in the test database, dropped when the test ends, so tests run in
// parallel and leave nothing behind.
//
// The database is named by HANDWASH_TEST_POSTGRES, by default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. When it cannot
// be reached tests are skipped, saying so, unless HANDWASH_TEST_ALL=1 (as
// in CI), when they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/handwash/handwash/postgres"
)

// DefaultDSN is the test database when HANDWASH_TEST_POSTGRES is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DSN returns the test database's DSN.
func DSN() string {
	if v := os.Getenv("HANDWASH_TEST_POSTGRES"); v != "" {
		return v
	}
	return DefaultDSN
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// connect opens the shared connection that creates and drops schemas.
func connect() (*sql.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", DSN())
		if adminErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		adminErr = admin.PingContext(ctx)
	})
	return admin, adminErr
}

// unavailable skips or fails a test that needs PostgreSQL.
func unavailable(t testing.TB, err error) {
	t.Helper()
	msg := fmt.Sprintf("PostgreSQL is not reachable at HANDWASH_TEST_POSTGRES (default %s): %v; "+
		"install and start it (see .ci/run) or set HANDWASH_TEST_POSTGRES", DefaultDSN, err)
	if os.Getenv("HANDWASH_TEST_ALL") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Schema creates a fresh schema, dropped when the test ends, and returns a
// DSN whose connections use it.
func Schema(t testing.TB) string {
	t.Helper()
	db, err := connect()
	if err != nil {
		unavailable(t, err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "hwtest_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		unavailable(t, err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	return withSearchPath(DSN(), schema)
}

// withSearchPath adds a search_path to a URL or key=value DSN.
func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

// Open returns a store in a fresh schema. The caller closes it; the schema
// is dropped when the test ends.
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	dsn := Schema(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open the test store: %v", err)
	}
	return db
}
