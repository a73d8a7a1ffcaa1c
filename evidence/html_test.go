package evidence

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
)

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := RenderHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The golden page is the fixture's report: read its diff when it changes,
// since it is what an assessor sees.
func TestHTMLGolden(t *testing.T) {
	golden.Check(t, "evidence.html", []byte(renderHTML(t, fixture(t))))
}

func TestRenderHTMLNeedsAReport(t *testing.T) {
	if err := RenderHTML(io.Discard, nil); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("RenderHTML(nil) = %v, want an EINVALID error", err)
	}
}

// element is one element of a parsed page, for structural checks.
type element struct {
	name  string
	attrs map[string]string
	text  string // the text directly and indirectly inside it
}

// parsePage checks that a page is well-formed (every element closed, in
// order, attributes quoted; void elements excepted) by reading it as XML,
// and returns its elements in document order.
func parsePage(t *testing.T, page string) []*element {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict = true
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var all, open []*element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, col := dec.InputPos()
			t.Fatalf("page is not well-formed at line %d, column %d: %v", line, col, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: strings.ToLower(tok.Name.Local), attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			all = append(all, e)
			open = append(open, e)
		case xml.EndElement:
			if len(open) == 0 {
				t.Fatalf("unexpected </%s>", tok.Name.Local)
			}
			open = open[:len(open)-1]
		case xml.CharData:
			for _, e := range open {
				e.text += string(tok)
			}
		}
	}
	if len(open) > 0 {
		t.Fatalf("page ends with <%s> still open", open[len(open)-1].name)
	}
	return all
}

func TestHTMLStructure(t *testing.T) {
	page := renderHTML(t, fixture(t))
	els := parsePage(t, page)

	var headings []string
	prev := 0
	ids := map[string]bool{}
	tables, captions := 0, 0
	for _, e := range els {
		if id := e.attrs["id"]; id != "" {
			if ids[id] {
				t.Errorf("id %q is used twice", id)
			}
			ids[id] = true
		}
		switch e.name {
		case "h1", "h2", "h3", "h4", "h5", "h6":
			level := int(e.name[1] - '0')
			if level > prev+1 {
				t.Errorf("heading %q (%s) skips a level after h%d", e.text, e.name, prev)
			}
			prev = level
			if level <= 2 {
				headings = append(headings, e.name+" "+strings.TrimSpace(e.text))
			}
		case "th":
			if s := e.attrs["scope"]; s != "col" && s != "row" {
				t.Errorf("table heading %q has scope %q, want col or row", strings.TrimSpace(e.text), s)
			}
		case "table":
			tables++
		case "caption":
			captions++
		case "html":
			if e.attrs["lang"] != "en-GB" {
				t.Errorf("html lang = %q, want en-GB", e.attrs["lang"])
			}
		}
	}
	want := []string{
		"h1 Cyber hygiene evidence report",
		"h2 Summary", "h2 Scores by area", "h2 Findings by area", "h2 Accepted risks (exceptions)", "h2 Alerts", "h2 Backups", "h2 Phishing reports",
		"h2 Cloud accounts and two-step verification", "h2 Phones and tablets",
		"h2 Cyber Essentials", "h2 Data Security and Protection Toolkit", "h2 Devices", "h2 What this report does not cover",
	}
	if diff := cmp.Diff(want, headings); diff != "" {
		t.Errorf("h1 and h2 headings (-want +got):\n%s", diff)
	}
	if tables == 0 || captions != tables {
		t.Errorf("%d tables with %d captions, want a caption on every table", tables, captions)
	}

	lower := strings.ToLower(page)
	for _, bad := range []string{"<script", " src=", "<link", "url(", "@import", "<iframe", "<img", "http://", "https://"} {
		if bad == "http://" {
			// The SVG namespace is a name, not something loaded.
			lower = strings.ReplaceAll(lower, `xmlns="http://www.w3.org/2000/svg"`, "")
		}
		if strings.Contains(lower, bad) {
			t.Errorf("page contains %q: it must stand alone", bad)
		}
	}
	for _, want := range []string{
		`role="img"`, "@page { size: a4", "thead { display: table-header-group; }", "break-before: page",
		"rosewood care homes ltd", "30 november 2026", testCatalogue(t).Version, "self-assessed", "not met",
		"expired</span> 31 october 2026", "not seen for 20 days", "salle-de-séjour’s pc — 2→3 🙂",
	} {
		if !strings.Contains(lower, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// Text from devices and people (hostnames, reasons, owners, names) must
// never become markup.
func TestHTMLEscapesHostileText(t *testing.T) {
	r := fixture(t)
	r.Org.Name = `</title><script>alert("org")</script>`
	r.ProviderName = `<a href="javascript:alert(1)">IT</a>`
	r.Devices[0].Hostname = `<img src=x onerror=alert(1)>`
	r.Devices[0].OS = `Windows </td></tr></table><h1>`
	r.Exceptions[0].Reason = `"><b>bold</b> & <i>`
	r.Exceptions[0].Owner = `<style>body{display:none}</style>`
	r.NotAssessed = []Note{{Area: handwash.AreaPeople, Text: "<!-- comment --> ]]> \x00"}}
	r.BackupJobs[0].Name = `<script>alert("backup")</script>`
	r.BackupJobs[0].LastMessage = `</span></td><h1>failed`
	r.CloudAccounts[1].Email = `<script>alert("cloud")</script>`
	r.CloudImports[0].ImportedBy = `<b onclick="x">me</b>`
	r.MobileDevices[1].Owner = `</td><h1>phone`
	r.Findings = append(r.Findings, &handwash.DeviceFinding{DeviceID: r.Devices[1].ID, Finding: handwash.Finding{ControlID: restoreControl,
		Status: handwash.StatusFail, Summary: `<a href="javascript:alert(2)">restore</a>`}})
	for _, f := range r.Findings {
		if f.DeviceID == r.Devices[0].ID {
			f.Hostname = r.Devices[0].Hostname
		}
	}
	page := renderHTML(t, r)
	parsePage(t, page)
	for _, bad := range []string{"<script", "<img", "<b>bold", "<b onclick", "</td><h1>phone", "<i>", "<style>body", "<!-- comment", `href="javascript:`, "</td></tr></table><h1>", "</span></td><h1>"} {
		if strings.Contains(page, bad) {
			t.Errorf("hostile text %q reached the page as markup", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;", "&lt;/title&gt;&lt;script&gt;", "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;",
		"&lt;script&gt;alert(&#34;backup&#34;)&lt;/script&gt;", "&lt;/span&gt;&lt;/td&gt;&lt;h1&gt;failed", "&lt;a href=&#34;javascript:alert(2)&#34;&gt;restore&lt;/a&gt;",
		"&lt;script&gt;alert(&#34;cloud&#34;)&lt;/script&gt;", "&lt;b onclick=&#34;x&#34;&gt;me&lt;/b&gt;", "&lt;/td&gt;&lt;h1&gt;phone"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks the escaped text %q", want)
		}
	}
}

// Every colour the page sets on text contrasts at least 4.5:1 (WCAG 2.2
// AA) with the backgrounds it appears on: white, the light grey of table
// headings and the summary box, or the rule's own background.
func TestHTMLContrast(t *testing.T) {
	page := renderHTML(t, fixture(t))
	css := page[strings.Index(page, "<style>"):strings.Index(page, "</style>")]
	rule := regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)
	colour := regexp.MustCompile(`(?:^|[;\s])color:\s*(#[0-9a-fA-F]{6})`)
	background := regexp.MustCompile(`background(?:-color)?:\s*(#[0-9a-fA-F]{6})`)
	checked := 0
	for _, m := range rule.FindAllStringSubmatch(css, -1) {
		sel, decls := strings.TrimSpace(m[1]), m[2]
		fg := colour.FindStringSubmatch(decls)
		if fg == nil {
			continue
		}
		backs := []string{"#ffffff", "#f3f2f1"}
		if bg := background.FindStringSubmatch(decls); bg != nil {
			backs = []string{bg[1]}
		}
		for _, bg := range backs {
			checked++
			if c := contrast(fg[1], bg); c < 4.5 {
				t.Errorf("%s: text %s on %s contrasts %.2f:1, want at least 4.5:1", sel, fg[1], bg, c)
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked only %d colour pairs: is the stylesheet still there?", checked)
	}
}

func TestContrast(t *testing.T) {
	for _, c := range []struct {
		fg, bg string
		want   float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#767676", "#ffffff", 4.54},
	} {
		if got := contrast(c.fg, c.bg); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast(%s, %s) = %.2f, want %.2f", c.fg, c.bg, got, c.want)
		}
	}
}

// contrast is WCAG's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			panic(fmt.Sprintf("bad colour %q", hex))
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

// An organisation with nothing enrolled still gets a readable page that
// says so, rather than an error or empty tables.
func TestHTMLEmptyOrganisation(t *testing.T) {
	cat := testCatalogue(t)
	r := &Report{Org: handwash.Org{Name: "New Practice"}, GeneratedAt: generatedAt, CatalogueVersion: cat.Version, Controls: cat.Controls}
	page := renderHTML(t, r)
	parsePage(t, page)
	for _, want := range []string{"No device has been assessed yet", "No devices are enrolled.", "No risks have been accepted", "Self-assessed", "No device has a result for these checks yet.",
		"No backup jobs report to Handwash yet.", "No restore test has been recorded by Handwash yet: run <code>handwash backup verify</code>, or record the last test in the self-assessment.",
		"No phishing reports have been counted for this organisation.",
		"No list of cloud accounts has been imported yet, so this report cannot show who signs in with MFA. Import one on the organisation&#39;s Cloud accounts page",
		"No phones or tablets are recorded yet. Import them from the organisation&#39;s device management service"} {
		if !strings.Contains(page, want) {
			t.Errorf("page for an empty organisation lacks %q", want)
		}
	}
}
