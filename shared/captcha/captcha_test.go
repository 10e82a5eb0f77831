package captcha

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	mrand "math/rand/v2"
	"strings"
	"testing"
)

// seeded returns a deterministic reader, so tests that need particular
// randomness get the same bytes on every run.
func seeded(n byte) io.Reader {
	var seed [32]byte
	seed[0] = n
	return mrand.NewChaCha8(seed)
}

// failingReader fails every read, as a broken entropy source would.
type failingReader struct{}

var errEntropy = errors.New("entropy source down")

func (failingReader) Read([]byte) (int, error) { return 0, errEntropy }

func TestNewAnswer(t *testing.T) {
	for _, n := range []int{1, 4, 6, 100} {
		got, err := NewAnswer(rand.Reader, n)
		if err != nil {
			t.Fatalf("NewAnswer(%d): %v", n, err)
		}
		if len(got) != n {
			t.Errorf("NewAnswer(%d) = %q, got length %d, want %d", n, got, len(got), n)
		}
		for i := 0; i < len(got); i++ {
			if strings.IndexByte(Alphabet, got[i]) < 0 {
				t.Errorf("NewAnswer(%d) = %q, symbol %q not in Alphabet", n, got, got[i])
			}
		}
	}
}

func TestNewAnswerDeterministic(t *testing.T) {
	a, err := NewAnswer(seeded(1), 16)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewAnswer(seeded(1), 16)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewAnswer(seeded(2), 16)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("same seed: got %q and %q, want equal", a, b)
	}
	if a == c {
		t.Errorf("different seeds: got %q twice, want different answers", a)
	}
}

// TestNewAnswerRejection feeds known bytes: those at or above the largest
// multiple of len(Alphabet) must be skipped, not folded onto low symbols.
func TestNewAnswerRejection(t *testing.T) {
	n := len(Alphabet)
	// NewAnswer(3) reads 7 bytes at a time.
	src := []byte{255, byte(limit), 0, byte(n - 1), byte(limit - 1), 5, 6}
	got, err := NewAnswer(bytes.NewReader(src), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := string([]byte{Alphabet[0], Alphabet[n-1], Alphabet[(limit-1)%n]})
	if got != want {
		t.Errorf("NewAnswer(%v) = %q, want %q", src, got, want)
	}
	if limit%n != 0 || limit > 256 || limit+n <= 256 {
		t.Errorf("limit = %d, want the largest multiple of %d up to 256", limit, n)
	}
}

// TestNewAnswerUniform is a chi-square test over 100k symbols. With 23
// degrees of freedom the statistic averages 23; the bound of 100 is passed by
// chance about once in 10^11 runs, while a modulo bias over 256 would exceed
// it many times over.
func TestNewAnswerUniform(t *testing.T) {
	const total = 100_000
	got, err := NewAnswer(rand.Reader, total)
	if err != nil {
		t.Fatal(err)
	}
	counts := make(map[rune]int)
	for _, c := range got {
		counts[c]++
	}
	expected := float64(total) / float64(len(Alphabet))
	chi2 := 0.0
	for _, c := range Alphabet {
		d := float64(counts[c]) - expected
		chi2 += d * d / expected
	}
	if chi2 > 100 {
		t.Errorf("chi-square = %.1f over %d symbols, want < 100 (counts %v)", chi2, len(Alphabet), counts)
	}
}

func TestNewAnswerErrors(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		n    int
	}{
		{"failing reader", failingReader{}, 4},
		{"short reader", bytes.NewReader([]byte{1, 2, 3}), 4},
		{"all bytes rejected then EOF", bytes.NewReader(bytes.Repeat([]byte{255}, 8)), 4},
		{"zero length", rand.Reader, 0},
		{"negative length", rand.Reader, -1},
	}
	for _, tt := range tests {
		got, err := NewAnswer(tt.r, tt.n)
		if err == nil {
			t.Errorf("%s: NewAnswer = %q, nil; want an error", tt.name, got)
		}
	}
	if _, err := NewAnswer(failingReader{}, 4); !errors.Is(err, errEntropy) {
		t.Errorf("failing reader: got %v, want it to wrap %v", err, errEntropy)
	}
}

func TestDataURL(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\nrest")
	got := DataURL(png)
	const prefix = "data:image/png;base64,"
	if !strings.HasPrefix(got, prefix) {
		t.Fatalf("DataURL = %q, want prefix %q", got, prefix)
	}
	back, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, prefix))
	if err != nil || !bytes.Equal(back, png) {
		t.Errorf("DataURL payload decodes to %q, %v; want %q", back, err, png)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"k7pq", "k7pq"},
		{"K7PQ", "k7pq"},
		{"  k7Pq\t\n", "k7pq"},
		{"\u3000k7pq\u3000", "k7pq"}, // ideographic spaces from a Chinese IME
		{"", ""},
		{"k7 pq", "k7 pq"}, // inner spaces are a wrong answer, not noise
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAlphabet(t *testing.T) {
	if n := len(Alphabet); n < 24 {
		t.Errorf("len(Alphabet) = %d, want at least 24", n)
	}
	seen := make(map[rune]bool)
	for _, c := range Alphabet {
		if seen[c] {
			t.Errorf("Alphabet repeats %q", c)
		}
		seen[c] = true
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') {
			t.Errorf("Alphabet holds %q, want only digits and lowercase letters", c)
		}
	}
	for _, c := range "0o1lij" {
		if seen[c] {
			t.Errorf("Alphabet holds confusable %q", c)
		}
	}
	if got := Normalize(Alphabet); got != Alphabet {
		t.Errorf("Normalize(Alphabet) = %q, want it unchanged", got)
	}
}
