package phish

// The lists in this file are small and curated on purpose: each entry is
// something a UK care provider meets in real mail, and every list is read by
// a rule that gives it a modest weight, so a missing entry costs a little
// accuracy rather than a wrong verdict.

// Brand is an organisation that criminals pretend to be: the name people
// know it by, the names that claim to be it when they appear in a sender's
// display name, and the domains it really sends from.
type Brand struct {
	// Name is how explanations refer to it ("the NHS", "Barclays").
	Name string `json:"name"`
	// DisplayNames are matched as whole words in display names; empty means
	// Name. They are narrower than Name where Name is an ordinary word or
	// place ("Halifax Bank", not "Halifax"), so that a care home in Halifax
	// is not taken for the bank.
	DisplayNames []string `json:"display_names,omitempty"`
	// Domains are the domains it sends mail and hosts websites from; mail
	// from below them is genuine, and lookalikes of them are signs.
	Domains []string `json:"domains"`
}

// DefaultBrands returns the organisations a UK care provider is most often
// impersonated as: the NHS, government, the regulator, care software
// suppliers, banks and the services whose sign-in pages are most copied.
func DefaultBrands() []Brand {
	return []Brand{
		{Name: "the NHS", DisplayNames: []string{"NHS", "National Health Service", "NHSmail"},
			Domains: []string{"nhs.uk", "nhs.net", "nhs.scot", "nhs.wales", "hscni.net"}},
		{Name: "GOV.UK", DisplayNames: []string{"GOV.UK", "HMRC", "HM Revenue", "DVLA", "Home Office", "Department of Health", "DHSC", "Companies House"},
			Domains: []string{"gov.uk", "gov.scot", "gov.wales", "llyw.cymru"}},
		{Name: "the CQC", DisplayNames: []string{"CQC", "Care Quality Commission"}, Domains: []string{"cqc.org.uk"}},
		{Name: "EMIS", DisplayNames: []string{"EMIS", "EMIS Health", "EMIS Web"}, Domains: []string{"emishealth.com"}},
		{Name: "TPP", DisplayNames: []string{"TPP", "SystmOne"}, Domains: []string{"tpp-uk.com"}},
		{Name: "The Access Group", DisplayNames: []string{"Access Group", "Access Care Planning"}, Domains: []string{"theaccessgroup.com"}},
		{Name: "Person Centred Software", Domains: []string{"personcentredsoftware.com"}},
		{Name: "Nourish Care", Domains: []string{"nourishcare.com", "nourishcare.co.uk"}},
		{Name: "Barclays", Domains: []string{"barclays.co.uk", "barclays.com"}},
		{Name: "HSBC", Domains: []string{"hsbc.co.uk", "hsbc.com"}},
		{Name: "Lloyds Bank", Domains: []string{"lloydsbank.com", "lloydsbank.co.uk", "lloydsbankinggroup.com"}},
		{Name: "NatWest", Domains: []string{"natwest.com"}},
		{Name: "Royal Bank of Scotland", DisplayNames: []string{"Royal Bank of Scotland", "RBS"}, Domains: []string{"rbs.co.uk", "rbs.com"}},
		{Name: "Santander", Domains: []string{"santander.co.uk"}},
		{Name: "Nationwide", DisplayNames: []string{"Nationwide Building Society"}, Domains: []string{"nationwide.co.uk"}},
		{Name: "Halifax", DisplayNames: []string{"Halifax Bank", "Halifax Online"}, Domains: []string{"halifax.co.uk"}},
		{Name: "Bank of Scotland", Domains: []string{"bankofscotland.co.uk"}},
		{Name: "TSB", DisplayNames: []string{"TSB", "TSB Bank"}, Domains: []string{"tsb.co.uk"}},
		{Name: "Metro Bank", Domains: []string{"metrobankonline.co.uk"}},
		{Name: "Monzo", Domains: []string{"monzo.com"}},
		{Name: "Starling Bank", Domains: []string{"starlingbank.com"}},
		{Name: "The Co-operative Bank", DisplayNames: []string{"Co-operative Bank"}, Domains: []string{"co-operativebank.co.uk"}},
		{Name: "Virgin Money", Domains: []string{"virginmoney.com"}},
		{Name: "Microsoft", DisplayNames: []string{"Microsoft", "Office 365", "Office365", "OneDrive", "SharePoint"},
			Domains: []string{"microsoft.com", "office365.com", "microsoftonline.com", "sharepoint.com", "sharepointonline.com", "onedrive.com"}},
		{Name: "DocuSign", Domains: []string{"docusign.com", "docusign.net"}},
		{Name: "Royal Mail", Domains: []string{"royalmail.com"}},
	}
}

// freeMail are domains where anyone can open an account in a minute. Mail
// from them is normal from family members, but not from the NHS, a bank or
// a supplier's accounts team.
var freeMail = setOf(
	"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk",
	"live.com", "live.co.uk", "msn.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "rocketmail.com",
	"aol.com", "aol.co.uk", "icloud.com", "me.com", "mac.com", "protonmail.com", "proton.me", "pm.me",
	"gmx.com", "gmx.co.uk", "gmx.net", "gmx.de", "mail.com", "email.com", "zoho.com", "yandex.com",
	"yandex.ru", "mail.ru", "inbox.ru", "btinternet.com", "sky.com", "talktalk.net", "virginmedia.com",
	"ntlworld.com", "blueyonder.co.uk", "tiscali.co.uk", "qq.com", "163.com", "126.com",
	"fastmail.com", "tutanota.com", "hushmail.com", "web.de", "libero.it", "laposte.net",
)

// freeMailSubmission are the host names free-mail services use to accept
// mail from their users. All of them sign what they send with DKIM.
var freeMailSubmission = []string{
	"smtp.gmail.com", "smtp-relay.gmail.com", "mail.gmail.com",
	"smtp.mail.yahoo.com", "smtp.aol.com", "smtp-mail.outlook.com", "smtp.mail.me.com",
}

// shorteners are link-shortening services: the address in the message says
// nothing about where the link really goes.
var shorteners = setOf(
	"bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
	"cutt.ly", "shorturl.at", "tiny.cc", "rb.gy", "bl.ink", "t.ly", "s.id", "v.gd", "lnkd.in",
	"shorte.st", "adf.ly", "qrco.de", "tiny.one", "short.io", "soo.gd", "x.co", "urlz.fr", "t2m.io",
	"page.link", "app.link", "me-qr.com",
)

// unusualTLDs are the top-level domains that abuse surveys (Spamhaus,
// Interisle) find most used for phishing relative to their size. Care
// providers' real correspondents almost never use them.
var unusualTLDs = setOf(
	"zip", "mov", "top", "xyz", "click", "link", "work", "gq", "tk", "ml", "cf", "ga", "loan", "win",
	"bid", "icu", "cyou", "buzz", "rest", "monster", "sbs", "cfd", "country", "kim", "men", "party",
	"review", "stream", "download", "racing", "date", "faith", "science", "accountant", "cricket",
	"trade", "webcam", "quest", "bond", "lol", "mom", "support", "su",
)

// signInWords are words that sign-in and account-check pages put in their
// addresses.
var signInWords = setOf(
	"login", "logon", "signin", "auth", "authenticate", "authentication", "authorize", "verify",
	"verification", "validate", "validation", "webmail", "owa", "password", "passwd", "credential",
	"credentials", "unlock", "reactivate", "sso", "mfa",
)

// signInBrands are the services whose sign-in pages criminals copy most,
// by a word that names them in a link, with their name as people know it
// and their real domains. A link that names one of them but goes elsewhere
// is a fake sign-in page.
var signInBrands = map[string]signInBrand{
	"office365":  {"Microsoft 365", microsoftDomains},
	"o365":       {"Microsoft 365", microsoftDomains},
	"microsoft":  {"Microsoft", microsoftDomains},
	"outlook":    {"Outlook", microsoftDomains},
	"onedrive":   {"OneDrive", microsoftDomains},
	"sharepoint": {"SharePoint", microsoftDomains},
	"docusign":   {"DocuSign", []string{"docusign.com", "docusign.net"}},
	"paypal":     {"PayPal", []string{"paypal.com", "paypal.co.uk"}},
	"apple":      {"Apple", []string{"apple.com", "icloud.com"}},
	"icloud":     {"iCloud", []string{"apple.com", "icloud.com"}},
	"adobe":      {"Adobe", []string{"adobe.com"}},
	"dropbox":    {"Dropbox", []string{"dropbox.com"}},
	"wetransfer": {"WeTransfer", []string{"wetransfer.com"}},
	"nhs":        {"the NHS", []string{"nhs.uk", "nhs.net"}},
	"nhsmail":    {"NHSmail", []string{"nhs.uk", "nhs.net"}},
	"hmrc":       {"HMRC", []string{"gov.uk"}},
	"barclays":   {"Barclays", []string{"barclays.co.uk", "barclays.com"}},
	"hsbc":       {"HSBC", []string{"hsbc.co.uk", "hsbc.com"}},
	"lloyds":     {"Lloyds Bank", []string{"lloydsbank.com", "lloydsbank.co.uk"}},
	"natwest":    {"NatWest", []string{"natwest.com"}},
	"santander":  {"Santander", []string{"santander.co.uk"}},
	"halifax":    {"Halifax", []string{"halifax.co.uk"}},
}

type signInBrand struct {
	name    string
	domains []string
}

var microsoftDomains = []string{"microsoft.com", "office.com", "office365.com", "microsoftonline.com", "live.com", "outlook.com", "sharepoint.com", "onedrive.com"}

// redirectors are services that forward a visitor to any address given in
// the link, which criminals use to make a link look as if it goes to a
// well-known site.
var redirectors = []struct{ host, path string }{
	{"google.com", "/url"},
	{"google.com", "/amp/"},
	{"google.co.uk", "/url"},
	{"disq.us", "/"},
	{"l.facebook.com", "/l.php"},
	{"away.vk.com", "/"},
	{"t.umblr.com", "/redirect"},
}

func setOf(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, s := range items {
		m[s] = true
	}
	return m
}
