package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

// iconSizes are the sizes of the Windows icon, in pixels.
var iconSizes = []int{256, 48, 32, 16}

// nhsBlue is NHS blue (#005EB8).
var nhsBlue = color.NRGBA{0x00, 0x5e, 0xb8, 0xff}

// drawIcon draws Handwash's mark at size×size pixels: a drop of water in
// NHS blue, with a white glint, on a white tile with a blue edge. It is
// drawn rather than stored so that no binary file needs committing, and
// each size is drawn at that size (4×4 samples a pixel) so the small ones
// stay sharp.
func drawIcon(size int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const samples = 4
	s := float64(size)
	edge := math.Max(0.035, 1.0/s) // at least a pixel
	for py := range size {
		for px := range size {
			var r, g, b, a float64
			for sy := range samples {
				for sx := range samples {
					x := (float64(px) + (float64(sx)+0.5)/samples) / s
					y := (float64(py) + (float64(sy)+0.5)/samples) / s
					c, ok := iconColour(x, y, edge, size)
					if !ok {
						continue
					}
					r += float64(c.R)
					g += float64(c.G)
					b += float64(c.B)
					a++
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)), G: uint8(math.Round(g / a)), B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a * 255 / samples / samples)),
			})
		}
	}
	return img
}

// iconColour is the colour at (x, y) in the unit square, and false outside
// the tile.
func iconColour(x, y, edge float64, size int) (color.NRGBA, bool) {
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	const corner = 0.2
	d := roundedSquareDistance(x, y, corner)
	switch {
	case d > 0:
		return color.NRGBA{}, false
	case d > -edge:
		return nhsBlue, true
	}
	// The glint is left out where it would be a pixel or less.
	if size >= 32 && math.Hypot(x-0.4, y-0.66) < 0.07 {
		return white, true
	}
	if inDrop(x, y) {
		return nhsBlue, true
	}
	return white, true
}

// roundedSquareDistance is the signed distance from (x, y) to the edge of
// the unit square with corners of radius r: negative inside.
func roundedSquareDistance(x, y, r float64) float64 {
	qx := math.Abs(x-0.5) - (0.5 - r)
	qy := math.Abs(y-0.5) - (0.5 - r)
	outside := math.Hypot(math.Max(qx, 0), math.Max(qy, 0))
	return outside + math.Min(math.Max(qx, qy), 0) - r
}

// inDrop says whether (x, y) is in the drop: a circle with a point above it,
// bounded by the two tangents from the point to the circle.
func inDrop(x, y float64) bool {
	const cx, cy, radius, tipY = 0.5, 0.6, 0.27, 0.12
	if math.Hypot(x-cx, y-cy) <= radius {
		return true
	}
	dist := cy - tipY
	// The tangents touch the circle radius²/dist above its centre.
	touchY := cy - radius*radius/dist
	halfWidth := radius * math.Sqrt(1-radius*radius/(dist*dist))
	if y < tipY || y > touchY {
		return false
	}
	return math.Abs(x-cx) <= halfWidth*(y-tipY)/(touchY-tipY)
}

// writeIconPNG writes the icon at one size as a PNG, to look at or to use
// elsewhere.
func writeIconPNG(path string, size int) error {
	var b bytes.Buffer
	if err := png.Encode(&b, drawIcon(size)); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
