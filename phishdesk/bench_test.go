package phishdesk

import (
	"fmt"
	"testing"

	"github.com/handwash/handwash"
)

// BenchmarkSubmit measures one report from arrival to storage: unwrapping
// the forward, analysing the suspect email (no DNS) and storing the report,
// its original and its notices in SQLite.
func BenchmarkSubmit(b *testing.B) {
	w := newWorld(b)
	w.inbox("imap.rosecourt.example:993")
	inner := sample(b, "spam/phishing_openphish.eml")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		raw := forward(fmt.Sprintf("carer%d@rosecourt.example", i), "odd email", inner)
		if _, _, err := w.desk.Submit(w.ctx, w.scope, w.org.ID, raw, Origin{Source: handwash.PhishFromMailbox}); err != nil {
			b.Fatal(err)
		}
	}
}
