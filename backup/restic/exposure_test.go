package restic

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeRESTServer answers as restic's rest-server does: in append-only mode
// every DELETE outside locks/ is refused (403) before the file is looked
// for; otherwise a missing file is 404. It records every request, so the
// test can check that the probe asked nothing else.
type fakeRESTServer struct {
	appendOnly bool
	user, pass string
	mu         sync.Mutex
	requests   []string
}

var blobPath = regexp.MustCompile(`^/office/(data|index|keys|locks|snapshots)/[0-9a-f]{64}$`)

func (s *fakeRESTServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.mu.Unlock()
	if u, p, _ := r.BasicAuth(); s.user != "" && (u != s.user || p != s.pass) {
		http.Error(w, "401 unauthorized", http.StatusUnauthorized)
		return
	}
	m := blobPath.FindStringSubmatch(r.URL.Path)
	switch {
	case m == nil || r.Method != http.MethodDelete:
		http.Error(w, "not found", http.StatusNotFound)
	case s.appendOnly && m[1] != "locks":
		http.Error(w, "Forbidden", http.StatusForbidden)
	default:
		http.Error(w, "404 not found", http.StatusNotFound) // no such file: nothing is deleted
	}
}

func probe(t *testing.T, s *fakeRESTServer, userinfo string) (known, canDelete bool, detail string) {
	t.Helper()
	srv := httptest.NewServer(s)
	defer srv.Close()
	url := strings.Replace(srv.URL, "http://", "http://"+userinfo, 1) + "/office/"
	e := restExposure(context.Background(), &http.Client{Timeout: 5 * time.Second}, url)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) != 1 || !regexp.MustCompile(`^DELETE /office/data/[0-9a-f]{64}$`).MatchString(s.requests[0]) {
		t.Errorf("the probe asked %v, want one DELETE of a data file", s.requests)
	}
	return e.Known, e.CanDelete, e.Detail
}

func TestRESTProbe(t *testing.T) {
	if known, del, d := probe(t, &fakeRESTServer{appendOnly: true}, ""); !known || del || !strings.Contains(d, "append-only") {
		t.Errorf("append-only: %v %v %q", known, del, d)
	}
	if known, del, d := probe(t, &fakeRESTServer{}, ""); !known || !del || !strings.Contains(d, "not in append-only mode") {
		t.Errorf("normal: %v %v %q", known, del, d)
	}
	if known, _, d := probe(t, &fakeRESTServer{appendOnly: true, user: "office", pass: "pw"}, ""); known || !strings.Contains(d, "user name and password") {
		t.Errorf("no credentials: %v %q", known, d)
	}
	if known, del, _ := probe(t, &fakeRESTServer{appendOnly: true, user: "office", pass: "pw"}, "office:pw@"); !known || del {
		t.Errorf("credentials in the address: %v %v", known, del)
	}
}

func TestRESTProbeUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/office/"
	srv.Close()
	e := restExposure(context.Background(), &http.Client{Timeout: time.Second}, "http://office:hunter2@"+strings.TrimPrefix(url, "http://"))
	if e.Known || !strings.Contains(e.Detail, "could not ask the REST server") || strings.Contains(e.Detail, "hunter2") {
		t.Errorf("%+v", e)
	}
}

func TestExposureByBackend(t *testing.T) {
	c := &config{Options: Options{HTTPTimeout: time.Second}}
	for repo, want := range map[string]struct{ known, del bool }{
		"sftp:backup@nas:/srv/restic": {true, true},
		"s3:s3.amazonaws.com/bucket":  {false, false},
		"b2:bucket:office":            {false, false},
		"rclone:remote:office":        {false, false},
	} {
		c.Repo = repo
		e := exposure(context.Background(), c)
		if e.Known != want.known || e.CanDelete != want.del || e.Detail == "" {
			t.Errorf("%s: %+v", repo, e)
		}
	}
}
