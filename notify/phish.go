package notify

import (
	"fmt"
	"strings"
	"time"
)

// PhishReport is what a phishing notice or thank-you says about one
// reported email.
type PhishReport struct {
	// Verdict is likely phishing, suspicious or no signs found.
	Verdict string
	// From and Subject are the reported email's.
	From    string
	Subject string
	// Reporter is who reported it, for the notice to IT.
	Reporter string
	// Signs are the titles of the strongest signs found, strongest first.
	Signs []string
	// Received is when the report arrived.
	Received time.Time
}

// maxSigns is how many signs a message lists.
const maxSigns = 5

// describe names the reported email in a sentence: “Subject” from sender.
func (r PhishReport) describe() string {
	s := "the email"
	if subject := clipLine(r.Subject); subject != "" {
		s += " “" + subject + "”"
	}
	if from := clipLine(r.From); from != "" {
		s += " from " + from
	}
	return s
}

// signs lists the strongest signs as a paragraph, or "" without any.
func (r PhishReport) signs() string {
	if len(r.Signs) == 0 {
		return ""
	}
	lines := []string{"What Handwash found:"}
	for i, s := range r.Signs {
		if i == maxSigns {
			lines = append(lines, fmt.Sprintf("• and %d more.", len(r.Signs)-maxSigns))
			break
		}
		lines = append(lines, "• "+clipLine(s))
	}
	return strings.Join(lines, "\n\n")
}

// PhishReportedMessage tells an organisation's people that someone reported
// an email that is likely phishing, so they can warn staff and check
// whether anyone acted on it.
func PhishReportedMessage(org string, r PhishReport, link string) Message {
	who := "A member of staff"
	if reporter := clipLine(r.Reporter); reporter != "" {
		who = reporter
	}
	body := fmt.Sprintf("%s reported %s to %s's phishing mailbox on %s. Handwash checked it: it is likely phishing.", who, r.describe(), org, when(r.Received))
	if s := r.signs(); s != "" {
		body += "\n\n" + s
	}
	body += "\n\nThe same email often reaches several people at once. One click on its link or attachment can give an attacker a password or start ransomware."
	return Message{
		Kind:    KindPhishReported,
		Org:     org,
		Subject: "Likely phishing reported: " + clipLine(orDefault(r.Subject, "(no subject)")),
		Time:    r.Received,
		Link:    link,
		Body:    body,
		Next: "Warn staff not to open the email, and delete it from every mailbox that received it (in Microsoft 365 and Google Workspace, an administrator can search all mailboxes for it)." +
			"\n\nAsk whether anyone clicked its link, opened its attachment or typed a password: if so, change that password now, turn on two-step verification, and check the computer they used." +
			"\n\nThank the person who reported it: reporting without blame is what catches the next one.",
	}
}

// PhishThanksMessage thanks the person who reported an email and tells
// them, in plain English, what Handwash found and what to do.
func PhishThanksMessage(org string, r PhishReport) Message {
	m := Message{Kind: KindPhishThanks, Org: org, Time: r.Received, Subject: "Thank you for reporting an email"}
	if subject := clipLine(r.Subject); subject != "" {
		m.Subject = "Thank you for reporting “" + subject + "”"
	}
	thanks := fmt.Sprintf("Thank you for reporting %s. Handwash checked it for %s.", r.describe(), org)
	switch r.Verdict {
	case "likely phishing":
		m.Body = thanks + " It is likely phishing: you were right to report it."
		m.Next = "Delete the email and do not forward it to anyone else." +
			"\n\nIf you clicked a link in it, opened an attachment or typed a password, tell your manager or IT support now and change that password. Acting quickly stops most attacks, and nobody will blame you for saying so."
	case "suspicious":
		m.Body = thanks + " It shows signs of phishing, so treat it with care."
		m.Next = "Do not click its links or open its attachments. If you think it may be genuine, check with the sender using a phone number you already have, not one in the email." +
			"\n\nIf you have already clicked a link or typed a password, tell your manager or IT support now."
	default:
		m.Body = thanks + " It found no signs of phishing, but no check catches everything."
		m.Next = "If the email still seems wrong, for example it asks you to pay someone, change bank details or sign in, check with the sender using a phone number you already have, not one in the email."
	}
	if s := r.signs(); s != "" {
		m.Body += "\n\n" + s
	}
	m.Body += "\n\nReporting emails that look wrong helps keep residents' and patients' information safe. Please keep doing it."
	return m
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
