// Unit tests of idco-client against a fake uni and a fake idco: the request
// uniCloud would send, token storage and events, errors and their UI, and
// the client-database shim. Run: node --test test/ (from shared/idco-client).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { installIdco, IdcoError } from '../index.js'

// fakeUni is the uni API as uni-h5 has it, recording what the client does.
function fakeUni (answer) {
  const storage = new Map()
  const ui = []
  const sent = []
  const uni = {
    storage,
    ui,
    sent,
    modalAnswer: { confirm: true },
    request (o) {
      sent.push({ url: o.url, method: o.method, header: o.header, data: JSON.parse(JSON.stringify(o.data)) })
      const method = o.url.split('/').pop()
      Promise.resolve().then(() => {
        const res = answer(method, o.data, sent.length)
        if (res instanceof Error) o.fail({ errMsg: 'request:fail ' + res.message })
        else o.success({ statusCode: res.statusCode || 200, data: res.data })
      })
    },
    getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
    setStorageSync: (k, v) => storage.set(k, v),
    removeStorageSync: (k) => storage.delete(k),
    getSystemInfoSync: () => ({
      appId: '__UNI__DEMO', uniPlatform: 'web', deviceId: 'dev-1', osName: 'linux', appName: 'demo',
      appVersion: '1.0.0', appVersionCode: '100', windowWidth: 800, screenHeight: 900, SDKVersion: 'x'
    }),
    getLocale: () => 'zh-Hans',
    showLoading: (o) => ui.push(['showLoading', o.title]),
    hideLoading: () => ui.push(['hideLoading']),
    showToast: (o) => ui.push(['showToast', o.title]),
    showModal: async (o) => { ui.push(['showModal', o.content, o.showCancel]); return uni.modalAnswer }
  }
  return uni
}

function setup (answer) {
  const uni = fakeUni(answer)
  const others = []
  const uniCloud = {
    importObject: (name, opts) => { others.push(name); return { own: name } },
    database: () => undefined
  }
  const client = installIdco(uniCloud, { baseURL: 'https://api.example.com/', uni, loadingDelay: 0 })
  return { uni, uniCloud, client, others }
}

// token makes a JWT whose payload base64url holds '-' and '_'.
function token (claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64(claims) + '.sig'
}

test('a call sends uniCloud\'s request document to <base>/<object>/<method>', async () => {
  const { uni, uniCloud } = setup(() => ({ data: { errCode: 0, errMsg: '', uid: 'u1' } }))
  uni.storage.set('uni_id_token', 'tok-1')
  const res = await uniCloud.importObject('uni-id-co').login({ username: 'alice', password: 'pw', skip: undefined })
  assert.equal(res.uid, 'u1')
  const [req] = uni.sent
  assert.equal(req.url, 'https://api.example.com/uni-id-co/login')
  assert.equal(req.method, 'POST')
  assert.equal(req.header['content-type'], 'application/json')
  assert.deepEqual(req.data.params, [{ username: 'alice', password: 'pw' }])
  assert.equal(req.data.method, 'login')
  assert.equal(req.data.uniIdToken, 'tok-1')
  const ci = req.data.clientInfo
  assert.equal(ci.appId, '__UNI__DEMO')
  assert.equal(ci.uniPlatform, 'web')
  assert.equal(ci.deviceId, 'dev-1')
  assert.equal(ci.locale, 'zh-Hans')
  assert.equal(ci.windowWidth, undefined, 'uniCloud drops keys outside its list')
  assert.equal(ci.SDKVersion, undefined)
  assert.deepEqual(uni.ui, [['showLoading', '加载中...'], ['hideLoading']])
})

test('uni-captcha-co goes to idco; other cloud objects stay with uniCloud', async () => {
  const { uni, uniCloud, others } = setup(() => ({ data: { errCode: 0, captchaBase64: 'data:image/png;base64,x' } }))
  const res = await uniCloud.importObject('uni-captcha-co', { customUI: true }).getImageCaptcha({ scene: 'register' })
  assert.equal(res.captchaBase64, 'data:image/png;base64,x')
  assert.equal(uni.sent[0].url, 'https://api.example.com/uni-captcha-co/getImageCaptcha')
  assert.deepEqual(uni.ui, [], 'customUI shows nothing')
  assert.deepEqual(uniCloud.importObject('my-object'), { own: 'my-object' })
  assert.deepEqual(others, ['my-object'])
})

test('newToken is stored and announced, even with an error', async () => {
  const answers = [
    { data: { errCode: 0, newToken: { token: 'tok-2', tokenExpired: 1800000000000 } } },
    { statusCode: 403, data: { errCode: 'uni-id-permission-error', errMsg: '权限错误', requestId: 'r1', newToken: { token: 'tok-3', tokenExpired: 1800000001000 } } }
  ]
  const { uni, uniCloud } = setup((m, d, n) => answers[n - 1])
  const seen = []
  uniCloud.onRefreshToken((e) => seen.push(e))
  const co = uniCloud.importObject('uni-id-co', { customUI: true })
  await co.refreshToken()
  assert.equal(uni.storage.get('uni_id_token'), 'tok-2')
  assert.equal(uni.storage.get('uni_id_token_expired'), 1800000000000)
  await assert.rejects(co.getAccountInfo(), (e) => e instanceof IdcoError && e.errCode === 'uni-id-permission-error' &&
    e.errMsg === '权限错误' && e.message === '权限错误' && e.requestId === 'r1' && e.detail.errCode === 'uni-id-permission-error')
  assert.equal(uni.storage.get('uni_id_token'), 'tok-3')
  assert.deepEqual(seen.map((e) => e.token), ['tok-2', 'tok-3'])
  assert.equal(uni.sent[1].data.uniIdToken, 'tok-2', 'the stored token goes with the next call')
})

test('errors: modal by default, toast on request, retry on confirm, events and interceptors', async () => {
  let n = 0
  const { uni, uniCloud } = setup(() => (++n === 1
    ? { statusCode: 429, data: { errCode: 'uni-id-rate-limited', errMsg: '操作过于频繁' } }
    : { data: { errCode: 0, ok: true } }))
  const events = []
  uniCloud.onResponse((e) => events.push(e.type + ':' + (e.content.errCode || 0)))
  uniCloud.interceptObject({ invoke: (e) => events.push('invoke:' + e.methodName), success: () => events.push('success'), fail: () => events.push('fail'), complete: () => events.push('complete') })
  const res = await uniCloud.importObject('uni-id-co', { errorOptions: { type: 'modal', retry: true } }).sendSmsCode({ mobile: '1' })
  assert.equal(res.ok, true)
  assert.deepEqual(uni.ui, [['showLoading', '加载中...'], ['hideLoading'], ['showModal', '操作过于频繁', true], ['showLoading', '加载中...'], ['hideLoading']])
  assert.deepEqual(events, ['invoke:sendSmsCode', 'cloudobject:0', 'success', 'complete'])

  n = 0
  uni.ui.length = 0
  events.length = 0
  await assert.rejects(uniCloud.importObject('uni-id-co', { errorOptions: { type: 'toast' } }).sendSmsCode({}), { errCode: 'uni-id-rate-limited' })
  assert.deepEqual(uni.ui, [['showLoading', '加载中...'], ['hideLoading'], ['showToast', '操作过于频繁']])
  assert.deepEqual(events, ['invoke:sendSmsCode', 'cloudobject:uni-id-rate-limited', 'fail', 'complete'])
})

test('overlapping calls share one loading UI', async () => {
  const { uni, uniCloud } = setup(() => ({ data: { errCode: 0 } }))
  const co = uniCloud.importObject('uni-id-co')
  await Promise.all([co.getAccountInfo(), co.getRealNameInfo(), co.refreshToken()])
  assert.deepEqual(uni.ui, [['showLoading', '加载中...'], ['hideLoading']])
})

test('by default the loading UI shows only for a call slower than 300 ms', async () => {
  let delay = 0
  const uni = fakeUni(() => ({ data: { errCode: 0 } }))
  const request = uni.request
  uni.request = (o) => setTimeout(() => request(o), delay)
  const uniCloud = { importObject: () => null }
  installIdco(uniCloud, { baseURL: 'http://127.0.0.1:8080', uni })
  await uniCloud.importObject('uni-id-co').getAccountInfo()
  assert.deepEqual(uni.ui, [], 'a fast call shows no loading')
  delay = 400
  await uniCloud.importObject('uni-id-co').getAccountInfo()
  assert.deepEqual(uni.ui, [['showLoading', '加载中...'], ['hideLoading']])
})

test('a token error asks the app to log in', async () => {
  const { uniCloud } = setup(() => ({ statusCode: 401, data: { errCode: 'uni-id-token-expired', errMsg: '登录状态失效' } }))
  const asked = []
  uniCloud.onNeedLogin((e) => asked.push(e.errCode))
  await assert.rejects(uniCloud.importObject('uni-id-co', { customUI: true }).getAccountInfo())
  assert.deepEqual(asked, ['uni-id-token-expired'])
})

test('network failures and unreadable answers reject with an errCode', async () => {
  let mode = 'down'
  const { uniCloud } = setup(() => (mode === 'down' ? new Error('refused') : { statusCode: 502, data: '<html>bad gateway</html>' }))
  const co = uniCloud.importObject('uni-id-co', { customUI: true })
  await assert.rejects(co.login({}), (e) => e.errCode === 'SYSTEM_ERROR' && /网络/.test(e.errMsg))
  mode = 'html'
  await assert.rejects(co.login({}), (e) => e.errCode === 'SYSTEM_ERROR' && e.detail.statusCode === 502)
})

test('getCurrentUserInfo decodes the stored token (base64url)', () => {
  const { uni, uniCloud } = setup(() => ({ data: { errCode: 0 } }))
  assert.deepEqual(uniCloud.getCurrentUserInfo(), { uid: null, role: [], permission: [], tokenExpired: 0 })
  uni.storage.set('uni_id_token', token({ uid: 'u1', role: ['user'], permission: [], nickname: '>>>???~~~', exp: 1800000000, iat: 1 }))
  const info = uniCloud.getCurrentUserInfo()
  assert.equal(info.uid, 'u1')
  assert.equal(info.tokenExpired, 1800000000000)
  assert.equal(info.nickname, '>>>???~~~')
  assert.equal(info.exp, undefined)
})

test('database shim: the current user\'s uni-id-users, nothing else', async () => {
  const { uni, uniCloud } = setup((method, data) => {
    if (method === 'getProfile') return { data: { errCode: 0, userInfo: { _id: 'u1', nickname: 'Alice' } } }
    if (method === 'updateProfile') return { data: { errCode: 0, updated: 1 } }
    if (method === 'hasAdmin') return { data: { errCode: 0, exists: true } }
    return { statusCode: 404, data: { errCode: 'uni-id-method-not-found' } }
  })
  const db = uniCloud.database()
  const errors = []
  db.on('error', (e) => errors.push(e.message))
  const users = db.collection('uni-id-users')
  const got = await users.where("'_id' == $cloudEnv_uid").field('mobile,nickname,username,email,avatar_file').get()
  assert.deepEqual(got.result.data, [{ _id: 'u1', nickname: 'Alice' }])
  assert.deepEqual(uni.sent[0].data.params, [{ fields: ['mobile', 'nickname', 'username', 'email', 'avatar_file'] }])
  assert.equal(uni.sent[0].url, 'https://api.example.com/uni-id-co/getProfile')
  const upd = await users.where('_id==$env.uid').update({ nickname: 'Bob' })
  assert.equal(upd.result.updated, 1)
  assert.deepEqual(uni.sent[1].data.params, [{ nickname: 'Bob' }])
  const count = await db.collection('uni-id-users').where({ role: 'admin' }).count()
  assert.equal(count.result.total, 1)
  assert.deepEqual(uni.ui, [], 'the shim shows no UI')
  // A query kept at module scope carries nothing from one chain to the next.
  await users.where('_id==$env.uid').get()
  assert.deepEqual(uni.sent[3].data.params, [{}])
  await assert.rejects(users.where({ role: 'admin' }).get(), /not supported by idco/i)
  assert.throws(() => users.where({ username: 'bob' }), /not supported by idco/i)
  assert.throws(() => db.collection('opendb-news'), /not supported by idco/i)
  await assert.rejects(db.collection('uni-id-users').get(), /not supported by idco/i)
  assert.equal(errors.length, 4, 'db.on(error) hears every refusal')
})

test('a token error opens options.loginPage when nobody listens', async () => {
  const uni = fakeUni(() => ({ statusCode: 401, data: { errCode: 'uni-id-check-token-failed', errMsg: 'token校验未通过' } }))
  const opened = []
  uni.navigateTo = (o) => opened.push(o.url)
  const uniCloud = { importObject: () => null }
  installIdco(uniCloud, { baseURL: 'http://127.0.0.1:8080', uni, loginPage: 'uni_modules/uni-id-pages/pages/login/login-withoutpwd' })
  await assert.rejects(uniCloud.importObject('uni-id-co', { customUI: true }).getAccountInfo())
  assert.deepEqual(opened, ['/uni_modules/uni-id-pages/pages/login/login-withoutpwd'])
})

test('a throwing invoke interceptor still runs fail and complete', async () => {
  const { uniCloud } = setup(() => ({ data: { errCode: 0 } }))
  const seen = []
  uniCloud.interceptObject({ invoke: () => { throw new Error('no') }, fail: () => seen.push('fail'), complete: () => seen.push('complete') })
  await assert.rejects(uniCloud.importObject('uni-id-co').logout(), /no/)
  assert.deepEqual(seen, ['fail', 'complete'])
})

test('installIdco refuses a missing base URL', () => {
  assert.throws(() => installIdco({}, { uni: fakeUni(() => ({})) }), /baseURL/)
  assert.throws(() => installIdco({}, { baseURL: 'ftp://x', uni: fakeUni(() => ({})) }), /baseURL/)
})
