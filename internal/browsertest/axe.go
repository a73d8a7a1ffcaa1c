package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeVersion is the axe-core release the accessibility checks are pinned
// to; .ci/run installs the same one, so a page passes or fails alike on
// every machine.
const AxeVersion = "4.14.1"

// wcagTags select axe-core's rules for WCAG 2.0, 2.1 and 2.2, levels A and
// AA: the level the dashboard promises.
var wcagTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"}

// maxAxeSize bounds the file read as axe-core: axe.min.js is under 1 MB,
// so anything far larger is the wrong file.
const maxAxeSize = 8 << 20

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID      string          `json:"id"`      // the rule, such as "color-contrast"
	Impact  string          `json:"impact"`  // minor, moderate, serious or critical
	Help    string          `json:"help"`    // what the rule asks for, in a sentence
	HelpURL string          `json:"helpUrl"` // Deque's page about the rule
	Nodes   []ViolationNode `json:"nodes"`   // the elements that break it
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target is the element's CSS selector: one entry, or several when the
	// element is inside shadow roots (outermost first).
	Target []string `json:"target"`
	// HTML is the start of the element's markup.
	HTML string `json:"html"`
	// FailureSummary says what is wrong and how to fix it.
	FailureSummary string `json:"failureSummary"`
}

// Selector is the node's selector as one string.
func (n ViolationNode) Selector() string { return strings.Join(n.Target, " >>> ") }

// axeResult is what runAxe hands back from the page.
type axeResult struct {
	Version    string      `json:"version"`
	Violations []Violation `json:"violations"`
	// Incomplete are checks axe-core could not decide, such as the contrast
	// of text over an image: a person has to look at them.
	Incomplete []Violation `json:"incomplete"`
}

// CheckAccessibility runs axe-core on the page in the tab of ctx, with the
// WCAG 2.0, 2.1 and 2.2 A and AA rules, and returns what it finds, of every
// impact. Without axe-core the test is skipped (fails under
// HANDWASH_TEST_ALL=1); if axe-core cannot run, the test fails.
func CheckAccessibility(t testing.TB, ctx context.Context) []Violation {
	t.Helper()
	return check(t, ctx).Violations
}

// check runs axe-core on the page and returns all it says.
func check(t testing.TB, ctx context.Context) axeResult {
	t.Helper()
	src := loadAxe(t)
	res, err := chromedp.Run(ctx, runAxe(src))
	if err != nil {
		t.Fatalf("running axe-core on %s: %v", location(ctx), err)
	}
	if res.Version != AxeVersion {
		t.Logf("axe-core %s ran, not %s: results may differ from CI", res.Version, AxeVersion)
	}
	return res
}

// AssertAccessible checks the page in the tab of ctx with
// CheckAccessibility, fails the test on each serious or critical
// violation, naming the rule, its help and the failing elements, and logs
// minor and moderate ones and the checks axe-core could not decide.
func AssertAccessible(t testing.TB, ctx context.Context) {
	t.Helper()
	res := check(t, ctx)
	url := location(ctx)
	if len(res.Incomplete) > 0 {
		t.Logf("%s: checks axe-core could not decide, for a person to look at:\n%s", url, summarise(res.Incomplete))
	}
	var blocking, other []Violation
	for _, v := range res.Violations {
		if Serious(v) {
			blocking = append(blocking, v)
		} else {
			other = append(other, v)
		}
	}
	if len(other) > 0 {
		t.Logf("%s: minor or moderate accessibility problems (not failed):\n%s", url, Describe(other))
	}
	if len(blocking) > 0 {
		t.Errorf("%s: %d serious or critical accessibility problems (WCAG 2.2 AA, axe-core %s):\n%s",
			url, len(blocking), AxeVersion, Describe(blocking))
	}
}

// Serious reports whether a violation fails a page: its impact is serious
// or critical, which for WCAG AA means people are kept out, not slowed down.
func Serious(v Violation) bool {
	return v.Impact == "serious" || v.Impact == "critical"
}

// maxNodesShown keeps a message readable when one rule fails on hundreds of
// elements; the first few are enough to find the cause.
const maxNodesShown = 10

// Describe lists violations for a person: the rule, its impact and help,
// then each failing element's selector and what is wrong with it.
func Describe(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%s (%s): %s\n", v.ID, v.Impact, v.Help)
		if v.HelpURL != "" {
			fmt.Fprintf(&b, "  %s\n", v.HelpURL)
		}
		for i, n := range v.Nodes {
			if i == maxNodesShown {
				fmt.Fprintf(&b, "  … and %d more\n", len(v.Nodes)-maxNodesShown)
				break
			}
			fmt.Fprintf(&b, "  - %s", n.Selector())
			if s := strings.Join(strings.Fields(n.FailureSummary), " "); s != "" {
				fmt.Fprintf(&b, ": %s", s)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// summarise lists rules in one line each with how many elements they
// concern and the first element's reason: enough to decide whether to look.
func summarise(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%s (%s): %d elements", v.ID, v.Impact, len(v.Nodes))
		if len(v.Nodes) > 0 {
			fmt.Fprintf(&b, ", such as %s", v.Nodes[0].Selector())
			if s := strings.Join(strings.Fields(v.Nodes[0].FailureSummary), " "); s != "" {
				fmt.Fprintf(&b, ": %s", s)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// runAxe injects axe-core into the page unless it is already there, runs
// it, and returns the violations and undecided checks with their selectors
// made plain strings. Runtime.evaluate is not subject to the page's
// Content-Security-Policy, so this works on pages that allow no scripts.
func runAxe(src string) chromedp.Action[axeResult] {
	return func(ctx context.Context, t *chromedp.Target) (axeResult, error) {
		loaded, err := chromedp.Evaluate[bool](`typeof window.axe === "object" && typeof window.axe.run === "function"`)(ctx, t)
		if err != nil {
			return axeResult{}, err
		}
		if !loaded {
			if _, err := chromedp.Evaluate[chromedp.Void](src)(ctx, t); err != nil {
				return axeResult{}, fmt.Errorf("loading axe-core into the page: %w", err)
			}
		}
		tags, _ := json.Marshal(wcagTags)
		script := `(async () => {
	const r = await axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations", "incomplete"]});
	const str = (t) => Array.isArray(t) ? t.join(" >>> ") : String(t);
	const rules = (vs) => vs.map((v) => ({
		id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map((n) => ({target: n.target.map(str), html: n.html, failureSummary: n.failureSummary || ""})),
	}));
	return {version: axe.version, violations: rules(r.violations), incomplete: rules(r.incomplete)};
})()`
		return chromedp.Evaluate[axeResult](script, chromedp.EvalAwaitPromise)(ctx, t)
	}
}

// location is the address of the page in the tab of ctx, for messages.
func location(ctx context.Context) string {
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "the page"
	}
	return url
}

// loadAxe reads axe-core's axe.min.js (see axePath), skipping the test
// (failing it under HANDWASH_TEST_ALL=1) when it is not there.
func loadAxe(t testing.TB) string {
	t.Helper()
	path, fromEnv, err := axePath(os.Getenv, os.UserCacheDir)
	if err != nil {
		unavailable(t, err.Error())
	}
	src, err := readAxe(path)
	switch {
	case os.IsNotExist(err) && fromEnv:
		unavailable(t, fmt.Sprintf("HANDWASH_AXE_JS=%s: no such file; point it at axe-core's axe.min.js or unset it", path))
	case os.IsNotExist(err):
		unavailable(t, fmt.Sprintf("axe-core %s is not installed at %s; install it with\n\tnpm install --prefix %s --no-save axe-core@%s\nor set HANDWASH_AXE_JS to an axe.min.js",
			AxeVersion, path, axeInstallDir(path), AxeVersion))
	case err != nil:
		t.Fatal(err)
	}
	return src
}

// axePath is where axe.min.js should be: $HANDWASH_AXE_JS when set
// (fromEnv), or else the npm package installed under the user cache
// directory, in a directory named after AxeVersion so that a new pin never
// finds an old install.
func axePath(getenv func(string) string, cacheDir func() (string, error)) (path string, fromEnv bool, err error) {
	if p := getenv("HANDWASH_AXE_JS"); p != "" {
		return p, true, nil
	}
	dir, err := cacheDir()
	if err != nil {
		return "", false, fmt.Errorf("no user cache directory to find axe-core in (%v); set HANDWASH_AXE_JS to axe-core %s's axe.min.js", err, AxeVersion)
	}
	return filepath.Join(dir, "handwash", "axe-core-"+AxeVersion, "node_modules", "axe-core", "axe.min.js"), false, nil
}

// axeInstallDir is the npm --prefix that puts axe.min.js at path.
func axeInstallDir(path string) string {
	return filepath.Dir(filepath.Dir(filepath.Dir(path)))
}

// readAxe reads an axe-core script, refusing files too large or not
// starting as axe-core's builds do, so a wrong setting fails clearly
// rather than as a JavaScript error in the page.
func readAxe(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAxeSize+1))
	if err != nil {
		return "", fmt.Errorf("reading axe-core: %w", err)
	}
	if len(b) > maxAxeSize {
		return "", fmt.Errorf("%s is over %d MB: not axe-core's axe.min.js", path, maxAxeSize>>20)
	}
	if !bytes.HasPrefix(b, []byte("/*! axe v")) {
		return "", fmt.Errorf("%s does not start like axe-core's axe.min.js (/*! axe v…): check HANDWASH_AXE_JS", path)
	}
	return string(b), nil
}
