// Package incident keeps an organisation's incident and near-miss log in
// order: it validates entries (Validate, ParseForm), says who must be told
// about each and by when (Duties), and judges the log as a whole
// (Findings).
//
// # Who must be told
//
// The duties follow UK GDPR Article 33, the Data Security and Protection
// Toolkit (DSPT) and the NCSC's Response & Recovery guide for small
// organisations:
//
//   - ICO: a personal data breach must be reported to the Information
//     Commissioner's Office within 72 hours of the organisation becoming
//     aware of it, unless it is unlikely to result in a risk to people's
//     rights and freedoms. The 72 hours run from DiscoveredAt, hour by
//     hour, whatever the clocks do: a breach found at 10:00 on the
//     Saturday before the clocks go forward is due at 11:00 UK time on the
//     Tuesday.
//   - DSPT incident reporting tool: organisations registered on the DSPT
//     report personal data breaches and cyber incidents through it (DSPT
//     6.1.1 asks for a breach-reporting system). It passes breaches that
//     must be reported on to the ICO, so for a personal data breach it has
//     the ICO's 72 hours. Handwash takes every organisation it looks
//     after to be registered, as care providers with NHS or council
//     contracts are asked to be.
//   - Action Fraud: fraud and cyber crime are reported to the police's
//     national reporting centre, 0300 123 2040 (Report Fraud, which took
//     Action Fraud's place in England, Wales and Northern Ireland in
//     December 2025, kept the number; in Scotland, Police Scotland on
//     101). No deadline is set, so this duty is never overdue.
//
// A report is done when its date is recorded. An incident closed without
// a report is taken as decided: when a breach is judged unlikely to put
// people at risk, the reasons are written in Actions and the incident is
// closed, and its duties are no longer overdue.
//
// # Times
//
// The dashboard's form gives times as an HTML datetime-local input sends
// them, in UK time (Europe/London), and dates as YYYY-MM-DD. ParseForm
// returns times in UTC and dates at midnight UTC, as the store keeps
// them. A time the clocks skip in March is refused; a time they repeat in
// October is taken as the first of the two, which gives the earlier
// deadline.
package incident
