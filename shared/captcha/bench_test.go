package captcha

import (
	"crypto/rand"
	"testing"
)

func BenchmarkRender(b *testing.B) {
	size := 0
	for b.Loop() {
		png, err := Render("k7pa", rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		size = len(png)
	}
	b.ReportMetric(float64(size), "png-bytes")
}

func BenchmarkNewAnswer(b *testing.B) {
	for b.Loop() {
		if _, err := NewAnswer(rand.Reader, 4); err != nil {
			b.Fatal(err)
		}
	}
}
