package oidc

import (
	"html/template"
	"net/http"
	"strings"

	"github.com/idco-dev/idco/shared/account"
	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// loginPage shows the hosted login form of a transaction.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	id, t, cl, ok := h.txnPage(w, r)
	if !ok {
		return
	}
	p := &page{Kind: "login", Lang: t.Locale, Txn: id, CSRF: csrf(h.browserValue(r)), Client: cl}
	h.loginChoices(r, cl, p)
	h.render(w, http.StatusOK, p)
}

// loginStep is one form of the login page: the method it calls, the
// captcha scene it needs, and the form shown after it.
type loginStep struct {
	method string
	scene  string // the captcha this method asks for, if any
	next   string // the step shown when it succeeds without logging in
}

var loginSteps = map[string]loginStep{
	"password":    {method: "login", scene: "login-by-pwd"},
	"sms-start":   {scene: "send-sms-code", next: "sms-captcha"},
	"sms-send":    {method: "sendSmsCode", scene: "send-sms-code", next: "sms-code"},
	"sms":         {method: "loginBySms", scene: "login-by-sms"},
	"email-start": {scene: "send-email-code", next: "email-captcha"},
	"email-send":  {method: "sendEmailCode", scene: "send-email-code", next: "email-code"},
	"email":       {method: "loginByEmailCode", scene: "login-by-email"},
}

// The step whose form asks again for a captcha, by the step that failed.
var captchaStep = map[string]string{"password": "password-captcha", "sms-send": "sms-captcha", "sms": "sms-code",
	"email-send": "email-captcha", "email": "email-code"}

var mobileLike = lazyre.New(`^\+?[0-9]{6,15}$`)

// loginSubmit runs one step of the login form. Each step is a cloud-object
// method, so the limits, captchas and audit of the apps' logins apply; a
// login sets the single sign-on cookie and moves the transaction on.
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) {
	id, t, ok := h.formTxn(w, r)
	if !ok {
		return
	}
	cl, err := h.Svc.Client(r.Context(), t.Req.ClientID)
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, err)
		return
	}
	f := r.PostForm
	via := f.Get("via")
	step, known := loginSteps[via]
	p := &page{Kind: "login", Lang: t.Locale, Txn: id, CSRF: csrf(h.browserValue(r)), Client: cl,
		Account: strings.TrimSpace(f.Get("account")), Mobile: strings.TrimSpace(f.Get("mobile")), Email: strings.TrimSpace(f.Get("email"))}
	h.loginChoices(r, cl, p)
	if !known {
		p.Error = apierr.Param(apierr.InvalidParam, "via").Message(t.Locale)
		h.render(w, http.StatusBadRequest, p)
		return
	}
	if step.method == "" { // ask for the captcha the send needs
		h.withCaptcha(r, cl, p, step.scene, step.next)
		h.render(w, http.StatusOK, p)
		return
	}
	params := stepParams(via, f.Get, p)
	if t.BindTicket != "" && step.method != "sendSmsCode" && step.method != "sendEmailCode" {
		params["bindTicket"] = t.BindTicket
	}
	res := h.call(r, cl, t.Locale, step.method, params, "")
	switch {
	case res.ok() && res.NewToken != nil:
		h.loggedIn(w, r, id, t, res)
	case res.ok():
		p.Step, p.Message = step.next, texts[t.Locale]["code_sent"]
		h.render(w, http.StatusOK, p)
	default:
		p.Error = res.ErrMsg
		if strings.HasPrefix(res.code(), "uni-captcha-") || res.code() == apierr.CaptchaRequired {
			h.withCaptcha(r, cl, p, step.scene, captchaStep[via])
		} else if via == "sms" || via == "email" {
			p.Step = captchaStep[via]
		}
		h.render(w, http.StatusOK, p)
	}
}

// stepParams are the params of a step's method, from the form.
func stepParams(via string, get func(string) string, p *page) map[string]any {
	captcha, code := strings.TrimSpace(get("captcha")), strings.TrimSpace(get("code"))
	switch via {
	case "password":
		m := map[string]any{"password": get("password"), "captcha": captcha}
		switch {
		case strings.Contains(p.Account, "@"):
			m["email"] = p.Account
		case mobileLike.MatchString(p.Account):
			m["mobile"] = p.Account
		default:
			m["username"] = p.Account
		}
		return m
	case "sms-send":
		return map[string]any{"mobile": p.Mobile, "scene": "login-by-sms", "captcha": captcha}
	case "sms":
		return map[string]any{"mobile": p.Mobile, "code": code, "captcha": captcha}
	case "email-send":
		return map[string]any{"email": p.Email, "scene": "login-by-email", "captcha": captcha}
	}
	return map[string]any{"email": p.Email, "code": code, "captcha": captcha}
}

// withCaptcha puts a new captcha for scene on the page, at step.
func (h *Handler) withCaptcha(r *http.Request, cl *account.OAuthClient, p *page, scene, step string) {
	res := h.call(r, cl, p.Lang, "createCaptcha", map[string]any{"scene": scene}, "")
	p.Step = step
	if !res.ok() {
		p.Error = res.ErrMsg
		return
	}
	if strings.HasPrefix(res.CaptchaBase64, "data:image/") {
		p.Captcha = template.URL(res.CaptchaBase64)
	}
}

// loginContinue moves a transaction on after a login (a GET, so the
// browser's back button never resubmits the password form).
func (h *Handler) loginContinue(w http.ResponseWriter, r *http.Request) {
	id, t, _, ok := h.txnPage(w, r)
	if !ok {
		return
	}
	h.resume(w, r, id, t)
}
