// Package qrpng draws a text as a QR code in a small PNG: the picture of
// QR-code login when no mini-program code is configured.
//
// The symbol comes from github.com/piglig/go-qr: a zero-dependency,
// maintained implementation of QR Code Model 2 (ISO/IEC 18004 masks,
// Reed-Solomon ECC, optimal segment modes), which also decodes, so the
// tests read back what was drawn. rsc.io/qr is as small but unchanged since
// 2014, and skip2/go-qrcode unmaintained since 2020. The picture is drawn
// here as a two-colour palette image, which PNG stores at one bit a pixel
// (a tenth of the library's RGBA rendering).
package qrpng

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	goqr "github.com/piglig/go-qr"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/wiring"
)

// Wire gives a service the drawer (the oauth function's QR-code login):
// only the functions that apply it link the encoder.
var Wire = wiring.Wire{Name: "qrpng", Apply: func(_ context.Context, svc *account.Service, _ wiring.Runtime) error {
	svc.QRCodes = Encode
	return nil
}}

// Scale is the pixels per module, and Border the quiet zone in modules
// (the standard's four).
const (
	Scale  = 8
	Border = 4
)

// Encode returns the PNG of text as a QR code at error correction level M
// (15% of the symbol may be lost), which a phone reads from a screen.
func Encode(text string) ([]byte, error) {
	q, err := goqr.EncodeText(text, goqr.Medium)
	if err != nil {
		return nil, fmt.Errorf("qrpng: %w", err)
	}
	n := q.Size() + 2*Border
	img := image.NewPaletted(image.Rect(0, 0, n*Scale, n*Scale), color.Palette{color.White, color.Black})
	for y := range q.Size() {
		for x := range q.Size() {
			if !q.Module(x, y) {
				continue
			}
			for dy := range Scale {
				row := img.Pix[((y+Border)*Scale+dy)*img.Stride:]
				for dx := range Scale {
					row[(x+Border)*Scale+dx] = 1
				}
			}
		}
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
		return nil, fmt.Errorf("qrpng: %w", err)
	}
	return b.Bytes(), nil
}
