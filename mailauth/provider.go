package mailauth

import (
	"strings"
)

// Provider is the email service a domain appears to use, which decides
// what the fix advice says.
type Provider string

// The providers whose set-up Handwash can describe.
const (
	ProviderUnknown      Provider = ""
	ProviderMicrosoft365 Provider = "microsoft365"
	ProviderGoogle       Provider = "google_workspace"
	ProviderNHSmail      Provider = "nhsmail"
)

// Name is the provider's name as people know it.
func (p Provider) Name() string {
	switch p {
	case ProviderMicrosoft365:
		return "Microsoft 365"
	case ProviderGoogle:
		return "Google Workspace"
	case ProviderNHSmail:
		return "NHSmail"
	}
	return "your email provider"
}

// SPF includes that name a provider (RFC 7208 include: targets they
// document).
const (
	spfIncludeMicrosoft = "spf.protection.outlook.com"
	spfIncludeGoogle    = "_spf.google.com"
	// NHSmail's relay guidance has given include:_spf.nhs.net; the advice
	// built on it tells people to confirm it with NHSmail, who may change it.
	spfIncludeNHSmail = "_spf.nhs.net"
)

// detectProvider looks first at the MX hosts, which say where mail is
// delivered, and then at the SPF includes, which say who sends it.
func detectProvider(rep *Report) (Provider, string) {
	for _, h := range rep.MX.Hosts {
		if p := providerOfMX(h.Host); p != ProviderUnknown {
			return p, "mail server " + h.Host
		}
	}
	for _, inc := range spfIncludes(rep) {
		if p := providerOfInclude(inc); p != ProviderUnknown {
			return p, "SPF include:" + inc
		}
	}
	return ProviderUnknown, ""
}

func providerOfMX(host string) Provider {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	switch {
	case strings.HasSuffix(host, ".mail.protection.outlook.com"):
		return ProviderMicrosoft365
	case host == "aspmx.l.google.com", host == "smtp.google.com",
		strings.HasSuffix(host, ".google.com"), strings.HasSuffix(host, ".googlemail.com"):
		return ProviderGoogle
	case host == "nhs.net", strings.HasSuffix(host, ".nhs.net"):
		return ProviderNHSmail
	}
	return ProviderUnknown
}

func providerOfInclude(inc string) Provider {
	inc = strings.ToLower(strings.TrimSuffix(inc, "."))
	switch {
	case inc == spfIncludeMicrosoft:
		return ProviderMicrosoft365
	case inc == spfIncludeGoogle, inc == "_spf.googlemail.com":
		return ProviderGoogle
	case inc == "nhs.net", strings.HasSuffix(inc, ".nhs.net"):
		return ProviderNHSmail
	}
	return ProviderUnknown
}

// spfAdvice gives the SPF record to publish for a provider, and what to
// say about it.
func spfAdvice(p Provider, domain string) (value, note string) {
	const others = " If anything else sends email as you (a newsletter service, a rota or care-planning system, a website form, a scanner), add its include: before the last part, or its mail will be treated as forged."
	switch p {
	case ProviderMicrosoft365:
		return "v=spf1 include:" + spfIncludeMicrosoft + " -all",
			"This is the record Microsoft documents for Microsoft 365." + others
	case ProviderGoogle:
		return "v=spf1 include:" + spfIncludeGoogle + " ~all",
			"This is the record Google documents for Google Workspace." + others
	case ProviderNHSmail:
		return "v=spf1 include:" + spfIncludeNHSmail + " ~all",
			"NHSmail's relay guidance has given include:" + spfIncludeNHSmail + " as the value for organisations that send their own domain's email through NHSmail, but check the exact value with the NHSmail helpdesk or on the NHSmail support site before you publish it." + others
	}
	return "v=spf1 include:<your email provider's SPF domain> ~all",
		"Ask your email provider or IT supplier for the exact include: value they publish for SPF, and put it in place of the part in angle brackets." + others
}

// dkimAdvice says how to turn DKIM signing on with a provider, and which
// records that needs.
func dkimAdvice(p Provider, domain string) (string, []Record) {
	switch p {
	case ProviderMicrosoft365:
		dashed := strings.ReplaceAll(domain, ".", "-")
		return "In the Microsoft Defender portal (security.microsoft.com), go to Email & collaboration > Policies & rules > Threat policies > Email authentication settings > DKIM, choose " + domain + ", and it shows two CNAME records. Publish them in your DNS, wait an hour, then switch \"Sign messages for this domain with DKIM signatures\" on. The portal gives the exact values; they usually look like those below, where <tenant> is your Microsoft 365 organisation name (as in <tenant>.onmicrosoft.com).",
			[]Record{
				{Name: "selector1._domainkey." + domain, Type: "CNAME", Value: "selector1-" + dashed + "._domainkey.<tenant>.onmicrosoft.com"},
				{Name: "selector2._domainkey." + domain, Type: "CNAME", Value: "selector2-" + dashed + "._domainkey.<tenant>.onmicrosoft.com"},
			}
	case ProviderGoogle:
		return "In the Google Admin console, go to Apps > Google Workspace > Gmail > Authenticate email, choose " + domain + ", and generate a new record with a 2048-bit key and the prefix selector \"google\". Publish the TXT record it shows, wait an hour, then click Start authentication.",
			[]Record{{Name: "google._domainkey." + domain, Type: "TXT", Value: "v=DKIM1; k=rsa; p=<the key shown in the Admin console>"}}
	case ProviderNHSmail:
		return "Ask the NHSmail helpdesk whether and how NHSmail signs email sent from " + domain + ", and which selector and record to publish. If you run the check again, give that selector so it can be found.", nil
	}
	return "Ask your email provider or IT supplier to turn on DKIM signing for " + domain + ": they will give you the record (usually a TXT or CNAME at <selector>._domainkey." + domain + ") to publish. If you already sign with a selector of your own, run the check again and give that selector.", nil
}
