package web

import (
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// errNoBackupJob answers every ping address that is not a job's, whether
// the job is missing or the secret is wrong, so the address says nothing.
var errNoBackupJob = handwash.Errorf(handwash.ENOTFOUND,
	"No backup job has this address. Copy the address again from the backup job's page in the Handwash dashboard.")

// handleBackupPing records a report from a backup job: a success, or a
// failure when success is false. The credential in the path is the only
// authentication, like a dead man's switch's address; the body, if any, is
// a message kept with the report (clipped). Any backup software can call
// it: curl, PowerShell's Invoke-RestMethod, a NAS's notification hook.
func handleBackupPing(s *server, success bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := handwash.ParseCredential(handwash.PrefixBackupJob, r.PathValue("cred"))
		if !ok {
			writeErr(w, r, errNoBackupJob)
			return
		}
		j, err := s.store.BackupJobForPing(r.Context(), id)
		if handwash.ErrorCode(err) == handwash.ENOTFOUND || (err == nil && !handwash.SecretMatches(secret, j.SecretHash)) {
			writeErr(w, r, errNoBackupJob)
			return
		}
		if err != nil {
			writeErr(w, r, err)
			return
		}
		msg, err := pingMessage(r)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		p := &handwash.BackupPing{JobID: j.ID, At: s.now(), Success: success, Message: msg}
		if err := s.store.RecordBackupPing(r.Context(), p); err != nil {
			writeErr(w, r, err)
			return
		}
		if !success {
			s.notified()
		}
		writeJSON(w, http.StatusOK, map[string]any{"job": j.Name, "recorded": map[bool]string{true: "success", false: "failure"}[success], "at": p.At})
	})
}

// pingMessage reads what a ping says: a POST's body, or the msg query
// parameter, as text; long logs are clipped, not refused, so a report is
// never lost for being wordy.
func pingMessage(r *http.Request) (string, error) {
	msg := r.URL.Query().Get("msg")
	if r.Method == http.MethodPost && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			return "", handwash.Errorf(handwash.EINVALID, "the message could not be read: %v", err)
		}
		if len(b) > 0 {
			msg = string(b)
		}
	}
	msg = strings.ToValidUTF8(strings.TrimSpace(msg), "�")
	if len(msg) > handwash.MaxPingMessage {
		cut := handwash.MaxPingMessage - len("…")
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg, nil
}
