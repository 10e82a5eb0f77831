package qq

import (
	"context"
	"errors"
	"net/url"

	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// Session is a QQ mini-program login. SessionKey decrypts the user's
// encryptedData and must never leave the backend.
type Session struct {
	OpenID     string
	UnionID    string
	SessionKey string
}

type sessionAnswer struct {
	ErrCode    int    `json:"errcode"`
	ErrMsg     string `json:"errmsg"`
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid"`
	SessionKey string `json:"session_key"`
}

// Code2Session exchanges the code from qq.login for the user's openid,
// unionid and session_key: GET https://api.q.qq.com/sns/jscode2session.
// Errors are *Error (see InvalidCode, RateLimited, Retryable) or satisfy
// IsRetryable for transport failures.
func (c *Client) Code2Session(ctx context.Context, appID, secret, code string) (*Session, error) {
	if err := required("appID", appID, "secret", secret, "code", code); err != nil {
		return nil, err
	}
	const path = "/sns/jscode2session"
	raw, err := c.get(ctx, c.miniBase(), path, url.Values{
		"appid":      {appID},
		"secret":     {secret},
		"js_code":    {code},
		"grant_type": {"authorization_code"},
	})
	if err != nil {
		return nil, err
	}
	var a sessionAnswer
	if err := decode(raw, path, &a); err != nil {
		return nil, err
	}
	if a.ErrCode != 0 {
		return nil, &Error{Code: a.ErrCode, Msg: httpcall.Mask(a.ErrMsg, secret, code)}
	}
	// errcode 0 without an openid would log someone in as "": refuse it.
	if a.OpenID == "" || a.SessionKey == "" {
		return nil, errors.New("qq: jscode2session answer lacks openid or session_key")
	}
	return &Session{OpenID: a.OpenID, UnionID: a.UnionID, SessionKey: a.SessionKey}, nil
}
