// Browser test of DCloud's own uni-id-pages against idco: the pages built as
// an H5 app (build.mjs, page code unchanged, idco-client installed from
// main.js), run in headless Chromium against the dev server (`make run`'s
// infra/devserver on a fresh data folder), driven as a person would.
//
//   npm ci && node --test e2e.test.mjs      (from infra/browser; make browser-test)
//
// A screenshot of the page is saved in screenshots/ when a step fails.

import crypto from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import puppeteer from 'puppeteer-core'
import { serveStatic } from './serve.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '..', '..')
const chromium = process.env.CHROMIUM || '/usr/bin/chromium'
const shots = path.join(here, 'screenshots')
const ID = '#/uni_modules/uni-id-pages/pages'

const username = 'alice_e2e'
const firstPassword = 'first-Passw0rd'
const secondPassword = 'second-Passw0rd'
const mobile = '13800138000'

let dataDir, devServer, staticServer, browser, page, api, site
const pending = new Map() // the page's requests without an answer yet -> start
let devLog = ''

// ---------------------------------------------------------------- set-up

function freePort () {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)) })
  })
}

async function startDevServer (port) {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'idco-e2e-'))
  // make run's own config, but for the delay a newly bound mobile waits
  // before it may reset the password: the journey binds a mobile and resets
  // through it minutes later. (That the reset is refused, with its
  // message, is tested in shared/account.)
  fs.writeFileSync(path.join(dataDir, 'config.json'), JSON.stringify({
    tokenSecret: crypto.randomBytes(32).toString('hex'),
    idco: { newChannelResetDelayHours: 0, admin: { setupSecret: crypto.randomBytes(24).toString('hex') } }
  }))
  const bin = path.join(dataDir, 'devserver')
  const build = spawnSync('go', ['build', '-o', bin, './infra/devserver'], { cwd: repoRoot, stdio: 'inherit' })
  assert.equal(build.status, 0, 'go build ./infra/devserver failed')
  devServer = spawn(bin, ['-addr', `127.0.0.1:${port}`, '-data', dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  devServer.stderr.on('data', (d) => { log += d; devLog += d })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('dev server did not start: ' + log)), 30000)
    devServer.stdout.on('data', (d) => {
      if (String(d).includes('idco dev server on')) { clearTimeout(timer); resolve() }
    })
    devServer.on('exit', (code) => reject(new Error(`dev server exited ${code}: ${log}`)))
  })
}

before(async () => {
  const [apiPort, sitePort] = [await freePort(), await freePort()]
  api = `http://127.0.0.1:${apiPort}`
  site = `http://127.0.0.1:${sitePort}/`
  await startDevServer(apiPort)
  const out = path.join(dataDir, 'dist')
  const built = spawnSync(process.execPath, ['build.mjs'], { cwd: here, stdio: 'inherit', env: { ...process.env, IDCO_BASE_URL: api, IDCO_BROWSER_OUT: out } })
  assert.equal(built.status, 0, 'build.mjs failed')
  staticServer = await serveStatic(out, sitePort)
  browser = await puppeteer.launch({
    executablePath: chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--lang=zh-CN'],
    userDataDir: path.join(dataDir, 'chromium')
  })
  page = await browser.newPage()
  await page.setViewport({ width: 800, height: 1000 })
  page.on('pageerror', (e) => console.log('page error:', e.message))
  page.on('requestfailed', (r) => console.log('request failed:', r.url().slice(0, 120), r.failure() && r.failure().errorText))
  page.on('request', (r) => pending.set(r, Date.now()))
  page.on('requestfinished', (r) => pending.delete(r))
  page.on('requestfailed', (r) => pending.delete(r))
  page.on('console', (m) => { if (m.type() === 'warn' || m.type() === 'error') console.log('page', m.type() + ':', m.text()) })
}, { timeout: 240000 })

after(async () => {
  if (browser) await browser.close()
  if (staticServer) staticServer.close()
  if (devServer) devServer.kill()
})

// ---------------------------------------------------------------- helpers

// step runs one part of the journey and saves a screenshot if it fails.
async function step (name, fn) {
  try {
    await fn()
  } catch (e) {
    fs.mkdirSync(shots, { recursive: true })
    const file = path.join(shots, name.replace(/\W+/g, '-') + '.png')
    await page.screenshot({ path: file, fullPage: true }).catch(() => {})
    const waiting = [...pending].map(([r, at]) => `${r.method()} ${r.url().slice(0, 100)} for ${Date.now() - at} ms`)
    const slow = devLog.split('\n').filter((l) => /"durationMs":\d{4,}/.test(l)).slice(-5)
    e.message += `\n(screenshot: ${file}; page ${page.url()}; requests waiting: ${waiting.join('; ') || 'none'}; slow dev server answers: ${slow.join(' | ') || 'none'})`
    throw e
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function open (hash) {
  await page.goto(site + hash)
  await page.waitForSelector('uni-page-body', { timeout: 15000 })
  await sleep(500)
}

// outbox returns the dev outbox's last message of kind for scene (and to).
async function outbox (kind, scene, to) {
  for (let i = 0; i < 50; i++) {
    const lines = fs.readFileSync(path.join(dataDir, 'outbox.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    const m = lines.reverse().find((m) => m.kind === kind && m.scene === scene && (!to || m.to === to))
    if (m) return m
    await sleep(100)
  }
  throw new Error(`no ${kind} for ${scene} in the dev outbox`)
}

// fill types into the input whose placeholder is placeholder, then waits
// until the page holds the value (uni-h5 passes it on a little late).
async function fill (placeholder, value) {
  const handle = await page.waitForFunction((ph) => {
    for (const w of document.querySelectorAll('uni-page-body .uni-input-wrapper, uni-page-body uni-input')) {
      const p = w.querySelector('.uni-input-placeholder')
      if (p && p.textContent.trim() === ph) return w.querySelector('input')
    }
    return null
  }, { timeout: 10000 }, placeholder)
  const input = handle.asElement()
  await input.click({ clickCount: 3 })
  await input.type(value, { delay: 5 })
  await page.waitForFunction((el, v) => el.value === v, {}, input, value)
  await sleep(250)
}

// clickText clicks the visible element (button, list item, link) showing text.
async function clickText (text, selector = 'uni-button, uni-text, uni-view, .uni-modal__btn, .uni-dialog-button') {
  const handle = await page.waitForFunction((t, sel) => {
    const all = [...document.querySelectorAll(sel)].filter((el) => el.offsetParent !== null && el.textContent.trim() === t)
    return all[all.length - 1] || null
  }, { timeout: 10000 }, text, selector)
  const el = handle.asElement()
  // A toast (uni-h5 keeps a transparent mask under it) takes the clicks
  // until it is gone, for a person as for this test.
  const free = () => page.waitForFunction((e) => {
    const r = e.getBoundingClientRect()
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)
    return top && (e.contains(top) || top.contains(e))
  }, { timeout: 20000 }, el)
  await free().catch(async (err) => {
    const cover = await el.evaluate((e) => {
      const r = e.getBoundingClientRect()
      const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)
      return top ? top.outerHTML.slice(0, 200) + ' in ' + (top.parentElement || top).outerHTML.slice(0, 300) : 'nothing'
    })
    err.message += ` (${text} covered by ${cover})`
    throw err
  })
  await el.click()
}

async function waitText (text, timeout = 10000) {
  await page.waitForFunction((t) => document.body.innerText.includes(t), { timeout }, text)
}

async function waitHash (fragment, timeout = 10000) {
  await page.waitForFunction((f) => location.hash.includes(f), { timeout }, fragment)
}

// userCentre waits for the home page, uni-id-pages' user centre, which the
// pages go back to after a login.
async function userCentre () {
  await page.waitForFunction(() => (location.hash === '#/' || location.hash.includes('userinfo/userinfo')) &&
    document.body.innerText.includes('昵称'), { timeout: 10000 })
}

// captchaShown waits for the captcha picture idco drew on the visible page,
// then for the network to settle, so the outbox's last captcha is the one
// shown (the component may ask again while it loads).
async function captchaShown (timeout = 10000) {
  await page.waitForFunction(() => [...document.querySelectorAll('.captcha-img-box img')]
    .some((img) => img.offsetParent !== null && img.src.startsWith('data:image/png;base64,') && img.naturalWidth > 0), { timeout })
  await page.waitForNetworkIdle({ idleTime: 300, timeout: 10000 })
}

const storedUser = () => page.evaluate(() => {
  const raw = localStorage.getItem('uni-id-pages-userInfo')
  return raw ? JSON.parse(raw).data : null
})

// call asks idco directly, as a second client would, with the page's token.
async function call (object, method, params) {
  const token = await page.evaluate(() => {
    // uni.setStorageSync keeps a string as it is, anything else as JSON.
    const raw = localStorage.getItem('uni_id_token') || ''
    try { return JSON.parse(raw).data } catch (e) { return raw }
  })
  const res = await fetch(`${api}/${object}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ params, uniIdToken: token, clientInfo: { uniPlatform: 'web', deviceId: 'e2e-check' } })
  })
  return res.json()
}

async function logout () {
  await open(`${ID}/userinfo/userinfo?showLoginManage=true`)
  await clickText('退出登录', 'uni-button')
  await waitHash('login-withoutpwd')
  assert.equal(await page.evaluate(() => localStorage.getItem('uni_id_token')), null, 'token kept after logout')
}

async function passwordLogin (account, password, { expectCaptcha = false } = {}) {
  await open(`${ID}/login/login-withpwd`)
  await fill('请输入手机号/用户名/邮箱', account)
  await fill('请输入密码', password)
  if (expectCaptcha) {
    await captchaShown()
    await fill('请输入验证码', (await outbox('captcha', 'login-by-pwd')).code)
  }
  await clickText('登录', 'uni-button')
}

// smsForm fills uni-id-pages' SMS form: the captcha (whose 4th character
// sends the code), then the code from the dev outbox.
async function smsForm (scene) {
  await captchaShown()
  await fill('请输入验证码', (await outbox('captcha', 'send-sms-code')).code)
  await fill('请输入短信验证码', (await outbox('sms', scene)).code)
}

// ---------------------------------------------------------------- journey

test('uni-id-pages journey against idco', { timeout: 300000 }, async () => {
  await step('register', async () => {
    await open(`${ID}/login/login-withpwd`)
    await open(`${ID}/register/register`)
    await captchaShown()
    await fill('请输入用户名', username)
    await fill('请输入用户昵称', 'Alice')
    await fill('请输入8-16位密码', firstPassword)
    await fill('再次输入密码', firstPassword)
    await fill('请输入验证码', (await outbox('captcha', 'register')).code)
    await clickText('注册', 'uni-button')
    await userCentre()
  })

  await step('user centre', async () => {
    await waitText('Alice')
    await page.waitForFunction(() => {
      const raw = localStorage.getItem('uni-id-pages-userInfo')
      return raw && JSON.parse(raw).data.username === 'alice_e2e'
    }, { timeout: 10000 })
    const u = await storedUser()
    assert.equal(u.username, username)
    assert.equal(u.nickname, 'Alice')
    assert.equal(u.realNameAuth.authStatus, 0)
  })

  await step('edit nickname', async () => {
    await clickText('昵称', 'uni-text')
    await fill('请输入要设置的昵称', 'Alice Liddell')
    await clickText('确定')
    await waitText('更新成功')
    await page.reload()
    await waitText('Alice Liddell')
    const profile = await call('uni-id-co', 'getProfile', { fields: ['nickname'] })
    assert.equal(profile.userInfo.nickname, 'Alice Liddell')
  })

  await step('bind mobile by SMS', async () => {
    await clickText('手机号', 'uni-text')
    await waitHash('bind-mobile')
    await fill('请输入手机号', mobile)
    await smsForm('bind-mobile-by-sms')
    await clickText('提交', 'uni-button')
    await userCentre()
    await waitText('138')
  })

  await step('logout', logout)

  await step('password login with captcha after wrong passwords', async () => {
    let captchaAsked = false
    for (let i = 0; i < 8 && !captchaAsked; i++) {
      await passwordLogin(username, 'wrong-Passw0rd' + i)
      captchaAsked = await captchaShown(2500).then(() => true, () => false)
    }
    assert.ok(captchaAsked, 'no captcha asked after repeated wrong passwords')
    await passwordLogin(username, firstPassword, { expectCaptcha: true })
    await userCentre()
    await waitText('Alice Liddell')
  })

  await step('logout again', logout)

  await step('SMS code login', async () => {
    await open(`${ID}/login/login-withoutpwd?type=smsCode`)
    await fill('请输入手机号', mobile)
    await clickText('获取验证码', 'uni-button')
    await waitHash('login-smscode')
    await smsForm('login-by-sms')
    await clickText('登录', 'uni-button')
    await userCentre()
    await waitText('Alice Liddell')
  })

  await step('logout before reset', logout)

  await step('reset password by SMS', async () => {
    await open(`${ID}/login/login-withpwd`)
    await open(`${ID}/retrieve/retrieve`)
    await fill('请输入手机号', mobile)
    await smsForm('reset-pwd-by-sms')
    await fill('请输入新密码', secondPassword)
    await fill('请再次输入新密码', secondPassword)
    await clickText('提交', 'uni-button')
    // The page goes back on success.
    await page.waitForFunction(() => !location.hash.includes('retrieve'), { timeout: 10000 })
  })

  await step('old password fails, new one works', async () => {
    // The last password login succeeded, which cleared the failure count:
    // no captcha is asked for.
    await passwordLogin(username, firstPassword)
    await waitText('密码错误')
    assert.ok(!(await page.url()).includes('userinfo/userinfo'))
    const res = await call('uni-id-co', 'login', { username, password: secondPassword })
    assert.equal(res.errCode, 0, JSON.stringify(res))
  })
})
