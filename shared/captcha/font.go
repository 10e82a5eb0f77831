package captcha

import "strings"

// The font is a dot matrix five dots wide and nine tall: rows 0-1 hold
// ascenders, rows 2-6 the x-height, rows 7-8 descenders; digits stand in rows
// 0-6. Glyphs are drawn as pen strokes joining neighbouring dots rather than
// as squares, so scaled up they read as handwriting-like letters instead of
// blocky pixels.
const (
	glyphCols  = 5
	glyphRows  = 9
	maxInkRows = 7 // no glyph has both an ascender and a descender
)

// glyph is one symbol's bitmap: '#' is a dot, '.' is empty.
type glyph struct {
	sym  byte
	rows [glyphRows]string
}

// glyphs holds one bitmap per symbol, in Alphabet order so that a symbol's
// index in Alphabet finds its glyph.
var glyphs = [len(Alphabet)]glyph{
	{'2', [glyphRows]string{
		".###.",
		"#...#",
		"....#",
		"...#.",
		"..#..",
		".#...",
		"#####",
		".....",
		".....",
	}},
	{'3', [glyphRows]string{
		"#####",
		"...#.",
		"..#..",
		"...#.",
		"....#",
		"#...#",
		".###.",
		".....",
		".....",
	}},
	{'4', [glyphRows]string{
		"...#.",
		"..##.",
		".#.#.",
		"#..#.",
		"#####",
		"...#.",
		"...#.",
		".....",
		".....",
	}},
	{'5', [glyphRows]string{
		"#####",
		"#....",
		"####.",
		"....#",
		"....#",
		"#...#",
		".###.",
		".....",
		".....",
	}},
	{'7', [glyphRows]string{
		"#####",
		"....#",
		"...#.",
		"..#..",
		".#...",
		".#...",
		".#...",
		".....",
		".....",
	}},
	{'8', [glyphRows]string{
		".###.",
		"#...#",
		"#...#",
		".###.",
		"#...#",
		"#...#",
		".###.",
		".....",
		".....",
	}},
	{'a', [glyphRows]string{
		".....",
		".....",
		".###.",
		"....#",
		".####",
		"#...#",
		".####",
		".....",
		".....",
	}},
	{'b', [glyphRows]string{
		"#....",
		"#....",
		"#.##.",
		"##..#",
		"#...#",
		"#...#",
		"####.",
		".....",
		".....",
	}},
	{'c', [glyphRows]string{
		".....",
		".....",
		".####",
		"#....",
		"#....",
		"#....",
		".####",
		".....",
		".....",
	}},
	{'d', [glyphRows]string{
		"....#",
		"....#",
		".####",
		"#...#",
		"#...#",
		"#...#",
		".####",
		".....",
		".....",
	}},
	{'e', [glyphRows]string{
		".....",
		".....",
		".###.",
		"#...#",
		"#####",
		"#....",
		".###.",
		".....",
		".....",
	}},
	{'f', [glyphRows]string{
		"..##.",
		".#..#",
		".#...",
		"###..",
		".#...",
		".#...",
		".#...",
		".....",
		".....",
	}},
	{'h', [glyphRows]string{
		"#....",
		"#....",
		"#.##.",
		"##..#",
		"#...#",
		"#...#",
		"#...#",
		".....",
		".....",
	}},
	{'k', [glyphRows]string{
		"#....",
		"#....",
		"#..#.",
		"#.#..",
		"##...",
		"#.#..",
		"#..#.",
		".....",
		".....",
	}},
	{'m', [glyphRows]string{
		".....",
		".....",
		"##.#.",
		"#.#.#",
		"#.#.#",
		"#.#.#",
		"#.#.#",
		".....",
		".....",
	}},
	{'n', [glyphRows]string{
		".....",
		".....",
		"#.##.",
		"##..#",
		"#...#",
		"#...#",
		"#...#",
		".....",
		".....",
	}},
	{'p', [glyphRows]string{
		".....",
		".....",
		"####.",
		"#...#",
		"#...#",
		"####.",
		"#....",
		"#....",
		"#....",
	}},
	{'r', [glyphRows]string{
		".....",
		".....",
		"#.##.",
		"##...",
		"#....",
		"#....",
		"#....",
		".....",
		".....",
	}},
	{'t', [glyphRows]string{
		".#...",
		".#...",
		"####.",
		".#...",
		".#...",
		".#..#",
		"..##.",
		".....",
		".....",
	}},
	{'u', [glyphRows]string{
		".....",
		".....",
		"#...#",
		"#...#",
		"#...#",
		"#...#",
		".####",
		".....",
		".....",
	}},
	{'v', [glyphRows]string{
		".....",
		".....",
		"#...#",
		"#...#",
		".#.#.",
		".#.#.",
		"..#..",
		".....",
		".....",
	}},
	{'w', [glyphRows]string{
		".....",
		".....",
		"#...#",
		"#...#",
		"#.#.#",
		"#.#.#",
		".#.#.",
		".....",
		".....",
	}},
	{'x', [glyphRows]string{
		".....",
		".....",
		"#...#",
		".#.#.",
		"..#..",
		".#.#.",
		"#...#",
		".....",
		".....",
	}},
	{'y', [glyphRows]string{
		".....",
		".....",
		"#...#",
		"#...#",
		"#...#",
		".####",
		"....#",
		"....#",
		".###.",
	}},
}

// inkRows returns the first and last rows holding a dot.
func (g *glyph) inkRows() (top, bottom int) {
	top, bottom = glyphRows, -1
	for r, row := range g.rows {
		if strings.IndexByte(row, '#') >= 0 {
			top, bottom = min(top, r), max(bottom, r)
		}
	}
	return top, bottom
}

// segment is a pen stroke between two dot centres, in font units.
type segment struct{ x0, y0, x1, y1 float64 }

// strokes turns a glyph's dots into pen strokes: each dot joins its right and
// lower neighbours, and its diagonal neighbours when no orthogonal path
// already links them (which would thicken the corner into a blob). A dot with
// no neighbours is a zero-length stroke, drawn as a round dot.
func (g *glyph) strokes() []segment {
	on := func(r, c int) bool {
		return r >= 0 && r < glyphRows && c >= 0 && c < glyphCols && g.rows[r][c] == '#'
	}
	var segs []segment
	for r := 0; r < glyphRows; r++ {
		for c := 0; c < glyphCols; c++ {
			if !on(r, c) {
				continue
			}
			x, y := float64(c)+0.5, float64(r)+0.5
			linked := false
			link := func(dr, dc int) {
				segs = append(segs, segment{x, y, x + float64(dc), y + float64(dr)})
				linked = true
			}
			if on(r, c+1) {
				link(0, 1)
			}
			if on(r+1, c) {
				link(1, 0)
			}
			if on(r+1, c+1) && !on(r, c+1) && !on(r+1, c) {
				link(1, 1)
			}
			if on(r+1, c-1) && !on(r, c-1) && !on(r+1, c) {
				link(1, -1)
			}
			if !linked && !on(r-1, c) && !on(r, c-1) && !on(r-1, c-1) && !on(r-1, c+1) {
				segs = append(segs, segment{x, y, x, y})
			}
		}
	}
	return segs
}
