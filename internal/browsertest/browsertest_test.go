package browsertest

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// serveTestdata serves testdata/ on 127.0.0.1 with a Content-Security-Policy
// that allows no scripts at all, as the dashboard's will, to show that the
// checker still runs on such pages.
func serveTestdata(t *testing.T) string {
	t.Helper()
	files := http.FileServer(http.Dir("testdata"))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// The checker must find each kind of fault planted in
// testdata/inaccessible.html, and nothing on its accessible twin, or a
// passing dashboard test would prove nothing.
func TestCheckerFindsPlantedFaults(t *testing.T) {
	t.Parallel()
	base := serveTestdata(t)
	ctx := New(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/accessible.html")); err != nil {
		t.Fatal(err)
	}
	if vs := CheckAccessibility(t, ctx); len(vs) != 0 {
		t.Errorf("accessible.html: got violations, want none:\n%s", Describe(vs))
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/inaccessible.html")); err != nil {
		t.Fatal(err)
	}
	vs := CheckAccessibility(t, ctx)
	type found struct{ ID, Impact, Selector string }
	var got []found
	for _, v := range vs {
		for _, n := range v.Nodes {
			got = append(got, found{v.ID, v.Impact, n.Selector()})
		}
	}
	want := []found{
		{"color-contrast", "serious", "#faint"},
		{"image-alt", "critical", "#logo"},
		{"label", "critical", "#name"},
	}
	less := func(a, b found) int { return strings.Compare(a.ID+a.Selector, b.ID+b.Selector) }
	slices.SortFunc(got, less)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations on inaccessible.html (-want +got):\n%s\n%s", diff, Describe(vs))
	}

	// AssertAccessible fails the test on them and says which and where.
	r := run(t, func(tb testing.TB) { AssertAccessible(tb, ctx) })
	if !r.failed {
		t.Fatal("AssertAccessible passed a page with critical violations")
	}
	msg := strings.Join(r.errors, "\n")
	for _, want := range []string{"3 serious or critical", "image-alt (critical): Images must have alternative text", "- #logo", "label (critical)", "- #name", "color-contrast (serious)", "- #faint", "inaccessible.html"} {
		if !strings.Contains(msg, want) {
			t.Errorf("AssertAccessible's message lacks %q:\n%s", want, msg)
		}
	}
}

// The screenshot taken when a test fails must show the whole page, not just
// the window, and land in HANDWASH_ARTEFACTS under the test's name.
func TestScreenshotOnFailure(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HANDWASH_ARTEFACTS", dir)
	base := serveTestdata(t)
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tall.html")); err != nil {
		t.Fatal(err)
	}

	path, err := SaveScreenshot(ctx, "TestPage/first try")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "TestPage_first_try.png"); path != want {
		t.Errorf("path = %s, want %s", path, want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	// tall.html is 3000 pixels of red then blue; the window is 1024 high.
	size := img.Bounds().Size()
	if size.Y < 3000 {
		t.Errorf("screenshot is %d pixels high, want the whole 3000-pixel page", size.Y)
	}
	red, blue := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}
	for _, p := range []struct {
		y    int
		want color.RGBA
	}{{10, red}, {size.Y - 10, blue}} {
		if got := color.RGBAModel.Convert(img.At(size.X/2, p.y)); got != p.want {
			t.Errorf("pixel at y=%d is %v, want %v", p.y, got, p.want)
		}
	}

	// At the end of a failed test the same capture runs, named after it.
	r := run(t, func(tb testing.TB) { screenshotIfFailed(&failing{tb}, ctx) })
	want := filepath.Join(dir, fileName(t.Name())+".png")
	if _, err := os.Stat(want); err != nil {
		t.Errorf("no screenshot after a failure: %v (logged %q)", err, r.logs)
	}
	if !slices.ContainsFunc(r.logs, func(s string) bool { return strings.Contains(s, want) }) {
		t.Errorf("logged %q, want the screenshot's path %s", r.logs, want)
	}
	// And not at the end of a test that passed.
	os.Remove(want)
	run(t, func(tb testing.TB) { screenshotIfFailed(tb, ctx) })
	if _, err := os.Stat(want); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a passing test left a screenshot (stat: %v)", err)
	}
}

func TestFindBrowser(t *testing.T) {
	onPath := func(names ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			if !slices.Contains(names, filepath.Base(name)) {
				return "", errors.New("executable file not found in $PATH")
			}
			if strings.HasPrefix(name, "/") {
				return name, nil
			}
			return "/usr/bin/" + name, nil
		}
	}
	tests := []struct {
		name    string
		env     string
		path    []string
		want    string
		wantErr []string
	}{
		{"debian", "", []string{"chromium"}, "/usr/bin/chromium", nil},
		{"ubuntu", "", []string{"chromium-browser"}, "/usr/bin/chromium-browser", nil},
		{"google", "", []string{"google-chrome"}, "/usr/bin/google-chrome", nil},
		{"chromium first", "", []string{"google-chrome", "chromium"}, "/usr/bin/chromium", nil},
		{"setting wins", "/opt/chrome/chrome", []string{"chrome", "chromium"}, "/opt/chrome/chrome", nil},
		{"wrong setting", "/nowhere/chrome", []string{"chromium"}, "", []string{"HANDWASH_CHROMIUM=/nowhere/chrome", "no such program"}},
		{"none", "", nil, "", []string{"no Chromium found", "apt-get install chromium", "HANDWASH_CHROMIUM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "HANDWASH_CHROMIUM" {
					return tt.env
				}
				return ""
			}
			got, err := findBrowser(getenv, onPath(tt.path...))
			if got != tt.want {
				t.Errorf("findBrowser = %q, want %q", got, tt.want)
			}
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error = %v, want it to say %q", err, w)
				}
			}
			if err != nil && tt.wantErr == nil {
				t.Errorf("unexpected error %v", err)
			}
		})
	}
}

// Missing tools skip a test on a developer's machine but fail it in CI,
// where HANDWASH_TEST_ALL=1, so CI cannot pass by skipping.
func TestUnavailable(t *testing.T) {
	for _, all := range []string{"", "1"} {
		t.Run("HANDWASH_TEST_ALL="+all, func(t *testing.T) {
			t.Setenv("HANDWASH_TEST_ALL", all)
			r := run(t, func(tb testing.TB) { unavailable(tb, "no Chromium found") })
			if got, want := r.skipped, all != "1"; got != want {
				t.Errorf("skipped = %v, want %v", got, want)
			}
			if got, want := r.failed, all == "1"; got != want {
				t.Errorf("failed = %v, want %v", got, want)
			}
			if msg := strings.Join(r.logs, ""); !strings.Contains(msg, "no Chromium found") {
				t.Errorf("message %q does not say what is missing", msg)
			}
		})
	}
}

func TestAxePath(t *testing.T) {
	cache := func() (string, error) { return "/home/sam/.cache", nil }
	noCache := func() (string, error) { return "", errors.New("neither $XDG_CACHE_HOME nor $HOME are defined") }
	tests := []struct {
		name        string
		env         string
		cache       func() (string, error)
		want        string
		wantFromEnv bool
		wantErr     string
	}{
		{"setting", "/srv/axe.min.js", noCache, "/srv/axe.min.js", true, ""},
		{"cache", "", cache, "/home/sam/.cache/handwash/axe-core-" + AxeVersion + "/node_modules/axe-core/axe.min.js", false, ""},
		{"no cache", "", noCache, "", false, "set HANDWASH_AXE_JS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "HANDWASH_AXE_JS" {
					return tt.env
				}
				return ""
			}
			got, fromEnv, err := axePath(getenv, tt.cache)
			if got != filepath.FromSlash(tt.want) || fromEnv != tt.wantFromEnv {
				t.Errorf("axePath = %q, %v, want %q, %v", got, fromEnv, tt.want, tt.wantFromEnv)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error = %v, want it to say %q", err, tt.wantErr)
			}
			if tt.wantErr == "" && err != nil {
				t.Errorf("unexpected error %v", err)
			}
		})
	}
	// The install command printed when axe-core is missing puts it where
	// axePath looks.
	p, _, _ := axePath(func(string) string { return "" }, cache)
	if got, want := axeInstallDir(p), filepath.FromSlash("/home/sam/.cache/handwash/axe-core-"+AxeVersion); got != want {
		t.Errorf("axeInstallDir = %s, want %s", got, want)
	}
}

// A missing axe-core skips with the npm command that installs it.
func TestMissingAxeSaysHowToInstall(t *testing.T) {
	t.Setenv("HANDWASH_TEST_ALL", "")
	t.Setenv("HANDWASH_AXE_JS", "")
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME moves the user cache directory on Linux only")
	}
	r := run(t, func(tb testing.TB) { loadAxe(tb) })
	msg := strings.Join(r.logs, "")
	if !r.skipped || !strings.Contains(msg, "npm install --prefix ") || !strings.Contains(msg, "axe-core@"+AxeVersion) {
		t.Errorf("skipped = %v with %q, want a skip giving the npm command", r.skipped, msg)
	}
}

func TestReadAxe(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("axe.min.js", []byte("/*! axe v"+AxeVersion+" */\nwindow.axe={};"))
	if _, err := readAxe(good); err != nil {
		t.Errorf("readAxe(axe build) = %v", err)
	}
	tests := []struct{ name, path, want string }{
		{"not axe", write("other.js", []byte("console.log(1)")), "does not start like axe-core"},
		{"too large", write("big.js", append([]byte("/*! axe v"), make([]byte, maxAxeSize)...)), "over 8 MB"},
	}
	for _, tt := range tests {
		if _, err := readAxe(tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: readAxe = %v, want an error saying %q", tt.name, err, tt.want)
		}
	}
	if _, err := readAxe(filepath.Join(dir, "missing.js")); !os.IsNotExist(err) {
		t.Errorf("readAxe(missing) = %v, want a not-exist error", err)
	}
}

func TestSerious(t *testing.T) {
	for impact, want := range map[string]bool{"critical": true, "serious": true, "moderate": false, "minor": false, "": false} {
		if got := Serious(Violation{Impact: impact}); got != want {
			t.Errorf("Serious(%q) = %v, want %v", impact, got, want)
		}
	}
}

func TestDescribe(t *testing.T) {
	many := make([]ViolationNode, maxNodesShown+2)
	for i := range many {
		many[i] = ViolationNode{Target: []string{fmt.Sprintf("li:nth-child(%d)", i+1)}}
	}
	vs := []Violation{
		{ID: "image-alt", Impact: "critical", Help: "Images must have alternative text", HelpURL: "https://dequeuniversity.com/rules/axe/4.14/image-alt",
			Nodes: []ViolationNode{{Target: []string{"#logo"}, FailureSummary: "Fix any of the following:\n  Element does not have an alt attribute"}}},
		{ID: "label", Impact: "critical", Help: "Form elements must have labels",
			Nodes: []ViolationNode{{Target: []string{"my-widget", "input"}}}},
		{ID: "list", Impact: "serious", Help: "Lists must be lists", Nodes: many},
	}
	want := `image-alt (critical): Images must have alternative text
  https://dequeuniversity.com/rules/axe/4.14/image-alt
  - #logo: Fix any of the following: Element does not have an alt attribute
label (critical): Form elements must have labels
  - my-widget >>> input
list (serious): Lists must be lists
  - li:nth-child(1)
  - li:nth-child(2)
  - li:nth-child(3)
  - li:nth-child(4)
  - li:nth-child(5)
  - li:nth-child(6)
  - li:nth-child(7)
  - li:nth-child(8)
  - li:nth-child(9)
  - li:nth-child(10)
  … and 2 more
`
	if diff := cmp.Diff(want, Describe(vs)); diff != "" {
		t.Errorf("Describe (-want +got):\n%s", diff)
	}
}

func TestSummarise(t *testing.T) {
	vs := []Violation{
		{ID: "color-contrast", Impact: "serious", Nodes: []ViolationNode{
			{Target: []string{`text[y="31"]`}, FailureSummary: "Fix any of the following:\n  Element's background color could not be determined"},
			{Target: []string{`text[y="65"]`}},
		}},
		{ID: "aria-valid-attr-value", Impact: "critical"},
	}
	want := `color-contrast (serious): 2 elements, such as text[y="31"]: Fix any of the following: Element's background color could not be determined
aria-valid-attr-value (critical): 0 elements
`
	if diff := cmp.Diff(want, summarise(vs)); diff != "" {
		t.Errorf("summarise (-want +got):\n%s", diff)
	}
}

func TestFileName(t *testing.T) {
	tests := map[string]string{
		"TestPage":                    "TestPage",
		"TestPage/with spaces":        "TestPage_with_spaces",
		`TestPage/..\..\etc:passwd*?`: "TestPage_.._.._etc_passwd__",
		"..":                          "page",
		"":                            "page",
		"TestDévice":                  "TestD__vice",
	}
	for in, want := range tests {
		if got := fileName(in); got != want {
			t.Errorf("fileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestArtefactDir(t *testing.T) {
	t.Setenv("HANDWASH_ARTEFACTS", "")
	if got, want := ArtefactDir(), filepath.Join(os.TempDir(), "browser-artefacts"); got != want {
		t.Errorf("default ArtefactDir = %s, want %s", got, want)
	}
	t.Setenv("HANDWASH_ARTEFACTS", "/srv/ci/artefacts")
	if got, want := ArtefactDir(), "/srv/ci/artefacts"; got != want {
		t.Errorf("ArtefactDir = %s, want %s", got, want)
	}
}

// CI installs the axe-core version the checks are pinned to.
func TestCIInstallsPinnedAxe(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "axe_version=" + AxeVersion + "\n"; !bytes.Contains(b, []byte(want)) {
		t.Errorf(".ci/run does not set %q: keep it and AxeVersion the same", strings.TrimSpace(want))
	}
}

// recorded is what a helper did to the testing.TB it was given.
type recorded struct {
	failed, skipped bool
	errors, logs    []string
}

// recorder stands in for a test so that helpers meant to fail or skip a
// test can be checked without failing or skipping this one.
type recorder struct {
	testing.TB // the real test, for Name, Setenv, TempDir and Cleanup
	r          *recorded
}

func (t *recorder) Helper()      {}
func (t *recorder) Failed() bool { return t.r.failed }
func (t *recorder) Log(a ...any) { t.r.logs = append(t.r.logs, fmt.Sprint(a...)) }
func (t *recorder) Logf(format string, a ...any) {
	t.r.logs = append(t.r.logs, fmt.Sprintf(format, a...))
}
func (t *recorder) Error(a ...any) {
	t.r.failed = true
	t.r.errors = append(t.r.errors, fmt.Sprint(a...))
}
func (t *recorder) Errorf(format string, a ...any) {
	t.r.failed = true
	t.r.errors = append(t.r.errors, fmt.Sprintf(format, a...))
}
func (t *recorder) Fatal(a ...any) { t.Log(a...); t.r.failed = true; runtime.Goexit() }
func (t *recorder) Fatalf(format string, a ...any) {
	t.Logf(format, a...)
	t.r.failed = true
	runtime.Goexit()
}
func (t *recorder) Skip(a ...any) { t.Log(a...); t.r.skipped = true; runtime.Goexit() }
func (t *recorder) Skipf(format string, a ...any) {
	t.Logf(format, a...)
	t.r.skipped = true
	runtime.Goexit()
}
func (t *recorder) SkipNow() { t.r.skipped = true; runtime.Goexit() }
func (t *recorder) FailNow() { t.r.failed = true; runtime.Goexit() }
func (t *recorder) Fail()    { t.r.failed = true }

// run calls f with a recorder on a goroutine of its own, as the testing
// package runs a test, so that Fatal and Skip end only f.
func run(t *testing.T, f func(testing.TB)) recorded {
	var r recorded
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(&recorder{TB: t, r: &r})
	}()
	<-done
	return r
}

// failing is a test that has failed, for the screenshot hook.
type failing struct{ testing.TB }

func (failing) Failed() bool { return true }

// The browser's context ends before the test binary's -timeout, with time
// to spare for the screenshot, and never when there is no -timeout.
func TestWithTestDeadline(t *testing.T) {
	ctx, cancel := withTestDeadline(t, t.Context())
	defer cancel()
	got, ok := ctx.Deadline()
	if testDeadline, hasDeadline := t.Deadline(); hasDeadline {
		if !ok || !got.Before(testDeadline) {
			t.Errorf("deadline = %v, %v; want one before the test's %v", got, ok, testDeadline)
		}
	} else if ok {
		t.Errorf("deadline = %v with no -timeout, want none", got)
	}

	var r recorded
	ctx, cancel = withTestDeadline(&recorder{TB: t, r: &r}, t.Context())
	defer cancel()
	if got, ok := ctx.Deadline(); ok {
		t.Errorf("deadline = %v for a testing.TB without Deadline, want none", got)
	}
}
