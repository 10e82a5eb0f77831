package email

import (
	"html"
	"strings"
)

// codeLine marks the paragraph that shows the code on its own, so that it
// is easy to copy and stands out in the HTML version.
const codeLine = "{code}"

// DefaultTemplates returns idco's built-in emails, a fresh map on each call:
// a code for "register", "login-by-email", "reset-pwd-by-email" and
// "bind-email"; a "welcome" and the security notices "mobile-changed",
// "email-changed" and "password-changed" without code; each in zh-Hans
// and en. The
// code appears only in the body, never in the subject, because subjects
// show on lock screens and in notification previews.
func DefaultTemplates() Templates {
	zhValid := "验证码 {minutes} 分钟内有效。请勿将验证码告诉任何人，{appName} 的工作人员不会向您索要验证码。"
	zhIgnore := "如果这不是您本人的操作，请忽略本邮件。"
	enValid := "The code expires in {minutes} minutes. Do not share it with anyone: {appName} staff will never ask you for it."
	enIgnore := "If you did not request this, you can ignore this email."
	return Templates{
		"register": {
			"zh-Hans": page("zh-Hans", "{appName} 注册验证码", "您好：", "您正在注册 {appName}，本次的验证码是：", codeLine, zhValid, zhIgnore),
			"en":      page("en", "Your {appName} sign-up code", "Hello,", "Use this code to finish signing up for {appName}:", codeLine, enValid, enIgnore),
		},
		"login-by-email": {
			"zh-Hans": page("zh-Hans", "{appName} 登录验证码", "您好：", "您正在登录 {appName}，本次的验证码是：", codeLine, zhValid, zhIgnore),
			"en":      page("en", "Your {appName} sign-in code", "Hello,", "Use this code to sign in to {appName}:", codeLine, enValid, enIgnore),
		},
		"reset-pwd-by-email": {
			"zh-Hans": page("zh-Hans", "{appName} 重置密码验证码", "您好：", "您正在重置 {appName} 账号的密码，本次的验证码是：", codeLine, zhValid,
				"如果您没有申请重置密码，请忽略本邮件，您的密码不会改变。"),
			"en": page("en", "Reset your {appName} password", "Hello,", "Use this code to reset the password of your {appName} account:", codeLine, enValid,
				"If you did not ask to reset your password, ignore this email: your password will not change."),
		},
		"bind-email": {
			"zh-Hans": page("zh-Hans", "{appName} 绑定邮箱验证码", "您好：", "您正在将邮箱 {email} 绑定到 {appName} 账号，本次的验证码是：", codeLine, zhValid, zhIgnore),
			"en":      page("en", "Confirm your email for {appName}", "Hello,", "Use this code to link {email} to your {appName} account:", codeLine, enValid, enIgnore),
		},
		"mobile-changed":   notice("手机号", "mobile number"),
		"email-changed":    notice("邮箱", "email address"),
		"password-changed": notice("密码", "password"),
		"welcome": {
			"zh-Hans": page("zh-Hans", "欢迎加入 {appName}", "您好：", "欢迎加入 {appName}！您已使用邮箱 {email} 注册成功。",
				"如果您没有注册过 {appName}，请忽略本邮件。"),
			"en": page("en", "Welcome to {appName}", "Hello,", "Welcome to {appName}! Your account was created with {email}.",
				"If you did not sign up for {appName}, you can ignore this email."),
		},
	}
}

// notice is a security notice: sent to the old channel after a change of
// the account's mobile, email or password, with no code.
func notice(zh, en string) map[string]Template {
	return map[string]Template{
		"zh-Hans": page("zh-Hans", "{appName} 账号"+zh+"已变更", "您好：", "您的 {appName} 账号"+zh+"刚刚被更改。",
			"如果这是您本人的操作，请忽略本邮件。如果不是，请立即登录并修改密码，或联系我们。"),
		"en": page("en", "Your {appName} "+en+" was changed", "Hello,", "The "+en+" of your {appName} account was just changed.",
			"If this was you, you can ignore this email. If not, sign in and change your password now, or contact us."),
	}
}

// page builds a template from paragraphs: the text joins them with blank
// lines, the HTML puts each in a <p> (escaped here, so that only the
// placeholder values are escaped at Render), the code paragraph larger.
func page(lang, subject string, paras ...string) Template {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="` + lang + `"><head><meta charset="utf-8"></head>` +
		`<body style="font-family:sans-serif;font-size:15px;line-height:1.6;color:#222">`)
	for _, p := range paras {
		if p == codeLine {
			b.WriteString(`<p style="font-size:28px;font-weight:bold;letter-spacing:4px">` + codeLine + `</p>`)
			continue
		}
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	b.WriteString("</body></html>")
	return Template{Subject: subject, Text: strings.Join(paras, "\n\n") + "\n", HTML: b.String()}
}
