// Browser test of the open platform's hosted pages (shared/oidc): an app
// registered by the first administrator sends headless Chromium, with
// JavaScript off, through /oauth2/authorize, the login form and the consent
// page back to its callback (a tiny server here), then exchanges the code
// with its PKCE verifier. The pages are checked in zh-Hans and en, and for
// the absence of any script.
//
//   npm ci && node --test oidc.test.mjs      (from infra/browser; make browser-test)
//
// A screenshot of the page is saved in screenshots/ when a step fails.

import crypto from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import puppeteer from 'puppeteer-core'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '..', '..')
const chromium = process.env.CHROMIUM || '/usr/bin/chromium'
const shots = path.join(here, 'screenshots')

const appName = 'Browser Demo App'
const username = 'bob_oidc'
const password = 'Bob-passw0rd-oidc'
const setupSecret = crypto.randomBytes(24).toString('hex')

// zh-Hans and en words of shared/oidc/template.go the test looks for.
const words = {
  'zh-Hans': {
    title: '登录', continueTo: '登录以继续访问', account: '用户名 / 手机号 / 邮箱', password: '密码', submit: '登录',
    sms: '短信验证码登录', email: '邮箱验证码登录', consent: '授权', asks: '申请获得以下权限', allow: '同意', deny: '拒绝',
    scopes: ['确认你的身份', '读取你的昵称、用户名和头像']
  },
  en: {
    title: 'Log in', continueTo: 'Log in to continue to', account: 'Username, mobile or email', password: 'Password', submit: 'Log in',
    sms: 'SMS code', email: 'Email code', consent: 'Authorize', asks: 'would like to', allow: 'Allow', deny: 'Deny',
    scopes: ['Confirm who you are', 'Read your nickname, username and avatar']
  }
}

let dataDir, devServer, callbackServer, browser, api, callbackURL, client
let page // the current step's page, for the screenshot
const callbacks = [] // the queries the app's callback received

// ---------------------------------------------------------------- set-up

function freePort () {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

async function startDevServer (port) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idco-oidc-'))
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({
    tokenSecret: crypto.randomBytes(32).toString('hex'),
    idco: { admin: { setupSecret } }
  }))
  const bin = path.join(dataDir, 'devserver')
  const build = spawnSync('go', ['build', '-o', bin, './infra/devserver'], { cwd: repoRoot, stdio: 'inherit' })
  assert.equal(build.status, 0, 'go build ./infra/devserver failed')
  devServer = spawn(bin, ['-addr', `127.0.0.1:${port}`, '-data', dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  devServer.stderr.on('data', (d) => { log += d })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dev server did not start: ' + log)), 30000)
    devServer.stdout.on('data', (d) => {
      if (String(d).includes('idco dev server on')) { clearTimeout(timer); resolve() }
    })
    devServer.on('exit', (code) => reject(new Error(`dev server exited ${code}: ${log}`)))
  })
}

// startCallback serves the app's redirect URI: it records the query.
function startCallback (port) {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      const u = new URL(req.url, `http://127.0.0.1:${port}`)
      if (u.pathname === '/callback') callbacks.push(Object.fromEntries(u.searchParams))
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.end('<!doctype html><title>callback</title><p>back at the app</p>')
    })
    s.listen(port, '127.0.0.1', () => resolve(s))
  })
}

// call runs a cloud-object method as a client on deviceId.
async function call (fn, method, params, { token, deviceId = 'oidc-test' } = {}) {
  const res = await fetch(`${api}/${fn}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ params, uniIdToken: token, clientInfo: { appId: '__UNI__DEMO', uniPlatform: 'web', deviceId, locale: 'en' } })
  })
  const body = await res.json()
  assert.equal(body.errCode, 0, `${fn}/${method}: ${JSON.stringify(body)}`)
  return body
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// outbox returns the dev outbox's last message of kind for scene (and to).
async function outbox (kind, scene, to) {
  for (let i = 0; i < 50; i++) {
    const file = path.join(dataDir, 'outbox.jsonl')
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
    const m = lines.reverse().find((m) => m.kind === kind && m.scene === scene && (!to || m.to === to))
    if (m) return m
    await sleep(100)
  }
  throw new Error(`no ${kind} for ${scene} in the dev outbox`)
}

// captcha asks for a captcha of scene on deviceId and returns its answer.
async function captcha (scene, deviceId) {
  await call('captcha', 'createCaptcha', { scene }, { deviceId })
  return (await outbox('captcha', scene, deviceId)).code
}

before(async () => {
  const [apiPort, callbackPort] = [await freePort(), await freePort()]
  api = `http://127.0.0.1:${apiPort}`
  callbackURL = `http://127.0.0.1:${callbackPort}/callback`
  await startDevServer(apiPort)
  callbackServer = await startCallback(callbackPort)

  const admin = await call('register', 'registerAdmin', { username: 'root', password: 'Admin-passw0rd-oidc', setupSecret,
    captcha: await captcha('register', 'oidc-admin') }, { deviceId: 'oidc-admin' })
  client = await call('admin', 'addOAuthClient', { name: appName, website: 'https://demo.example.com',
    redirectUris: [callbackURL], scopes: ['openid', 'profile'] }, { token: admin.newToken.token, deviceId: 'oidc-admin' })
  assert.ok(client.clientId && client.clientSecret, JSON.stringify(client))
  await call('uni-id-co', 'registerUser', { username, password, captcha: await captcha('register', 'oidc-user') }, { deviceId: 'oidc-user' })

  browser = await puppeteer.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    userDataDir: path.join(dataDir, 'chromium')
  })
}, { timeout: 120000 })

after(async () => {
  if (browser) await browser.close()
  if (callbackServer) callbackServer.close()
  if (devServer) devServer.kill()
})

// ---------------------------------------------------------------- helpers

// step runs one part of the flow and saves a screenshot if it fails.
async function step (name, fn) {
  try {
    await fn()
  } catch (e) {
    if (page) {
      fs.mkdirSync(shots, { recursive: true })
      const file = path.join(shots, 'oidc-' + name.replace(/\W+/g, '-') + '.png')
      await page.screenshot({ path: file, fullPage: true }).catch(() => {})
      e.message += `\n(screenshot: ${file}; page ${page.url()})`
    }
    throw e
  }
}

const b64url = (buf) => Buffer.from(buf).toString('base64url')

// authorizeURL is the app's authorization request, with a fresh state,
// nonce and PKCE S256 pair (returned too).
function authorizeURL (extra = {}) {
  const req = { state: b64url(crypto.randomBytes(16)), nonce: b64url(crypto.randomBytes(16)), verifier: b64url(crypto.randomBytes(32)) }
  const q = new URLSearchParams({
    response_type: 'code', client_id: client.clientId, redirect_uri: callbackURL, scope: 'openid profile',
    state: req.state, nonce: req.nonce, code_challenge: b64url(crypto.createHash('sha256').update(req.verifier).digest()),
    code_challenge_method: 'S256', ...extra
  })
  return { ...req, url: `${api}/oauth2/authorize?${q}` }
}

// newPage opens a page in a fresh browser context (its own cookies, so no
// single sign-on session), with JavaScript off and Accept-Language set.
// It records idco's documents (URL, status, headers, body) and the
// console's messages (a CSP violation lands there).
async function newPage (acceptLanguage) {
  const ctx = await browser.createBrowserContext()
  const p = await ctx.newPage()
  await p.setJavaScriptEnabled(false)
  await p.setExtraHTTPHeaders({ 'Accept-Language': acceptLanguage })
  await p.setViewport({ width: 800, height: 1000 })
  p.docs = []
  p.console = []
  p.on('console', (m) => p.console.push(`${m.type()}: ${m.text()}`))
  p.on('pageerror', (e) => p.console.push(`pageerror: ${e.message}`))
  p.on('response', async (r) => {
    if (r.request().resourceType() !== 'document' || !r.url().startsWith(api + '/')) return
    const doc = { url: r.url(), status: r.status(), headers: r.headers() }
    p.docs.push(doc)
    if (r.status() < 300 || r.status() >= 400) doc.body = await r.text().catch(() => null)
  })
  page = p
  return p
}

// text is the visible text of the page.
const text = (p) => p.$eval('body', (b) => b.innerText)

// checkPage checks the hosted page p shows: a document of idco's with its
// CSP and no script of any kind, in lang.
async function checkPage (p, lang) {
  const doc = p.docs.findLast((d) => p.url() === d.url)
  assert.ok(doc, `no document recorded for ${p.url()}`)
  assert.equal(doc.status, 200, `${p.url()} answered ${doc.status}`)
  const csp = doc.headers['content-security-policy'] || ''
  assert.match(csp, /(^|;)\s*default-src 'none'/, `CSP of ${p.url()}: ${csp}`)
  assert.doesNotMatch(csp, /script-src|'unsafe-eval'/, `CSP of ${p.url()} allows script: ${csp}`)
  assert.match(csp, /frame-ancestors 'none'/)
  assert.equal(doc.headers['x-frame-options'], 'DENY')
  assert.match(doc.headers['cache-control'] || '', /no-store/)
  const html = doc.body ?? await p.content()
  assert.doesNotMatch(html, /<script|javascript:|\son[a-z]+\s*=/i, `${p.url()} carries script`)
  assert.equal((await p.$$('script')).length, 0)
  assert.equal(await p.$eval('html', (h) => h.lang), lang)
  // Nothing the page asked for broke its own CSP.
  assert.deepEqual(p.console.filter((m) => /Content Security Policy|error/i.test(m)), [])
}

// submit clicks a form's button and waits for where it leads.
async function submit (p, selector) {
  await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click(selector)])
}

// loginForm fills the password form and submits it; a captcha, if the
// page asks for one, is answered from the dev outbox.
async function loginForm (p, account, pw) {
  await p.type('#account', account)
  await p.type('#password-input', pw)
  if (await p.$('#password #captcha')) {
    await p.type('#captcha', (await outbox('captcha', 'login-by-pwd')).code)
  }
  await submit(p, '#password button[type=submit]')
}

// exchange redeems a code at the token endpoint (client_secret_basic).
async function exchange (code, verifier) {
  const res = await fetch(`${api}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackURL, code_verifier: verifier })
  })
  return { status: res.status, body: await res.json() }
}

const jwtPayload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString())

// flow runs the whole authorization in one locale: login (a wrong password
// first when asked), consent, the callback, the code exchange.
async function flow (lang, acceptLanguage, extra = {}, { wrongFirst = false } = {}) {
  const w = words[lang]
  const p = await newPage(acceptLanguage)
  const req = authorizeURL(extra)
  const seen = callbacks.length

  await step(`${lang} login page`, async () => {
    await p.goto(req.url, { waitUntil: 'load' })
    assert.match(p.url(), new RegExp(`^${api}/oauth2/login\\?txn=`))
    await checkPage(p, lang)
    assert.equal(await p.title(), w.title)
    const t = await text(p)
    assert.ok(t.includes(w.continueTo) && t.includes(appName), t)
    assert.equal(await p.$eval('label[for=account]', (l) => l.textContent), w.account)
    assert.equal(await p.$eval('label[for=password-input]', (l) => l.textContent), w.password)
    assert.equal(await p.$eval('#password button[type=submit]', (b) => b.textContent), w.submit)
    assert.deepEqual(await p.$$eval('summary', (s) => s.map((x) => x.textContent)), [w.sms, w.email])
  })

  if (wrongFirst) {
    await step(`${lang} wrong password`, async () => {
      await loginForm(p, username, 'Wrong-passw0rd')
      assert.match(p.url(), new RegExp(`^${api}/oauth2/login$`))
      await checkPage(p, lang)
      const alert = await p.$eval('[role=alert]', (a) => a.textContent)
      assert.ok(alert.length > 0, 'no error shown for a wrong password')
      // The account stays filled in; the password does not.
      assert.equal(await p.$eval('#account', (i) => i.value), username)
      assert.equal(await p.$eval('#password-input', (i) => i.value), '')
      await p.$eval('#account', (i) => { i.value = '' })
    })
  }

  await step(`${lang} login`, async () => {
    await loginForm(p, username, password)
    assert.match(p.url(), new RegExp(`^${api}/oauth2/consent\\?txn=`))
    await checkPage(p, lang)
    assert.equal(await p.title(), w.consent)
    const t = await text(p)
    assert.ok(t.includes(appName) && t.includes(w.asks), t)
    assert.ok(t.includes('https://demo.example.com'), t)
    assert.deepEqual(await p.$$eval('li', (l) => l.map((x) => x.textContent)), w.scopes)
    assert.deepEqual(await p.$$eval('button', (b) => b.map((x) => x.textContent)), [w.allow, w.deny])
  })

  let back
  await step(`${lang} consent`, async () => {
    await submit(p, 'button[value=allow]')
    assert.ok(p.url().startsWith(callbackURL + '?'), p.url())
    assert.equal(callbacks.length, seen + 1, 'the callback was not reached once')
    back = callbacks[seen]
    assert.equal(back.state, req.state)
    assert.equal(back.iss, api)
    assert.ok(back.code, JSON.stringify(back))
    assert.equal(back.error, undefined)
  })

  await step(`${lang} token`, async () => {
    const { status, body } = await exchange(back.code, req.verifier)
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(body.token_type, 'Bearer')
    assert.ok(body.access_token && body.id_token, JSON.stringify(body))
    const claims = jwtPayload(body.id_token)
    assert.deepEqual([claims.aud].flat(), [client.clientId])
    assert.equal(claims.iss, api)
    assert.equal(claims.nonce, req.nonce)
    assert.equal(claims.preferred_username, username)
    assert.ok(claims.sub)
    // The code is used up.
    assert.notEqual((await exchange(back.code, req.verifier)).status, 200, 'a code was exchanged twice')
  })
  await p.browserContext().close()
}

// ---------------------------------------------------------------- flows

test('hosted login and consent in zh-Hans, JavaScript off', { timeout: 60000 }, async () => {
  await flow('zh-Hans', 'zh-CN,zh;q=0.9,en;q=0.8', {}, { wrongFirst: true })
})

test('hosted login and consent in en by ui_locales', { timeout: 60000 }, async () => {
  // The user granted these scopes in the test before: prompt=consent asks again.
  await flow('en', 'zh-CN,zh;q=0.9', { ui_locales: 'en', prompt: 'consent' })
})

test('the login page follows Accept-Language', { timeout: 30000 }, async () => {
  for (const [acceptLanguage, lang] of [['en-US,en;q=0.9', 'en'], ['en', 'en'], ['fr-FR,fr;q=0.9', 'zh-Hans'], ['zh-TW', 'zh-Hans']]) {
    const p = await newPage(acceptLanguage)
    await step(`Accept-Language ${acceptLanguage}`, async () => {
      await p.goto(authorizeURL().url, { waitUntil: 'load' })
      assert.match(p.url(), new RegExp(`^${api}/oauth2/login\\?txn=`))
      await checkPage(p, lang)
      assert.equal(await p.$eval('label[for=account]', (l) => l.textContent), words[lang].account, acceptLanguage)
    })
    await p.browserContext().close()
  }
})

test('deny sends access_denied to the app', { timeout: 30000 }, async () => {
  const p = await newPage('en-US')
  const req = authorizeURL({ prompt: 'consent' })
  const seen = callbacks.length
  await step('deny', async () => {
    await p.goto(req.url, { waitUntil: 'load' })
    await loginForm(p, username, password)
    assert.match(p.url(), new RegExp(`^${api}/oauth2/consent\\?txn=`))
    await submit(p, 'button[value=deny]')
    assert.ok(p.url().startsWith(callbackURL + '?'), p.url())
    assert.deepEqual(callbacks.slice(seen), [{ error: 'access_denied', state: req.state, iss: api }])
  })
  await p.browserContext().close()
})

test('SMS code login, its captcha shown under the CSP', { timeout: 30000 }, async () => {
  const p = await newPage('en-US,en;q=0.9')
  const req = authorizeURL()
  const seen = callbacks.length
  const mobile = '13800138123' // a new mobile: the login registers it
  await step('sms captcha', async () => {
    await p.goto(req.url, { waitUntil: 'load' })
    await p.click('details:has(#sms) > summary') // <details> opens without script
    await p.type('#mobile', mobile)
    await submit(p, '#sms button[type=submit]')
    await checkPage(p, 'en')
    assert.ok(await p.$eval('img.captcha', (i) => i.complete && i.naturalWidth > 0 && i.src.startsWith('data:image/png')), 'the captcha picture did not load')
    assert.equal(await p.$eval('#sms button[type=submit]', (b) => b.textContent), 'Send code')
  })
  await step('sms code', async () => {
    await p.type('#captcha', (await outbox('captcha', 'send-sms-code')).code)
    await submit(p, '#sms button[type=submit]')
    await checkPage(p, 'en')
    assert.equal(await p.$eval('[role=status]', (s) => s.textContent), 'A code was sent')
    assert.equal(await p.$eval('#mobile', (i) => i.value), mobile)
    await p.type('#code', (await outbox('sms', 'login-by-sms', '+86' + mobile)).code)
    await submit(p, '#sms button[type=submit]')
    assert.match(p.url(), new RegExp(`^${api}/oauth2/consent\\?txn=`))
    await checkPage(p, 'en')
    await submit(p, 'button[value=allow]')
    assert.ok(p.url().startsWith(callbackURL + '?'), p.url())
    const back = callbacks[seen]
    assert.ok(back && back.code && back.state === req.state, JSON.stringify(back))
    const { status, body } = await exchange(back.code, req.verifier)
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(jwtPayload(body.id_token).nonce, req.nonce)
  })
  await p.browserContext().close()
})
