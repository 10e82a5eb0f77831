package qrpng

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	goqr "github.com/piglig/go-qr"
)

// TestEncodeReadsBack: the PNG decodes, and its QR code reads back as the
// text, for a login URL and for the longest one idco.qrLogin.url allows.
func TestEncodeReadsBack(t *testing.T) {
	for _, text := range []string{
		"https://id.example.com/qr?t=AbCdEfGhIjKlMnOpQrStUvWxYz012345",
		"https://" + strings.Repeat("a", 190) + ".example/qr?t=" + strings.Repeat("x", 32),
	} {
		pic, err := Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(pic))
		if err != nil {
			t.Fatalf("the PNG does not decode: %v", err)
		}
		got, err := goqr.Decode(img)
		if err != nil || got != text {
			t.Fatalf("read back %q, %v; want %q", got, err, text)
		}
		if len(pic) > 4096 {
			t.Errorf("PNG of %d bytes for %d characters, want at most 4 KiB", len(pic), len(text))
		}
	}
}

// TestEncodeTooLong: a text beyond a QR code's capacity is an error.
func TestEncodeTooLong(t *testing.T) {
	if _, err := Encode(strings.Repeat("x", 3000)); err == nil {
		t.Fatal("3000 bytes encoded")
	}
}
