package captcha

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// Palette layout: one light background, a few dark inks for glyphs and noise
// curves, a few mid tones for speckles. Sixteen colours or fewer lets the PNG
// encoder store four bits per pixel, which keeps pictures at a few KB.
const (
	bgIndex     = 0
	numInks     = 6
	numSpeckles = 4
	numColours  = 1 + numInks + numSpeckles
)

// inkIndex returns the palette index of ink i, cycling through the inks.
func inkIndex(i int) uint8 { return uint8(1 + i%numInks) }

// newPalette picks the picture's colours: a near-white background and inks
// dark enough to stand out from it whatever their hue.
func newPalette(rng *rand.Rand) color.Palette {
	pal := make(color.Palette, numColours)
	pal[bgIndex] = hsv(rng.Float64(), between(rng, 0.03, 0.12), between(rng, 0.96, 1))
	for i := range numInks {
		pal[inkIndex(i)] = darkInk(rng)
	}
	for i := range numSpeckles {
		pal[1+numInks+i] = hsv(rng.Float64(), between(rng, 0.3, 0.6), between(rng, 0.55, 0.8))
	}
	return pal
}

// maxInkLuma caps an ink's brightness (0-1, Rec. 601 luma), so that yellows
// and greens are darkened as much as needed to stand out like blues do.
const maxInkLuma = 0.38

// darkInk returns a random saturated colour no brighter than maxInkLuma.
func darkInk(rng *rand.Rand) color.RGBA {
	h, s, v := rng.Float64(), between(rng, 0.5, 0.9), between(rng, 0.25, 0.55)
	// Luma is proportional to value, so the cap is a bound on v.
	full := hsv(h, s, 1)
	luma := (0.299*float64(full.R) + 0.587*float64(full.G) + 0.114*float64(full.B)) / 255
	return hsv(h, s, math.Min(v, maxInkLuma/luma))
}

// hsv converts hue, saturation and value, each in [0, 1], to an opaque colour.
func hsv(h, s, v float64) color.RGBA {
	h6 := h * 6
	i := math.Floor(h6)
	f := h6 - i
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{uint8(r*255 + 0.5), uint8(g*255 + 0.5), uint8(b*255 + 0.5), 255}
}

// canvas is a picture of palette indices, drawn before the wave bends it.
type canvas struct {
	w, h int
	pix  []uint8
}

func newCanvas(w, h int) *canvas {
	return &canvas{w: w, h: h, pix: make([]uint8, w*h)}
}

// capsule paints every pixel whose centre lies within radius of the segment
// from (x0, y0) to (x1, y1): a pen stroke with round ends.
func (c *canvas) capsule(x0, y0, x1, y1, radius float64, idx uint8) {
	minX := max(int(math.Floor(math.Min(x0, x1)-radius)), 0)
	maxX := min(int(math.Ceil(math.Max(x0, x1)+radius)), c.w-1)
	minY := max(int(math.Floor(math.Min(y0, y1)-radius)), 0)
	maxY := min(int(math.Ceil(math.Max(y0, y1)+radius)), c.h-1)
	dx, dy := x1-x0, y1-y0
	length2 := dx*dx + dy*dy
	r2 := radius * radius
	for y := minY; y <= maxY; y++ {
		py := float64(y) + 0.5
		row := c.pix[y*c.w : (y+1)*c.w]
		for x := minX; x <= maxX; x++ {
			px := float64(x) + 0.5
			// Project the pixel onto the segment, clamped to its ends.
			t := 0.0
			if length2 > 0 {
				t = min(max(((px-x0)*dx+(py-y0)*dy)/length2, 0), 1)
			}
			ex, ey := px-(x0+t*dx), py-(y0+t*dy)
			if ex*ex+ey*ey <= r2 {
				row[x] = idx
			}
		}
	}
}

// curve paints a random sine-shaped line most of the way across the picture,
// through the band where glyphs are, so it crosses several of them.
func (c *canvas) curve(rng *rand.Rand, radius float64, idx uint8) {
	w, h := float64(c.w), float64(c.h)
	x0, x1 := between(rng, 0, 0.2)*w, between(rng, 0.8, 1)*w
	mid := between(rng, 0.3, 0.7) * h
	slope := between(rng, -0.25, 0.25) * h / w
	amp := between(rng, 0.08, 0.22) * h
	wave := 2 * math.Pi / (between(rng, 0.5, 1.2) * w)
	phase := rng.Float64() * 2 * math.Pi
	at := func(x float64) float64 {
		return mid + slope*(x-w/2) + amp*math.Sin(wave*x+phase)
	}
	const step = 3
	for x := x0; x < x1; x += step {
		c.capsule(x, at(x), x+step, at(x+step), radius, idx)
	}
}

// warp copies the canvas into dst bent by two sine waves, one shifting
// columns up and down, one shifting rows sideways, so that glyphs and curves
// lose their straight strokes together.
func (c *canvas) warp(dst []uint8, rng *rand.Rand) {
	h := float64(c.h)
	ampY, ampX := between(rng, 0.03, 0.06)*h, between(rng, 0.02, 0.04)*h
	waveY := 2 * math.Pi / (between(rng, 1.0, 1.8) * h)
	waveX := 2 * math.Pi / (between(rng, 0.6, 1.0) * h)
	phaseY, phaseX := rng.Float64()*2*math.Pi, rng.Float64()*2*math.Pi
	shiftY := make([]int, c.w) // per column
	for x := range shiftY {
		shiftY[x] = int(math.Round(ampY * math.Sin(waveY*float64(x)+phaseY)))
	}
	for y := range c.h {
		shiftX := int(math.Round(ampX * math.Sin(waveX*float64(y)+phaseX)))
		for x := range c.w {
			sx, sy := x+shiftX, y+shiftY[x]
			if sx >= 0 && sx < c.w && sy >= 0 && sy < c.h {
				dst[y*c.w+x] = c.pix[sy*c.w+sx]
			}
		}
	}
}

// speckle scatters small dots in inks and mid tones over the picture, glyphs
// included.
func speckle(img *image.Paletted, rng *rand.Rand) {
	b := img.Bounds()
	n := b.Dx() * b.Dy() / 60
	for range n {
		x, y := rng.IntN(b.Dx()), rng.IntN(b.Dy())
		idx := uint8(1 + rng.IntN(numColours-1))
		img.SetColorIndex(x, y, idx)
		if rng.IntN(3) == 0 { // some dots are 2x2
			img.SetColorIndex(x+1, y, idx)
			img.SetColorIndex(x, y+1, idx)
			img.SetColorIndex(x+1, y+1, idx)
		}
	}
}
