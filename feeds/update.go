package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
)

// Result is what happened to one feed.
type Result struct {
	Name string
	// Changed is true when new data was stored; false after "304 Not
	// Modified" (or a failure).
	Changed bool
	// Meta is what the cache holds for the feed now: the new data, the
	// same data checked again, or (after a failure) whatever it held
	// before.
	Meta Meta
	// Previous is what the cache held before, if anything.
	Previous *Meta
	// Err says why the feed could not be updated; the cache is as it was.
	Err error
}

// Update fetches each source and stores what changed (see the package
// documentation). One feed's failure does not stop the others; the error
// returned (CodeUnavailable, or the context's error) counts the failures
// and each Result says why its feed failed. A nil client means a default
// one with sensible timeouts.
func (c *Cache) Update(ctx context.Context, client *http.Client, sources []Source) ([]Result, error) {
	if err := c.mkdir(); err != nil {
		return nil, err
	}
	client = guarded(client)
	results := make([]Result, 0, len(sources))
	var failed []string
	var errs []error
	for _, s := range sources {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		r := c.updateOne(ctx, client, s)
		if r.Err != nil {
			failed = append(failed, s.Name)
			errs = append(errs, r.Err)
		}
		results = append(results, r)
	}
	if err := ctx.Err(); err != nil {
		return results, err
	}
	if len(failed) > 0 {
		return results, &handwash.Error{Code: CodeUnavailable, Err: errors.Join(errs...),
			Message: fmt.Sprintf("%d of %d feeds could not be updated (%s); whatever the cache held of them is kept", len(failed), len(sources), strings.Join(failed, ", "))}
	}
	return results, nil
}

// guarded returns a client that refuses redirects to anything but https
// (or loopback http), keeping the caller's own redirect policy.
func guarded(client *http.Client) *http.Client {
	var cl http.Client
	if client != nil {
		cl = *client
	} else {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = time.Minute
		t.TLSHandshakeTimeout = 30 * time.Second
		cl.Transport = t
	}
	orig := cl.CheckRedirect
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkURL(req.URL); err != nil {
			return fmt.Errorf("refused a redirect: %s", handwash.ErrorMessage(err))
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if orig != nil {
			return orig(req, via)
		}
		return nil
	}
	return &cl
}

func (c *Cache) userAgent() string {
	if c.UserAgent != "" {
		return c.UserAgent
	}
	return "handwash"
}

// progressor throttles progress reports to about one a second per stage.
func (c *Cache) progressor(name string) func(stage string, done, total int64) {
	if c.Progress == nil {
		return func(string, int64, int64) {}
	}
	var mu sync.Mutex
	var last time.Time
	var lastStage string
	return func(stage string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if stage == lastStage && now.Sub(last) < time.Second && (total == 0 || done < total) {
			return
		}
		last, lastStage = now, stage
		c.Progress(Progress{Name: name, Stage: stage, Done: done, Total: total})
	}
}

// updateOne updates one feed; its Result carries any error.
func (c *Cache) updateOne(ctx context.Context, client *http.Client, s Source) (res Result) {
	res.Name = s.Name
	name, err := ParseName(s.Name)
	if err != nil {
		res.Err = handwash.Errorf(handwash.EINVALID, "%q is not a feed name such as kev, eol or osv:Debian", clip(s.Name))
		return res
	}
	s.Name, res.Name = name, name
	kind, eco := splitName(s.Name)
	title := Title(s.Name)
	u, err := url.Parse(s.URL)
	if err == nil {
		err = CheckURL(s.URL)
	}
	if err != nil {
		res.Err = handwash.Errorf(handwash.EINVALID, "%s: the source %q cannot be used: %s", title, clip(s.URL), strings.TrimPrefix(handwash.ErrorMessage(err), "internal error: "))
		return res
	}
	unlock, err := c.lock(s.Name)
	if err != nil {
		res.Err = err
		return res
	}
	defer unlock()

	progress := c.progressor(s.Name)
	progress("checking", 0, 0)
	prev, perr := c.readMeta(s.Name)
	conditional := false
	if perr == nil {
		res.Previous = &prev
		res.Meta = prev
		// Ask "has it changed?" only when the file we hold is the one
		// the validators describe.
		conditional = !prev.Imported && prev.Source == s.URL && (prev.ETag != "" || prev.LastModified != "") && c.verify(prev) == nil
	}
	// fail says what went wrong, that the previous copy is kept, and what
	// to do; code is the error's.
	fail := func(code, what, todo string, cause error) Result {
		kept := "Nothing was stored."
		if res.Previous != nil {
			kept = fmt.Sprintf("The copy already in the cache (%s) is kept.", versionWords(prev))
		}
		res.Err = &handwash.Error{Code: code, Err: cause, Message: strings.TrimSpace(fmt.Sprintf("%s: %s %s %s", title, sentence(what), kept, todo))}
		return res
	}
	offline := fmt.Sprintf("Check that this computer can reach %s and try again, or download %s on a computer that can and use 'handwash feeds import FILE'.", u.Host, s.URL)

	ctx, cancel := context.WithTimeout(ctx, s.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return fail(handwash.EINVALID, "the source address cannot be used: "+err.Error(), "", err)
	}
	req.Header.Set("User-Agent", c.userAgent())
	if conditional {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		what := "the download failed: " + err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			what = fmt.Sprintf("the download took longer than %s", s.timeout())
		}
		return fail(CodeUnavailable, what, offline, err)
	}
	defer resp.Body.Close()
	now := c.now()
	switch {
	case resp.StatusCode == http.StatusNotModified && conditional:
		m := prev
		m.CheckedAt = now
		if et := resp.Header.Get("ETag"); et != "" {
			m.ETag = et
		}
		if err := c.writeMeta(m); err != nil {
			return fail(handwash.EINTERNAL, "the cache's record of it cannot be written: "+err.Error(), "", err)
		}
		c.keepIndex(m)
		res.Meta = m
		return res
	case resp.StatusCode == http.StatusNotModified:
		return fail(CodeUnavailable, fmt.Sprintf("%s answered 304 Not Modified when asked for the whole file", u.Host), offline, nil)
	case resp.StatusCode != http.StatusOK:
		return fail(CodeUnavailable, fmt.Sprintf("%s answered %s", u.Host, resp.Status), offline, nil)
	}
	limit := s.maxBytes()
	if resp.ContentLength > limit {
		return fail(handwash.ETOOLARGE, fmt.Sprintf("%s offered %s bytes, over the limit of %s", u.Host, Thousands64(resp.ContentLength), Thousands64(limit)), "This is not the file Handwash expects; check the source address.", nil)
	}

	progress("downloading", 0, resp.ContentLength)
	tmp, err := os.CreateTemp(c.dir, "."+dataFile(s.Name)+".download-*")
	if err != nil {
		return fail(handwash.EINVALID, fmt.Sprintf("cannot write in the feeds cache %s: %v", c.dir, err), "", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; removed on failure
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), &countingReader{r: io.LimitReader(resp.Body, limit+1), report: func(n int64) { progress("downloading", n, resp.ContentLength) }})
	if err != nil {
		tmp.Close()
		return fail(CodeUnavailable, "the download was cut short: "+err.Error(), offline, err)
	}
	if n > limit {
		tmp.Close()
		return fail(handwash.ETOOLARGE, fmt.Sprintf("the file from %s is over the limit of %s bytes", u.Host, Thousands64(limit)), "This is not the file Handwash expects; check the source address.", nil)
	}
	if err := finish(tmp); err != nil {
		return fail(handwash.EINVALID, fmt.Sprintf("cannot write in the feeds cache %s: %v", c.dir, err), "", err)
	}

	digest := hex.EncodeToString(h.Sum(nil))
	var inf info
	if kind == KindOSV {
		inf, err = validateOSVZip(ctx, tmp.Name(), eco, digest, func(done, total int64) { progress("validating", done, total) })
	} else {
		progress("validating", 0, 0)
		inf, err = validateJSON(kind, tmp.Name())
	}
	if err != nil {
		if ctx.Err() != nil {
			return fail(CodeUnavailable, fmt.Sprintf("checking the download took longer than %s", s.timeout()), "", err)
		}
		msg := strings.TrimPrefix(handwash.ErrorMessage(err), "internal error: ")
		if kind == KindOSV {
			msg = "OSV zip: " + msg
		}
		return fail(handwash.ErrorCode(err), fmt.Sprintf("the file from %s was rejected: %s", s.URL, msg),
			"If this keeps happening, the source may have changed its format: please report it, and meanwhile keep using the cached copy.", err)
	}
	m := Meta{
		Name: s.Name, Kind: kind, Ecosystem: eco, Source: s.URL, File: dataFile(s.Name),
		FetchedAt: now, CheckedAt: now,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		Version: inf.Version, Count: inf.Count, Size: n, SHA256: digest,
	}
	if err := c.commit(tmp.Name(), m, inf.index); err != nil {
		return fail(handwash.EINTERNAL, "the new file cannot be put in place: "+err.Error(), "", err)
	}
	res.Meta, res.Changed = m, true
	return res
}

// sentence ends s with a full stop unless it has one.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}

// versionWords describes what a feed's data is: "catalogue 2025.08.25,
// 1,404 entries, checked 2025-08-26".
func versionWords(m Meta) string {
	var what string
	switch m.Kind {
	case KindKEV:
		what = fmt.Sprintf("catalogue %s, %s entries", m.Version, Thousands(m.Count))
	case KindEOL:
		what = fmt.Sprintf("generated %s, %s products", shortTime(m.Version), Thousands(m.Count))
	default:
		what = fmt.Sprintf("%s records, newest changed %s", Thousands(m.Count), shortTime(m.Version))
	}
	return what + ", checked " + m.CheckedAt.UTC().Format("2 January 2006")
}

// VersionWords describes a feed's data in a few words.
func (m Meta) VersionWords() string { return versionWords(m) }

// shortTime turns an RFC 3339 version into a date.
func shortTime(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC().Format("2 January 2006")
	}
	return v
}

// Thousands64 writes n with commas.
func Thousands64(n int64) string {
	if n < 0 {
		return "unknown"
	}
	return thousands(n)
}

type countingReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n > 0 {
		c.report(c.n)
	}
	return n, err
}
