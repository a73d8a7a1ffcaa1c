//go:build js && wasm

// Command strength is the password check of the staff password page,
// compiled to WebAssembly so that it runs in the browser: the same zxcvbn
// estimate and explanations as handwash password check, and the SHA-1 hash
// whose first five characters alone are sent for the breached-password
// lookup. The password never leaves the browser.
//
// It defines one JavaScript function, handwashCheck(password, words),
// where words are the organisation's own words an attacker would try; it
// returns JSON: {"strength": password.Result, "sha1": "40 hex capitals"}.
//
// Build it with go generate in ../.. (see gen.go there).
package main

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"strings"
	"syscall/js"

	"github.com/handwash/handwash/password"
)

func main() {
	js.Global().Set("handwashCheck", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 1 || args[0].Type() != js.TypeString {
			return `{"error":"handwashCheck wants the password as a string"}`
		}
		pw := args[0].String()
		var words []string
		if len(args) > 1 && args[1].Type() == js.TypeObject {
			for i := 0; i < args[1].Length() && i < 100; i++ {
				if w := args[1].Index(i); w.Type() == js.TypeString {
					words = append(words, w.String())
				}
			}
		}
		sum := sha1.Sum([]byte(pw))
		out, err := json.Marshal(struct {
			Strength password.Result `json:"strength"`
			SHA1     string          `json:"sha1"`
		}{password.Strength(pw, words), strings.ToUpper(hex.EncodeToString(sum[:]))})
		if err != nil {
			return `{"error":"the result could not be written"}`
		}
		return string(out)
	}))
	select {}
}
