package agent

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"
)

// State is what 'agent run' leaves for 'agent status': a small JSON file
// rewritten (atomically) after each collection and each upload.
type State struct {
	// LastCollectedAt is when the newest collection finished.
	LastCollectedAt *time.Time `json:"last_collected_at,omitempty"`
	// LastCollectionSeconds and LastCollectionCPUSeconds are its wall and
	// processor time (this process and the tools it ran).
	LastCollectionSeconds    float64 `json:"last_collection_seconds,omitempty"`
	LastCollectionCPUSeconds float64 `json:"last_collection_cpu_seconds,omitempty"`
	// LastReportedAt is when the server last accepted a snapshot.
	LastReportedAt *time.Time `json:"last_reported_at,omitempty"`
	// LastReportedSnapshot is the ID of that snapshot.
	LastReportedSnapshot string `json:"last_reported_snapshot,omitempty"`
	// LastError is the newest problem, in plain words, and when it happened;
	// cleared by the next successful upload.
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	// NeedsEnrolment is set when the server refused the device credential.
	NeedsEnrolment bool `json:"needs_enrolment,omitempty"`
	// NextCollectionAt is when the running agent means to collect next.
	NextCollectionAt *time.Time `json:"next_collection_at,omitempty"`
	// Dropped and Rejected count snapshots lost to a full spool and
	// refused by the server since enrolment.
	Dropped  int `json:"dropped,omitempty"`
	Rejected int `json:"rejected,omitempty"`
	// Update is what self-update did last (update.go).
	Update UpdateState `json:"update,omitzero"`
}

// LoadState reads the state file; a missing one is an empty State.
func LoadState(path string) (State, error) {
	var s State
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	// A damaged state file costs only what status shows: start afresh.
	_ = json.Unmarshal(b, &s)
	return s, nil
}

// stateFile is the state of a running agent and where it is kept.
type stateFile struct {
	path string
	mu   sync.Mutex
	s    State
}

func openState(path string) *stateFile {
	s, _ := LoadState(path)
	return &stateFile{path: path, s: s}
}

// update changes the state and writes it. A state file that cannot be
// written must not stop collections, so the error is only returned for
// logging.
func (f *stateFile) update(change func(*State)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.s)
	b, err := json.MarshalIndent(&f.s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(f.path, append(b, '\n'), true)
}

func (f *stateFile) get() State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s
}

func timePtr(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}
