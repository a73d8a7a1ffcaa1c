package readiness

import (
	"github.com/handwash/handwash"
	"github.com/handwash/handwash/assess"
	"github.com/handwash/handwash/cloudimport"
	"github.com/handwash/handwash/evidence"
	"github.com/handwash/handwash/incident"
	"github.com/handwash/handwash/mdmimport"
	"github.com/handwash/handwash/training"
)

// findingScheme says where the result of a check that comes from no
// device belongs: its source, the Cyber Essentials requirement it
// evidences and the DSPT items. The device checks carry their references
// in the control catalogue; these checks are judged in code
// (cloudimport.Findings, mdmimport.Findings), so their references are here.
type findingScheme struct {
	source string
	ce     string
	dspt   []string
}

// findingSchemes follows the references the related self-assessment
// questions give: MFA on cloud services is user access control and DSPT
// 4.5.3 (passwords.mfa-cloud-services); phones and tablets on supported,
// automatically updated systems are security update management and 8.3.1
// (devices.phones-tablets-updated); a screen lock is secure configuration
// (devices.phone-screen-lock). Accounts that must not be shared are user
// access control. The rest are Handwash's own checks, which neither scheme
// asks for as such: the age of the accounts list is Handwash's own limit
// (cloudimport.MaxImportAge), and locating and wiping a lost phone, a
// recent check-in and avoiding unknown Wi-Fi come from the NCSC Small
// Business Guide. Staff training in the last 12 months is DSPT 3.2.1 (the
// 95%), and reporting incidents on time is 6.1.1 (a breach-reporting
// system); recording lessons is good practice neither scheme names.
var findingSchemes = map[string]findingScheme{
	cloudimport.ControlAdminMFA:     {SourceCloud, assess.CEUserAccessControl, []string{"4.5.3"}},
	cloudimport.ControlUserMFA:      {SourceCloud, assess.CEUserAccessControl, []string{"4.5.3"}},
	cloudimport.ControlSharedSignIn: {SourceCloud, assess.CEUserAccessControl, nil},
	cloudimport.ControlImportFresh:  {SourceCloud, "", nil},
	mdmimport.ControlOSSupported:    {SourcePhones, assess.CESecurityUpdateManagement, []string{"8.3.1"}},
	mdmimport.ControlAutoUpdates:    {SourcePhones, assess.CESecurityUpdateManagement, []string{"8.3.1"}},
	mdmimport.ControlPasscode:       {SourcePhones, assess.CESecureConfiguration, nil},
	mdmimport.ControlWipe:           {SourcePhones, "", nil},
	mdmimport.ControlSeenRecently:   {SourcePhones, "", nil},
	mdmimport.ControlUnknownWiFi:    {SourcePhones, "", nil},
	training.ControlID:              {SourcePeople, "", []string{"3.2.1"}},
	incident.ControlReporting:       {SourcePeople, "", []string{"6.1.1"}},
	incident.ControlLessons:         {SourcePeople, "", nil},
}

// OrgFindings judges what an evidence report holds beyond its devices, as
// the dashboard's pages judge it: the cloud accounts, the phones and
// tablets, the staff's training and the incident log, at the report's
// time. They are Input.Findings.
func OrgFindings(rep *evidence.Report) []handwash.Finding {
	now := rep.GeneratedAt
	fs := append(cloudimport.Findings(rep.CloudAccounts, rep.CloudImports, now), mdmimport.Findings(rep.MobileDevices, rep.MobileSupport, now)...)
	if len(rep.Staff) > 0 {
		fs = append(fs, training.Status(rep.Staff, rep.Training, now).Finding())
	}
	return append(fs, incident.Findings(rep.Incidents, now)...)
}

// extraCheck is a check from a finding that comes from no device.
type extraCheck struct {
	Check
	ce   string
	dspt []string
}

// extraChecks turns the findings into checks, in the order given; when a
// control is judged twice, the later finding counts.
func extraChecks(fs []handwash.Finding) []extraCheck {
	var out []extraCheck
	index := map[string]int{}
	for _, f := range fs {
		id := clean(f.ControlID, maxName)
		if id == "" {
			continue
		}
		s, ok := findingSchemes[id]
		if !ok {
			s.source = SourceOther
		}
		ch := extraCheck{
			Check: Check{
				ID:       id,
				Title:    orDefault(clean(f.Title, maxName), id),
				Source:   s.source,
				Severity: f.Severity,
				Status:   findingStatus(f.Status),
				Detail:   clean(f.Summary, maxText),
				Why:      clean(f.Why, maxText),
			},
			ce:   s.ce,
			dspt: s.dspt,
		}
		if ch.Detail == "" {
			ch.Detail = ch.Status.Label() + "."
		}
		if f.Status == handwash.StatusExcepted {
			ch.Detail += " Accepted as an exception."
		}
		if i, seen := index[id]; seen {
			out[i] = ch
			continue
		}
		index[id] = len(out)
		out = append(out, ch)
	}
	return out
}

func findingStatus(s handwash.Status) CheckStatus {
	switch s {
	case handwash.StatusPass, handwash.StatusExcepted:
		return CheckPass
	case handwash.StatusFail:
		return CheckFail
	case handwash.StatusUnknown:
		return CheckUnknown
	case handwash.StatusNotApplicable:
		return CheckNotApplicable
	}
	return CheckNotChecked
}
