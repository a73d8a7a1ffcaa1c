package incident

// whyText says why each control matters to a care provider.
var whyText = map[string]string{
	ControlReporting: "A personal data breach that must be reported has to reach the Information Commissioner's Office (ICO) within 72 hours of your finding out about it (UK GDPR Article 33), " +
		"and the 72 hours include nights, weekends and bank holidays. A late report must explain the delay, and missing the deadline is itself something the ICO can act on; " +
		"in early 2024 only about six in ten breach reports reached the ICO within the 72 hours. " +
		"Reporting quickly also gets you advice on containing the breach and on whether to tell the people affected, who may need to protect themselves. " +
		"The Data Security and Protection Toolkit asks for a way to report breaches (6.1.1), and its incident reporting tool is how organisations registered on it report them.",
	ControlLessons: "An incident left without its lessons written down is likely to happen again. " +
		"The NCSC's Response & Recovery guide for small organisations ends every incident with learning from it, and the Data Security and Protection Toolkit asks for a way to report incidents and near misses so that lessons are learned (6.1.1). " +
		"Most breaches reported to the ICO are everyday mistakes, such as an email to the wrong person, which a change to how things are done can stop. " +
		"The 30 days is Handwash's own limit, not a DSPT or ICO rule: long enough to deal with most incidents, short enough that people still remember what happened.",
}

// fixText says how to put each control right.
var fixText = map[string]string{
	ControlReporting: `For each incident listed, make the overdue reports now, and record the date and the reference of each in the incident:
1. ICO: report online at https://ico.org.uk/for-organisations/report-a-breach/personal-data-breach/, or call 0303 123 1113 (Monday to Friday, 9am to 5pm). Say why the report is late, and send what you do not know yet later.
2. DSPT: sign in at https://www.dsptoolkit.nhs.uk and report the incident in the incident reporting tool. If it tells you the ICO has been told, record that date for the ICO as well.
3. If you decided a breach is unlikely to put anyone at risk and need not be reported, write down who decided, when and why in the incident's actions, and close it.
To be on time next time: make sure every member of staff knows to tell a named person straight away, day or night, and that someone can decide within a day, weekends included, whether the ICO must be told.`,
	ControlLessons: `For each incident listed:
1. Talk it through with the people involved, without blame: what happened, why, what went well and what did not.
2. Write down in the incident's lessons what you will change, such as a process, a setting, training or your incident plan, who will do it and by when.
3. Share the lessons with staff, for instance at handover or a team meeting, so everyone knows what to do differently.
4. When nothing more is to be done, record the day and close the incident.`,
}
