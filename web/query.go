package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// Paging limits of lists.
const (
	defaultLimit = 100
	maxLimit     = 500
)

// query reads a request's query parameters strictly: a parameter the
// route does not know, or one given twice, is an error that names it, so
// a misspelt filter does not silently list everything.
func query(r *http.Request, known ...string) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the query string is malformed: %v", err)
	}
	for name, vals := range v {
		if !slices.Contains(known, name) {
			if len(known) == 0 {
				return nil, invalid(name, "unknown query parameter: this request takes none")
			}
			return nil, invalid(name, "unknown query parameter: this request takes %s", strings.Join(known, ", "))
		}
		if len(vals) > 1 {
			return nil, invalid(name, "given more than once")
		}
	}
	return v, nil
}

// noQuery refuses query parameters where a route takes none.
func noQuery(r *http.Request) error {
	_, err := query(r)
	return err
}

// page reads offset and limit.
func page(v url.Values) (offset, limit int, err error) {
	limit = defaultLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return 0, 0, invalid("limit", "expected a number from 1 to %d", maxLimit)
		}
		limit = n
	}
	if s := v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, invalid("offset", "expected a number from 0")
		}
		offset = n
	}
	return offset, limit, nil
}

// parseTime reads an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC).
func parseTime(field, s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, invalid(field, "expected a date (2026-12-31) or an RFC 3339 time (2026-12-31T09:00:00Z)")
}

// parseDuration reads a duration such as "24h" or "30m" within bounds.
func parseDuration(field, s string, lo, hi time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < lo || d > hi {
		return 0, invalid(field, "expected a duration from %s to %s, such as \"24h\"", lo, hi)
	}
	return d, nil
}
