package oidc

import (
	"html/template"
	"sync"
)

// texts are the pages' words, in zh-Hans and en.
var texts = map[string]map[string]string{
	"zh-Hans": {
		"login": "登录", "continue_to": "登录以继续访问", "password_login": "账号密码登录",
		"account": "用户名 / 手机号 / 邮箱", "password": "密码", "captcha": "图形验证码", "submit_login": "登录",
		"sms_login": "短信验证码登录", "mobile": "手机号", "email_login": "邮箱验证码登录", "email": "邮箱",
		"next": "下一步", "send_code": "获取验证码", "code": "验证码", "code_sent": "验证码已发送",
		"consent": "授权", "consent_asks": "申请获得以下权限", "allow": "同意", "deny": "拒绝", "website": "网站",
		"logout": "退出登录", "logout_ask": "要退出登录吗？", "logged_out": "你已退出登录", "error": "出错了",
		"other_way": "其他登录方式", "qr_use_wechat": "请使用微信扫描此二维码，并在小程序中确认登录",
		"bind_first": "此第三方账号尚未绑定：登录你的账号即可绑定",
	},
	"en": {
		"login": "Log in", "continue_to": "Log in to continue to", "password_login": "Password",
		"account": "Username, mobile or email", "password": "Password", "captcha": "Captcha", "submit_login": "Log in",
		"sms_login": "SMS code", "mobile": "Mobile", "email_login": "Email code", "email": "Email",
		"next": "Next", "send_code": "Send code", "code": "Code", "code_sent": "A code was sent",
		"consent": "Authorize", "consent_asks": "would like to", "allow": "Allow", "deny": "Deny", "website": "Website",
		"logout": "Log out", "logout_ask": "Log out of your account?", "logged_out": "You are logged out", "error": "Something went wrong",
		"other_way": "Other ways to log in", "qr_use_wechat": "Scan this code with WeChat, then confirm the login in the mini program",
		"bind_first": "This account is not linked yet: log in to your account to link it",
	},
}

// pageTemplate is every hosted page: no script, no external asset. It is
// parsed at its first use, not in the function's init (cold start).
var pageTemplate = sync.OnceValue(func() *template.Template { return template.Must(template.New("page").Parse(pageSource)) })

const pageSource = `<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if eq .Kind "login"}}{{.T.login}}{{else if eq .Kind "consent"}}{{.T.consent}}{{else if eq .Kind "logout"}}{{.T.logout}}{{else}}idco{{end}}</title>
<style>
body{font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f8;margin:0;color:#222}
main{max-width:380px;margin:6vh auto;background:#fff;padding:28px;border-radius:10px;box-shadow:0 2px 12px #0001}
h1{font-size:22px;margin:0 0 16px}label{display:block;margin:12px 0 4px;font-size:14px;color:#555}
input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #ccc;border-radius:6px;font-size:16px}
button{width:100%;margin-top:16px;padding:11px;border:0;border-radius:6px;background:#2b6de5;color:#fff;font-size:16px;cursor:pointer}
button.secondary{background:#e8eaee;color:#222}.error{color:#c62828;margin:8px 0}.note{color:#2e7d32;margin:8px 0}
details{margin-top:18px;border-top:1px solid #eee;padding-top:12px}summary{cursor:pointer;color:#2b6de5}
.app{display:flex;align-items:center;gap:12px;margin-bottom:12px}.app img{width:48px;height:48px;border-radius:8px}
ul{padding-left:20px}.captcha{display:block;margin:6px 0;height:40px}
.providers{margin-top:18px;border-top:1px solid #eee;padding-top:12px;display:flex;flex-wrap:wrap;gap:8px}
.provider{display:flex;align-items:center;gap:6px;padding:8px 12px;border:1px solid #ddd;border-radius:6px;color:#222;text-decoration:none}
.provider img{width:20px;height:20px}
</style></head><body><main>
{{if eq .Kind "message"}}
  {{if .Error}}<h1>{{.T.error}}</h1><p class="error" role="alert">{{.Error}}</p>{{else}}<h1>{{.Message}}</h1>{{end}}
{{else if eq .Kind "logout"}}
  <h1>{{.T.logout}}</h1><p>{{.T.logout_ask}}</p>
  <form method="post" action="/oauth2/logout">
    <input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="client_id" value="{{.ClientID}}">
    <input type="hidden" name="post_logout_redirect_uri" value="{{.PostLogout}}"><input type="hidden" name="state" value="{{.State}}">
    <button type="submit">{{.T.logout}}</button>
  </form>
{{else if eq .Kind "consent"}}
  <div class="app">{{if .Client.Logo}}<img src="{{.Client.Logo}}" alt="">{{end}}<div><strong>{{.Client.Name}}</strong>
  {{if .Client.Website}}<br><small>{{.T.website}}: {{.Client.Website}}</small>{{end}}</div></div>
  <p>{{.Client.Name}} {{.T.consent_asks}}</p>
  <ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
  <form method="post" action="/oauth2/consent">
    <input type="hidden" name="txn" value="{{.Txn}}"><input type="hidden" name="csrf" value="{{.CSRF}}">
    <button type="submit" name="decision" value="allow">{{.T.allow}}</button>
    <button type="submit" name="decision" value="deny" class="secondary">{{.T.deny}}</button>
  </form>
{{else}}
  <h1>{{.T.login}}</h1><p>{{.T.continue_to}} <strong>{{.Client.Name}}</strong></p>
  {{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}{{if .Message}}<p class="note" role="status">{{.Message}}</p>{{end}}
  {{if and (or (eq .Step "") (eq .Step "password-captcha")) (index .Types "username-password")}}
  <form method="post" action="/oauth2/login" id="password">
    <input type="hidden" name="txn" value="{{.Txn}}"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="via" value="password">
    <label for="account">{{.T.account}}</label><input id="account" name="account" value="{{.Account}}" autocomplete="username" required>
    <label for="password-input">{{.T.password}}</label><input id="password-input" name="password" type="password" autocomplete="current-password" required>
    {{if eq .Step "password-captcha"}}{{template "captcha" .}}{{end}}
    <button type="submit">{{.T.submit_login}}</button>
  </form>
  {{end}}
  {{if and (or (eq .Step "") (eq .Step "sms-captcha") (eq .Step "sms-code")) (index .Types "mobile-code")}}
  <details{{if ne .Step ""}} open{{end}}><summary>{{.T.sms_login}}</summary>
  <form method="post" action="/oauth2/login" id="sms">
    <input type="hidden" name="txn" value="{{.Txn}}"><input type="hidden" name="csrf" value="{{.CSRF}}">
    <label for="mobile">{{.T.mobile}}</label><input id="mobile" name="mobile" value="{{.Mobile}}" autocomplete="tel" required>
    {{if eq .Step "sms-captcha"}}{{template "captcha" .}}<input type="hidden" name="via" value="sms-send"><button type="submit">{{.T.send_code}}</button>
    {{else if eq .Step "sms-code"}}{{if .Captcha}}{{template "captcha" .}}{{end}}<label for="code">{{.T.code}}</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
    <input type="hidden" name="via" value="sms"><button type="submit">{{.T.submit_login}}</button>
    {{else}}<input type="hidden" name="via" value="sms-start"><button type="submit" class="secondary">{{.T.next}}</button>{{end}}
  </form></details>
  {{end}}
  {{if and (or (eq .Step "") (eq .Step "email-captcha") (eq .Step "email-code")) (index .Types "email-code")}}
  <details{{if ne .Step ""}} open{{end}}><summary>{{.T.email_login}}</summary>
  <form method="post" action="/oauth2/login" id="email">
    <input type="hidden" name="txn" value="{{.Txn}}"><input type="hidden" name="csrf" value="{{.CSRF}}">
    <label for="email-input">{{.T.email}}</label><input id="email-input" name="email" type="email" value="{{.Email}}" autocomplete="email" required>
    {{if eq .Step "email-captcha"}}{{template "captcha" .}}<input type="hidden" name="via" value="email-send"><button type="submit">{{.T.send_code}}</button>
    {{else if eq .Step "email-code"}}{{if .Captcha}}{{template "captcha" .}}{{end}}<label for="email-code">{{.T.code}}</label><input id="email-code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
    <input type="hidden" name="via" value="email"><button type="submit">{{.T.submit_login}}</button>
    {{else}}<input type="hidden" name="via" value="email-start"><button type="submit" class="secondary">{{.T.next}}</button>{{end}}
  </form></details>
  {{end}}
  {{if and (eq .Step "") .Buttons}}<div class="providers">{{range .Buttons}}<a class="provider" href="/oauth2/provider/{{.Provider}}?txn={{$.Txn}}">{{if .Icon}}<img src="{{.Icon}}" alt="">{{end}}{{.Name}}</a>{{end}}</div>{{end}}
  {{if ne .Step ""}}<p><a href="/oauth2/login?txn={{.Txn}}">{{.T.other_way}}</a></p>{{end}}
{{end}}
</main></body></html>
{{define "captcha"}}<label for="captcha">{{.T.captcha}}</label>{{if .Captcha}}<img class="captcha" src="{{.Captcha}}" alt="{{.T.captcha}}">{{end}}<input id="captcha" name="captcha" autocomplete="off" required>{{end}}`
