package readiness

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash/internal/browsertest"
)

// The readiness page loads in Chromium under a policy that allows nothing
// from elsewhere and no script, has the headings a reader navigates by,
// and passes the WCAG 2.2 AA accessibility check.
func TestHTMLInBrowser(t *testing.T) {
	for _, name := range []string{"admin-without-mfa", "unanswered-expired", "nothing-known"} {
		t.Run(name, func(t *testing.T) {
			body := []byte(page(t, build(t, name)))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
				w.Write(body)
			}))
			t.Cleanup(srv.Close)
			ctx := browsertest.New(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
				t.Fatal(err)
			}
			h2, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("h2")].map((h) => h.textContent.trim())`))
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"Summary", "Cyber Essentials", "Data Security and Protection Toolkit", "Action plan"}
			if diff := cmp.Diff(want, h2); diff != "" {
				t.Errorf("h2 headings (-want +got):\n%s", diff)
			}
			browsertest.AssertAccessible(t, ctx)
		})
	}
}
