package phish

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/handwash/handwash"
)

// fuzzMaxSize keeps fuzz inputs small so that many run per second; the
// limit itself is part of what is checked.
const fuzzMaxSize = 256 << 10

// FuzzAnalyse feeds arbitrary bytes to Analyse: it must never panic, must
// refuse input over the size limit, and must return a report that is
// consistent, encodes as JSON and renders as text.
//
//	go test -fuzz FuzzAnalyse -fuzztime 30s ./phish
func FuzzAnalyse(f *testing.F) {
	f.Add(payrollScam())
	f.Add(build(plain, "See you Thursday"))
	f.Add([]byte("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<a href=3D\"http://192.0.2.1/\">=E2=80=8Bwww.nhs.uk</a><form><input type=3Dpassword>\r\n--y--\r\n--x\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==\r\n--x--\r\n"))
	f.Add([]byte("Subject: =?utf-8?q?=E2=80=AE?= =?bogus?x?y?=\r\nFrom: \"=?iso-2022-jp?b?GyRCJEgbKEI=?=\" <@>\r\nDKIM-Signature: v=1; a=rsa-sha256; bh=; l=-1\r\nAuthentication-Results: ; dmarc=fail (((\r\n\r\n"))
	for _, name := range []string{"spamassassin/spam/phishing_openphish.eml", "spamassassin/nice/mime9", "spamassassin/spam/badmime.txt", "spamassassin/spam/hashbl", "dkimpy/rfc6376.signed.msg"} {
		if raw, err := readFixture(name); err == nil {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Analyse(context.Background(), raw, Options{MaxSize: fuzzMaxSize})
		if len(raw) > fuzzMaxSize {
			if handwash.ErrorCode(err) != handwash.ETOOLARGE {
				t.Fatalf("%d bytes over a %d-byte limit: got %v", len(raw), fuzzMaxSize, err)
			}
			return
		}
		if err != nil {
			if code := handwash.ErrorCode(err); code == handwash.EINTERNAL {
				t.Fatalf("internal error (a panic was recovered): %v", describe(err))
			}
			return
		}
		score := 0
		for _, s := range r.Signs {
			score += s.Weight
			if s.ID == "" || s.Title == "" || s.Explanation == "" || s.Weight <= 0 {
				t.Fatalf("incomplete sign %+v", s)
			}
		}
		if score != r.Score {
			t.Fatalf("score %d, but signs add up to %d", r.Score, score)
		}
		want := VerdictNone
		switch {
		case score >= PhishingScore:
			want = VerdictPhishing
		case score >= SuspiciousScore:
			want = VerdictSuspicious
		}
		if r.Verdict != want {
			t.Fatalf("verdict %q for score %d, want %q", r.Verdict, score, want)
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("report does not encode as JSON: %v", err)
		}
		if err := WriteText(io.Discard, r); err != nil {
			t.Fatal(err)
		}
	})
}

// describe shows an error with its cause, which holds the recovered panic.
func describe(err error) string {
	var b bytes.Buffer
	b.WriteString(err.Error())
	if e, ok := err.(*handwash.Error); ok && e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}
