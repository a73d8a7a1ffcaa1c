package phishdesk

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/phish"
	"github.com/handwash/handwash/sqlite"
)

// fixtures is the shared, labelled email corpus beside the repository.
const fixtures = "../../shared/fixtures/email/spamassassin"

// now is the tests' clock.
var now = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

type world struct {
	t     testing.TB
	ctx   context.Context
	store handwash.Store
	org   *handwash.Org
	scope handwash.Scope
	desk  *Desk
	woken int
}

func newWorld(t testing.TB) *world {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "handwash.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, ctx: context.Background(), store: st}
	p := &handwash.Provider{Name: "Careful IT"}
	w.must(st.CreateProvider(w.ctx, p))
	w.scope = handwash.Scope{ProviderID: p.ID}
	w.org = &handwash.Org{Name: "Rose Court Care Home"}
	w.must(st.CreateOrg(w.ctx, w.scope, w.org))
	w.desk = New(Config{Every: -1}, Deps{Store: st, Now: func() time.Time { return now }, Notified: func() { w.woken++ }})
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// inbox gives the organisation a mailbox with its own domain.
func (w *world) inbox(addr string) {
	w.t.Helper()
	w.must(w.store.PutPhishInbox(w.ctx, w.scope, &handwash.PhishInbox{OrgID: w.org.ID, Addr: addr, Security: "tls", Username: "report@rosecourt.example",
		Password: "secret", Domains: []string{"rosecourt.example"}}))
}

// sample reads a message of the shared corpus, skipping without it.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		t.Skipf("the shared email corpus is not at %s (it lives beside the repository): %v", fixtures, err)
	}
	return b
}

// forward wraps a message as Outlook's "Forward as attachment" does.
func forward(from, note string, inner []byte, extra ...string) []byte {
	var b strings.Builder
	b.WriteString("From: " + from + "\r\nTo: report@rosecourt.example\r\nSubject: FW: suspicious\r\nMessage-ID: <fw-" + from + "@rosecourt.example>\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + note + "\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"suspicious.eml\"\r\n\r\n")
	b.Write(inner)
	b.WriteString("\r\n--b1--\r\n")
	return []byte(b.String())
}

func (w *world) pending() map[handwash.NotifyKind][]*handwash.NotifyEvent {
	w.t.Helper()
	events, err := w.store.PendingNotifyEvents(w.ctx, 100)
	w.must(err)
	out := map[handwash.NotifyKind][]*handwash.NotifyEvent{}
	for _, e := range events {
		out[e.Kind] = append(out[e.Kind], e)
	}
	return out
}

func TestSubmitForwardedPhishing(t *testing.T) {
	w := newWorld(t)
	w.inbox("imap.rosecourt.example:993")
	inner := sample(t, "spam/phishing_openphish.eml")
	raw := forward("Carol Carer <Carol@RoseCourt.example>", "This looks odd, it wants my Office password", inner)
	r, created, err := w.desk.Submit(w.ctx, w.scope, w.org.ID, raw, Origin{Source: handwash.PhishFromMailbox})
	w.must(err)
	// The suspect email is what was judged, not the forward around it.
	direct, err := phish.Analyse(w.ctx, inner, phish.Options{OrgName: w.org.Name, OrgDomains: []string{"rosecourt.example"}, Now: now})
	w.must(err)
	if !created || r.Carried != "attached" || r.Subject != "Phishing Test OpenPhish" || r.Verdict != string(direct.Verdict) || r.Score != direct.Score {
		t.Errorf("report = %+v; want the attached email's verdict %q, score %d", r, direct.Verdict, direct.Score)
	}
	if r.Verdict == handwash.PhishVerdictNone {
		t.Errorf("a known phishing sample was judged %q", r.Verdict)
	}
	if r.Reporter != "carol@rosecourt.example" || r.ReporterName != "Carol Carer" || !r.Thanked || !strings.Contains(r.Note, "Office password") {
		t.Errorf("reporter %q (%q), thanked %v, note %q", r.Reporter, r.ReporterName, r.Thanked, r.Note)
	}
	var analysis phish.Report
	w.must(json.Unmarshal(r.Analysis, &analysis))
	if len(analysis.Signs) == 0 || analysis.Signs[0].Explanation == "" {
		t.Errorf("stored analysis has no explained signs: %+v", analysis)
	}
	got, err := w.store.PhishOriginal(w.ctx, w.scope, r.ID)
	if err != nil || string(got) != string(raw) {
		t.Errorf("original = %d bytes, %v; want the report as received", len(got), err)
	}
	ev := w.pending()
	if len(ev[handwash.NotifyPhishThanks]) != 1 || ev[handwash.NotifyPhishThanks][0].Email != "carol@rosecourt.example" {
		t.Errorf("thanks = %+v; want one to Carol", ev[handwash.NotifyPhishThanks])
	}
	if w.woken == 0 {
		t.Error("the notifier was not woken")
	}

	// The same report again changes nothing.
	again, created, err := w.desk.Submit(w.ctx, w.scope, w.org.ID, raw, Origin{Source: handwash.PhishFromMailbox})
	w.must(err)
	if created || again.ID != r.ID {
		t.Errorf("repeat = %v, %s; want the stored report %s", created, again.ID, r.ID)
	}
	if n := len(w.pending()[handwash.NotifyPhishThanks]); n != 1 {
		t.Errorf("%d thanks after a repeat; want 1", n)
	}
}

func TestSubmitWhoIsThanked(t *testing.T) {
	w := newWorld(t)
	w.inbox("imap.rosecourt.example:993")
	inner := sample(t, "spam/phishing_phishtank.eml")
	for _, tc := range []struct {
		name  string
		raw   []byte
		thank bool
	}{
		{"own domain", forward("nurse@rosecourt.example", "", inner), true},
		{"own subdomain", forward("nurse@staff.rosecourt.example", "", inner), true},
		// A stranger cannot make the server write to anyone.
		{"outside address", forward("someone@elsewhere.example", "", inner), false},
		{"lookalike of the domain", forward("nurse@rosecourt.example.evil.example", "", inner), false},
		// Programs are never answered (RFC 3834).
		{"automatic reply", forward("nurse2@rosecourt.example", "", inner, "Auto-Submitted: auto-replied"), false},
		{"the mailbox itself", forward("report@rosecourt.example", "", inner), false},
		// Mail sent straight to the mailbox has no reporter.
		{"direct", inner, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, created, err := w.desk.Submit(w.ctx, w.scope, w.org.ID, tc.raw, Origin{Source: handwash.PhishFromMailbox})
			w.must(err)
			if !created || r.Thanked != tc.thank {
				t.Errorf("created %v, thanked %v; want thanked %v (reporter %q)", created, r.Thanked, tc.thank, r.Reporter)
			}
		})
	}
}

func TestSubmitUpload(t *testing.T) {
	w := newWorld(t)
	// Without a mailbox, uploads still work; the uploader is the reporter
	// and is not emailed: they see the result on the page.
	raw := sample(t, "nice/001")
	r, created, err := w.desk.Submit(w.ctx, w.scope, w.org.ID, raw, Origin{Source: handwash.PhishFromUpload, UserID: "usr_1", Email: "mo@rosecourt.example", Name: "Mo"})
	w.must(err)
	if !created || r.Source != handwash.PhishFromUpload || r.UploadedBy != "usr_1" || r.Reporter != "mo@rosecourt.example" || r.Thanked {
		t.Errorf("upload = %+v", r)
	}
	if r.Verdict == handwash.PhishVerdictPhishing {
		if len(w.pending()[handwash.NotifyPhishReported]) != 1 {
			t.Error("likely phishing did not tell the administrators")
		}
	} else if len(w.pending()[handwash.NotifyPhishReported]) != 0 {
		t.Errorf("a %q upload told the administrators", r.Verdict)
	}
}

func TestSubmitRefused(t *testing.T) {
	w := newWorld(t)
	for name, tc := range map[string]struct {
		raw  []byte
		code string
	}{
		"empty":     {[]byte("  \r\n"), handwash.EINVALID},
		"too large": {make([]byte, phish.MaxMessageSize+1), handwash.ETOOLARGE},
	} {
		_, _, err := w.desk.Submit(w.ctx, w.scope, w.org.ID, tc.raw, Origin{Source: handwash.PhishFromUpload})
		if handwash.ErrorCode(err) != tc.code {
			t.Errorf("%s: err = %v; want %s", name, err, tc.code)
		}
	}
	// Another provider's organisation is not found.
	_, _, err := w.desk.Submit(w.ctx, handwash.Scope{ProviderID: "prov_other"}, w.org.ID, []byte("Subject: x\r\n\r\nx"), Origin{Source: handwash.PhishFromUpload})
	if handwash.ErrorCode(err) != handwash.ENOTFOUND {
		t.Errorf("another provider: err = %v; want not found", err)
	}
	if list, total, _ := w.store.PhishReports(w.ctx, w.scope, handwash.PhishReportFilter{}); total != 0 {
		t.Errorf("refused reports were stored: %v", list)
	}
}
