package captcha

import (
	"strings"
	"testing"
)

func TestGlyphTable(t *testing.T) {
	for i, g := range glyphs {
		if g.sym != Alphabet[i] {
			t.Errorf("glyphs[%d].sym = %q, want %q (Alphabet order)", i, g.sym, Alphabet[i])
		}
		for r, row := range g.rows {
			if len(row) != glyphCols || strings.Trim(row, ".#") != "" {
				t.Errorf("glyph %q row %d = %q, want %d of '.' or '#'", g.sym, r, row, glyphCols)
			}
		}
		top, bottom := g.inkRows()
		if bottom < top || bottom-top+1 > maxInkRows {
			t.Errorf("glyph %q ink rows %d..%d, want 1 to %d rows", g.sym, top, bottom, maxInkRows)
		}
	}
}

// TestStrokesCoverDots checks that every dot of every glyph is drawn: each is
// an end of some stroke.
func TestStrokesCoverDots(t *testing.T) {
	for _, g := range glyphs {
		ends := make(map[[2]float64]bool)
		for _, s := range g.strokes() {
			ends[[2]float64{s.x0, s.y0}] = true
			ends[[2]float64{s.x1, s.y1}] = true
		}
		for r, row := range g.rows {
			for c := range glyphCols {
				dot := [2]float64{float64(c) + 0.5, float64(r) + 0.5}
				if got, want := ends[dot], row[c] == '#'; got != want {
					t.Errorf("glyph %q dot (%d,%d): stroke end = %v, want %v", g.sym, r, c, got, want)
				}
			}
		}
	}
}

// TestGlyphsDistinct guards against two symbols that look alike. Glyphs are
// compared as drawn, aligned on their top ink row (Render centres each glyph
// on its ink, so position within the 9-row box does not tell them apart), and
// must differ in several dots, not just one that noise could hide.
func TestGlyphsDistinct(t *testing.T) {
	const minDiff = 4
	aligned := func(g *glyph) [maxInkRows]string {
		var out [maxInkRows]string
		top, bottom := g.inkRows()
		for r := range out {
			out[r] = "....."
			if top+r <= bottom {
				out[r] = g.rows[top+r]
			}
		}
		return out
	}
	for i := range glyphs {
		for j := i + 1; j < len(glyphs); j++ {
			a, b := aligned(&glyphs[i]), aligned(&glyphs[j])
			diff := 0
			for r := range a {
				for c := range glyphCols {
					if a[r][c] != b[r][c] {
						diff++
					}
				}
			}
			if diff < minDiff {
				t.Errorf("glyphs %q and %q differ in %d dots, want at least %d", glyphs[i].sym, glyphs[j].sym, diff, minDiff)
			}
		}
	}
}
