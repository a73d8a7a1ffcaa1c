package notifier

import (
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// BenchmarkRound measures a round that fans one new failure out to the
// care home's two administrators (email to a real SMTP server on loopback)
// and two webhooks (HTTP on loopback), and sends all four.
func BenchmarkRound(b *testing.B) {
	w := newWorld(b)
	n := w.notifier(true)
	scope := handwash.Scope{ProviderID: w.prov.ID, OrgID: w.org.ID}
	sent := 0
	for b.Loop() {
		w.clock = w.clock.Add(time.Second)
		e := &handwash.NotifyEvent{ProviderID: w.prov.ID, OrgID: w.org.ID, Kind: handwash.NotifyNewFailure, DeviceID: w.devices[0].ID,
			ControlID: w.critical.ID, Severity: handwash.SeverityCritical, At: w.clock}
		w.must(w.store.QueueNotification(w.ctx, scope, e))
		w.must(n.Round(w.ctx))
		sent += len(w.mail.Take()) + len(w.hooks.take())
	}
	if sent != 4*b.N {
		b.Fatalf("sent %d messages in %d rounds, want 4 each", sent, b.N)
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "messages/s")
}
