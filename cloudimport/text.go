package cloudimport

import (
	"strings"

	"github.com/handwash/handwash"
)

// whyText says why each control matters to a care provider.
var whyText = map[string]string{
	ControlAdminMFA: "An administrator account can read every mailbox and file in your Microsoft 365 or Google Workspace, add accounts and switch protections off, so whoever gets into one has everything: care records, rotas, safeguarding emails and bank details. " +
		"Passwords are phished, guessed and reused; with MFA a stolen password is not enough to get in. " +
		"In 2022 criminals got into Advanced, whose software is used by NHS 111 and by care and mental health services, through one customer account without MFA. The ransomware attack that followed exposed the details of 79,404 people, including how to get into the homes of 890 people receiving care at home, and the ICO fined Advanced more than £3 million. " +
		"Cyber Essentials fails any organisation where a cloud administrator can sign in without MFA (question A7.16), and the Data Security and Protection Toolkit asks for MFA to reach Standards Met (4.5.3).",
	ControlUserMFA: "Every account that can sign in can read email about the people you support, and phishing is how most attacks on care providers start: in the Department of Health and Social Care's 2025 survey of adult social care, three in four providers who had an incident had been phished. " +
		"With MFA, a password typed into a fake sign-in page is not enough on its own to get into the account. " +
		"Cyber Essentials fails an organisation where any user can sign in to a cloud service without MFA (question A7.17), and the Data Security and Protection Toolkit asks for MFA to reach Standards Met (4.5.3).",
	ControlSharedSignIn: "A shared mailbox, such as office@, rota@ or manager@, needs no password of its own: staff open it from their own accounts, with their own MFA. " +
		"If sign-in is allowed, the mailbox has a password that nobody owns and nobody has set up MFA for, that is rarely changed and that is often written down or passed on when people leave. " +
		"Whoever has it can read and send as your service without leaving a trail to a person. " +
		"Cyber Essentials asks that accounts are not shared and that cloud services use MFA; in the Department of Health and Social Care's 2025 survey, 30% of care providers shared email addresses.",
	ControlImportFresh: "These findings are only as up to date as the list they were judged on. Care providers take on and lose staff every month: a new starter's account without MFA, or a leaver's account still open, shows here only once the list is imported again. " +
		"The 30 days is Handwash's own limit, not a Cyber Essentials or DSPT rule.",
}

const m365MFAFix = `Microsoft 365:
1. Sign in to the Microsoft Entra admin centre, https://entra.microsoft.com, as a Global Administrator.
2. If you have Microsoft 365 Business Premium (or Microsoft Entra ID P1), use Conditional Access: go to Entra ID > Conditional Access > Policies > New policy from template, and create the policies "Require multifactor authentication for admins" and "Require multifactor authentication for all users".
   Otherwise turn on security defaults: go to Entra ID > Overview > Properties > Manage security defaults, set Security defaults to Enabled and select Save. (Older versions of the admin centre call Entra ID "Identity".)
   Use per-user MFA (Entra ID > Users > Per-user multifactor authentication, select the people, Enable) only if you can use neither: it is Microsoft's older way, and it must not be mixed with security defaults.
3. Ask each person named above to sign in at https://aka.ms/mysecurityinfo and add the Microsoft Authenticator app.
4. When they have, download User registration details again (Entra ID > Authentication methods > User registration details > Download) and import it into Handwash.`

const googleMFAFix = `Google Workspace:
1. Sign in to the Google Admin console, https://admin.google.com, as a super administrator.
2. Go to Menu > Security > Authentication > 2-step verification.
3. Tick "Allow users to turn on 2-Step Verification". Set Enforcement to On (or to a date a week or two away, to give staff time), set the new user enrollment period to one week, and select Save.
4. Ask each person named above to turn it on at https://myaccount.google.com/signinoptions/two-step-verification, with the Google Authenticator app, a prompt on their phone or a security key.
5. Download the users list again (Menu > Directory > Users > Download users, with all user info columns) and import it into Handwash.`

const m365SharedFix = `Microsoft 365:
1. Sign in to the Microsoft 365 admin centre, https://admin.microsoft.com.
2. Go to Users > Active users and select the shared mailbox named above.
3. Select Block sign-in, tick "Block this user from signing in" and select Save changes. Staff who use the mailbox keep their access through their own accounts. Do the same for room and equipment mailboxes.
4. Export the list again (Users > Active users > Export users) and import it into Handwash.`

const googleSharedFix = `Google Workspace has no shared mailboxes. If staff share one account's password to read a common inbox, make a group for it instead (Menu > Directory > Groups > Create group), add the staff with their own accounts, turn on Collaborative Inbox in the group's settings at https://groups.google.com, and suspend the shared account.`

const m365ImportFix = `Microsoft 365: in the Microsoft Entra admin centre, https://entra.microsoft.com, go to Entra ID > Authentication methods > User registration details, select Download, and import the CSV file into Handwash. That report needs Microsoft Entra ID P1 (part of Microsoft 365 Business Premium); without it, import the Microsoft 365 admin centre's list instead (https://admin.microsoft.com > Users > Active users > Export users), which says whose sign-in is blocked but not who has MFA.`

const googleImportFix = `Google Workspace: in the Google Admin console, https://admin.google.com, go to Menu > Directory > Users, select Download users, choose all user info columns and comma-separated values (.csv), and import the file into Handwash.`

// fixText says how to fix control for the sources the accounts come from
// (both when none has been imported).
func fixText(control string, srcs []string) string {
	m365 := len(srcs) == 0 || contains(srcs, handwash.AccountsM365)
	google := len(srcs) == 0 || contains(srcs, handwash.AccountsGoogle)
	var parts []string
	add := func(ok bool, s string) {
		if ok {
			parts = append(parts, s)
		}
	}
	switch control {
	case ControlAdminMFA:
		parts = append(parts, "Set up MFA for the administrators first, then for everyone else. Cyber Essentials also asks that administrators use a separate account for admin work, not for everyday email and browsing.")
		add(m365, m365MFAFix)
		add(google, googleMFAFix)
	case ControlUserMFA:
		add(m365, m365MFAFix)
		add(google, googleMFAFix)
	case ControlSharedSignIn:
		add(m365, m365SharedFix)
		add(google, googleSharedFix)
	case ControlImportFresh:
		add(m365, m365ImportFix)
		add(google, googleImportFix)
	}
	return strings.Join(parts, "\n\n")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
