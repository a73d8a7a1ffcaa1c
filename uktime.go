package handwash

import (
	"time"
	_ "time/tzdata" // UK time must be right on a server without time zone files
)

// UKTime is Europe/London: care providers' days, clocks and deadlines
// (training in the last 12 months, the ICO's 72 hours, the Monday summary)
// are in UK time. The zone data is built in, so it cannot fail to load.
var UKTime = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err) // cannot happen: time/tzdata is embedded
	}
	return loc
}()
