package borg

import (
	"bytes"
	"encoding/json"
	"strings"
)

// logEntry is one line borg printed on stderr with --log-json: a log
// message, a question it answered from the environment, or a line of plain
// text (Type "text") that was not JSON.
type logEntry struct {
	Type    string `json:"type"`
	Level   string `json:"levelname"`
	Name    string `json:"name"`
	MsgID   string `json:"msgid"`
	Message string `json:"message"`
}

// parseLog reads borg's --log-json stderr. Every non-blank line gives one
// entry.
func parseLog(b []byte) []logEntry {
	var out []logEntry
	for _, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var e logEntry
		if line[0] != '{' || json.Unmarshal(line, &e) != nil || e.Type == "" {
			e = logEntry{Type: "text", Message: string(line)}
		}
		out = append(out, e)
	}
	return out
}

// has reports whether borg logged an error with the msgid, or asked the
// question with that msgid.
func (o output) has(msgid string) bool {
	for _, e := range o.log {
		if e.MsgID == msgid {
			return true
		}
	}
	return false
}

// maxSummary bounds what is quoted from borg.
const maxSummary = 600

// summary quotes what borg said went wrong: its error messages, or failing
// those its other lines, one line each, without Python tracebacks and
// repeats, at most maxSummary bytes.
func (o output) summary() string {
	msgs := o.messages(func(e logEntry) bool { return e.Level == "ERROR" || e.Level == "CRITICAL" })
	if len(msgs) == 0 {
		msgs = o.messages(func(e logEntry) bool { return e.Type == "text" || e.Level == "WARNING" })
	}
	return clip(strings.Join(msgs, " "), maxSummary)
}

// messages lists the first line of each entry keep selects, skipping
// tracebacks and repeats.
func (o output) messages(keep func(logEntry) bool) []string {
	var msgs []string
	seen := map[string]bool{}
	for _, e := range o.log {
		first, _, _ := strings.Cut(strings.TrimSpace(e.Message), "\n")
		first = strings.Join(strings.Fields(first), " ")
		if !keep(e) || first == "" || seen[first] || strings.HasPrefix(first, "Traceback") {
			continue
		}
		seen[first] = true
		if !strings.HasSuffix(first, ".") {
			first += "."
		}
		msgs = append(msgs, first)
	}
	return msgs
}

// remote quotes what the server, or ssh reaching it, said.
func (o output) remote() string {
	msgs := o.messages(func(e logEntry) bool { return strings.HasPrefix(e.Message, "Remote: ") })
	for i, m := range msgs {
		msgs[i] = strings.TrimPrefix(m, "Remote: ")
	}
	return clip(strings.Join(msgs, " "), maxSummary)
}
