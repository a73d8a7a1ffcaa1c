package phish

// signText is the fixed part of a sign: its title and why it matters. The
// rule that finds the sign adds a sentence on what it found in this
// message.
type signText struct {
	title string
	why   string
}

// catalogue holds every sign Analyse can report, by ID. The IDs are part
// of the JSON output and must not change; a test checks that every ID the
// rules use is here.
var catalogue = map[string]signText{
	"auth.dmarc-fail": {
		"The sender's domain does not vouch for this message",
		"Your mail service asked the owner of that address whether the message was really theirs, and the answer was no. This is how criminals are caught sending mail under a real organisation's address.",
	},
	"auth.spf-fail": {
		"Sent from a server the sender does not use",
		"Organisations publish a list of the servers allowed to send their mail. A message from a server not on the list may be someone else using their address.",
	},
	"auth.dkim-fail": {
		"The sender's digital signature does not match",
		"Most organisations sign their mail so that forgeries and changes can be spotted. A signature that does not match means the message was changed after it was sent, or was not signed by who it claims.",
	},
	"auth.unsigned-via-free-mail": {
		"The message's route does not add up",
		"The route recorded in the message may have been made up to look trustworthy, or the message was altered on the way.",
	},
	"sender.display-name-brand": {
		"The sender's name pretends to be a trusted organisation",
		"Criminals often pretend to be the NHS, a bank or a supplier to get staff to pay a fake invoice or give away a password. Anyone can type any name; only the address after the @ shows who really sent the message.",
	},
	"sender.display-name-own-org": {
		"The sender's name is your own organisation's",
		"A message that seems to come from inside your organisation is trusted more. Criminals put your organisation's or a manager's name in front of an outside address to ask for payments, gift cards or passwords.",
	},
	"sender.display-name-address": {
		"The sender's name is a different email address",
		"Many mail programs, especially on phones, show only the name, so staff see an address they trust while the message comes from somewhere else.",
	},
	"sender.lookalike-domain": {
		"A sender's address imitates a trusted one",
		"Criminals register addresses that pass a quick look, to borrow the trust you have in the real organisation. Read the address letter by letter.",
	},
	"sender.reply-to-differs": {
		"Replies would go to someone else",
		"If you reply, your answer goes to a different address from the one the message came from. Fraudsters do this so that the conversation about an invoice or new bank details happens with them, not the real sender.",
	},
	"sender.return-path-differs": {
		"The hidden sender address differs",
		"Every message has a hidden return address for bounced mail. Mailing services legitimately use their own, so on its own this means little, but it can show who really sent a message.",
	},
	"sender.free-mail": {
		"Sent from a free email account",
		"Anyone can open a free email account in a minute under any name. That is normal for friends and families, but banks, the NHS, regulators and suppliers' accounts teams write from their own organisation's address.",
	},
	"header.duplicate": {
		"The message's header lines are doubled",
		"Doubled header lines are made by hand-built messages, sometimes to show you one sender while checks look at another.",
	},
	"header.date-mismatch": {
		"The message's date does not fit when it arrived",
		"Mail is dated by the sender's computer when it is sent and arrives within minutes. A date far from the arrival time suggests a message made by a bulk-mailing tool or re-sent from an old one.",
	},
	"link.text-mismatch": {
		"A link shows one address but goes to another",
		"This is the commonest trick in phishing: what you see is not where you go. Hover over a link (or press and hold on a phone) to see the real address before you click.",
	},
	"link.lookalike-domain": {
		"A link goes to an address that imitates a trusted one",
		"Fake websites use addresses that pass a quick look and copy the real site's pages, to collect passwords and card details.",
	},
	"link.ip-address": {
		"A link goes to a bare internet address",
		"Real organisations link to named websites. A link to a string of numbers hides who runs the site, which is often a hacked or short-lived server.",
	},
	"link.userinfo": {
		"A link hides where it goes",
		"An address with an @ sign in it can start with a trusted name and still go somewhere else entirely.",
	},
	"link.shortener": {
		"A link hides its destination behind a short link",
		"Shortened links are handy on social media, but in an email they stop you seeing where a link really goes before you click.",
	},
	"link.redirect": {
		"A link goes through a forwarding service",
		"Criminals pass links through well-known sites that forward visitors onwards, so the link seems to go somewhere trusted.",
	},
	"link.unusual-tld": {
		"A link goes to a website with an unusual ending",
		"Some website endings are cheap and used mostly for short-lived scam sites; the organisations you deal with rarely use them.",
	},
	"link.sign-in-page": {
		"A link goes to a sign-in page on an unrelated website",
		"Phishing emails lead to copies of sign-in pages to collect passwords. Only sign in by typing the address of the service you know, or using its app.",
	},
	"link.fake-sign-in": {
		"A link goes to a fake sign-in page",
		"This is how criminals collect passwords for email, Microsoft 365 and bank accounts. Only sign in by typing the address of the service you know, or using its app.",
	},
	"link.compromised-site": {
		"A link goes deep into a website's program folders",
		"Criminals hide fake sign-in pages and malware inside websites they have broken into, often in the internal folders of WordPress sites, where genuine links in email rarely point.",
	},
	"link.script": {
		"A link runs code instead of opening a website",
		"Such links can show a fake page or run commands without going to any website you could check.",
	},
	"html.password-form": {
		"The message asks for a password",
		"Genuine organisations never ask for your password in an email. Whatever is typed into the message goes to whoever made it.",
	},
	"html.form": {
		"The message has boxes to fill in",
		"Genuine organisations send you to their website to fill in details; forms inside an email are a way to collect them without a website that could be checked or taken down.",
	},
	"attachment.executable": {
		"The attachment is a program",
		"Opening it would run it on your computer. This is how ransomware and other malware get in: do not open it, however it is named or described.",
	},
	"attachment.script": {
		"The attachment runs commands when opened",
		"Scripts and shortcuts run as soon as they are opened and are a common way to install ransomware. Real invoices and documents are never sent like this.",
	},
	"attachment.html": {
		"The attachment is a web page",
		"Attached web pages open in your browser and often show a copy of a sign-in page, to collect your password without a link that a filter could check.",
	},
	"attachment.disk-image": {
		"The attachment is a disk image",
		"Disk images (ISO, IMG, VHD) open like a USB stick and are used to slip programs past the warnings Windows shows for downloaded files.",
	},
	"attachment.macro": {
		"The attachment is an Office document with macros",
		"Macros are small programs inside documents; criminals use them to install malware when you click 'Enable content'. Do not enable macros in a document that came by email.",
	},
	"attachment.disguised": {
		"The attachment is not what its name says",
		"The name is chosen to look harmless, like an invoice or a PDF, while the file is something that runs.",
	},
	"attachment.encrypted-archive": {
		"The attachment is locked with a password",
		"Virus scanners cannot look inside locked archives, which is why criminals send malware this way, with the password in the message.",
	},
	"attachment.archive": {
		"The attachment is an archive that could not be checked",
		"Compressed archives can hide programs from filters and from you until they are opened.",
	},
	"attachment.pdf-active": {
		"The PDF contains code or hidden files",
		"Ordinary documents do not need this; it is used to run commands or drop malware when the PDF is opened.",
	},
	"language.urgency": {
		"The message presses you to act quickly",
		"Pressure to act now is meant to stop you thinking or checking. A real organisation will wait while you check with them.",
	},
	"language.payment-change": {
		"The message is about payments or bank details",
		"Fake requests to change a supplier's bank details are the costliest fraud against care providers. Always confirm new bank details by phoning the supplier on a number you already have.",
	},
	"language.credential-lure": {
		"The message asks you to sign in or confirm your account",
		"This is the usual way to lead staff to a fake sign-in page. If you are unsure, go to the service by typing its address yourself.",
	},
	"mime.malformed": {
		"The message is badly formed",
		"On its own this means little, but criminals' tools often produce messages like this.",
	},
}
