package qrsvg

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// modules reads the dark squares back out of the SVG.
func modules(t *testing.T, svg string) [][]bool {
	t.Helper()
	vb := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindStringSubmatch(svg)
	if vb == nil || vb[1] != vb[2] {
		t.Fatalf("no square viewBox in %.200s", svg)
	}
	n, _ := strconv.Atoi(vb[1])
	grid := make([][]bool, n)
	for i := range grid {
		grid[i] = make([]bool, n)
	}
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		w, _ := strconv.Atoi(m[3])
		for i := x; i < x+w; i++ {
			grid[y][i] = true
		}
	}
	return grid
}

// The image holds the address: drawn at 8 pixels a module and read back
// by zbarimg, as a phone's camera would read it.
func TestSVGReadsBack(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("HANDWASH_TEST_ALL") != "" {
			t.Fatal("zbarimg is not installed (Debian package zbar-tools) and HANDWASH_TEST_ALL is set")
		}
		t.Skip("zbarimg is not installed (Debian package zbar-tools): the QR code cannot be read back")
	}
	const url = "https://handwash.rosecourt.example:8443/s/hws_stl_0123456789abcdef_ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	svg, err := SVG(url, "QR code of the staff link")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.Contains(s, `aria-label="QR code of the staff link"`) || !strings.HasPrefix(s, "<svg") {
		t.Errorf("svg: %.200s", s)
	}
	grid := modules(t, s)
	for i := range 4 {
		for j := range grid {
			if grid[i][j] || grid[j][i] || grid[len(grid)-1-i][j] || grid[j][len(grid)-1-i] {
				t.Fatalf("module %d,%d is in the quiet zone", i, j)
			}
		}
	}
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, len(grid)*scale, len(grid)*scale))
	for y := range img.Bounds().Dy() {
		for x := range img.Bounds().Dx() {
			c := color.Gray{Y: 255}
			if grid[y/scale][x/scale] {
				c.Y = 0
			}
			img.SetGray(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(zbar, "--quiet", "--raw", path).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != url {
		t.Errorf("read back %q, want %q", got, url)
	}
}

func TestSVGLimits(t *testing.T) {
	if _, err := SVG(strings.Repeat("x", MaxLen+1), "too long"); err == nil {
		t.Error("an over-long text was encoded")
	}
	svg, err := SVG("x", `a "quoted" <label>`)
	if err != nil || !strings.Contains(string(svg), `aria-label="a &#34;quoted&#34; &lt;label&gt;"`) {
		t.Errorf("label not escaped: %v %.300s", err, svg)
	}
}
