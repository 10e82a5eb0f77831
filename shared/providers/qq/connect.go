package qq

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"strconv"

	"github.com/idco-dev/idco/shared/internal/flex"
	"github.com/idco-dev/idco/shared/internal/httpcall"
)

// Me is the identity behind a QQ Connect access token. ClientID is the
// app the token was issued to; Me has already checked it is ours.
type Me struct {
	ClientID string
	OpenID   string
	UnionID  string
}

type meAnswer struct {
	ClientID         flex.String `json:"client_id"`
	OpenID           string      `json:"openid"`
	UnionID          string      `json:"unionid"`
	Error            flex.String `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

// Me resolves an access token from the QQ app SDK to the user's openid and
// unionid: GET https://graph.qq.com/oauth2.0/me?unionid=1&fmt=json.
//
// The token comes from the client, so it proves nothing until QQ says which
// app it was issued to: a client_id other than appID is ErrForeignToken.
// Errors QQ answers are *Error with Graph set (see InvalidToken).
func (c *Client) Me(ctx context.Context, accessToken, appID string) (*Me, error) {
	if err := required("accessToken", accessToken, "appID", appID); err != nil {
		return nil, err
	}
	const path = "/oauth2.0/me"
	raw, err := c.get(ctx, c.graphBase(), path, url.Values{
		"access_token": {accessToken},
		"unionid":      {"1"},
		"fmt":          {"json"},
	})
	if err != nil {
		return nil, err
	}
	var a meAnswer
	if err := decode(unwrapJSONP(raw), path, &a); err != nil {
		return nil, err
	}
	if a.Error != "" {
		code, _ := strconv.Atoi(string(a.Error))
		return nil, &Error{Code: code, Msg: httpcall.Mask(a.ErrorDescription, accessToken), Graph: true}
	}
	if string(a.ClientID) != appID {
		return nil, ErrForeignToken
	}
	if a.OpenID == "" {
		return nil, errors.New("qq: oauth2.0/me answer lacks openid")
	}
	return &Me{ClientID: string(a.ClientID), OpenID: a.OpenID, UnionID: a.UnionID}, nil
}

// UserInfo is the profile idco keeps on registration. FigureURL is the QQ
// avatar (not the QQ Zone one), 100x100 when the user has one, else 40x40.
type UserInfo struct {
	Nickname  string
	FigureURL string
}

type userInfoAnswer struct {
	Ret          int    `json:"ret"`
	Msg          string `json:"msg"`
	Nickname     string `json:"nickname"`
	FigureURLQQ1 string `json:"figureurl_qq_1"`
	FigureURLQQ2 string `json:"figureurl_qq_2"`
}

// UserInfo fetches the nickname and avatar of the user behind accessToken:
// GET https://graph.qq.com/user/get_user_info. appID is sent as
// oauth_consumer_key and openID is the one Me returned. A non-zero ret is
// an *Error with Graph set.
func (c *Client) UserInfo(ctx context.Context, accessToken, appID, openID string) (*UserInfo, error) {
	if err := required("accessToken", accessToken, "appID", appID, "openID", openID); err != nil {
		return nil, err
	}
	const path = "/user/get_user_info"
	raw, err := c.get(ctx, c.graphBase(), path, url.Values{
		"oauth_consumer_key": {appID},
		"access_token":       {accessToken},
		"openid":             {openID},
	})
	if err != nil {
		return nil, err
	}
	var a userInfoAnswer
	if err := decode(raw, path, &a); err != nil {
		return nil, err
	}
	if a.Ret != 0 {
		return nil, &Error{Code: a.Ret, Msg: httpcall.Mask(a.Msg, accessToken), Graph: true}
	}
	// QQ documents figureurl_qq_1 as always present; without it the answer
	// is not a profile.
	avatar := a.FigureURLQQ2
	if avatar == "" {
		avatar = a.FigureURLQQ1
	}
	if avatar == "" {
		return nil, errors.New("qq: get_user_info answer lacks figureurl_qq_1")
	}
	return &UserInfo{Nickname: a.Nickname, FigureURL: avatar}, nil
}

// unwrapJSONP returns the object inside `callback( {...} );`, the form
// oauth2.0/me answers without fmt=json and that older deployments send
// regardless. QQ's own documented JSONP error example has a comma before
// the closing brace, which is dropped so that it still parses.
func unwrapJSONP(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == '{' {
		return b
	}
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return b
	}
	obj := bytes.TrimSpace(b[open+1 : end])
	if n := len(obj); n > 0 && obj[n-1] == '}' {
		inner := bytes.TrimRight(obj[:n-1], " \t\r\n")
		if k := len(inner); k > 0 && inner[k-1] == ',' {
			obj = append(inner[:k-1:k-1], '}')
		}
	}
	return obj
}
