package weixin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// maxPicture caps a mini-program code's picture: WeChat's are 20-100 KiB
// at the default 430 px.
const maxPicture = 1 << 20

// CodeRequest is what a mini-program code opens: wxacode.getUnlimited's
// body. Scene is at most 32 visible characters of [0-9A-Za-z] and
// !#$&'()*+,/:;=?@-._~; the page receives it as query.scene.
type CodeRequest struct {
	Scene      string `json:"scene"`
	Page       string `json:"page,omitempty"`
	CheckPath  bool   `json:"check_path"`
	EnvVersion string `json:"env_version,omitempty"` // release, trial, develop
	Width      int    `json:"width,omitempty"`       // 280-1280 px; WeChat's default 430
}

// UnlimitedCode draws a mini-program code (getUnlimitedQRCode): POST
// /wxa/getwxacodeunlimit with the mini program's access token. WeChat
// answers the picture itself (JPEG, or PNG for a transparent one), whose
// bytes and content type are returned, or JSON with errcode: an *Error,
// Error.InvalidToken (refresh the token once), InvalidPage (41030: the page
// is not in the released version and CheckPath is on), 40129 (invalid
// scene), 45009 (the daily quota), RateLimited (45011), Retryable (-1).
func (c *Client) UnlimitedCode(ctx context.Context, accessToken string, r CodeRequest) (picture []byte, contentType string, err error) {
	if err := required("accessToken", accessToken, "scene", r.Scene); err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, httpcall.Timeout(c.Timeout, DefaultTimeout))
	defer cancel()
	const path = "/wxa/getwxacodeunlimit"
	req, err := c.newRequest(ctx, http.MethodPost, path, url.Values{"access_token": {accessToken}}, r)
	if err != nil {
		return nil, "", err
	}
	raw, err := httpcall.Fetch(c.HTTP, req, maxPicture)
	if err != nil {
		return nil, "", fmt.Errorf("weixin: POST %s: %w", path, err)
	}
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '{' {
		var s status
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return nil, "", &transportError{fmt.Errorf("%s answer is neither a picture nor JSON", path)}
		}
		if s.ErrCode != 0 {
			return nil, "", &Error{Code: s.ErrCode, Msg: httpcall.Mask(s.ErrMsg, accessToken)}
		}
		return nil, "", errors.New("weixin: getwxacodeunlimit answered JSON without errcode")
	}
	switch ct := http.DetectContentType(raw); ct {
	case "image/png", "image/jpeg":
		return raw, ct, nil
	}
	// A proxy's page, not WeChat's answer: it may be fine a moment later.
	return nil, "", &transportError{fmt.Errorf("%s answer is not a picture", path)}
}

// InvalidPage reports errcode 41030: the code names a page the released
// mini program lacks (a wrong idco.qrLogin.page, or a page not released yet
// while check_path is on).
func (e *Error) InvalidPage() bool { return e.Code == 41030 }
