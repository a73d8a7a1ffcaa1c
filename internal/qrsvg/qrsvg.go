// Package qrsvg draws a QR code as an SVG image that html/template can put
// in a page: one path of dark squares on white, with the four-module quiet
// zone the standard asks for, scaling to any size without blurring.
package qrsvg

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/skip2/go-qrcode"
)

// MaxLen bounds the text encoded; a staff link is far shorter.
const MaxLen = 1024

// SVG encodes text (an address) with medium error correction, which
// survives a printed poster's wear, and returns the image with label as
// its accessible name.
func SVG(text, label string) (template.HTML, error) {
	if len(text) > MaxLen {
		return "", fmt.Errorf("qrsvg: %d bytes is more than the %d a QR code here holds", len(text), MaxLen)
	}
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qrsvg: %w", err)
	}
	bits := q.Bitmap() // with the quiet zone
	n := len(bits)
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	svg := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" role="img" aria-label="%s" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="%s"/></svg>`,
		n, n, template.HTMLEscapeString(label), n, n, path.String())
	return template.HTML(svg), nil
}
