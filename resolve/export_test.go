package resolve

import "time"

// SetClock replaces the clock r's cache ages answers by, so tests can move time on.
func SetClock(r Resolver, now func() time.Time) { r.(*client).now = now }

// CacheLen gives how many answers r keeps.
func CacheLen(r Resolver) int { return r.(*client).cache.len() }

var (
	FromResolvConf  = fromResolvConf
	NormaliseServer = normaliseServer
	UnescapeTXT     = unescapeTXT
)
