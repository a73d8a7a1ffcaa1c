// Package browsertest runs pages in a real, headless Chromium for tests:
// it starts the browser with the flags that a closed network and a root
// user need, checks pages for accessibility with axe-core, and keeps a
// screenshot of the page when a test fails.
//
// # Writing a browser test
//
// Serve the pages with net/http/httptest (it listens on 127.0.0.1), start a
// browser with New, drive it with chromedp, and check every page you visit
// with AssertAccessible:
//
//	func TestDevicesPage(t *testing.T) {
//		srv := httptest.NewServer(handler)
//		t.Cleanup(srv.Close)
//		ctx := browsertest.New(t)
//		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/devices")); err != nil {
//			t.Fatal(err)
//		}
//		title, err := chromedp.Run(ctx, chromedp.Title())
//		if err != nil {
//			t.Fatal(err)
//		}
//		if want := "Devices"; title != want {
//			t.Errorf("title = %q, want %q", title, want)
//		}
//		browsertest.AssertAccessible(t, ctx)
//	}
//
// Each call of New starts its own browser with its own empty profile, so
// tests may call t.Parallel. Starting Chromium takes about a second: test
// several pages with one browser rather than one browser per page. The
// context that New returns ends shortly before go test's -timeout, so a
// page that never shows what a test waits for fails that test, with a
// screenshot, instead of the whole run being killed.
//
// AssertAccessible fails the test on every serious or critical axe-core
// violation of WCAG 2.0, 2.1 and 2.2 at levels A and AA, and names the rule,
// its help text and the selectors of the failing elements. Minor and
// moderate violations are logged, not failed, and so are the checks
// axe-core could not decide (such as the contrast of text drawn in SVG),
// for a person to look at. Check again after each step that changes the
// page (an error message shown, a section opened): axe-core sees only what
// is on the page when it runs. CheckAccessibility returns all violations
// for a test that wants to look at them itself. axe-core checks the top
// document only, not the inside of iframes.
//
// # Artefacts
//
// When a test that called New has failed, a full-page PNG of what the
// browser showed last is written at the end of the test to
// $HANDWASH_ARTEFACTS/<test name>.png (by default the browser-artefacts
// directory in the system's temporary directory) and its path is logged.
// .ci/run sets HANDWASH_ARTEFACTS to dist/browser-artefacts.
//
// # What the tests need
//
// Chromium: the program named by $HANDWASH_CHROMIUM, or else the first of
// chromium, chromium-browser and google-chrome on PATH. On Debian:
// apt-get install chromium. On macOS or Windows, point HANDWASH_CHROMIUM at
// Chrome or Chromium. The package never downloads a browser.
//
// axe-core, at the version pinned by AxeVersion: the axe.min.js named by
// $HANDWASH_AXE_JS, or else the one in the npm package installed into the
// user cache directory (on Linux $XDG_CACHE_HOME or ~/.cache) by
//
//	npm install --prefix ~/.cache/handwash/axe-core-4.14.1 --no-save axe-core@4.14.1
//
// which is what .ci/run does, checking the file's SHA-256 too. Without
// Chromium or axe-core, browser tests are skipped with a message saying
// what to install, unless HANDWASH_TEST_ALL=1 (as in CI), when they fail.
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserNames are the programs looked for on PATH, in order: Debian's
// and Ubuntu's names first, then Google's build.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome"}

// New starts a headless Chromium with an empty profile of its own and
// returns a chromedp context for one tab of it. The browser stops when the
// test ends; if the test failed, a screenshot is saved first (see
// SaveScreenshot). Without Chromium the test is skipped, or fails when
// HANDWASH_TEST_ALL=1.
func New(t testing.TB) context.Context {
	t.Helper()
	exe, err := findBrowser(os.Getenv, exec.LookPath)
	if err != nil {
		unavailable(t, err.Error())
	}
	// Registered before the browser's own cleanup, so removed after it has
	// stopped writing to the profile.
	profile := t.TempDir()

	output := &tailBuffer{max: 8 << 10}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		// Tests run as root in CI containers, where Chromium's sandbox
		// cannot start; the pages are our own.
		chromedp.NoSandbox,
		// Stop Chromium reaching for Google's servers: the network is
		// closed in CI and the calls only slow the start.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// A desktop-sized window, the same everywhere, so layout-dependent
		// checks and screenshots do not depend on the machine.
		chromedp.WindowSize(1280, 1024),
		chromedp.CombinedOutput(output),
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, browserCancel := chromedp.NewContext(allocCtx)
	// The first Run starts the browser and ties its life to browserCtx, so
	// it must have no deadline of its own.
	if err := chromedp.Do(browserCtx); err != nil {
		browserCancel()
		allocCancel()
		t.Fatalf("starting %s: %v\n%s", exe, err, output.String())
	}
	ctx, cancel := withTestDeadline(t, browserCtx)
	t.Cleanup(func() {
		cancel()
		screenshotIfFailed(t, browserCtx)
		stopCtx, stop := context.WithTimeout(browserCtx, 10*time.Second)
		defer stop()
		if err := chromedp.Cancel(stopCtx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("closing the browser: %v", err)
		}
		browserCancel()
		allocCancel()
	})
	return ctx
}

// withTestDeadline ends ctx a little before the test binary's -timeout, so
// that a test waiting for something that never comes fails with a
// screenshot rather than being killed, with every other test, without one.
func withTestDeadline(t testing.TB, ctx context.Context) (context.Context, context.CancelFunc) {
	d, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return context.WithCancel(ctx)
	}
	deadline, ok := d.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	// Leave time to take the screenshot and close the browser.
	margin := min(30*time.Second, time.Until(deadline)/4)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}

// findBrowser returns the Chromium to run: $HANDWASH_CHROMIUM when set, as
// given (a wrong setting is an error, not a reason to pick another
// browser), or else the first of browserNames on PATH.
func findBrowser(getenv func(string) string, lookPath func(string) (string, error)) (string, error) {
	if p := getenv("HANDWASH_CHROMIUM"); p != "" {
		found, err := lookPath(p)
		if err != nil {
			return "", fmt.Errorf("HANDWASH_CHROMIUM=%s: no such program (%v); point it at a Chromium or unset it to look for %s on PATH",
				p, err, strings.Join(browserNames, ", "))
		}
		return found, nil
	}
	for _, name := range browserNames {
		if found, err := lookPath(name); err == nil {
			return found, nil
		}
	}
	return "", fmt.Errorf("no Chromium found: none of %s is on PATH and HANDWASH_CHROMIUM is not set; "+
		"install it (Debian: apt-get install chromium) or set HANDWASH_CHROMIUM to the browser's path",
		strings.Join(browserNames, ", "))
}

// unavailable skips a test whose browser or checker is missing, or fails it
// when HANDWASH_TEST_ALL=1, so that CI cannot pass by skipping.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv("HANDWASH_TEST_ALL") == "1" {
		t.Fatal(msg + " (HANDWASH_TEST_ALL=1, so this fails instead of skipping)")
	}
	t.Skip(msg)
}

// ArtefactDir is where screenshots go: $HANDWASH_ARTEFACTS, or else the
// browser-artefacts directory in the system's temporary directory.
func ArtefactDir() string {
	if d := os.Getenv("HANDWASH_ARTEFACTS"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "browser-artefacts")
}

// screenshotIfFailed saves what the browser shows when the test has
// failed, and logs where, so the page can be looked at after the run.
func screenshotIfFailed(t testing.TB, ctx context.Context) {
	if !t.Failed() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	path, err := SaveScreenshot(ctx, t.Name())
	if err != nil {
		t.Logf("no screenshot of the failed page: %v", err)
		return
	}
	t.Logf("screenshot of the page at the failure: %s", path)
}

// SaveScreenshot writes a PNG of the whole page in the tab of ctx, not just
// the visible part, to ArtefactDir()/<name>.png and returns its path. The
// name is made safe for a file name, so t.Name() will do.
func SaveScreenshot(ctx context.Context, name string) (string, error) {
	// FullScreenshot captures beyond the window, so the whole page shows.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", fmt.Errorf("capturing the page: %w", err)
	}
	dir := ArtefactDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("making the artefact directory (HANDWASH_ARTEFACTS): %w", err)
	}
	path := filepath.Join(dir, fileName(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("writing the screenshot: %w", err)
	}
	return path, nil
}

// fileName turns a test name such as "TestPage/with spaces" into a name
// that is safe as a file name on every system.
func fileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			b[i] = '_'
		}
	}
	s := strings.Trim(string(b), ".")
	if s == "" {
		return "page"
	}
	return s
}

// tailBuffer keeps the last max bytes written to it: Chromium's own output,
// shown only when the browser fails to start.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
