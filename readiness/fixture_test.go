package readiness

import (
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/cloudimport"
	"github.com/handwash/handwash/evidence"
	"github.com/handwash/handwash/mdmimport"
	"github.com/handwash/handwash/policy"
)

// now is when every fixture's readiness is worked out.
var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// fixtureControls are the device controls the fixtures judge: real
// controls from the catalogue, so their titles and references are those a
// user sees, chosen to cover every Cyber Essentials requirement, both
// automatic-fail questions on updates, DSPT items with and without an item
// number, and a check neither scheme cites.
var fixtureControls = []string{
	"malware.firewall-on",
	"malware.firewall-default-deny",
	"devices.screen-lock",
	"malware.autorun-off",
	"updates.os-supported",
	"updates.automatic",
	"updates.security-pending",
	"updates.windows-monthly-update",
	"passwords.min-length",
	"phishing.daily-account-not-admin",
	"malware.antimalware-on",
	"malware.signatures-current",
	"backup.restore-tested",
	"backup.separate",
	"devices.locate-wipe",
}

var fixtureDevices = []*handwash.Device{
	{ID: "dev-1", Hostname: "reception-pc", Platform: handwash.PlatformWindows, Score: 90},
	{ID: "dev-2", Hostname: "manager-laptop", Platform: handwash.PlatformWindows, Score: 95},
	{ID: "dev-3", Hostname: "office-mac", Platform: handwash.PlatformMacOS, Score: 92},
}

// devices builds the evidence for the fixture's devices: every control
// passes on every device except where fail names the device IDs it fails
// on.
func devices(t *testing.T, fail map[string][]string) *evidence.Document {
	t.Helper()
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	r := &evidence.Report{Org: handwash.Org{ID: "org-1", Name: "Ash Lodge"}, GeneratedAt: now, CatalogueVersion: "2026.11.1", Devices: fixtureDevices}
	for _, id := range fixtureControls {
		c, ok := cat.Control(id)
		if !ok {
			t.Fatalf("control %s is not in the catalogue: choose another for the fixture", id)
		}
		r.Controls = append(r.Controls, c)
		for _, d := range fixtureDevices {
			st := handwash.StatusPass
			for _, f := range fail[id] {
				if f == d.ID {
					st = handwash.StatusFail
				}
			}
			r.Findings = append(r.Findings, &handwash.DeviceFinding{DeviceID: d.ID, Hostname: d.Hostname, Finding: handwash.Finding{
				ControlID: id, Area: c.Area, Severity: c.Severity, Title: c.Title, Status: st,
			}})
		}
	}
	doc, err := evidence.Build(r)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func ptr[T any](v T) *T { return &v }

// cloud judges the organisation's Microsoft 365 accounts, imported a week
// ago: the administrator has MFA unless adminMFA is false.
func cloud(adminMFA bool) []handwash.Finding {
	accounts := []handwash.CloudAccount{
		{Source: handwash.AccountsM365, Email: "admin@ashlodge.example", Admin: true, MFA: ptr(adminMFA), SignInAllowed: ptr(true)},
		{Source: handwash.AccountsM365, Email: "jane.smith@ashlodge.example", MFA: ptr(true), SignInAllowed: ptr(true)},
		{Source: handwash.AccountsM365, Email: "sam.patel@ashlodge.example", MFA: ptr(true), SignInAllowed: ptr(true)},
	}
	imports := []handwash.CloudImport{{Source: handwash.AccountsM365, ImportedAt: now.AddDate(0, 0, -7), ImportedBy: "jane.smith@ashlodge.example", Accounts: len(accounts)}}
	return cloudimport.Findings(accounts, imports, now)
}

// phones judges the two work iPhones, both set up well.
func phones() []handwash.Finding {
	seen := now.AddDate(0, 0, -2)
	ds := []*handwash.MobileDevice{
		{ID: "m1", Source: handwash.MobileIntune, Name: "Night phone", OS: "ios", OSVersion: "18.6", Passcode: ptr(true), Managed: ptr(true), LastSeen: &seen},
		{ID: "m2", Source: handwash.MobileIntune, Name: "Day phone", OS: "ios", OSVersion: "18.6", Passcode: ptr(true), Managed: ptr(true), LastSeen: &seen},
	}
	supported := func(os, version string) (*bool, bool, string) {
		return ptr(true), false, "iOS 18 gets security updates"
	}
	return mdmimport.Findings(ds, supported, now)
}

// answered answers every question in the catalogue yes, on 1 June 2026,
// then applies the changes: a value, or "" to leave the question
// unanswered.
func answered(t *testing.T, changes map[string]handwash.Answer) []handwash.Answer {
	t.Helper()
	cat, err := assess.Default()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	var out []handwash.Answer
	for _, q := range cat.Questions {
		a := handwash.Answer{QuestionID: q.ID, Value: handwash.AnswerYes, AnsweredBy: "Jane Smith", AnsweredAt: at}
		if c, ok := changes[q.ID]; ok {
			if c.Value == "" {
				continue
			}
			c.QuestionID = q.ID
			if c.AnsweredBy == "" {
				c.AnsweredBy = "Jane Smith"
			}
			if c.AnsweredAt.IsZero() {
				c.AnsweredAt = at
			}
			a = c
		}
		out = append(out, a)
	}
	return out
}

// notApplicableWiFi is a reasoned not-applicable answer every fixture
// but one gives.
var notApplicableWiFi = handwash.Answer{Value: handwash.AnswerNotApplicable, Note: "No work device leaves the building: staff do not work in the community."}

// fixture is one organisation's input, by name.
type fixture struct {
	name string
	in   func(t *testing.T) Input
}

var fixtures = []fixture{
	// Everything checked passes and every question is answered yes (one
	// not applicable, with a reason).
	{"all-good", func(t *testing.T) Input {
		return Input{
			OrgName:  "Ash Lodge",
			Evidence: devices(t, nil),
			Findings: append(cloud(true), phones()...),
			Answers:  answered(t, map[string]handwash.Answer{"devices.public-wifi": notApplicableWiFi}),
			Now:      now,
		}
	}},
	// The cloud administrator has no MFA, though the manager answered yes
	// to MFA everywhere; a supplier connects without MFA (critical, not an
	// automatic fail); a lost laptop could not be wiped (a check neither
	// scheme cites); bank details are changed without a phone call.
	{"admin-without-mfa", func(t *testing.T) Input {
		return Input{
			OrgName:  "Ash Lodge",
			Evidence: devices(t, map[string][]string{"devices.locate-wipe": {"dev-2"}}),
			Findings: append(cloud(false), phones()...),
			Answers: answered(t, map[string]handwash.Answer{
				"devices.public-wifi":                  notApplicableWiFi,
				"passwords.supplier-remote-access-mfa": {Value: handwash.AnswerNo, Note: "The care records supplier connects with a shared password.", Owner: "Sam Patel, deputy manager"},
				"phishing.payment-changes-verified":    {Value: handwash.AnswerNo},
			}),
			Now: now,
		}
	}},
	// Devices and accounts are fine, but the self-assessment has gaps:
	// questions never answered, answers past their review date (the MFA
	// question among them), a "partly", and a not-applicable without a
	// reason.
	{"unanswered-expired", func(t *testing.T) Input {
		old := time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)
		return Input{
			OrgName:  "Ash Lodge",
			Evidence: devices(t, nil),
			Findings: append(cloud(true), phones()...),
			Answers: answered(t, map[string]handwash.Answer{
				"passwords.mfa-cloud-services":      {Value: handwash.AnswerYes, AnsweredAt: old},
				"people.asset-register":             {Value: handwash.AnswerYes, AnsweredAt: old, ReviewBy: old.AddDate(0, 6, 0)},
				"people.accountable-person":         {},
				"people.induction-covers-security":  {},
				"updates.network-equipment-updated": {},
				"people.staff-training":             {Value: handwash.AnswerPartly, Note: "82% trained in the last 12 months; night staff booked for January.", Owner: "Jane Smith"},
				"devices.public-wifi":               {Value: handwash.AnswerNotApplicable},
			}),
			Now: now,
		}
	}},
	// Security updates are missing on the reception PC: an automatic fail
	// for Cyber Essentials and DSPT 8.3.1 not met.
	{"failing-patch", func(t *testing.T) Input {
		return Input{
			OrgName:  "Ash Lodge",
			Evidence: devices(t, map[string][]string{"updates.security-pending": {"dev-1"}, "updates.windows-monthly-update": {"dev-1"}}),
			Findings: append(cloud(true), phones()...),
			Answers:  answered(t, map[string]handwash.Answer{"devices.public-wifi": notApplicableWiFi}),
			Now:      now,
		}
	}},
	// A new organisation: no device, no import, no answer.
	{"nothing-known", func(t *testing.T) Input {
		return Input{OrgName: "Birch House", Now: now}
	}},
}

func build(t *testing.T, name string) *Readiness {
	t.Helper()
	for _, f := range fixtures {
		if f.name == name {
			r, err := Build(f.in(t))
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
	t.Fatalf("no fixture %q", name)
	return nil
}
