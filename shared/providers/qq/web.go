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

// AuthCodeURL returns QQ Connect's PC web login page for appID
// (GET graph.qq.com/oauth2.0/authorize, scope get_user_info), which sends
// the browser back to redirectURI with code and state.
func (c *Client) AuthCodeURL(appID, redirectURI, state string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {appID}, "redirect_uri": {redirectURI},
		"state": {state}, "scope": {"get_user_info"}}
	return c.graphBase() + "/oauth2.0/authorize?" + q.Encode()
}

type tokenAnswer struct {
	AccessToken      string      `json:"access_token"`
	Error            flex.String `json:"error"`
	ErrorDescription string      `json:"error_description"`
}

// Token exchanges a PC web login code for the user's access token:
// GET graph.qq.com/oauth2.0/token?grant_type=authorization_code&fmt=json.
// redirectURI must be the one the code was issued for. QQ's refusals are
// *Error with Graph set: 100019 (the code cannot be exchanged), 100020
// (used), 100010 (another redirect URI), 100009 (a wrong secret).
func (c *Client) Token(ctx context.Context, appID, secret, code, redirectURI string) (string, error) {
	if err := required("appID", appID, "secret", secret, "code", code, "redirectURI", redirectURI); err != nil {
		return "", err
	}
	const path = "/oauth2.0/token"
	raw, err := c.get(ctx, c.graphBase(), path, url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {appID},
		"client_secret": {secret},
		"code":          {code},
		"redirect_uri":  {redirectURI},
		"fmt":           {"json"},
	})
	if err != nil {
		return "", err
	}
	var a tokenAnswer
	if b := bytes.TrimSpace(raw); bytes.HasPrefix(b, []byte("access_token=")) {
		// The form QQ answers without fmt=json, which older deployments
		// send regardless.
		v, _ := url.ParseQuery(string(b))
		a.AccessToken = v.Get("access_token")
	} else if err := decode(unwrapJSONP(raw), path, &a); err != nil {
		return "", err
	}
	if a.Error != "" {
		n, _ := strconv.Atoi(string(a.Error))
		return "", &Error{Code: n, Msg: httpcall.Mask(a.ErrorDescription, secret, code), Graph: true}
	}
	if a.AccessToken == "" {
		return "", errors.New("qq: oauth2.0/token answer lacks access_token")
	}
	return a.AccessToken, nil
}
