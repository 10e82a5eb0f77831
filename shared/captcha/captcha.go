// Package captcha makes image captchas: random answers from a confusable-free
// alphabet and their PNG pictures. It owns the alphabet, the bitmap font that
// draws it, and the distortions that keep the picture readable by people but
// not trivially by machines; storing answers and counting attempts belong to
// the caller.
package captcha

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Alphabet is the set of symbols answers are drawn from, in font order: 24
// symbols, about 4.6 bits each. It leaves out symbols a person could misread
// once glyphs are rotated, sheared and crossed by noise: 0 o (rings), 1 l i j
// (bars), z s (2 and 5 drawn smaller, and glyph size varies), 6 (b), and 9 g
// q (each other). Only lowercase: callers compare answers case-insensitively
// via Normalize, and the glyphs of p and k read as P and K too.
const Alphabet = "234578abcdefhkmnprtuvwxy"

// Width and Height are the picture size Render draws, uni-captcha's default.
const Width, Height = 150, 50

// limit is the largest multiple of len(Alphabet) that fits in a byte: bytes
// at or above it are rejected so that every symbol is equally likely.
const limit = 256 - 256%len(Alphabet)

// NewAnswer returns n symbols drawn uniformly from Alphabet using r (rejection
// sampling, no modulo bias). n must be positive.
func NewAnswer(r io.Reader, n int) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("captcha: answer length %d, want at least 1", n)
	}
	out := make([]byte, 0, n)
	// Ask for a little more than n bytes: about 2% of bytes are rejected.
	buf := make([]byte, n+n/8+4)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("captcha: reading randomness: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, Alphabet[int(b)%len(Alphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}

// DataURL returns "data:image/png;base64,<...>" for a PNG, the form
// uni-captcha sends to clients to put straight into an <image> src.
func DataURL(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

// Normalize returns a user's typed answer in the form answers are stored and
// compared: trimmed, lowercased. Answers from NewAnswer are already in this
// form.
func Normalize(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// ErrSymbol is returned by Render for an answer that is empty or holds a
// symbol outside Alphabet, which has no glyph.
var ErrSymbol = errors.New("captcha: answer symbol outside Alphabet")
