package weixin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

type tokenAnswer struct {
	status
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// AccessToken fetches the mini program's server access token, which
// PhoneNumber needs: POST /cgi-bin/stable_token with force_refresh false.
//
// getStableAccessToken is used rather than GET /cgi-bin/token because its
// tokens are isolated from /cgi-bin/token's: fetching one here does not
// invalidate the token another system (uniCloud during a migration, an
// operations script) holds for the same app, and in normal mode repeated
// calls return the same token, which WeChat renews 5 minutes before it
// expires. The caller caches the token for expiresIn seconds (7200 or less)
// and refetches once when a call answers Error.InvalidToken.
func (c *Client) AccessToken(ctx context.Context, appID, secret string) (token string, expiresIn int, err error) {
	if err := required("appID", appID, "secret", secret); err != nil {
		return "", 0, err
	}
	body := struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}{"client_credential", appID, secret, false}
	var a tokenAnswer
	if err := c.call(ctx, http.MethodPost, "/cgi-bin/stable_token", nil, body, &a, secret); err != nil {
		return "", 0, err
	}
	if a.AccessToken == "" || a.ExpiresIn <= 0 {
		return "", 0, errors.New("weixin: stable_token answer lacks access_token or expires_in")
	}
	return a.AccessToken, a.ExpiresIn, nil
}

// Phone is a user's phone number as WeChat reports it. PhoneNumber carries
// the country code for numbers outside mainland China; PurePhoneNumber
// never does.
type Phone struct {
	PhoneNumber     string
	PurePhoneNumber string
	CountryCode     string
}

type phoneAnswer struct {
	status
	PhoneInfo *phoneData `json:"phone_info"`
}

// PhoneNumber exchanges the code from a getPhoneNumber button for the
// user's number: POST /wxa/business/getuserphonenumber with the mini
// program's access token. appID is the mini program the token was issued
// to; the answer's watermark.appid must equal it. Codes are single-use and
// live 5 minutes. Errors: Error.InvalidToken (refresh the token once),
// InvalidCode (40029), RateLimited (45011), Retryable (-1).
func (c *Client) PhoneNumber(ctx context.Context, accessToken, code, appID string) (*Phone, error) {
	if err := required("accessToken", accessToken, "code", code, "appID", appID); err != nil {
		return nil, err
	}
	q := url.Values{"access_token": {accessToken}}
	body := struct {
		Code string `json:"code"`
	}{code}
	var a phoneAnswer
	if err := c.call(ctx, http.MethodPost, "/wxa/business/getuserphonenumber", q, body, &a, accessToken, code); err != nil {
		return nil, err
	}
	if a.PhoneInfo == nil {
		return nil, errors.New("weixin: getuserphonenumber answer lacks phone_info")
	}
	return a.PhoneInfo.phone(appID)
}
