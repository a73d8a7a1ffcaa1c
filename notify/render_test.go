package notify

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
)

const (
	org  = "Rose Court Care Home"
	link = "https://handwash.example.org/orgs/o_1/devices/d_7?tab=findings&finding=malware.firewall-on"
)

var (
	found    = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	lastSeen = time.Date(2026, 11, 11, 16, 5, 0, 0, time.UTC)
	weekEnd  = time.Date(2026, 11, 22, 23, 59, 0, 0, time.UTC)
)

// hostile is a device name as an attacker who controls a device might set
// it: markup for every format, a header injection and a direction override.
const hostile = "PC-1\r\nBcc: victim@example.org <script>alert(1)</script> <!channel> & *bold* [x](https://evil.example) \u202egnp.exe"

func area(a handwash.Area, value, pass, fail, unknown int) handwash.AreaScore {
	return handwash.AreaScore{Area: a, Title: a.Title(), Score: handwash.Score{Value: value, Pass: pass, Fail: fail, Unknown: unknown, Assessed: value >= 0}}
}

// samples are one message of each kind, plus one built from hostile device
// data, by the name their golden files use.
func samples() map[string]Message {
	failure := FailureMessage(org, "RECEPTION-PC", "Firewall switched on for every network", handwash.SeverityHigh, found, link)
	failure.ID = "n_01HZX3"
	evil := FailureMessage("Smith & Sons <Care>", hostile, `**Firewall** <@U123> "on" & [fix](javascript:alert(1))`, handwash.SeverityCritical, found, link)
	return map[string]Message{
		"new_high_failure": failure,
		"device_stale":     StaleMessage(org, "OFFICE-LAPTOP-2", lastSeen, found, "https://handwash.example.org/orgs/o_1/devices/d_9"),
		"weekly_summary": SummaryMessage(org, weekEnd, Summary{
			Devices: 12,
			Overall: 72,
			Areas: []handwash.AreaScore{
				area(handwash.AreaBackup, 80, 4, 1, 0),
				area(handwash.AreaMalware, 65, 9, 3, 1),
				area(handwash.AreaDevices, 90, 18, 1, 0),
				area(handwash.AreaPasswords, 55, 6, 4, 2),
				area(handwash.AreaPhishing, 100, 3, 0, 0),
				area(handwash.AreaUpdates, 48, 7, 5, 0),
				area(handwash.AreaPeople, -1, 0, 0, 0),
			},
		}, "https://handwash.example.org/orgs/o_1/summary?week=2026-W47"),
		"test": TestMessage(org, found),
		"phish_reported": PhishReportedMessage(org, PhishReport{Verdict: "likely phishing", From: "NHS Payroll <payroll@nhs-payro1l.example>", Subject: "Action required: confirm your bank details",
			Reporter: "carer@rosecourt.example", Signs: []string{"A link shows one address and goes to another", "The sender's address imitates NHS", "It asks you to change payment details", "It says you must act at once", "It came from a domain registered elsewhere", "A form asks for a password"}, Received: found},
			"https://handwash.example.org/phishing/phr_1"),
		"backup_failed": BackupFailedMessage(org, BackupJob{Name: "Nightly NAS backup", Every: 24 * time.Hour, LastSuccess: lastSeen, At: found,
			Message: "Job 'Nightly' failed: the destination volume is full (0 bytes free)."}, "https://handwash.example.org/backup-jobs/bkj_1"),
		"backup_overdue": BackupOverdueMessage(org, BackupJob{Name: "Nightly NAS backup", Every: 24 * time.Hour, LastSuccess: lastSeen, At: found},
			"https://handwash.example.org/backup-jobs/bkj_1"),
		"phish_thanks": PhishThanksMessage(org, PhishReport{Verdict: "suspicious", From: "Care Supplies <orders@care-supp1ies.example>", Subject: "Invoice 4471 overdue",
			Signs: []string{"It asks you to change payment details"}, Received: found}),
		"escaping": evil,
	}
}

func TestRenderGolden(t *testing.T) {
	for name, m := range samples() {
		t.Run(name, func(t *testing.T) {
			e, err := RenderEmail(m)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, name+".email.txt", []byte("Subject: "+e.Subject+"\n\n"+e.Text))
			golden.Check(t, name+".email.html", []byte(e.HTML))
			for _, f := range Formats {
				body, err := RenderWebhook(f, m)
				if err != nil {
					t.Fatal(err)
				}
				// The golden file is the body indented, so a change reads
				// as a diff; indenting also proves it is valid JSON.
				var out bytes.Buffer
				if err := json.Indent(&out, body, "", "  "); err != nil {
					t.Fatalf("%s body is not JSON: %v\n%s", f, err, body)
				}
				out.WriteByte('\n')
				golden.Check(t, name+"."+string(f)+".json", out.Bytes())
			}
		})
	}
}

func TestEmailEscapesDeviceData(t *testing.T) {
	e, err := RenderEmail(samples()["escaping"])
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		t.Errorf("subject has a line break: %q", e.Subject)
	}
	if strings.Contains(e.Subject, "\u202e") || strings.Contains(e.Text, "\u202e") || strings.Contains(e.HTML, "\u202e") {
		t.Error("a direction override survived")
	}
	for _, bad := range []string{"<script>", "<@U123>", "Smith & Sons", "<Care>", `href="javascript`} {
		if strings.Contains(e.HTML, bad) {
			t.Errorf("HTML holds %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "Smith &amp; Sons &lt;Care&gt;"} {
		if !strings.Contains(e.HTML, want) {
			t.Errorf("HTML does not hold %q", want)
		}
	}
	// The plain text keeps the name as it is, but it cannot start a line
	// of its own.
	if !strings.Contains(strings.Join(strings.Fields(e.Text), " "), "PC-1 Bcc: victim@example.org <script>") {
		t.Errorf("text lost the device name:\n%s", e.Text)
	}
	plain, err := RenderEmail(samples()["new_high_failure"])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Count(e.Text, "\n\n"), strings.Count(plain.Text, "\n\n"); got != want {
		t.Errorf("text has %d paragraph breaks, want %d as for a harmless name: the device name made its own", got, want)
	}
}

func TestSlackEscapesDeviceData(t *testing.T) {
	body, err := RenderWebhook(FormatSlack, samples()["escaping"])
	if err != nil {
		t.Fatal(err)
	}
	var got slack
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	texts := []string{got.Text}
	for _, b := range got.Blocks {
		if b.Text != nil && b.Text.Type == "mrkdwn" {
			texts = append(texts, b.Text.Text)
		}
		for _, e := range append(b.Fields, b.Elements...) {
			texts = append(texts, e.Text)
		}
	}
	for _, text := range texts {
		// Our own link is the only "<" allowed, at the start of its block.
		if strings.HasPrefix(text, "<https://handwash.example.org/") {
			continue
		}
		if strings.ContainsAny(text, "<>") {
			t.Errorf("mrkdwn text holds < or >: %q", text)
		}
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(text, "&amp;", ""), "&lt;", ""), "&gt;", ""), "&") {
			t.Errorf("mrkdwn text holds a bare &: %q", text)
		}
	}
	if !strings.Contains(got.Text, "&lt;!channel&gt;") {
		t.Errorf("text = %q, want <!channel> escaped", got.Text)
	}
}

func TestTeamsKeepsDeviceDataInTextRuns(t *testing.T) {
	body, err := RenderWebhook(FormatTeams, samples()["escaping"])
	if err != nil {
		t.Fatal(err)
	}
	var got teams
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	card := got.Attachments[0].Content
	found := false
	for _, el := range card.Body {
		if el.Type != "RichTextBlock" && el.Type != "FactSet" {
			t.Errorf("element type %q could read text as Markdown", el.Type)
		}
		for _, r := range el.Inlines {
			if r.Type != "TextRun" {
				t.Errorf("inline type %q, want TextRun", r.Type)
			}
			found = found || strings.Contains(r.Text, "<script>alert(1)</script> <!channel> & *bold*")
		}
	}
	if !found {
		t.Error("the device name does not appear, as it is, in a text run")
	}
}

func TestGenericFields(t *testing.T) {
	m := samples()["weekly_summary"]
	m.ID = "n_2"
	body, err := RenderWebhook(FormatGeneric, m)
	if err != nil {
		t.Fatal(err)
	}
	// Decoded into a map, so a renamed field fails here even if the Go
	// struct changed with it: these names are documented and stable.
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "id", "kind", "org", "subject", "body", "next", "link", "time", "summary"} {
		if _, ok := got[k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	if got["version"] != float64(1) {
		t.Errorf("version = %v, want 1", got["version"])
	}
	areas := got["summary"].(map[string]any)["areas"].([]any)
	people := areas[6].(map[string]any)
	if people["score"] != nil || people["area"] != "people" {
		t.Errorf("people area = %v, want score null", people)
	}
	if got["time"] != "2026-11-22T23:59:00Z" {
		t.Errorf("time = %v", got["time"])
	}
}

func TestRenderRejectsInvalidMessage(t *testing.T) {
	m := samples()["test"]
	m.Link = "javascript:alert(1)"
	if _, err := RenderEmail(m); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("RenderEmail: err = %v, want EINVALID", err)
	}
	if _, err := RenderWebhook(FormatSlack, m); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("RenderWebhook: err = %v, want EINVALID", err)
	}
	if _, err := RenderWebhook("xml", samples()["test"]); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("RenderWebhook(xml): err = %v, want EINVALID", err)
	}
}

func TestMessageValidate(t *testing.T) {
	ok := samples()["new_high_failure"]
	tests := []struct {
		name   string
		change func(*Message)
		want   string // part of the error; "" for none
	}{
		{"valid", func(*Message) {}, ""},
		{"unknown kind", func(m *Message) { m.Kind = "party" }, `kind "party" is not known`},
		{"no org", func(m *Message) { m.Org = " \n " }, "org is empty"},
		{"no subject", func(m *Message) { m.Subject = "" }, "subject is empty"},
		{"long subject", func(m *Message) { m.Subject = strings.Repeat("é", 201) }, "subject is 201 characters long"},
		{"long device", func(m *Message) { m.Device = strings.Repeat("a", 256) }, "device is 256 characters long"},
		{"no body", func(m *Message) { m.Body = "\n\n" }, "body is empty"},
		{"long body", func(m *Message) { m.Body = strings.Repeat("a", maxBody+1) }, "body is 6001 bytes long"},
		{"bad utf-8", func(m *Message) { m.Next = "\xff" }, "next is not valid UTF-8"},
		{"relative link", func(m *Message) { m.Link = "/devices/1" }, "link must be a full dashboard address"},
		{"script link", func(m *Message) { m.Link = "javascript:alert(1)" }, "link must be a full dashboard address"},
		{"link with quote", func(m *Message) { m.Link = `https://x.example/"onmouseover` }, "percent-encode"},
		{"medium failure", func(m *Message) { m.Severity = handwash.SeverityMedium }, "too low for a new failure"},
		{"unknown severity", func(m *Message) { m.Severity = "dire" }, `severity "dire" is not known`},
		{"failure without device", func(m *Message) { m.Device = "" }, "device and control are needed"},
		{"summary on failure", func(m *Message) { m.Summary = &Summary{} }, "summary is only for weekly summary"},
		{"long id", func(m *Message) { m.ID = strings.Repeat("x", maxID+1) }, "id is 201 bytes"},
		{"stale without device", func(m *Message) { *m = samples()["device_stale"]; m.Device = "" }, "device is needed"},
		{"summary without summary", func(m *Message) { *m = samples()["weekly_summary"]; m.Summary = nil }, "summary is needed"},
		{"summary score out of range", func(m *Message) { *m = samples()["weekly_summary"]; m.Summary.Overall = 101 }, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := ok
			tt.change(&m)
			err := m.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error with %q", err, tt.want)
			case tt.want != "" && handwash.ErrorCode(err) != handwash.EINVALID:
				t.Errorf("code = %q, want %q", handwash.ErrorCode(err), handwash.EINVALID)
			}
		})
	}
}

func TestSlackEscape(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"a & b", 100, "a &amp; b"},
		{"<!here>", 100, "&lt;!here&gt;"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		// An escape is never split: "&amp;" does not fit in what is left.
		{"abc&def", 6, "abc…"},
		{"ééééé", 3, "éé…"},
	}
	for _, tt := range tests {
		if got := slackEscape(tt.in, tt.limit); got != tt.want {
			t.Errorf("slackEscape(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestSlackLongBodyFits(t *testing.T) {
	m := samples()["test"]
	m.Body = strings.Repeat("<&> ", 1400)
	body, err := RenderWebhook(FormatSlack, m)
	if err != nil {
		t.Fatal(err)
	}
	var got slack
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	for _, b := range got.Blocks {
		if b.Text != nil && len([]rune(b.Text.Text)) > slackSectionMax {
			t.Errorf("%s block text is %d characters, over Slack's %d", b.Type, len([]rune(b.Text.Text)), slackSectionMax)
		}
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"RECEPTION-PC", "RECEPTION-PC"},
		{"  two\r\nlines\t", "two lines"},
		{"evil\u202egnp.exe", "evilgnp.exe"},
		{"bell\x07 and \x1b[31mred", "bell and [31mred"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("x", 80)
	tests := []struct{ in, want string }{
		{"short line", "short line"},
		{strings.Repeat("word ", 20), strings.TrimSpace(strings.Repeat("word ", 14)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 6))},
		{"a " + long + " b", "a\n" + long + "\nb"},
	}
	for _, tt := range tests {
		if got := wrap(tt.in); got != tt.want {
			t.Errorf("wrap(%q) =\n%s\nwant\n%s", tt.in, got, tt.want)
		}
	}
}

func TestStaleDays(t *testing.T) {
	tests := []struct {
		ago  time.Duration
		want string
	}{
		{2 * time.Hour, "less than a day"},
		{25 * time.Hour, "1 day"},
		{7*24*time.Hour + time.Minute, "7 days"},
	}
	for _, tt := range tests {
		m := StaleMessage(org, "PC", found.Add(-tt.ago), found, "")
		if want := "PC has not reported for " + tt.want; m.Subject != want {
			t.Errorf("subject = %q, want %q", m.Subject, want)
		}
	}
}

func TestCriticalWording(t *testing.T) {
	m := FailureMessage(org, "PC", "SMBv1 switched off", handwash.SeverityCritical, found, "")
	if m.Subject != "New critical problem on PC" {
		t.Errorf("subject = %q", m.Subject)
	}
	e, err := RenderEmail(m)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Text, "See the problem") {
		t.Error("a message without a link still offers one")
	}
}
