// Package mdmimport reads the device exports of mobile device management
// services (MDMs), and phones and tablets entered by hand, and judges them:
// does each run a system that still gets security updates, have a passcode,
// can it be located, locked and wiped, and has it checked in lately?
//
// These are the NCSC's tips for smartphones and tablets (switch on
// password or PIN protection; make sure lost or stolen devices can be
// tracked, locked or wiped; keep devices up to date and replace those no
// longer supported) and what Cyber Essentials asks of every device that
// reaches an organisation's data.
//
// # Layouts
//
// Parse finds the layout from the header row. Column names are compared
// without regard to case, spaces or punctuation. A UTF-8 byte-order mark,
// UTF-16, Windows-1252, Excel's quoting, a semicolon or tab delimiter and
// an Excel "sep=" first line are accepted. The layouts, in the order they
// are tried:
//
// Microsoft Intune (source intune). Microsoft Intune admin centre
// (https://intune.microsoft.com) > Devices > All devices > Export, with
// "Include all inventory data" (or the selected columns, as long as they
// include those below). Intune downloads a ZIP file holding one CSV file:
// Parse takes either. Columns used: Device ID (the ExternalID; Serial
// number when it is empty), Device name, Primary user display name (or
// Primary user UPN, Primary user email address) as the owner,
// Manufacturer and Model, OS and OS version, Last check-in, Encrypted, and
// Managed by (Intune, co-managed or another MDM agent can wipe the device;
// EAS, Exchange ActiveSync alone, cannot). The export has no passcode
// column: Passcode stays nil. The column names are those of the export's
// full inventory (Device ID, Device name, Enrollment date, Last check-in,
// …, Primary user UPN, Primary user email address, Primary user display
// name, …, Compliance, Managed by, Ownership, Device state, Intune
// registered, Supervised, Encrypted, OS, …), as found in public
// repositories; the Graph report names (DeviceName, OSVersion,
// LastContact, UPN, DeviceId) of
// https://learn.microsoft.com/en-us/mem/intune/fundamentals/reports-export-graph-apis
// are read too.
//
// Jamf Pro (source jamf). Jamf Pro > Devices > Search Inventory (or an
// advanced mobile device search) > Export, as CSV. An advanced search
// exports the display fields chosen for it: choose at least Display Name,
// Serial Number, Model, iOS Version, Last Inventory Update, Passcode
// Status, Data Protection, Managed and Full Name (or Username). Columns
// used: JSS Mobile Device ID (or Mobile Device ID, ID; else Serial Number,
// UDID) as the ExternalID, Display Name, Full Name (or Username, Email
// Address) as the owner, Model and Model Identifier (iPads run iPadOS,
// everything else iOS; Apple TVs, watches and Macs are left out), iOS
// Version, Last Inventory Update, Passcode Status (Present or Not
// Present), Data Protection (Encrypted) and Managed. Last Inventory Update
// is a display field in Jamf's own API examples
// (https://developer.jamf.com/jamf-pro/v11.14.0/reference/createadvancedmobiledevicesearchbyid);
// the other names follow the mobile device inventory as Jamf Pro shows it
// and were not checked against a live server's export.
//
// Google endpoint management (source google). Google Admin console
// (https://admin.google.com) > Menu > Devices > Mobile & endpoints >
// Devices > Download (CSV). Columns used: Device ID (else Serial Number)
// as the ExternalID, Name (else Email) as the owner, Manufacturer and
// Model, OS ("iOS 17.6.1", "Android 14": the version is taken from it
// unless an OS version column is there), Type, Status (wiped devices are
// left out), Last Sync, Password status (Passcode), Encryption status
// (Encrypted) and Management type (advanced or custom management can wipe
// the device; basic management only removes the work account, and a
// Google Sync device is mail only). The column names are those of the
// Admin console's device list and of the Directory API's MobileDevice
// fields (deviceId, email, model, os, type, status, lastSync,
// devicePasswordStatus, encryptionStatus, serialNumber:
// https://developers.google.com/admin-sdk/directory/reference/rest/v1/mobiledevices);
// the exact header of a download was not checked against a live account.
//
// # Which rows are kept
//
// Only phones and tablets: rows whose OS is iOS, iPadOS ("iOS/iPadOS" in
// Intune, told apart by the model: iPads run iPadOS) or Android (any
// Intune Android mode: fully managed, work profile, dedicated, AOSP).
// Windows, macOS, Linux and ChromeOS rows, which Intune and Google exports
// also hold, are left out, and so are Apple TVs in Jamf. A file with no
// phone or tablet at all is an error: it is most likely the wrong export.
//
// # Values
//
// Yes/no columns accept True/False, Yes/No, Present/Not Present,
// Encrypted/Not encrypted, Managed/Unmanaged, Password set/Password not
// set and the like; an empty, "Unknown" or "Unsupported" value is nil
// (not known). Dates accept the exports' forms (2026-11-29 07:12:33.0000000,
// 2026-11-29T16:12:03.000Z, "Oct 2, 2026, 4:12:03 PM") and Excel's UK
// re-saving (29/11/2026 07:12); Intune's year-one placeholder is nil.
// Descriptive columns (Managed by, Management type, Status) are read as
// far as they are understood and are otherwise nil, not an error.
//
// # Errors and limits
//
// Parse returns all the devices or none: the store replaces an
// organisation's devices of a source as a whole. A bad value is reported
// with its line and its column as the file names it, for instance
// `line 4: "Last check-in" is "yesterday": expected a date …`. A file over
// MaxBytes or MaxRows, an empty file, a header with no rows, a device ID
// twice (both lines are named) and a header that matches no layout (the
// columns expected are listed) are errors too.
//
// ParseByHand validates one phone or tablet entered in a form; its errors
// start with the field's name.
package mdmimport
