package postgres_test

import (
	"testing"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/postgres/pgtest"
	"github.com/handwash/handwash/storetest"
)

func BenchmarkPutSnapshot(b *testing.B) {
	f := storetest.RealisticFacts(b, "../collect/testdata/linux/debian12-container.facts.json", 1500, 1)
	variants := storetest.FactsVariants(b, f, 32, 1)
	storetest.BenchmarkPutSnapshot(b, func(tb testing.TB) handwash.Store { return pgtest.Open(tb) }, variants)
}
