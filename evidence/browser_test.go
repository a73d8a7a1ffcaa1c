package evidence

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash/internal/browsertest"
)

// The HTML report loads in Chromium under a policy that allows nothing
// from elsewhere and no script, shows its headings, and passes the WCAG
// 2.2 AA accessibility check, on screen and as printed.
func TestHTMLInBrowser(t *testing.T) {
	page := []byte(renderHTML(t, fixture(t)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		w.Write(page)
	}))
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	if want := "Cyber hygiene evidence: Rosewood Care Homes Ltd"; title != want {
		t.Errorf("title = %q, want %q", title, want)
	}
	h2, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("h2")].map((h) => h.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Summary", "Scores by area", "Findings by area", "Accepted risks (exceptions)", "Alerts", "Backups", "Phishing reports",
		"Cloud accounts and two-step verification", "Phones and tablets", "Cyber Essentials",
		"Data Security and Protection Toolkit", "Devices", "What this report does not cover"}
	if diff := cmp.Diff(want, h2); diff != "" {
		t.Errorf("h2 headings (-want +got):\n%s", diff)
	}
	browsertest.AssertAccessible(t, ctx)

	// Printed, the big sections start on a new page and table headings
	// repeat on every page a table spans.
	printed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const out = [];
		for (const rule of document.styleSheets[0].cssRules) {
			if (rule.media && rule.media.mediaText === "print") {
				for (const r of rule.cssRules) out.push(r.selectorText + " " + r.style.cssText);
			}
		}
		return out;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"thead display: table-header-group;", ".break break-before: page;"} {
		found := false
		for _, r := range printed {
			if r == want {
				found = true
			}
		}
		if !found {
			t.Errorf("print styles lack %q; the browser read %q", want, printed)
		}
	}
}
