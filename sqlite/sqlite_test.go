package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/sqlite"
	"github.com/handwash/handwash/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) handwash.Store {
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}
