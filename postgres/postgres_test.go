package postgres_test

import (
	"testing"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/postgres/pgtest"
	"github.com/handwash/handwash/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) handwash.Store { return pgtest.Open(t) })
}
