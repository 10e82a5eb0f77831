package captcha

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"strings"
)

// Size bounds for RenderSize: smaller pictures cannot hold a legible glyph,
// larger ones only cost memory and bandwidth.
const (
	minSide = 16
	maxSide = 1000
)

// Render draws answer as a PNG picture of Width x Height: each glyph scaled,
// rotated, sheared and offset at random, in a random dark colour on a light
// background, with random noise curves and dots that cross the glyphs. It
// returns the PNG bytes, or an error for an empty answer, a symbol outside
// Alphabet, or a failing r.
func Render(answer string, r io.Reader) ([]byte, error) {
	return RenderSize(answer, r, Width, Height)
}

// RenderSize is Render for a picture of width x height pixels, for apps that
// configure uni-captcha's width and height. Glyphs shrink to fit long answers
// in narrow pictures.
func RenderSize(answer string, r io.Reader, width, height int) ([]byte, error) {
	if width < minSide || height < minSide || width > maxSide || height > maxSide {
		return nil, fmt.Errorf("captcha: size %dx%d outside %d..%d", width, height, minSide, maxSide)
	}
	gs, err := lookup(answer)
	if err != nil {
		return nil, err
	}
	// All the picture's randomness comes from one seed read from r: ChaCha8 is
	// a CSPRNG, and one read keeps rendering cheap with crypto/rand.
	var seed [32]byte
	if _, err := io.ReadFull(r, seed[:]); err != nil {
		return nil, fmt.Errorf("captcha: reading randomness: %w", err)
	}
	rng := rand.New(rand.NewChaCha8(seed))

	img := paint(gs, rng, width, height)
	var buf bytes.Buffer
	buf.Grow(4096)
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("captcha: encoding png: %w", err)
	}
	return buf.Bytes(), nil
}

// lookup returns the glyphs for answer's symbols.
func lookup(answer string) ([]*glyph, error) {
	if answer == "" {
		return nil, fmt.Errorf("%w: empty answer", ErrSymbol)
	}
	gs := make([]*glyph, len(answer))
	for i := 0; i < len(answer); i++ {
		k := strings.IndexByte(Alphabet, answer[i])
		if k < 0 {
			return nil, fmt.Errorf("%w: %q", ErrSymbol, answer[i])
		}
		gs[i] = &glyphs[k]
	}
	return gs, nil
}

// paint paints the whole picture: glyphs and noise curves on a mask, the mask
// bent by a wave, then speckles on top so they stay crisp.
func paint(gs []*glyph, rng *rand.Rand, w, h int) *image.Paletted {
	pal := newPalette(rng)
	mask := newCanvas(w, h)

	layout := newLayout(len(gs), w, h)
	for i, g := range gs {
		layout.glyph(mask, g, i, rng, inkIndex(i))
	}
	// Noise curves are thinner than glyph strokes, so a person can tell
	// them apart, but share the glyphs' inks, so colour cannot.
	for range 2 {
		mask.curve(rng, math.Max(layout.stroke*0.3, 0.6), inkIndex(rng.IntN(numInks)))
	}
	// A background-coloured curve cuts through strokes, so glyphs are not
	// cleanly connected shapes for a segmenter.
	mask.curve(rng, layout.stroke*0.3, bgIndex)

	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	mask.warp(img.Pix, rng)
	speckle(img, rng)
	return img
}

// layout places glyphs: each gets an equal slot across the picture and a
// scale that fits a glyph's ink in the height and its five columns in the
// slot.
type layout struct {
	margin, slot float64 // pixels
	scale        float64 // pixels per font dot
	stroke       float64 // pen radius in pixels
	midY         float64
}

// newLayout lays out n glyphs in a w x h picture.
func newLayout(n, w, h int) layout {
	margin := float64(w) * 0.04
	slot := (float64(w) - 2*margin) / float64(n)
	// No glyph is taller than seven rows (ascender or descender, not both),
	// and each is centred on its own ink, so seven rows must fit.
	scale := math.Min(float64(h)*0.8/maxInkRows, slot*0.72/glyphCols)
	return layout{
		margin: margin,
		slot:   slot,
		scale:  scale,
		stroke: math.Max(scale*0.42, 1),
		midY:   float64(h) / 2,
	}
}

// glyph draws g in slot i with its own random scale, rotation, shear and
// offset, so no two pictures of a symbol are alike.
func (l layout) glyph(c *canvas, g *glyph, i int, rng *rand.Rand, ink uint8) {
	s := l.scale * between(rng, 0.9, 1.08)
	sx, sy := s*between(rng, 0.88, 1.08), s
	shear := between(rng, -0.22, 0.22)
	sin, cos := math.Sincos(between(rng, -0.22, 0.22))
	cx := l.margin + l.slot*(float64(i)+0.5) + between(rng, -0.08, 0.08)*l.slot
	cy := l.midY + between(rng, -0.08, 0.08)*l.midY
	top, bottom := g.inkRows()
	midRow := float64(top+bottom+1) / 2
	// Font coordinates are centred on the glyph's ink, sheared, scaled,
	// rotated, then moved to the slot.
	at := func(fx, fy float64) (float64, float64) {
		u, v := fx-glyphCols/2.0, fy-midRow
		u += shear * v
		u, v = u*sx, v*sy
		return cx + u*cos - v*sin, cy + u*sin + v*cos
	}
	radius := l.stroke * between(rng, 0.85, 1.1)
	for _, sg := range g.strokes() {
		x0, y0 := at(sg.x0, sg.y0)
		x1, y1 := at(sg.x1, sg.y1)
		c.capsule(x0, y0, x1, y1, radius, ink)
	}
}

// between returns a uniform float in [lo, hi).
func between(rng *rand.Rand, lo, hi float64) float64 {
	return lo + rng.Float64()*(hi-lo)
}
