//go:build deps

// This file pins modules that packages under construction will use, so
// that go.mod does not change under several people at once. Removed once
// each is imported for real.
package handwash

import (
	_ "github.com/jackc/pgx/v5/pgxpool"
)
