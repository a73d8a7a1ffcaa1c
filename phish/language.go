package phish

import (
	"fmt"
	"strings"
	"unicode"
)

// The phrase lists are short on purpose. Ordinary mail uses some of these
// words too, so each list only ever adds a little to the score; what they
// add is the reason a reader should slow down.

// urgencyPhrases push the reader to act before thinking.
var urgencyPhrases = []string{
	"urgent", "immediately", "immediate action", "action required", "act now", "respond now",
	"within 24 hours", "within 48 hours", "within 12 hours", "final notice", "final warning",
	"final reminder", "last chance", "last warning", "expires today", "will be suspended",
	"will be closed", "will be deleted", "will be terminated", "will be disabled",
	"has been suspended", "as soon as possible", "failure to", "without delay", "time sensitive",
	"today only", "deadline",
}

// bankChangePhrases ask to change where payments go: invoice-redirection
// fraud is the costliest scam against care providers, and on their own
// these phrases justify a phone call to the supplier.
var bankChangePhrases = []string{
	"new bank details", "change of bank details", "changed our bank", "change our bank",
	"updated bank details", "update our bank details", "bank details have changed",
	"bank account has changed", "new account details", "updated account details",
	"change of account details", "new sort code", "payment details have changed",
	"update the payment details", "amend the payee", "changed our banking", "new banking details",
}

// paymentPhrases are about paying, which real mail is too; they add little.
var paymentPhrases = []string{
	"remittance", "wire transfer",
	"overdue invoice", "outstanding invoice", "unpaid invoice", "payment is overdue",
	"outstanding payment", "overdue payment", "gift card", "itunes card", "google play card",
	"direct debit has failed", "payment has failed", "payment was declined", "refund of",
	"you are due a refund", "tax refund",
}

// credentialPhrases ask the reader to sign in, confirm an account or open
// a shared file: the usual lure to a fake sign-in page.
var credentialPhrases = []string{
	"verify your account", "verify your identity", "verify your email", "confirm your account",
	"confirm your identity", "confirm your password", "confirm your details", "update your details",
	"update your account", "validate your account", "password expires", "password will expire",
	"password has expired", "reset your password", "keep your password", "keep the same password",
	"mailbox is full", "mailbox quota", "mailbox storage", "storage is full", "unusual sign-in",
	"unusual activity", "suspicious activity", "unauthorised access", "unauthorized access",
	"sign in to view", "log in to view", "login to view", "shared a document", "shared a file",
	"sent you a document", "view document", "review document", "new voicemail", "voice message",
	"account has been locked", "account will be locked", "re-activate", "reactivate your",
	"click here to login", "click here to log in", "click here to sign in", "click here to verify",
	"click the link below to", "enter your password",
}

// checkLanguage looks for the wording that phishing relies on.
func (a *analysis) checkLanguage() {
	text := foldText(a.m.subject + "\n" + a.m.text.String())
	if text == "" {
		return
	}
	if found := findPhrases(text, urgencyPhrases, 3); len(found) > 0 {
		weight := 1
		if len(found) >= 2 {
			weight = 2
		}
		a.add("language.urgency", weight, "The message says "+joinPhrases(found)+".", quoted(found)...)
	}
	if found := findPhrases(text, bankChangePhrases, 3); len(found) > 0 {
		a.add("language.payment-change", 3, "The message talks about changed bank details: it says "+joinPhrases(found)+".", quoted(found)...)
	} else if found := findPhrases(text, paymentPhrases, 3); len(found) > 0 {
		weight := 1
		if len(found) >= 2 {
			weight = 2
		}
		a.add("language.payment-change", weight, "The message talks about payments: it says "+joinPhrases(found)+".", quoted(found)...)
	}
	if found := findPhrases(text, credentialPhrases, 3); len(found) > 0 {
		weight := 1
		if len(found) >= 2 {
			weight = 2
		}
		a.add("language.credential-lure", weight, "The message says "+joinPhrases(found)+".", quoted(found)...)
	}
}

// foldText lowercases text, makes curly quotes straight and turns runs of
// white space into one space, so that phrases match however they were
// typed or wrapped.
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0':
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		case '\u2018', '\u2019':
			r = '\''
		case '\u201c', '\u201d':
			r = '"'
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		} else if r > 0x7f {
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
		space = false
	}
	return b.String()
}

// findPhrases returns up to limit phrases found in text, as whole words.
func findPhrases(text string, phrases []string, limit int) []string {
	var found []string
	for _, p := range phrases {
		if containsWords(text, p) {
			found = append(found, p)
			if len(found) >= limit {
				break
			}
		}
	}
	return found
}

// containsWords reports whether phrase occurs in text with a word boundary
// on both sides, so "urgent" does not match "insurgent".
func containsWords(text, phrase string) bool {
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], phrase)
		if i < 0 {
			return false
		}
		start := off + i
		end := start + len(phrase)
		if (start == 0 || !isWordByte(text[start-1])) && (end == len(text) || !isWordByte(text[end])) {
			return true
		}
		off = start + 1
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// joinPhrases lists phrases in quotes: "a", "b" and "c".
func joinPhrases(phrases []string) string {
	q := quoted(phrases)
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func quoted(phrases []string) []string {
	out := make([]string, len(phrases))
	for i, p := range phrases {
		out[i] = fmt.Sprintf("%q", p)
	}
	return out
}
