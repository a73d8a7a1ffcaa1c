package evidence

import (
	"cmp"
	"slices"
	"strings"

	"github.com/handwash/handwash"
)

// FindingRow is one finding of the organisation's cloud accounts or its
// phones and tablets as the report lists it: judged for the organisation
// as a whole, not device by device.
type FindingRow struct {
	ID    string
	Title string
	// Result is the finding's status in words ("Passed", "Failed");
	// Failing is true when it failed.
	Result  string
	Failing bool
	// Summary is what the finding says was found.
	Summary string
}

// CloudImportRow is one import of an organisation's cloud accounts: the
// newest from each service.
type CloudImportRow struct {
	// Service is "Microsoft 365" or "Google Workspace".
	Service string
	// Imported is the day of the import; By who imported it, if known.
	Imported string
	By       string
	// Accounts counts the accounts the list held.
	Accounts int
}

// findingRows lists findings as the report shows them, in the order given.
func findingRows(fs []handwash.Finding) []FindingRow {
	var out []FindingRow
	for _, f := range fs {
		out = append(out, FindingRow{
			ID:      clip(f.ControlID, maxName),
			Title:   orDefault(oneLine(f.Title, maxName), clip(f.ControlID, maxName)),
			Result:  statusWords(f.Status),
			Failing: f.Status == handwash.StatusFail,
			Summary: oneLine(f.Summary, maxText),
		})
	}
	return out
}

// oneLine is clip for text that may hold line breaks and runs of spaces,
// such as names typed into an export: they become single spaces.
func oneLine(s string, max int) string {
	return clip(strings.Join(strings.Fields(s), " "), max)
}

func cloudServiceName(source string) string {
	return orDefault(handwash.CloudSourceName(source), orDefault(oneLine(source, maxName), "Not known"))
}

// cloudImportRows lists the imports, Microsoft 365 first.
func cloudImportRows(imports []handwash.CloudImport) []CloudImportRow {
	sorted := slices.Clone(imports)
	slices.SortStableFunc(sorted, func(a, b handwash.CloudImport) int {
		return cmp.Or(cmp.Compare(handwash.SourceRank(handwash.CloudSources, a.Source), handwash.SourceRank(handwash.CloudSources, b.Source)), cmp.Compare(a.Source, b.Source), b.ImportedAt.Compare(a.ImportedAt))
	})
	var out []CloudImportRow
	for _, im := range sorted {
		out = append(out, CloudImportRow{
			Service:  cloudServiceName(im.Source),
			Imported: im.ImportedAt.UTC().Format("2 January 2006"),
			By:       oneLine(im.ImportedBy, maxName),
			Accounts: im.Accounts,
		})
	}
	return out
}

// CloudIntro says why the cloud accounts section is there.
func (d *Document) CloudIntro() string {
	return "Cyber Essentials fails an organisation outright when a cloud service offers multi-factor authentication (MFA, also called two-step verification) and it is not switched on for every administrator (question A7.16) and every user (A7.17). The Data Security and Protection Toolkit asks for MFA to reach Standards Met (4.5.3). Handwash judges the lists of accounts imported from Microsoft 365 or Google Workspace: who signs in with MFA, whether anyone can sign in to a shared mailbox, and whether the list is recent."
}

// CloudNone says that no cloud accounts were imported, and how to import
// them.
func (d *Document) CloudNone() string {
	return "No list of cloud accounts has been imported yet, so this report cannot show who signs in with MFA. Import one on the organisation's Cloud accounts page in the Handwash dashboard: from Microsoft 365, the user registration details that the Microsoft Entra admin centre downloads; from Google Workspace, the users list that the Admin console downloads, with all user info columns."
}

// CloudCaption is the caption of the cloud findings table.
func (d *Document) CloudCaption() string {
	return "Cloud account checks, as they stood on " + d.Generated
}

// MobileSourceRow counts the phones and tablets listed from one source.
type MobileSourceRow struct {
	// Source is "Microsoft Intune", "Entered by hand" and so on.
	Source  string
	Devices int
}

func mobileSourceName(source string) string {
	return orDefault(handwash.MobileSourceName(source), orDefault(oneLine(source, maxName), "Not known"))
}

// mobileSourceRows counts the devices from each source, MDMs first, and
// all of them.
func mobileSourceRows(devices []*handwash.MobileDevice) ([]MobileSourceRow, int) {
	counts := map[string]int{}
	var sources []string
	total := 0
	for _, dev := range devices {
		if dev == nil {
			continue
		}
		if counts[dev.Source] == 0 {
			sources = append(sources, dev.Source)
		}
		counts[dev.Source]++
		total++
	}
	slices.SortFunc(sources, func(a, b string) int {
		return cmp.Or(cmp.Compare(handwash.SourceRank(handwash.MobileSources, a), handwash.SourceRank(handwash.MobileSources, b)), cmp.Compare(a, b))
	})
	var out []MobileSourceRow
	for _, s := range sources {
		out = append(out, MobileSourceRow{Source: mobileSourceName(s), Devices: counts[s]})
	}
	return out, total
}

// noSupportData stands in for the end-of-life data when the Report has
// none: whether a system still gets updates is then not known.
func noSupportData(os, version string) (*bool, bool, string) {
	return nil, false, "no end-of-life data"
}

// PhonesIntro says why the phones and tablets section is there.
func (d *Document) PhonesIntro() string {
	return "Phones and tablets carry care records, messages and passwords out of the building, and are lost and stolen more than any other device. The NCSC's tips for smartphones and tablets are to switch on PIN or password protection, to make sure a lost or stolen device can be tracked, locked or wiped, and to keep each one up to date, replacing it once its maker no longer supports it. Handwash judges the phones and tablets imported from the organisation's device management service or entered by hand."
}

// PhonesNone says that no phones or tablets are recorded, and how to
// record them.
func (d *Document) PhonesNone() string {
	return "No phones or tablets are recorded yet. Import them from the organisation's device management service (Microsoft Intune, Google endpoint management or Jamf Pro), or add each one by hand, on the organisation's Phones and tablets page in the Handwash dashboard."
}

// PhonesCaption is the caption of the phones and tablets findings table.
func (d *Document) PhonesCaption() string {
	return "Phone and tablet checks, as they stood on " + d.Generated
}
