package weixin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Session is a mini-program login. SessionKey decrypts the user's
// encryptedData; WeChat requires that it never leaves the backend.
type Session struct {
	OpenID     string
	UnionID    string
	SessionKey string
}

type sessionAnswer struct {
	status
	OpenID     string `json:"openid"`
	UnionID    string `json:"unionid"`
	SessionKey string `json:"session_key"`
}

// Code2Session exchanges the code from wx.login for the user's openid,
// unionid (when the mini program is bound to an Open Platform account) and
// session_key: GET /sns/jscode2session. Codes are single-use and live 5
// minutes. Errors are *Error (see InvalidCode, RateLimited, Retryable) or
// satisfy IsRetryable for transport failures.
func (c *Client) Code2Session(ctx context.Context, appID, secret, code string) (*Session, error) {
	if err := required("appID", appID, "secret", secret, "code", code); err != nil {
		return nil, err
	}
	q := url.Values{
		"appid":      {appID},
		"secret":     {secret},
		"js_code":    {code},
		"grant_type": {"authorization_code"},
	}
	var a sessionAnswer
	if err := c.call(ctx, http.MethodGet, "/sns/jscode2session", q, nil, &a, secret, code); err != nil {
		return nil, err
	}
	// errcode 0 without an openid would log someone in as "": refuse it.
	if a.OpenID == "" || a.SessionKey == "" {
		return nil, errors.New("weixin: jscode2session answer lacks openid or session_key")
	}
	return &Session{OpenID: a.OpenID, UnionID: a.UnionID, SessionKey: a.SessionKey}, nil
}

// OAuthToken is a user's OAuth grant for an app, official account page or
// website QR login. AccessToken (ExpiresIn seconds, 7200 today) and
// RefreshToken are the user's, not the app's.
type OAuthToken struct {
	AccessToken  string
	ExpiresIn    int
	RefreshToken string
	OpenID       string
	UnionID      string
	Scope        string
}

type oauthAnswer struct {
	status
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	OpenID       string `json:"openid"`
	UnionID      string `json:"unionid"`
	Scope        string `json:"scope"`
}

// OAuthToken exchanges an OAuth code (from the app SDK, the official
// account redirect or the website QR page) for the user's access token and
// openid: GET /sns/oauth2/access_token. Errors are as for Code2Session;
// a reused code answers 40163.
func (c *Client) OAuthToken(ctx context.Context, appID, secret, code string) (*OAuthToken, error) {
	if err := required("appID", appID, "secret", secret, "code", code); err != nil {
		return nil, err
	}
	q := url.Values{
		"appid":      {appID},
		"secret":     {secret},
		"code":       {code},
		"grant_type": {"authorization_code"},
	}
	var a oauthAnswer
	if err := c.call(ctx, http.MethodGet, "/sns/oauth2/access_token", q, nil, &a, secret, code); err != nil {
		return nil, err
	}
	if a.OpenID == "" || a.AccessToken == "" {
		return nil, errors.New("weixin: oauth2/access_token answer lacks openid or access_token")
	}
	return &OAuthToken{
		AccessToken:  a.AccessToken,
		ExpiresIn:    a.ExpiresIn,
		RefreshToken: a.RefreshToken,
		OpenID:       a.OpenID,
		UnionID:      a.UnionID,
		Scope:        a.Scope,
	}, nil
}

// UserInfo is the profile idco keeps on registration. Sex is 1 male,
// 2 female, 0 unknown; since WeChat's 2021 user-information changes,
// expect 0.
type UserInfo struct {
	Nickname   string
	HeadImgURL string
	UnionID    string
	Sex        int
}

type userInfoAnswer struct {
	status
	OpenID     string `json:"openid"`
	Nickname   string `json:"nickname"`
	Sex        int    `json:"sex"`
	HeadImgURL string `json:"headimgurl"`
	UnionID    string `json:"unionid"`
}

// UserInfo fetches the profile of the user an OAuth access token belongs to:
// GET /sns/userinfo (scope snsapi_userinfo). An expired token answers 42001
// (see Error.InvalidToken). The answer must name openID, so that a token
// issued for another user cannot supply someone else's profile.
func (c *Client) UserInfo(ctx context.Context, accessToken, openID string) (*UserInfo, error) {
	if err := required("accessToken", accessToken, "openID", openID); err != nil {
		return nil, err
	}
	q := url.Values{
		"access_token": {accessToken},
		"openid":       {openID},
		"lang":         {"zh_CN"},
	}
	var a userInfoAnswer
	if err := c.call(ctx, http.MethodGet, "/sns/userinfo", q, nil, &a, accessToken); err != nil {
		return nil, err
	}
	if a.OpenID != openID {
		return nil, errors.New("weixin: userinfo answer is for another openid")
	}
	return &UserInfo{Nickname: a.Nickname, HeadImgURL: a.HeadImgURL, UnionID: a.UnionID, Sex: a.Sex}, nil
}
