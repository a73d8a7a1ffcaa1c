package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/handwash/handwash"
)

// StatusOf maps a handwash.Error code to its HTTP status: the one place
// that does, for the API and the dashboard alike.
func StatusOf(code string) int {
	switch code {
	case handwash.EINVALID:
		return http.StatusBadRequest
	case handwash.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case handwash.EFORBIDDEN:
		return http.StatusForbidden
	case handwash.ENOTFOUND:
		return http.StatusNotFound
	case handwash.ECONFLICT:
		return http.StatusConflict
	case handwash.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// errorBody is how every error is answered.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeErr answers with err as JSON. Internal errors are logged with
// their cause and answered with a message that names the request, never
// the cause: it may hold details of the database that are nobody's
// business.
func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	code := handwash.ErrorCode(err)
	msg := handwash.ErrorMessage(err)
	if code == handwash.EINTERNAL {
		id := requestID(r.Context())
		loggerOf(r.Context()).ErrorContext(r.Context(), "internal error", "request_id", id, "pattern", patternOf(r), "err", err)
		msg = "internal error: the server could not do this; please report it with request ID " + id
	}
	if code == handwash.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="handwash"`)
	}
	if code == handwash.ETOOLARGE {
		// The rest of the body is not worth reading.
		w.Header().Set("Connection", "close")
	}
	noteError(r.Context(), code)
	writeJSON(w, StatusOf(code), errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if v == nil {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the client has gone; nothing to do
}

// list is how lists are answered.
type list[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func newList[T any](items []T, total int) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total}
}

// decodeJSON reads a request body of at most MaxBodySize into v, strictly:
// an unknown field, a value of the wrong type, or anything after the value
// is an error that names it.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return handwash.Errorf(handwash.EINVALID, "Content-Type %q: send the body as application/json", ct)
		}
	}
	body := http.MaxBytesReader(w, r.Body, MaxBodySize)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return jsonError(err)
		}
		return handwash.Errorf(handwash.EINVALID, "body: more than one JSON value: send one object")
	}
	return nil
}

// jsonError says what is wrong with a request body in terms of its fields.
func jsonError(err error) error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return handwash.Errorf(handwash.ETOOLARGE, "body: larger than %d KiB, the most this request takes", MaxBodySize>>10)
	case errors.Is(err, io.EOF):
		return handwash.Errorf(handwash.EINVALID, "body: empty: send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return handwash.Errorf(handwash.EINVALID, "body: the JSON ends too soon")
	case errors.As(err, &syntaxErr):
		return handwash.Errorf(handwash.EINVALID, "body: not valid JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return handwash.Errorf(handwash.EINVALID, "body: expected a JSON object, found %s", typeErr.Value)
		}
		return handwash.Errorf(handwash.EINVALID, "%s: expected %s, found %s", field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	}
	// encoding/json reports an unknown field only as text.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return handwash.Errorf(handwash.EINVALID, "%s: unknown field: check its spelling against docs/api.md", strings.Trim(name, `"`))
	}
	return handwash.Errorf(handwash.EINVALID, "body: %v", err)
}

// jsonKind names a Go kind as JSON would.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return kind
}

// invalid is a short way to say that a field is wrong.
func invalid(field, format string, args ...any) error {
	return handwash.Errorf(handwash.EINVALID, "%s: %s", field, fmt.Sprintf(format, args...))
}
