// Package agenttest is a test double of the Handwash server's device API
// (docs/api.md: enrolment, snapshot upload, the device's own record, agent
// updates), for the agent's tests. It follows the contract faithfully,
// including the digest shortcut that answers before the body is sent, and
// lets tests break it on purpose: answer 503, refuse the credential, store
// a snapshot and then drop the connection before answering, send a release
// other than the one offered.
package agenttest

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/release"
)

// Limits from docs/api.md.
const (
	MaxCompressed   = 4 << 20
	MaxUncompressed = 16 << 20
)

// Snapshot is what the server stored for one upload.
type Snapshot struct {
	ID     string
	Digest string
	Facts  *handwash.Facts // nil when stored through the digest shortcut
	// CollectedAt is the Facts' collected_at, or the Handwash-Collected-At
	// header for the shortcut (zero when absent).
	CollectedAt time.Time
}

// Server is the fake server. Its fields may be changed between requests;
// use Lock/Unlock around changes made while requests are in flight.
type Server struct {
	*httptest.Server
	sync.Mutex

	// EnrollTokens maps each valid enrolment token to its remaining uses.
	EnrollTokens map[string]int
	// Down makes every request answer 503 with Retry-After: 1.
	Down bool
	// DropAfterStore makes this many uploads store the snapshot and then
	// close the connection without answering, as a server that crashed
	// or a network that failed between the commit and the answer.
	DropAfterStore int
	// Refuse answers uploads with this status and a JSON error (400, 409,
	// 413 …) for the snapshot IDs listed, or for all when the key is "*".
	Refuse map[string]int
	// RevokeDevices makes every device credential unknown (401).
	RevokeDevices bool
	// Release, when set, is offered to devices running an older version
	// (GET /api/v1/agent/release), and served at its offer's URL.
	Release *Release

	devices   map[string]*device // by credential
	snapshots []Snapshot         // stored, in order of arrival
	requests  []string           // "METHOD path snapshot-id"
	bodyBytes atomic.Int64       // bytes read from clients, headers included
}

// Release is a release the fake server offers, as serve --releases does,
// and ways to spoil its download on purpose.
type Release struct {
	Offer  release.Offer
	Binary []byte
	// Send, when not nil, is sent instead of Binary: a tampered or
	// shortened download.
	Send []byte
	// Length, when above zero, is the Content-Length announced instead of
	// the length sent; announcing more than is sent cuts the download
	// short.
	Length int
}

// Downloads counts the downloads of release binaries begun.
func (s *Server) Downloads() int {
	s.Lock()
	defer s.Unlock()
	n := 0
	for _, r := range s.requests {
		if strings.HasPrefix(r, "GET /api/v1/agent/releases/") {
			n++
		}
	}
	return n
}

type device struct {
	rec    handwash.Device
	byID   map[string]string // snapshot ID → digest
	newest string            // digest of the newest snapshot
}

// NewServer starts a fake server on loopback over plain HTTP (the agent
// allows http:// only there). NewTLSServer starts one with a self-signed
// certificate.
func NewServer() *Server { return start(false) }

// NewTLSServer starts the fake server with httptest's self-signed certificate.
func NewTLSServer() *Server { return start(true) }

func start(tls bool) *Server {
	s := &Server{EnrollTokens: map[string]int{}, devices: map[string]*device{}, Refuse: map[string]int{}}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Listener = &countingListener{Listener: s.Server.Listener, n: &s.bodyBytes}
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	return s
}

// NewServerOn starts the fake server on a listener the test made (to come
// back on an address that was refusing connections).
func NewServerOn(l net.Listener) *Server {
	s := &Server{EnrollTokens: map[string]int{}, devices: map[string]*device{}, Refuse: map[string]int{}}
	s.Server = &httptest.Server{Listener: &countingListener{Listener: l, n: &s.bodyBytes}, Config: &http.Server{Handler: http.HandlerFunc(s.serve)}}
	s.Start()
	return s
}

// AdoptDevices copies the enrolled devices and what they stored from old,
// as a server restarted on the same database would have them.
func (s *Server) AdoptDevices(old *Server) {
	old.Lock()
	defer old.Unlock()
	s.Lock()
	defer s.Unlock()
	for cred, d := range old.devices {
		c := *d
		c.byID = map[string]string{}
		for k, v := range d.byID {
			c.byID[k] = v
		}
		s.devices[cred] = &c
	}
	s.snapshots = append(s.snapshots, old.snapshots...)
}

// AddEnrollToken makes a valid enrolment token with uses left and returns it.
func (s *Server) AddEnrollToken(uses int) string {
	s.Lock()
	defer s.Unlock()
	t := handwash.Credential(handwash.PrefixEnrollToken, handwash.NewID("et"), handwash.NewSecret())
	s.EnrollTokens[t] = uses
	return t
}

// Snapshots returns what was stored, in order of arrival.
func (s *Server) Snapshots() []Snapshot {
	s.Lock()
	defer s.Unlock()
	return append([]Snapshot(nil), s.snapshots...)
}

// Requests lists the requests received: "POST /api/v1/snapshots <id>".
func (s *Server) Requests() []string {
	s.Lock()
	defer s.Unlock()
	return append([]string(nil), s.requests...)
}

// BytesReceived counts every byte clients sent, headers and bodies.
func (s *Server) BytesReceived() int64 { return s.bodyBytes.Load() }

// Devices returns the enrolled devices' records.
func (s *Server) Devices() []handwash.Device {
	s.Lock()
	defer s.Unlock()
	var ds []handwash.Device
	for _, d := range s.devices {
		ds = append(ds, d.rec)
	}
	return ds
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func bearer(r *http.Request) string {
	v, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return v
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.Lock()
	s.requests = append(s.requests, strings.TrimSpace(r.Method+" "+r.URL.Path+" "+r.Header.Get("Handwash-Snapshot-Id")))
	down := s.Down
	s.Unlock()
	if down {
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, "internal", "the server is starting; try again shortly")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/enroll":
		s.enroll(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/snapshots":
		s.upload(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/device":
		s.Lock()
		d := s.auth(r)
		var rec handwash.Device
		if d != nil {
			rec = d.rec
		}
		s.Unlock()
		if d == nil {
			writeError(w, http.StatusUnauthorized, "unauthorized", "unknown device credential")
			return
		}
		writeJSON(w, http.StatusOK, rec)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/agent/release":
		s.offer(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/agent/releases/"):
		s.download(w, r)
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
	}
}

func (s *Server) offer(w http.ResponseWriter, r *http.Request) {
	s.Lock()
	d, rel := s.auth(r), s.Release
	s.Unlock()
	if d == nil {
		writeError(w, http.StatusUnauthorized, "unauthorized", "unknown device credential")
		return
	}
	q := r.URL.Query()
	if q.Get("os") == "" || q.Get("arch") == "" {
		writeError(w, http.StatusBadRequest, "invalid", "os and arch are required")
		return
	}
	if rel == nil || (q.Get("version") != "" && release.Compare(rel.Offer.Version, q.Get("version")) <= 0) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, rel.Offer)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.Lock()
	d, rel := s.auth(r), s.Release
	s.Unlock()
	if d == nil {
		writeError(w, http.StatusUnauthorized, "unauthorized", "unknown device credential")
		return
	}
	if rel == nil || r.URL.Path != rel.Offer.URL {
		writeError(w, http.StatusNotFound, "not_found", "no such release")
		return
	}
	body := rel.Binary
	if rel.Send != nil {
		body = rel.Send
	}
	length := len(body)
	if rel.Length > 0 {
		length = rel.Length
	}
	// A client that stops reading (as the agent does when the length is
	// wrong) must not hold the server's Close up for ever.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(10 * time.Second))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(length))
	w.WriteHeader(http.StatusOK)
	w.Write(body[:min(len(body), length)])
	// Returning having sent less than announced makes the server close
	// the connection: the client sees the download cut short.
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Hostname string `json:"hostname"`
		Platform string `json:"platform"`
		DeviceID string `json:"device_id"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil || req.Hostname == "" {
		writeError(w, http.StatusBadRequest, "invalid", "hostname is required")
		return
	}
	s.Lock()
	defer s.Unlock()
	tok := bearer(r)
	if uses, ok := s.EnrollTokens[tok]; !ok || uses <= 0 {
		writeError(w, http.StatusUnauthorized, "unauthorized", "the enrolment token is unknown, revoked, expired or used up")
		return
	}
	s.EnrollTokens[tok]--
	id := handwash.NewID("dev")
	cred := handwash.Credential(handwash.PrefixDevice, id, handwash.NewSecret())
	s.devices[cred] = &device{
		rec:  handwash.Device{ID: id, OrgID: "org_test", Hostname: req.Hostname, Platform: handwash.Platform(req.Platform), EnrolledAt: time.Now().UTC(), Score: -1},
		byID: map[string]string{},
	}
	writeJSON(w, http.StatusCreated, map[string]string{"device_id": id, "credential": cred, "org_id": "org_test", "site_id": ""})
}

// auth returns the device of the request's credential; s is locked.
func (s *Server) auth(r *http.Request) *device {
	if s.RevokeDevices {
		return nil
	}
	return s.devices[bearer(r)]
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	s.Lock()
	d := s.auth(r)
	id := r.Header.Get("Handwash-Snapshot-Id")
	hint := r.Header.Get("Handwash-Facts-Digest")
	refuse := s.Refuse[id]
	if refuse == 0 {
		refuse = s.Refuse["*"]
	}
	var known string
	var newest string
	if d != nil {
		known, newest = d.byID[id], d.newest
	}
	s.Unlock()
	if d == nil {
		writeError(w, http.StatusUnauthorized, "unauthorized", "unknown device credential")
		return
	}
	if id == "" {
		writeError(w, http.StatusBadRequest, "invalid", "Handwash-Snapshot-Id is required")
		return
	}
	if refuse != 0 {
		writeError(w, refuse, "invalid", "refused by the test")
		return
	}
	// The shortcuts answer without reading the body, so with Expect:
	// 100-continue the client never sends it.
	if known != "" && hint == known {
		writeJSON(w, http.StatusOK, map[string]any{"snapshot_id": id, "stored": false, "duplicate": true})
		return
	}
	if known == "" && hint != "" && hint == newest {
		at, _ := time.Parse(time.RFC3339, r.Header.Get("Handwash-Collected-At"))
		s.store(w, d, Snapshot{ID: id, Digest: hint, CollectedAt: at})
		return
	}
	f, digest, status, msg := readFacts(r)
	if status != 0 {
		writeError(w, status, map[int]string{400: "invalid", 413: "too_large"}[status], msg)
		return
	}
	if known != "" {
		if known != digest {
			writeError(w, http.StatusConflict, "conflict", "snapshot ID already used for other Facts")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"snapshot_id": id, "stored": false, "duplicate": true})
		return
	}
	s.store(w, d, Snapshot{ID: id, Digest: digest, Facts: f, CollectedAt: f.CollectedAt})
}

// store records a snapshot and answers 201, or drops the connection
// after storing when the test asked for that.
func (s *Server) store(w http.ResponseWriter, d *device, snap Snapshot) {
	s.Lock()
	if _, dup := d.byID[snap.ID]; dup {
		s.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"snapshot_id": snap.ID, "stored": false, "duplicate": true})
		return
	}
	d.byID[snap.ID] = snap.Digest
	d.newest = snap.Digest
	now := time.Now().UTC()
	d.rec.LastSeenAt, d.rec.LastSnapshotID, d.rec.FactsDigest = &now, snap.ID, snap.Digest
	s.snapshots = append(s.snapshots, snap)
	drop := s.DropAfterStore > 0
	if drop {
		s.DropAfterStore--
	}
	s.Unlock()
	if drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			return
		}
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"snapshot_id": snap.ID, "stored": true})
}

// readFacts reads and checks an upload's body as the server does.
func readFacts(r *http.Request) (*handwash.Facts, string, int, string) {
	var body io.Reader = http.MaxBytesReader(nil, r.Body, MaxCompressed)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, "", http.StatusBadRequest, "the body is not gzip: " + err.Error()
		}
		body = zr
	}
	b, err := io.ReadAll(io.LimitReader(body, MaxUncompressed+1))
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			return nil, "", http.StatusRequestEntityTooLarge, "over 4 MiB compressed"
		}
		return nil, "", http.StatusBadRequest, "truncated body: " + err.Error()
	}
	if len(b) > MaxUncompressed {
		return nil, "", http.StatusRequestEntityTooLarge, "over 16 MiB"
	}
	var f handwash.Facts
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, "", http.StatusBadRequest, "facts: " + err.Error()
	}
	if f.Schema != handwash.FactsSchema {
		return nil, "", http.StatusBadRequest, fmt.Sprintf("facts: schema %q is not %s", f.Schema, handwash.FactsSchema)
	}
	return &f, f.Digest(), 0, ""
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}
