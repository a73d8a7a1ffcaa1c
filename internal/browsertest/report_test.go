package browsertest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/report"
	"github.com/handwash/handwash/schema"
)

// reportPage is one `handwash check --format html` report to open.
type reportPage struct {
	name  string // the URL path it is served at
	page  []byte
	title string
	h2    []string
}

// reportPages makes the pages `handwash check --format html` writes: the
// report package's golden page, which has every kind of finding (failures,
// unknowns, accepted and expired exceptions), and reports of recorded
// machines judged by the built-in controls, as `handwash check --facts`
// does.
func reportPages(t *testing.T) []reportPage {
	t.Helper()
	golden, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	pages := []reportPage{{
		name: "golden", page: golden, title: "Cyber hygiene report: RECEPTION-PC",
		h2: []string{"Summary", "Fix these first", "All checks", "Could not be checked", "Exceptions"},
	}}
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	for _, m := range []struct{ facts, title string }{
		{"windows/neglected", "Cyber hygiene report: RECEPTION-PC"},
		{"macos/well-kept", "Cyber hygiene report: rosewood-mba-01"},
		{"linux/neglected", "Cyber hygiene report: this device"},
	} {
		file := filepath.Join("..", "..", "collect", "testdata", filepath.FromSlash(m.facts)+".facts.json")
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		facts, err := schema.DecodeFacts(f, file)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		a := cat.Evaluate(facts, policy.Options{Now: now})
		var b bytes.Buffer
		if err := report.HTML(&b, report.Input{Assessment: a, Controls: cat.Controls, Version: "test"}); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, reportPage{name: filepath.ToSlash(m.facts), page: b.Bytes(), title: m.title})
	}
	return pages
}

// The HTML report of `handwash check` loads in Chromium with its title and
// headings, and passes the WCAG 2.2 AA accessibility check.
func TestCheckReportInBrowser(t *testing.T) {
	t.Parallel()
	pages := reportPages(t)
	mux := http.NewServeMux()
	for _, p := range pages {
		mux.HandleFunc("GET /"+p.name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			// The report promises to need nothing from elsewhere and no
			// script: hold it to that while it is open.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
			w.Write(p.page)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx := New(t)

	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+p.name)); err != nil {
				t.Fatal(err)
			}
			title, err := chromedp.Run(ctx, chromedp.Title())
			if err != nil {
				t.Fatal(err)
			}
			if title != p.title {
				t.Errorf("title = %q, want %q", title, p.title)
			}
			h1, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("h1")].map((h) => h.textContent.trim())`))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"Cyber hygiene report"}, h1); diff != "" {
				t.Errorf("h1 headings (-want +got):\n%s", diff)
			}
			h2, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("h2")].map((h) => h.textContent.trim())`))
			if err != nil {
				t.Fatal(err)
			}
			if p.h2 != nil {
				if diff := cmp.Diff(p.h2, h2); diff != "" {
					t.Errorf("h2 headings (-want +got):\n%s", diff)
				}
			} else if len(h2) < 2 || h2[0] != "Summary" {
				t.Errorf("h2 headings = %q, want Summary first and more after it", h2)
			}
			AssertAccessible(t, ctx)
		})
	}
}
