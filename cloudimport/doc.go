// Package cloudimport reads the user lists that Microsoft 365 / Entra ID
// and Google Workspace export, and judges them: does every administrator
// and every user who can sign in have multi-factor authentication (MFA),
// can nobody sign in to a shared mailbox, and is the list recent?
//
// Cyber Essentials fails an organisation whose cloud administrators
// (question A7.16) or users (A7.17) can sign in without MFA, and the NHS
// Data Security and Protection Toolkit asks for MFA to reach Standards Met
// (4.5.3). A care provider with no IT staff cannot check that by hand for
// every account; an export from the admin console, imported into Handwash,
// does it for them.
//
// # Layouts
//
// Parse finds the layout from the header row. Column names are compared
// without regard to case, spaces, punctuation or bracketed notes such as
// "[READ ONLY]", so "MFA registered", "isMfaRegistered" and
// "Is MFA registered" are one column. A UTF-8 byte-order mark, UTF-16
// (Excel's "Unicode text"), Windows-1252 (Excel's "CSV (Comma delimited)"),
// Excel's quoting, a semicolon or tab delimiter and an Excel "sep=" first
// line are all accepted. The layouts, in the order they are tried:
//
// Microsoft Entra user registration details (source m365): the best
// Microsoft export, the only one that says who has MFA and who is an
// administrator. Microsoft Entra admin centre (https://entra.microsoft.com)
// > Entra ID (formerly Identity, or Protection) > Authentication methods >
// User registration details > Download. It needs Microsoft Entra ID P1,
// part of Microsoft 365 Business Premium. Columns used: User principal
// name, User display name or Name, Is admin or Admin, User type (guests
// are left out), MFA registered (isMfaRegistered) and MFA capable
// (isMfaCapable), Methods registered. MFA is true when the user has
// registered a strong method and, if the file says so, that method is one
// the organisation's policy allows ("capable"). The column names of the
// Microsoft Graph report (userPrincipalName, isAdmin, isMfaRegistered, …),
// as PowerShell's Get-MgReportAuthenticationMethodUserRegistrationDetail |
// Export-Csv writes them, are read too. Sources:
// https://learn.microsoft.com/en-us/entra/identity/authentication/howto-authentication-methods-activity
// and https://learn.microsoft.com/en-us/graph/api/resources/userregistrationdetails.
//
// Microsoft 365 admin centre active users (source m365). Microsoft 365
// admin centre (https://admin.microsoft.com) > Users > Active users >
// Export users. Columns used: User principal name, Display name, Block
// credential (True means sign-in is blocked). It has no MFA and no
// administrator column: MFA is left nil, and the findings say to import
// the user registration details instead. Its other columns (City,
// Licenses, Object Id, Password never expires, …) are ignored.
//
// Microsoft Entra users download (source m365). Microsoft Entra admin
// centre > Entra ID > Users > All users > Download users. Columns used:
// userPrincipalName, displayName, userType, accountEnabled. No MFA.
//
// Google Workspace users download (source google). Google Admin console
// (https://admin.google.com) > Menu > Directory > Users > Download users,
// with "All user info columns", as comma-separated values. Columns used:
// First Name [Required], Last Name [Required], Email Address [Required],
// Status [READ ONLY] (Active, Suspended or Archived), Last Sign In [READ
// ONLY], 2sv Enrolled [READ ONLY] (MFA is true when it is True) and 2sv
// Enforced [READ ONLY] (checked but not stored). The download has no
// administrator column; an "Admin role" or "Is admin" column is read if
// present. Source: https://support.google.com/a/answer/7348070; the column
// names are those of real downloads in public repositories (for instance
// the header "First Name [Required],Last Name [Required],Email Address
// [Required],Password [Required],…,2sv Enrolled [READ ONLY],2sv Enforced
// [READ ONLY],…").
//
// # What is left out and what is inferred
//
// Guests from other organisations (User type Guest, or a user principal
// name with #EXT#) are left out: their MFA is their own organisation's.
//
// Shared mailboxes are known only from a "Recipient type" or
// "RecipientTypeDetails" column (SharedMailbox, and room and equipment
// mailboxes, which nobody should sign in to either) or a User type of
// SharedMailbox. None of Microsoft's user exports has one: an
// administrator can add it from Exchange Online PowerShell (Get-Mailbox |
// Select UserPrincipalName, RecipientTypeDetails). Google Workspace has no
// shared mailboxes: groups play their part.
//
// An export that marks nobody as an administrator is taken not to say who
// the administrators are (every organisation has one): then every account
// that can sign in must have MFA for the administrators' finding to pass.
//
// # Errors and limits
//
// Parse returns all the accounts or none: the store replaces an
// organisation's accounts of a source as a whole. A bad value is reported
// with its line in the file and its column as the file names it, for
// instance `line 7: "MFA registered" is "maybe": expected True or False`.
// A file over MaxBytes or MaxRows, an empty file, a header with no rows,
// an email address twice (both lines are named) and a header that matches
// no layout (the columns expected are listed) are errors too.
package cloudimport
