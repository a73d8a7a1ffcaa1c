package borg

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/handwash/handwash/backup"
)

// item is one entry of borg list --json-lines REPO::ARCHIVE.
type item struct {
	Type    string `json:"type"`
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	Mtime   string `json:"mtime"`
	Healthy *bool  `json:"healthy"`
}

// damaged reports whether borg marks the file as missing some of its data.
func (it item) damaged() bool { return it.Healthy != nil && !*it.Healthy }

// parseItem reads one line of borg list --json-lines. It returns false for
// a line that is not an item.
func parseItem(line []byte) (item, bool) {
	var it item
	if err := json.Unmarshal(line, &it); err != nil || it.Type == "" || it.Path == "" {
		return item{}, false
	}
	return it, true
}

// restorable reports whether a file can be named to borg extract and
// restored inside the temporary folder: a regular file with content, whose
// path stays inside the folder and survived JSON intact.
func (it item) restorable() bool {
	return it.Type == "-" && it.Size > 0 &&
		!strings.ContainsRune(it.Path, utf8.RuneError) &&
		filepath.IsLocal(filepath.FromSlash(it.Path))
}

// picker chooses a uniformly random sample of restorable files, as borg
// lists them.
type picker struct {
	maxSize int64
	sample  *backup.Sampler[item] // of restorable files of at most maxSize
	files   int                   // regular files
	damaged int                   // files borg marks damaged
}

func newPicker(want int, maxSize int64) *picker {
	return &picker{maxSize: maxSize, sample: backup.NewSampler[item](want, 0)}
}

func (p *picker) line(b []byte) {
	it, ok := parseItem(b)
	if !ok || it.Type != "-" {
		return
	}
	p.files++
	if it.damaged() {
		p.damaged++
	}
	if it.restorable() && it.Size <= p.maxSize {
		p.sample.Add(it)
	}
}

// within shuffles the sample and returns the files that fit in budget
// bytes, and how many were left out.
func (p *picker) within(budget int64) (kept []item, left int) {
	chosen := p.sample.Sample()
	rand.Shuffle(len(chosen), func(i, j int) { chosen[i], chosen[j] = chosen[j], chosen[i] })
	for _, it := range chosen {
		if it.Size <= budget {
			kept = append(kept, it)
			budget -= it.Size
		} else {
			left++
		}
	}
	return kept, left
}

// maxLine bounds one line of borg list --json-lines; longer ones are
// dropped.
const maxLine = 1 << 20

// lineWriter passes each line written to it to fn, without the newline.
type lineWriter struct {
	fn   func([]byte)
	buf  []byte
	skip bool // in an overlong line
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.add(p)
			break
		}
		w.add(p[:i])
		w.flush()
		p = p[i+1:]
	}
	return n, nil
}

func (w *lineWriter) add(p []byte) {
	if w.skip || len(w.buf)+len(p) > maxLine {
		w.skip, w.buf = true, w.buf[:0]
		return
	}
	w.buf = append(w.buf, p...)
}

// flush passes on the line so far.
func (w *lineWriter) flush() {
	if !w.skip && len(w.buf) > 0 {
		w.fn(w.buf)
	}
	w.skip, w.buf = false, w.buf[:0]
}

// pick lists the archive's files and chooses the sample. A failure to
// list is returned as a plain-English note.
func (r *runner) pick(ctx context.Context, a *archive, o Options) (*picker, string, error) {
	p := newPicker(o.Sample, o.SampleBytes)
	lw := &lineWriter{fn: p.line}
	out, err := r.run(ctx, "", lw, "list", "--json-lines", "--", r.loc.arg+"::"+a.Name)
	if err != nil {
		return nil, "", err
	}
	lw.flush()
	if err := r.stopError(out); err != nil {
		return nil, "borg could not list the files in the newest backup. " + err.Error(), nil
	}
	if out.code >= 2 {
		return nil, "borg could not list the files in the newest backup. It said: " + r.scrub(out.summary()), nil
	}
	return p, "", nil
}
