package postgres_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/postgres"
	"github.com/handwash/handwash/postgres/pgtest"
	"github.com/handwash/handwash/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) handwash.Store { return pgtest.Open(t) })
}

// A database that cannot be reached is the operator's to fix: the error
// says what to check, is not an internal error, and keeps the password to
// itself.
func TestOpenUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = postgres.Open(ctx, "postgres://handwash:s3cret-pass@"+addr+"/handwash?sslmode=disable&connect_timeout=5")
	if handwash.ErrorCode(err) != handwash.EINVALID {
		t.Fatalf("Open: %v (code %q), want %q", err, handwash.ErrorCode(err), handwash.EINVALID)
	}
	msg := handwash.ErrorMessage(err)
	if !strings.Contains(msg, "could not connect") || !strings.Contains(msg, "HANDWASH_DATABASE") {
		t.Errorf("message does not say what to check: %s", msg)
	}
	if strings.Contains(msg, "s3cret-pass") || strings.Contains(err.Error(), "s3cret-pass") {
		t.Errorf("the password is in the error: %s", msg)
	}
}
