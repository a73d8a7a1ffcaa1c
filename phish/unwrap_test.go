package phish

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// The reports below are written as Outlook, Gmail, Apple Mail and
// Thunderbird write them, with the headers a member of staff's forward to
// a "report phishing" mailbox would have.

// crlf turns a message written with \n line ends into one with \r\n, as
// mail is sent.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))
}

// qpEncode encodes text as quoted-printable, as Outlook and Gmail send
// their text parts.
func qpEncode(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.String()
}

// b64Lines encodes data as base64 in 76-character lines.
func b64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	return b.String() + enc + "\r\n"
}

// outlookHeader is the top of a report sent from Outlook on Microsoft 365.
const outlookHeader = `Received: from AM9PR01MB7393.eurprd01.prod.outlook.com (2603:10a6:20b:2e1::18) by DB9PR01MB9412.eurprd01.prod.outlook.com with HTTPS; Tue, 4 Mar 2025 10:15:02 +0000
From: Sam Carer <sam.carer@rosecourt.example>
To: Report Phishing <phishing@handwash.example>
Subject: FW: Your mailbox is almost full
Thread-Topic: Your mailbox is almost full
Thread-Index: AQHbjNvGzL3m9QxXnE2eW4r8Lk1wTg==
Date: Tue, 4 Mar 2025 10:15:00 +0000
Message-ID: <AM9PR01MB7393C1A5E0F0B3D1E1F2A3B4C5@AM9PR01MB7393.eurprd01.prod.outlook.com>
Accept-Language: en-GB, en-US
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
MIME-Version: 1.0
`

// suspect is a phishing message as it arrived, used inside attached
// reports.
const suspect = `Received: from mail.m365-mailbox.example (mail.m365-mailbox.example [203.0.113.9]) by mx.rosecourt.example; Tue, 4 Mar 2025 09:58:12 +0000
Authentication-Results: mx.rosecourt.example; spf=fail smtp.mailfrom=m365-mailbox.example; dkim=none; dmarc=none
From: Microsoft 365 <alerts@m365-mailbox.example>
To: Office <office@rosecourt.example>
Subject: Your mailbox is almost full
Date: Tue, 4 Mar 2025 09:58:00 +0000
Message-ID: <20250304095800.1234@m365-mailbox.example>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><body><p>Your mailbox is 99% full.</p><p><a href="https://m365-mailbox.example/upgrade">Upgrade storage now</a></p></body></html>
`

// attachReport is a report with msg attached, as Outlook's and Gmail's
// "Forward as attachment" send it, given the attachment's part header and
// its (already encoded) content.
func attachReport(partHeader, content string) []byte {
	top := crlf(outlookHeader + `Content-Type: multipart/mixed; boundary="_004_AM9PR01MB7393C1A5E0F0B3D1E1F2_"

--_004_AM9PR01MB7393C1A5E0F0B3D1E1F2_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

Hi, this came to the office inbox this morning. Is it real?

Sam

--_004_AM9PR01MB7393C1A5E0F0B3D1E1F2_
` + partHeader + "\n\n")
	// The content goes in as it is, so that tests can check it comes out
	// byte for byte.
	return slices.Concat(top, []byte(content), crlf("\n--_004_AM9PR01MB7393C1A5E0F0B3D1E1F2_--\n"))
}

const rfc822Part = `Content-Type: message/rfc822
Content-Disposition: attachment;
	creation-date="Tue, 04 Mar 2025 10:14:58 GMT";
	modification-date="Tue, 04 Mar 2025 10:14:58 GMT"`

// outlookPlain is Outlook on the web's plain-text forward.
const outlookPlain = `Is this real? It came to the office inbox.

Sam

________________________________
From: Microsoft 365 <alerts@m365-mailbox.example>
Sent: 04 March 2025 09:58
To: Office <office@rosecourt.example>
Subject: Your mailbox is almost full

Your mailbox is 99% full. Upgrade your storage now:
https://m365-mailbox.example/upgrade

Microsoft 365 Team
`

// outlookDesktop is Outlook for Windows' forward: a plain-text part with
// the header lines below a blank line, and an HTML part with them in a
// bordered box.
var outlookDesktop = outlookHeader + `Content-Type: multipart/alternative;
	boundary="_000_AM9PR01MB7393C1A5E0F0B3D1E1F2_"

--_000_AM9PR01MB7393C1A5E0F0B3D1E1F2_
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

` + qpEncode(`Is this real? It came to the office inbox.

Sam

From: Microsoft 365 <alerts@m365-mailbox.example>
Sent: 04 March 2025 09:58
To: Office <office@rosecourt.example>
Subject: Your mailbox is almost full

Your mailbox is 99% full.

Upgrade storage now<https://m365-mailbox.example/upgrade>
`) + `
--_000_AM9PR01MB7393C1A5E0F0B3D1E1F2_
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: quoted-printable

` + qpEncode(`<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=us-ascii">
<style><!--
p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}
--></style>
</head>
<body lang="EN-GB" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
<p class="MsoNormal">Is this real? It came to the office inbox.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal">Sam<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">
<p class="MsoNormal"><b><span lang="EN-US">From:</span></b><span lang="EN-US"> Microsoft 365 &lt;alerts@m365-mailbox.example&gt;
<br>
<b>Sent:</b> 04 March 2025 09:58<br>
<b>To:</b> Office &lt;office@rosecourt.example&gt;<br>
<b>Subject:</b> Your mailbox is almost full<o:p></o:p></span></p>
</div>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p>Your mailbox is 99% full.</p>
<p><a href="https://m365-mailbox.example/upgrade">Upgrade storage now</a></p>
</div>
</body>
</html>
`) + `
--_000_AM9PR01MB7393C1A5E0F0B3D1E1F2_--
`

// outlookWebHTML is new Outlook's forward, sent as HTML only.
var outlookWebHTML = outlookHeader + `Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

` + qpEncode(`<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>
</head>
<body dir="ltr">
<div class="elementToProof" style="font-family: Aptos, sans-serif; font-size: 12pt;">
Is this real?</div>
<div id="appendonsend"></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> Microsoft 365 &lt;alerts@m365-mailbox.example&gt;<br>
<b>Sent:</b> Tuesday, March 4, 2025 9:58 AM<br>
<b>To:</b> Office &lt;office@rosecourt.example&gt;<br>
<b>Subject:</b> Your mailbox is almost full</font>
<div>&nbsp;</div>
</div>
<p>Your mailbox is 99% full.</p>
<p><a href="https://m365-mailbox.example/upgrade">Upgrade storage now</a></p>
</body>
</html>
`)

// gmailReport is Gmail's forward, with both parts.
var gmailReport = `Received: by mail-ed1-f41.google.com with SMTP id 4fb4d7f45d1cf-5e4ad1d67c9so1234567a12.0 for <phishing@handwash.example>; Tue, 04 Mar 2025 02:03:41 -0800 (PST)
MIME-Version: 1.0
References: <CAH8yC8m1=refund@mail.hmrc-tax-refund.example>
In-Reply-To: <CAH8yC8m1=refund@mail.hmrc-tax-refund.example>
From: Pat Manager <pat.rosecourt@gmail.com>
Date: Tue, 4 Mar 2025 10:03:29 +0000
Message-ID: <CAJ7Kx2Q+gmail=fwd@mail.gmail.com>
Subject: =?UTF-8?Q?Fwd=3A_You_are_due_a_tax_refund_of_=C2=A3264=2E18?=
To: phishing@handwash.example
Content-Type: multipart/alternative; boundary="000000000000a1b2c3062f7d1e2f"

--000000000000a1b2c3062f7d1e2f
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

` + qpEncode(`Got this today, looks dodgy?

---------- Forwarded message ---------
From: HMRC <refunds@hmrc-tax-refund.example>
Date: Tue, 4 Mar 2025 at 09:41
Subject: You are due a tax refund of £264.18
To: <manager@rosecourt.example>


Dear Customer,

You are due a tax refund. Claim it here: https://hmrc-tax-refund.example/claim

HM Revenue & Customs
`) + `
--000000000000a1b2c3062f7d1e2f
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

` + qpEncode(`<div dir="ltr">Got this today, looks dodgy?<br><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">HMRC</strong> <span dir="auto">&lt;<a href="mailto:refunds@hmrc-tax-refund.example">refunds@hmrc-tax-refund.example</a>&gt;</span><br>Date: Tue, 4 Mar 2025 at 09:41<br>Subject: You are due a tax refund of £264.18<br>To:  &lt;<a href="mailto:manager@rosecourt.example">manager@rosecourt.example</a>&gt;<br></div><br><br><div>Dear Customer,<br><br>You are due a tax refund. <a href="https://hmrc-tax-refund.example/claim">Claim it here</a><br><br>HM Revenue &amp; Customs</div>
</div></div>
`) + `
--000000000000a1b2c3062f7d1e2f--
`

// appleIPhone is an iPhone's forward: the "Begin forwarded message:" line
// plain and the header lines below it quoted.
var appleIPhone = `From: Pat Manager <pat.manager@rosecourt.example>
Content-Type: multipart/alternative; boundary=Apple-Mail-7C9E1F2A-3B4D-4E5F-8A9B-0C1D2E3F4A5B
Content-Transfer-Encoding: 7bit
Mime-Version: 1.0 (1.0)
Date: Tue, 4 Mar 2025 09:20:31 +0000
Subject: Fwd: Your parcel could not be delivered
Message-Id: <5B1C6E2A-4D3F-4A8B-9C7D-1E2F3A4B5C6D@rosecourt.example>
To: phishing@handwash.example
X-Mailer: iPhone Mail (22D82)


--Apple-Mail-7C9E1F2A-3B4D-4E5F-8A9B-0C1D2E3F4A5B
Content-Type: text/plain;
	charset=utf-8
Content-Transfer-Encoding: quoted-printable

` + qpEncode(`Is this one genuine?

Sent from my iPhone

Begin forwarded message:

> From: DPD <notifications@dpd-redelivery.example>
> Date: 4 March 2025 at 09:12:44 GMT
> To: manager@rosecourt.example
> Subject: Your parcel could not be delivered
> Reply-To: support@dpd-help.example
>
> We could not deliver your parcel today. Pay the £1.45 redelivery fee:
> https://dpd-redelivery.example/pay
`) + `
--Apple-Mail-7C9E1F2A-3B4D-4E5F-8A9B-0C1D2E3F4A5B
Content-Type: text/html;
	charset=utf-8
Content-Transfer-Encoding: quoted-printable

` + qpEncode(`<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">Is this one genuine?<br><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br><blockquote type="cite">Begin forwarded message:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr"><b>From:</b> DPD &lt;notifications@dpd-redelivery.example&gt;<br><b>Date:</b> 4 March 2025 at 09:12:44 GMT<br><b>To:</b> manager@rosecourt.example<br><b>Subject:</b> Your parcel could not be delivered<br><b>Reply-To:</b> support@dpd-help.example<br></div></blockquote><blockquote type="cite"><div dir="ltr"><p>We could not deliver your parcel today.</p><p><a href="https://dpd-redelivery.example/pay">Pay the £1.45 redelivery fee</a></p></div></blockquote></body></html>`) + `
--Apple-Mail-7C9E1F2A-3B4D-4E5F-8A9B-0C1D2E3F4A5B--
`

// appleMac is Apple Mail on a Mac, plain text only, quoting the whole
// forwarded message.
const appleMac = `From: Pat Manager <pat.manager@rosecourt.example>
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
Mime-Version: 1.0 (Mac OS X Mail 16.0 \(3826.400.131.1.6\))
Subject: Fwd: Your parcel could not be delivered
Message-Id: <9A8B7C6D-5E4F-4A3B-2C1D-0E9F8A7B6C5D@rosecourt.example>
Date: Tue, 4 Mar 2025 09:21:02 +0000
To: phishing@handwash.example
X-Mailer: Apple Mail (2.3826.400.131.1.6)

Another one.

> Begin forwarded message:
>
> From: DPD <notifications@dpd-redelivery.example>
> Subject: Your parcel could not be delivered
> Date: 4 March 2025 at 09:12:44 GMT
> To: manager@rosecourt.example
>
> We could not deliver your parcel today. Pay the redelivery fee:
> https://dpd-redelivery.example/pay
>
`

// thunderbirdReport is Thunderbird's forward, with its table of header
// lines in the HTML part.
var thunderbirdReport = `Message-ID: <b3c1d2e4-5f6a-4b7c-8d9e-0f1a2b3c4d5e@rosecourt.example>
Date: Tue, 4 Mar 2025 09:30:12 +0000
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: en-GB
To: phishing@handwash.example
From: Alex Finance <finance@rosecourt.example>
Subject: Fwd: Invoice INV-20931 overdue
Content-Type: multipart/alternative;
 boundary="------------8FYjQ2bZxG1kq0T3vWnR7sLm"

This is a multi-part message in MIME format.
--------------8FYjQ2bZxG1kq0T3vWnR7sLm
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit

Please check this one, the bank details look different.


-------- Forwarded Message --------
Subject: 	Invoice INV-20931 overdue
Date: 	Tue, 4 Mar 2025 08:03:11 +0000
From: 	Accounts <accounts@care-supplies-ltd.example>
Reply-To: 	payments@securepay-invoices.example
To: 	finance@rosecourt.example



Hello,

Invoice INV-20931 is now overdue. Please note our bank details have
changed; pay to the new account today to avoid a late fee.

Accounts Team

--------------8FYjQ2bZxG1kq0T3vWnR7sLm
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: 7bit

<!DOCTYPE html>
<html>
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
  </head>
  <body>
    <p>Please check this one, the bank details look different.</p>
    <div class="moz-forward-container"><br>
      <br>
      -------- Forwarded Message --------
      <table class="moz-email-headers-table" cellspacing="0" cellpadding="0" border="0">
        <tbody>
          <tr>
            <th valign="BASELINE" nowrap="nowrap" align="RIGHT">Subject:
            </th>
            <td>Invoice INV-20931 overdue</td>
          </tr>
          <tr>
            <th valign="BASELINE" nowrap="nowrap" align="RIGHT">Date: </th>
            <td>Tue, 4 Mar 2025 08:03:11 +0000</td>
          </tr>
          <tr>
            <th valign="BASELINE" nowrap="nowrap" align="RIGHT">From: </th>
            <td>Accounts <a class="moz-txt-link-rfc2396E" href="mailto:accounts@care-supplies-ltd.example">&lt;accounts@care-supplies-ltd.example&gt;</a></td>
          </tr>
          <tr>
            <th valign="BASELINE" nowrap="nowrap" align="RIGHT">Reply-To:
            </th>
            <td><a class="moz-txt-link-abbreviated" href="mailto:payments@securepay-invoices.example">payments@securepay-invoices.example</a></td>
          </tr>
          <tr>
            <th valign="BASELINE" nowrap="nowrap" align="RIGHT">To: </th>
            <td><a class="moz-txt-link-abbreviated" href="mailto:finance@rosecourt.example">finance@rosecourt.example</a></td>
          </tr>
        </tbody>
      </table>
      <br>
      <br>
      <p>Hello,</p>
      <p>Invoice INV-20931 is now overdue. Please note our bank details have changed; pay to the new account today to avoid a late fee.</p>
      <p>Accounts Team</p>
    </div>
  </body>
</html>
--------------8FYjQ2bZxG1kq0T3vWnR7sLm--
`

// originalMessage is older Outlook's forward, with its "-----Original
// Message-----" line.
const originalMessage = `From: Alex Finance <finance@rosecourt.example>
To: phishing@handwash.example
Subject: FW: Unusual sign-in to your account
Date: Tue, 4 Mar 2025 08:01:00 +0000
Message-ID: <000001db8cf0$1a2b3c40$4e5f6a70$@rosecourt.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit
X-Mailer: Microsoft Outlook 16.0

Fraud?

-----Original Message-----
From: Barclays Security [mailto:security@barclays-alerts.example] 
Sent: 04 March 2025 07:30
To: finance@rosecourt.example
Subject: Unusual sign-in to your account

We detected an unusual sign-in to your business account. Verify your
identity within 24 hours: https://barclays-alerts.example/verify
`

// gmailReply is an ordinary reply quoting the message it answers, which
// is no forward.
const gmailReply = `From: Jo Bloggs <jo@supplier.example>
To: Pat Manager <manager@rosecourt.example>
Subject: Re: Delivery on Thursday
Date: Tue, 4 Mar 2025 10:30:00 +0000
Message-ID: <CAJo+reply@mail.gmail.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

Thursday is fine, see you then.

On Tue, 4 Mar 2025 at 10:00, Pat Manager <manager@rosecourt.example> wrote:
> Can you deliver on Thursday?
>
> From: the kitchen
> Subject: order
> Date: Monday
`

// outlookReply is Outlook's reply: the same header lines as a forward, but
// the subject shows it is a reply.
const outlookReply = `From: Jo Bloggs <jo@supplier.example>
To: Pat Manager <manager@rosecourt.example>
Subject: RE: Delivery on Thursday
Date: Tue, 4 Mar 2025 10:30:00 +0000
Message-ID: <DB9PR01MB1234@supplier.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

Thursday is fine, see you then.

________________________________
From: Pat Manager <manager@rosecourt.example>
Sent: 04 March 2025 10:00
To: Jo Bloggs <jo@supplier.example>
Subject: Delivery on Thursday

Can you deliver on Thursday?
`

// redirected is a suspect message a mail rule sent on to the reporting
// mailbox, adding Resent- lines.
const redirected = `Resent-From: Rose Court Mail Rule <it@rosecourt.example>
Resent-Date: Tue, 4 Mar 2025 10:00:07 +0000
Resent-To: phishing@handwash.example
Received: from mail.m365-mailbox.example (mail.m365-mailbox.example [203.0.113.9]) by mx.rosecourt.example; Tue, 4 Mar 2025 09:58:12 +0000
From: Microsoft 365 <alerts@m365-mailbox.example>
To: Office <office@rosecourt.example>
Subject: Your mailbox is almost full
Date: Tue, 4 Mar 2025 09:58:00 +0000
Message-ID: <20250304095800.1234@m365-mailbox.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Your mailbox is 99% full: https://m365-mailbox.example/upgrade
`

// innerMessage returns a small suspect message with the given subject.
func innerMessage(subject, body string) string {
	return "From: Sender <sender@phish.example>\nTo: office@rosecourt.example\nSubject: " + subject +
		"\nDate: Tue, 4 Mar 2025 09:00:00 +0000\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@phish.example>\nMIME-Version: 1.0\n" + body
}

// twoAttached is a report with two attached messages.
var twoAttached = outlookHeader + `Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

Two of them today.

--b1
Content-Type: message/rfc822; name="First one.eml"
Content-Disposition: attachment; filename="First one.eml"

` + innerMessage("First one", "Content-Type: text/plain\n\nfirst\n") + `
--b1
Content-Type: message/rfc822; name="Second one.eml"
Content-Disposition: attachment; filename="Second one.eml"

` + innerMessage("Second one", "Content-Type: text/plain\n\nsecond\n") + `
--b1--
`

// nestedInner is an attached message that itself has a message attached.
var nestedInner = innerMessage("Outer suspect", `Content-Type: multipart/mixed; boundary="b2"

--b2
Content-Type: text/plain

See the attached.

--b2
Content-Type: message/rfc822

`+innerMessage("Inner message", "Content-Type: text/plain\n\ninner\n")+`
--b2--
`)

var nested = outlookHeader + `Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

Forwarding as attachment.

--b1
Content-Type: message/rfc822

` + nestedInner + `
--b1--
`

func TestUnwrap(t *testing.T) {
	for _, c := range []struct {
		name     string
		raw      []byte
		carried  Carried
		reporter string // "" for nil
		subject  string // of the report
		id       string // of the report
		note     string
		from     string // the suspect message's From address
		fromName string
		suspSubj string
		replyTo  string
		html     bool   // the suspect message's body is HTML
		body     string // in the suspect message's text
		notBody  string // not in the suspect message's text
		link     string // a link in the suspect message
	}{
		{
			name: "attached message/rfc822, 7bit", raw: attachReport(rfc822Part, string(crlf(suspect))),
			carried: CarriedAttached, reporter: "sam.carer@rosecourt.example", subject: "FW: Your mailbox is almost full",
			id:   "AM9PR01MB7393C1A5E0F0B3D1E1F2A3B4C5@AM9PR01MB7393.eurprd01.prod.outlook.com",
			note: "Hi, this came to the office inbox this morning. Is it real?\n\nSam",
			from: "alerts@m365-mailbox.example", suspSubj: "Your mailbox is almost full", link: "https://m365-mailbox.example/upgrade",
		},
		{
			name: "attached message/rfc822, base64", raw: attachReport(rfc822Part+"\nContent-Transfer-Encoding: base64", b64Lines(crlf(suspect))),
			carried: CarriedAttached, reporter: "sam.carer@rosecourt.example",
			note: "Hi, this came to the office inbox this morning. Is it real?\n\nSam",
			from: "alerts@m365-mailbox.example", suspSubj: "Your mailbox is almost full", link: "https://m365-mailbox.example/upgrade",
		},
		{
			name: ".eml file sent as application/octet-stream",
			raw: attachReport("Content-Type: application/octet-stream; name=\"Your mailbox is almost full.eml\"\nContent-Disposition: attachment; filename=\"Your mailbox is almost full.eml\"\nContent-Transfer-Encoding: base64",
				b64Lines(crlf(suspect))),
			carried: CarriedAttached, reporter: "sam.carer@rosecourt.example",
			from: "alerts@m365-mailbox.example", suspSubj: "Your mailbox is almost full",
		},
		{
			name: "a file named .eml that holds no message is not taken",
			raw: attachReport("Content-Type: application/octet-stream; name=\"notes.eml\"\nContent-Disposition: attachment; filename=\"notes.eml\"\nContent-Transfer-Encoding: base64",
				b64Lines([]byte("just some notes\nnothing more\n"))),
			carried: CarriedDirect,
		},
		{
			name: "Microsoft's Report Message button",
			raw: crlf(`From: Sam Carer <sam.carer@rosecourt.example>
To: phishing@handwash.example
Subject: Phish | Your mailbox is almost full
Date: Tue, 4 Mar 2025 10:16:00 +0000
Message-ID: <report-1@rosecourt.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="_002_report_"

--_002_report_
Content-Type: text/plain; charset="us-ascii"

This is a phishing report from Microsoft Outlook.

--_002_report_
Content-Type: message/rfc822
Content-Disposition: attachment; filename="Your mailbox is almost full.eml"

` + suspect + `
--_002_report_--
`),
			carried: CarriedAttached, reporter: "sam.carer@rosecourt.example", subject: "Phish | Your mailbox is almost full", id: "report-1@rosecourt.example",
			note: "This is a phishing report from Microsoft Outlook.",
			from: "alerts@m365-mailbox.example", suspSubj: "Your mailbox is almost full",
		},
		{
			name: "Outlook on the web, plain text", raw: crlf(outlookHeader + "Content-Type: text/plain; charset=\"us-ascii\"\n\n" + outlookPlain),
			carried: CarriedInline, reporter: "sam.carer@rosecourt.example", subject: "FW: Your mailbox is almost full",
			note: "Is this real? It came to the office inbox.\n\nSam",
			from: "alerts@m365-mailbox.example", fromName: "Microsoft 365", suspSubj: "Your mailbox is almost full",
			body: "Your mailbox is 99% full.", notBody: "Is this real?", link: "https://m365-mailbox.example/upgrade",
		},
		{
			name: "Outlook for Windows, plain text and HTML", raw: crlf(outlookDesktop),
			carried: CarriedInline, reporter: "sam.carer@rosecourt.example",
			note: "Is this real? It came to the office inbox.\n\nSam",
			from: "alerts@m365-mailbox.example", fromName: "Microsoft 365", suspSubj: "Your mailbox is almost full",
			html: true, body: "Your mailbox is 99% full.", notBody: "Sam", link: "https://m365-mailbox.example/upgrade",
		},
		{
			name: "new Outlook, HTML only", raw: crlf(outlookWebHTML),
			carried: CarriedInline, reporter: "sam.carer@rosecourt.example", note: "Is this real?",
			from: "alerts@m365-mailbox.example", suspSubj: "Your mailbox is almost full",
			html: true, body: "Your mailbox is 99% full.", notBody: "Is this real?", link: "https://m365-mailbox.example/upgrade",
		},
		{
			name: "older Outlook's -----Original Message-----", raw: crlf(originalMessage),
			carried: CarriedInline, reporter: "finance@rosecourt.example", note: "Fraud?",
			from: "security@barclays-alerts.example", fromName: "Barclays Security", suspSubj: "Unusual sign-in to your account",
			body: "We detected an unusual sign-in", notBody: "Fraud?", link: "https://barclays-alerts.example/verify",
		},
		{
			name: "Gmail", raw: crlf(gmailReport),
			carried: CarriedInline, reporter: "pat.rosecourt@gmail.com", subject: "Fwd: You are due a tax refund of £264.18", id: "CAJ7Kx2Q+gmail=fwd@mail.gmail.com",
			note: "Got this today, looks dodgy?",
			from: "refunds@hmrc-tax-refund.example", fromName: "HMRC", suspSubj: "You are due a tax refund of £264.18",
			html: true, body: "You are due a tax refund.", notBody: "dodgy", link: "https://hmrc-tax-refund.example/claim",
		},
		{
			name: "Apple Mail on an iPhone", raw: crlf(appleIPhone),
			carried: CarriedInline, reporter: "pat.manager@rosecourt.example", subject: "Fwd: Your parcel could not be delivered",
			note: "Is this one genuine?\n\nSent from my iPhone",
			from: "notifications@dpd-redelivery.example", fromName: "DPD", suspSubj: "Your parcel could not be delivered", replyTo: "support@dpd-help.example",
			html: true, body: "We could not deliver your parcel today.", notBody: "genuine", link: "https://dpd-redelivery.example/pay",
		},
		{
			name: "Apple Mail on a Mac", raw: crlf(appleMac),
			carried: CarriedInline, reporter: "pat.manager@rosecourt.example", note: "Another one.",
			from: "notifications@dpd-redelivery.example", suspSubj: "Your parcel could not be delivered",
			body: "We could not deliver your parcel today.", notBody: ">", link: "https://dpd-redelivery.example/pay",
		},
		{
			name: "Thunderbird", raw: crlf(thunderbirdReport),
			carried: CarriedInline, reporter: "finance@rosecourt.example", subject: "Fwd: Invoice INV-20931 overdue",
			note: "Please check this one, the bank details look different.",
			from: "accounts@care-supplies-ltd.example", fromName: "Accounts", suspSubj: "Invoice INV-20931 overdue", replyTo: "payments@securepay-invoices.example",
			html: true, body: "our bank details have changed", notBody: "look different",
		},
		{
			name: "a reply quoting with On ... wrote: is the message itself", raw: crlf(gmailReply),
			carried: CarriedDirect, subject: "Re: Delivery on Thursday", id: "CAJo+reply@mail.gmail.com",
			from: "jo@supplier.example", suspSubj: "Re: Delivery on Thursday",
		},
		{
			name: "an Outlook reply is the message itself", raw: crlf(outlookReply),
			carried: CarriedDirect, from: "jo@supplier.example", suspSubj: "RE: Delivery on Thursday",
		},
		{
			name: "redirected by a mail rule", raw: crlf(redirected),
			carried: CarriedDirect, reporter: "it@rosecourt.example", subject: "Your mailbox is almost full",
			from: "alerts@m365-mailbox.example", suspSubj: "Your mailbox is almost full",
		},
		{
			name: "two attached messages: the first is taken", raw: crlf(twoAttached),
			carried: CarriedAttached, reporter: "sam.carer@rosecourt.example", note: "Two of them today.",
			from: "sender@phish.example", suspSubj: "First one", body: "first", notBody: "second",
		},
		{
			name: "a forward of a forward: only the outer message", raw: crlf(nested),
			carried: CarriedAttached, reporter: "sam.carer@rosecourt.example", note: "Forwarding as attachment.",
			from: "sender@phish.example", suspSubj: "Outer suspect", body: "See the attached.", notBody: "inner",
		},
		{
			name: "broken From header", raw: crlf(strings.Replace(outlookHeader, "From: Sam Carer <sam.carer@rosecourt.example>", "From: Sam Carer <<sam.carer@", 1) +
				"Content-Type: text/plain\n\n" + outlookPlain),
			carried: CarriedInline, from: "alerts@m365-mailbox.example",
		},
		{
			name: "delivery report from a mail server", raw: crlf(`From: Mail Delivery System <MAILER-DAEMON@mx.rosecourt.example>
To: phishing@handwash.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

Your message could not be delivered.

--dsn
Content-Type: message/rfc822

` + suspect + `
--dsn--
`),
			carried: CarriedDirect, from: "MAILER-DAEMON@mx.rosecourt.example",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Unwrap(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if r.Carried != c.carried {
				t.Fatalf("carried %q, want %q", r.Carried, c.carried)
			}
			checkReported(t, r, c.reporter, c.note)
			if c.subject != "" && r.Subject != c.subject {
				t.Errorf("subject %q, want %q", r.Subject, c.subject)
			}
			if c.id != "" && r.MessageID != c.id {
				t.Errorf("message ID %q, want %q", r.MessageID, c.id)
			}
			if (r.Limits != "") != (c.carried == CarriedInline) {
				t.Errorf("limits %q for a %s message", r.Limits, r.Carried)
			}
			if c.carried == CarriedDirect && !bytes.Equal(r.Message, c.raw) {
				t.Errorf("a direct report must be returned as it is")
			}
			m := parseMessage(r.Message)
			if len(m.problems) > 0 {
				t.Errorf("the unwrapped message has problems: %q\n%s", m.problems, r.Message)
			}
			checkSuspect(t, m, c.from, c.fromName, c.suspSubj, c.replyTo)
			checkBody(t, m, c.html, c.body, c.notBody, c.link)
		})
	}
}

func checkReported(t *testing.T, r *Reported, reporter, note string) {
	t.Helper()
	switch {
	case reporter == "" && r.Reporter != nil:
		t.Errorf("reporter %v, want none", r.Reporter)
	case reporter != "" && (r.Reporter == nil || r.Reporter.Address != reporter):
		t.Errorf("reporter %v, want %s", r.Reporter, reporter)
	}
	if note != "" && r.Note != note {
		t.Errorf("note %q, want %q", r.Note, note)
	}
	if r.Carried == CarriedDirect && r.Note != "" {
		t.Errorf("a direct report has note %q", r.Note)
	}
}

func checkSuspect(t *testing.T, m *message, from, name, subject, replyTo string) {
	t.Helper()
	if from != "" && (m.from == nil || m.from.Address != from) {
		t.Errorf("suspect from %v (%q), want %s", m.from, m.fromRaw, from)
	}
	if name != "" && m.from != nil && m.from.Name != name {
		t.Errorf("suspect from name %q, want %q", m.from.Name, name)
	}
	if subject != "" && m.subject != subject {
		t.Errorf("suspect subject %q, want %q", m.subject, subject)
	}
	if replyTo != "" && !strings.Contains(m.header.Get("Reply-To"), replyTo) {
		t.Errorf("suspect Reply-To %q, want %s", m.header.Get("Reply-To"), replyTo)
	}
}

func checkBody(t *testing.T, m *message, isHTML bool, body, notBody, href string) {
	t.Helper()
	text := m.text.String()
	if body != "" && !strings.Contains(collapseSpace(text), body) {
		t.Errorf("suspect text %q does not contain %q", text, body)
	}
	if notBody != "" && strings.Contains(text, notBody) {
		t.Errorf("suspect text %q contains the report's %q", text, notBody)
	}
	if isHTML && (m.env == nil || m.env.HTML == "") {
		t.Errorf("the suspect message's HTML was not kept")
	}
	if href != "" && !slices.ContainsFunc(m.links, func(l link) bool { return l.href == href }) {
		t.Errorf("links %+v, want %s", m.links, href)
	}
}

// TestUnwrapHTMLLinkText checks that the HTML kept for a forward in the
// body shows the same link text as the original, which the plain text
// loses.
func TestUnwrapHTMLLinkText(t *testing.T) {
	r, err := Unwrap(crlf(gmailReport))
	if err != nil {
		t.Fatal(err)
	}
	m := parseMessage(r.Message)
	if !slices.ContainsFunc(m.links, func(l link) bool { return l.text == "Claim it here" && l.inHTML }) {
		t.Errorf("links %+v, want the HTML link", m.links)
	}
	if strings.Contains(m.env.HTML, "gmail_attr") {
		t.Errorf("the forwarded header lines were kept in the HTML: %s", m.env.HTML)
	}
}

// TestUnwrapInlineKeepsAttachments checks that files forwarded with a
// message in the body are checked with it.
func TestUnwrapInlineKeepsAttachments(t *testing.T) {
	raw := crlf(outlookHeader + `Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: text/plain; charset="us-ascii"

` + outlookPlain + `
--m
Content-Type: application/zip; name="Invoice.zip"
Content-Disposition: attachment; filename="Invoice.zip"
Content-Transfer-Encoding: base64

UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==
--m--
`)
	r, err := Unwrap(raw)
	if err != nil {
		t.Fatal(err)
	}
	m := parseMessage(r.Message)
	if r.Carried != CarriedInline || len(m.attachments) != 1 || m.attachments[0].name != "Invoice.zip" {
		t.Fatalf("carried %s, attachments %+v, want Invoice.zip\n%s", r.Carried, m.attachments, r.Message)
	}
	if !strings.Contains(m.text.String(), "99% full") {
		t.Errorf("text %q lost", m.text.String())
	}
}

// TestUnwrapExact checks that an attached message comes back byte for byte
// as it was sent, however it was attached, and that Analyse then says the
// same of it as of the message itself, DKIM results included.
func TestUnwrapExact(t *testing.T) {
	latin1 := "From: Caf\xe9 <cafe@phish.example>\r\nSubject: Pay \xa3100 today\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\nPay \xa3100 at https://pay.phish.example/\r\n"
	messages := map[string][]byte{"latin-1 message": []byte(latin1)}
	for _, name := range []string{"spamassassin/spam/phishing_openphish.eml", "spamassassin/spam/fromnamespoof/spoof1", "spamassassin/spam/dmarc/rejectko.eml", "dkimpy/rfc6376.signed.msg"} {
		raw, err := readFixture(name)
		if err != nil {
			t.Skipf("the shared email fixtures are not there: %v", err)
		}
		messages[name] = raw
	}
	opts := Options{}
	if key, err := readFixture("dkimpy/test.txt"); err == nil {
		opts.LookupTXT = txtLookup(map[string]string{"test._domainkey.football.example.com": strings.TrimSpace(string(key))})
	}
	wraps := map[string]func([]byte) []byte{
		"message/rfc822, 7bit": func(b []byte) []byte {
			return attachReport(rfc822Part, string(b))
		},
		"message/rfc822, base64": func(b []byte) []byte {
			return attachReport(rfc822Part+"\nContent-Transfer-Encoding: base64", b64Lines(b))
		},
		".eml as application/octet-stream, base64": func(b []byte) []byte {
			return attachReport("Content-Type: application/octet-stream; name=\"suspect.eml\"\nContent-Disposition: attachment; filename=\"suspect.eml\"\nContent-Transfer-Encoding: base64", b64Lines(b))
		},
		// Labelled as text, the MIME parser would convert the file to
		// UTF-8 from the character set given.
		".eml as text/plain, base64": func(b []byte) []byte {
			return attachReport("Content-Type: text/plain; charset=iso-8859-1; name=\"suspect.eml\"\nContent-Disposition: attachment; filename=\"suspect.eml\"\nContent-Transfer-Encoding: base64", b64Lines(b))
		},
		".eml as text/plain, quoted-printable": func(b []byte) []byte {
			return attachReport("Content-Type: text/plain; charset=windows-1252; name=\"suspect.eml\"\nContent-Disposition: attachment; filename=\"suspect.eml\"\nContent-Transfer-Encoding: quoted-printable", qpEncode(string(b)))
		},
	}
	for mname, orig := range messages {
		want := analyseT(t, orig, opts)
		for wname, wrap := range wraps {
			if strings.Contains(wname, "quoted-printable") && !bytes.Contains(orig, []byte("\r\n")) {
				// Quoted-printable sends line ends as \r\n, so only a
				// message written with them comes back the same.
				continue
			}
			t.Run(mname+" as "+wname, func(t *testing.T) {
				r, err := Unwrap(wrap(orig))
				if err != nil {
					t.Fatal(err)
				}
				if r.Carried != CarriedAttached {
					t.Fatalf("carried %s", r.Carried)
				}
				if !bytes.Equal(r.Message, orig) {
					t.Fatalf("the attached message changed:\n got %q\nwant %q", r.Message, orig)
				}
				got := analyseT(t, r.Message, opts)
				if got.Verdict != want.Verdict || got.Score != want.Score || !slices.Equal(signIDs(got), signIDs(want)) {
					t.Errorf("analysed unwrapped: %s %d %v; analysed directly: %s %d %v", got.Verdict, got.Score, signIDs(got), want.Verdict, want.Score, signIDs(want))
				}
				if !slices.Equal(got.DKIM, want.DKIM) {
					t.Errorf("DKIM unwrapped %+v, directly %+v", got.DKIM, want.DKIM)
				}
			})
		}
	}
}

func TestUnwrapNoteClipped(t *testing.T) {
	long := strings.Repeat("Is this £ real? ", 300) // 4,800 bytes, a £ every 16
	raw := crlf(outlookHeader + "Content-Type: text/plain; charset=utf-8\n\n" + long + "\n\n" + outlookPlain)
	r, err := Unwrap(raw)
	if err != nil {
		t.Fatal(err)
	}
	if r.Carried != CarriedInline {
		t.Fatalf("carried %s", r.Carried)
	}
	if len(r.Note) > maxNote || len(r.Note) < maxNote-20 || !utf8.ValidString(r.Note) || !strings.HasPrefix(long, r.Note) {
		t.Errorf("note is %d bytes, valid %v: %q", len(r.Note), utf8.ValidString(r.Note), r.Note)
	}
}

func TestUnwrapRefuses(t *testing.T) {
	deep := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n", maxMultipart+1)
	for _, c := range []struct {
		name string
		raw  []byte
		code string
		says string
	}{
		{"empty", nil, handwash.EINVALID, "the report is empty"},
		{"blank", []byte(" \r\n\r\n\t"), handwash.EINVALID, "the report is empty"},
		{"over the size limit", bytes.Repeat([]byte("a"), MaxMessageSize+1), handwash.ETOOLARGE, "the report is 25.0 MB, more than the 25.0 MB"},
		{"too deeply nested", []byte(deep), handwash.ETOOLARGE, "too many to check safely"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Unwrap(c.raw)
			if handwash.ErrorCode(err) != c.code || r != nil {
				t.Fatalf("got %v, %v; want a %s error", r, err, c.code)
			}
			if msg := handwash.ErrorMessage(err); !strings.Contains(msg, c.says) {
				t.Errorf("message %q does not say what is wrong", msg)
			}
		})
	}
}

// FuzzUnwrap feeds arbitrary bytes to Unwrap: it must never panic, and
// what it returns must be a message Analyse can take.
//
//	go test -run XXX -fuzz FuzzUnwrap -fuzztime 60s ./phish
func FuzzUnwrap(f *testing.F) {
	for _, s := range []string{outlookDesktop, gmailReport, appleIPhone, appleMac, thunderbirdReport, originalMessage, gmailReply, redirected, twoAttached, nested} {
		f.Add(crlf(s))
	}
	f.Add(attachReport(rfc822Part+"\nContent-Transfer-Encoding: base64", b64Lines(crlf(suspect))))
	f.Add(attachReport(rfc822Part, suspect))
	f.Add([]byte("From: a@b\n\n---------- Forwarded message ---------\nFrom: x\n"))
	f.Add([]byte("Content-Type: text/html\n\n<p>From: x<br>Sent: y<br>Subject: z</p>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Unwrap(raw)
		if err != nil {
			if handwash.ErrorCode(err) == handwash.EINTERNAL {
				t.Fatalf("internal error (a panic was recovered): %v", describe(err))
			}
			return
		}
		if len(r.Message) == 0 {
			t.Fatalf("empty message, carried %s", r.Carried)
		}
		switch r.Carried {
		case CarriedAttached, CarriedInline:
		case CarriedDirect:
			if !bytes.Equal(r.Message, raw) {
				t.Fatalf("a direct report changed")
			}
		default:
			t.Fatalf("carried %q", r.Carried)
		}
		if len(r.Note) > maxNote || !utf8.ValidString(r.Note) {
			t.Fatalf("note of %d bytes, valid UTF-8 %v", len(r.Note), utf8.ValidString(r.Note))
		}
		if _, err := Analyse(context.Background(), r.Message, Options{}); handwash.ErrorCode(err) == handwash.EINTERNAL {
			t.Fatalf("Analyse of the unwrapped message: %v", describe(err))
		}
	})
}
