// Package training reads an organisation's staff register and judges
// its data security training against the Data Security and Protection
// Toolkit (DSPT): item 3.2.1 asks that at least 95% of staff, directors,
// trustees and volunteers have completed data security training in the
// last twelve months.
//
// Parse reads the register as a CSV file, ParseByHand validates one
// person entered on a form, and Status works out who counts, who is
// trained, who is due next and who is overdue, and gives the finding.
//
// # The staff register
//
// Parse reads a CSV file saved from a spreadsheet or exported from a rota
// or HR system. The first row names the columns, in any order; column
// names are compared without regard to case, spaces or punctuation, so
// "Date started", "DATE STARTED" and "date_started" are one column. A
// UTF-8 byte-order mark, UTF-16, Windows-1252 (Excel's "CSV (Comma
// delimited)" on a UK PC), a semicolon or tab delimiter and an Excel
// "sep=" first line are accepted. Other columns, such as an employee
// number or a phone number, are ignored. The columns read, with the other
// names accepted for each:
//
//   - Name (required, or First name and Last name): Staff name, Full name,
//     Employee name, Employee, Staff member, Member of staff, Colleague,
//     Colleague name, Person. First name: Forename, Forenames, Given name.
//     Last name: Surname, Family name. When both a name and first and last
//     name columns are there, the name is used and the others fill in
//     where it is empty.
//   - Email: Email address, E-mail, Work email, Work email address, Staff
//     email. Optional; with it, importing the register again updates the
//     same person, and two people with the same name are told apart.
//   - Role: Job title, Job role, Position, Post, Job, Designation,
//     Occupation.
//   - Start date: Date started, Started, Started on, Date joined, Joined,
//     Joining date, Date of joining, Employment start date, Date employed,
//     Hire date, Commencement date.
//   - Leaving date: Date left, Left, Left on, Leaver date, Date of leaving,
//     End date, Employment end date, Termination date, Finish date. From
//     this date the person no longer counts. People who have left need a
//     leaving date: a column such as "Status: Leaver" is not read.
//   - Training date (optional): Training completed, Training date, Date
//     trained, Last trained, Last training date, Date of training,
//     Completed, Completed on, Date completed, Completion date. A column
//     named after the course itself, such as "Data Security Awareness
//     Level 1", "Data security training" or "IG training", holding the
//     dates, is read too, and its name becomes the course.
//   - Course (optional): Course name, Course title, Training course,
//     Training name, Module. When neither this nor the training date
//     column names a course, the course is "Data security training".
//
// A register in the form of a training matrix, with one column of dates
// for each course, is read only for the data security course: keep that
// column and any of the others above.
//
// # Dates
//
// Dates are read the UK way, day first: 31/03/2026, 31-03-2026,
// 31.03.2026, 31 March 2026, 31 Mar 2026, 31-Mar-2026 and 31st March
// 2026, as well as 2026-03-31. A time after the date, as Excel sometimes
// adds ("31/03/2026 00:00"), is ignored. These are refused, each with a
// message saying what to do:
//
//   - a date that can only be month first, as US dates are written
//     (03/31/2026, or March 31, 2026): a file with one such date was most
//     likely written month first throughout, so its other dates cannot be
//     trusted either, and nothing is imported;
//   - a two-digit year (31/03/26): write the year in full;
//   - a spreadsheet's date number (46112): format the column as a date;
//   - a date that is not in the calendar (31/02/2026).
//
// A file written month first whose days are all 12 or less cannot be told
// from a UK one: check a few people's dates after importing it.
//
// In the leaving date and training date columns, an empty cell, "-",
// "N/A", "None" and "Never" (and for training "Not done" and
// "Outstanding") mean no date. A training date later than tomorrow is
// refused, and so is a leaving date before the start date.
//
// # Errors and limits
//
// Parse returns everyone or no one: a bad value is reported with its line
// and its column as the file names it, for instance
// `line 4: "Date started" is "03/31/2026": this reads month first, as US
// dates are written: …`, and nothing is imported until the file is put
// right. A file over MaxBytes or MaxRows, an empty file, a header with no
// rows, the same email twice, and the same name twice where either person
// has no email (the store could not tell them apart) are errors too.
//
// # Linking training to people
//
// The store gives each person their ID, so the training records Parse
// returns cannot carry it yet: each record's StaffID holds instead the
// lower-case email of the person on the row, or their name when they have
// no email. After the store has saved the staff, Link swaps each for the
// stored person's ID, matching by email and then by name, as the store
// matches people.
//
// # Who counts and who is trained
//
// Status counts everyone on the register who has started (no start date,
// or one on or before today) and has not left (no leaving date, or one
// after today), whatever their role: the DSPT counts staff, directors,
// trustees and volunteers alike. A person is trained when their most
// recent completion, from any source (imported, entered by hand or a
// passed Handwash quiz), is within the last twelve months: training
// completed on 30 November 2025 counts up to and including 29 November
// 2026 and lapses on 30 November 2026. Days are UK days (Europe/London).
package training
