package captcha

import (
	"bytes"
	"crypto/rand"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// decode parses a rendered PNG, failing the test if it is not one.
func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	return img
}

// inkAndPaper counts dark pixels (glyph ink) and light ones (background).
func inkAndPaper(img image.Image) (dark, light int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y
			switch {
			case g < 110:
				dark++
			case g > 200:
				light++
			}
		}
	}
	return dark, light
}

func TestRender(t *testing.T) {
	b, err := Render("k7pa", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	if got, want := img.Bounds(), image.Rect(0, 0, Width, Height); got != want {
		t.Errorf("bounds = %v, want %v", got, want)
	}
	dark, light := inkAndPaper(img)
	total := Width * Height
	// Four glyphs and the noise cover roughly a tenth to a quarter of the
	// picture; the rest is background.
	if dark < total/20 || dark > total/2 {
		t.Errorf("dark pixels = %d of %d, want between %d and %d", dark, total, total/20, total/2)
	}
	if light < total/2 {
		t.Errorf("light pixels = %d of %d, want at least %d", light, total, total/2)
	}
	p, ok := img.(*image.Paletted)
	if !ok {
		t.Fatalf("decoded %T, want *image.Paletted", img)
	}
	if got := len(p.Palette); got > 16 {
		t.Errorf("palette has %d colours, want at most 16 (4-bit PNG)", got)
	}
}

func TestRenderSize(t *testing.T) {
	tests := []struct {
		answer string
		w, h   int
	}{
		{"k7pa", 150, 50},
		{"k7pa", 300, 100},
		{"k7pa", 80, 30},
		{"k7pa2m", 200, 60},
		{"x", 16, 16},
		{Alphabet, 150, 50}, // glyphs shrink to fit
	}
	for _, tt := range tests {
		b, err := RenderSize(tt.answer, rand.Reader, tt.w, tt.h)
		if err != nil {
			t.Errorf("RenderSize(%q, %d, %d): %v", tt.answer, tt.w, tt.h, err)
			continue
		}
		img := decode(t, b)
		if got, want := img.Bounds(), image.Rect(0, 0, tt.w, tt.h); got != want {
			t.Errorf("RenderSize(%q, %d, %d) bounds = %v, want %v", tt.answer, tt.w, tt.h, got, want)
		}
		if dark, _ := inkAndPaper(img); dark == 0 {
			t.Errorf("RenderSize(%q, %d, %d) has no ink", tt.answer, tt.w, tt.h)
		}
	}
	for _, size := range [][2]int{{0, 50}, {150, 0}, {15, 50}, {150, -1}, {1001, 50}, {150, 1001}} {
		if _, err := RenderSize("k7pa", rand.Reader, size[0], size[1]); err == nil {
			t.Errorf("RenderSize(%dx%d) = nil error, want one", size[0], size[1])
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	render := func(answer string, seed byte) []byte {
		t.Helper()
		b, err := Render(answer, seeded(seed))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name      string
		a, b      []byte
		wantEqual bool
	}{
		{"same answer, same seed", render("k7pa", 1), render("k7pa", 1), true},
		{"same answer, other seed", render("k7pa", 1), render("k7pa", 2), false},
		{"other answer, same seed", render("k7pa", 1), render("k7pe", 1), false},
	}
	for _, tt := range tests {
		if got := bytes.Equal(tt.a, tt.b); got != tt.wantEqual {
			t.Errorf("%s: images equal = %v, want %v", tt.name, got, tt.wantEqual)
		}
	}
}

// TestRenderEverySymbol draws each symbol alone and checks it leaves ink
// beyond the noise: every symbol has a glyph, and the glyph reaches the
// picture.
func TestRenderEverySymbol(t *testing.T) {
	for i := 0; i < len(Alphabet); i++ {
		sym := Alphabet[i : i+1]
		b, err := Render(sym, seeded(byte(i)))
		if err != nil {
			t.Errorf("Render(%q): %v", sym, err)
			continue
		}
		if dark, _ := inkAndPaper(decode(t, b)); dark < 150 {
			t.Errorf("Render(%q) has %d dark pixels, want at least 150", sym, dark)
		}
	}
}

func TestRenderRejects(t *testing.T) {
	for _, answer := range []string{"", "K7PA", "k0pa", "k7p ", "k7pé", "g", "q", "\x00"} {
		b, err := Render(answer, rand.Reader)
		if !errors.Is(err, ErrSymbol) {
			t.Errorf("Render(%q) = %d bytes, %v; want ErrSymbol", answer, len(b), err)
		}
	}
}

func TestRenderFailingReader(t *testing.T) {
	b, err := Render("k7pa", failingReader{})
	if !errors.Is(err, errEntropy) {
		t.Errorf("Render with failing reader = %d bytes, %v; want an error wrapping %v", len(b), err, errEntropy)
	}
}

// TestRenderSmall guards the PNG size: pictures go to clients inline as data
// URLs on every login form.
func TestRenderSmall(t *testing.T) {
	const maxBytes = 3 * 1024
	for seed := range byte(20) {
		answer, err := NewAnswer(seeded(seed), 4)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Render(answer, seeded(seed))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > maxBytes {
			t.Errorf("Render(%q) = %d bytes, want at most %d", answer, len(b), maxBytes)
		}
	}
}
