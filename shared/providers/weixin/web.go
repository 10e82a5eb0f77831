package weixin

import "net/url"

// DefaultOpenURL is WeChat's host of web authorization pages.
const DefaultOpenURL = "https://open.weixin.qq.com"

// QRConnectURL returns the website login page of a website application
// (GET open.weixin.qq.com/connect/qrconnect, scope snsapi_login): the user
// scans its QR code with WeChat, and the browser comes back to redirectURI
// with code and state, for OAuthToken. BaseURL, when set, stands in for
// this host too (a fake serving both). WeChat matches the link strictly;
// its parameters are in the documented order (appid, redirect_uri,
// response_type, scope, state), which is also their sorted order.
func (c *Client) QRConnectURL(appID, redirectURI, state string) string {
	base := c.BaseURL
	if base == "" {
		base = DefaultOpenURL
	}
	q := url.Values{"appid": {appID}, "redirect_uri": {redirectURI}, "response_type": {"code"},
		"scope": {"snsapi_login"}, "state": {state}}
	return base + "/connect/qrconnect?" + q.Encode() + "#wechat_redirect"
}
