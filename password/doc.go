// Package password checks a password the way an attacker would see it: how
// many guesses it would take (zxcvbn's estimate, explained in plain English
// with the NCSC's advice), and whether it is already in the lists of
// breached passwords that attackers try first, by Have I Been Pwned's range
// API or an offline copy of its list.
//
// A password given to this package is never stored, logged or sent: the
// online check sends only the first 5 of the 40 hexadecimal characters of
// its SHA-1 hash (k-anonymity, with padding so the size of the answer says
// nothing either), and results never contain the password or any part of it.
package password
