// idco-client: makes uniCloud.importObject('uni-id-co') and
// importObject('uni-captcha-co') reach an idco server, so DCloud's
// uni-id-pages run unchanged against idco. Plain ES module, no dependencies.
//
// It behaves as uniCloud's own cloud-object client (@dcloudio/uni-cloud):
// the same request document ({method, params: [args], clientInfo,
// uniIdToken}), the same token storage (uni_id_token,
// uni_id_token_expired), the same events (onRefreshToken, onResponse,
// onNeedLogin, interceptObject) and the same loading and error UI
// (customUI, loadingOptions, errorOptions). Every other cloud object is left
// to uniCloud. A client-database shim answers the uni-id-users calls
// uni-id-pages makes for the current user through idco methods.
//
// `uni.xxx` is written out literally everywhere: the uni-app compiler
// rewrites those member accesses into imports, and on H5 the global `uni`
// is an empty object.

/** The cloud objects idco serves. */
export const IDCO_OBJECTS = ['uni-id-co', 'uni-captcha-co']

const TOKEN_KEY = 'uni_id_token'
const TOKEN_EXPIRED_KEY = 'uni_id_token_expired'

// The keys uniCloud keeps from uni.getSystemInfoSync() in clientInfo.
const CLIENT_KEYS = ['appId', 'appLanguage', 'appName', 'appVersion', 'appVersionCode', 'appWgtVersion',
  'browserName', 'browserVersion', 'deviceBrand', 'deviceId', 'deviceModel', 'deviceType', 'osName',
  'osVersion', 'romName', 'romVersion', 'ua', 'hostName', 'hostVersion', 'uniPlatform',
  'uniRuntimeVersion', 'uniRuntimeVersionCode', 'uniCompilerVersion', 'uniCompilerVersionCode']

// The errCodes after which uniCloud asks the app to log in again.
const NEED_LOGIN = ['uni-id-token-expired', 'uni-id-check-token-failed', 'uni-id-token-not-exist']

const MESSAGES = {
  'zh-Hans': {
    network: '网络错误，请稍后重试',
    badAnswer: '服务器应答无法识别',
    loading: '加载中...',
    tip: '提示',
    cancel: '取消',
    confirm: '确定',
    retry: '重试'
  },
  en: {
    network: 'Network error, please try again later',
    badAnswer: 'The server answered something idco-client does not understand',
    loading: 'Loading...',
    tip: 'Tip',
    cancel: 'Cancel',
    confirm: 'OK',
    retry: 'Retry'
  }
}

/** IdcoError is what a failed call rejects with: uniCloud's UniCloudError shape. */
export class IdcoError extends Error {
  constructor ({ code, message, subject, requestId, detail }) {
    super(message)
    this.name = 'IdcoError'
    this.errCode = this.code = code
    this.errMsg = message
    this.errSubject = subject
    this.requestId = requestId
    if (detail !== undefined) this.detail = detail
  }

  toJson () {
    return { errCode: this.errCode, errMsg: this.errMsg, errSubject: this.errSubject, requestId: this.requestId }
  }
}

// The uni APIs the client uses, each a literal member access (see the top).
function uniApis () {
  if (typeof uni === 'undefined') return null
  return {
    request: (o) => uni.request(o),
    getStorageSync: (k) => uni.getStorageSync(k),
    setStorageSync: (k, v) => uni.setStorageSync(k, v),
    removeStorageSync: (k) => uni.removeStorageSync(k),
    getSystemInfoSync: () => uni.getSystemInfoSync(),
    getLocale: () => (typeof uni.getLocale === 'function' ? uni.getLocale() : ''),
    showLoading: (o) => uni.showLoading(o),
    hideLoading: () => uni.hideLoading(),
    showToast: (o) => uni.showToast(o),
    navigateTo: (o) => uni.navigateTo(o),
    showModal: (o) => new Promise((resolve) => uni.showModal({ ...o, success: resolve, fail: () => resolve({ confirm: false }) }))
  }
}

/**
 * installIdco points uniCloud's clients for idco's cloud objects at an idco
 * server. Call it before any module that calls uniCloud.importObject or
 * uniCloud.database() at load (uni-id-pages' init.js and store.js): put it in
 * a module that main.js imports first.
 *
 * @param {object} uniCloud the app's uniCloud object (changed in place)
 * @param {object} options see index.d.ts (IdcoOptions)
 * @returns {object} the client: call(object, method, params), clientInfo(), uninstall()
 */
export function installIdco (uniCloud, options = {}) {
  if (!uniCloud || typeof uniCloud !== 'object' && typeof uniCloud !== 'function') {
    throw new TypeError('installIdco: pass the app\'s uniCloud object')
  }
  const baseURL = String(options.baseURL || '').replace(/\/+$/, '')
  if (!/^https?:\/\/[^/]/.test(baseURL)) {
    throw new TypeError('installIdco: options.baseURL must be an http(s) URL, e.g. https://api.example.com')
  }
  const u = options.uni || uniApis()
  if (!u) throw new TypeError('installIdco: no uni API: pass options.uni')
  const objects = options.objects || IDCO_OBJECTS
  const timeout = options.timeout || 60000
  const loadingDelay = options.loadingDelay === undefined ? 300 : options.loadingDelay
  const listeners = { refreshToken: new Set(), response: new Set(), needLogin: new Set() }
  const interceptors = []
  const dbErrorListeners = new Set()
  let customInfo = {}

  const locale = () => {
    const l = (u.getLocale && u.getLocale()) || 'en'
    return l
  }
  const text = (key) => (MESSAGES[/^zh/i.test(locale()) ? 'zh-Hans' : 'en'] || MESSAGES.en)[key]

  let systemInfo
  function clientInfo () {
    if (!systemInfo) {
      const info = u.getSystemInfoSync() || {}
      systemInfo = {}
      for (const k of CLIENT_KEYS) if (info[k] !== undefined) systemInfo[k] = info[k]
      if (!systemInfo.appId && options.appId) systemInfo.appId = options.appId
      Object.assign(systemInfo, {
        PLATFORM: systemInfo.uniPlatform,
        OS: systemInfo.osName,
        APPID: systemInfo.appId,
        DEVICEID: systemInfo.deviceId
      })
    }
    const l = locale()
    return { ...customInfo, ...systemInfo, locale: l, LOCALE: l }
  }

  function storedToken () {
    return u.getStorageSync(TOKEN_KEY) || u.getStorageSync('uniIdToken') || ''
  }

  function keepToken (newToken) {
    if (!newToken || !newToken.token || !newToken.tokenExpired) return
    u.setStorageSync(TOKEN_KEY, newToken.token)
    u.setStorageSync(TOKEN_EXPIRED_KEY, newToken.tokenExpired)
    emit('refreshToken', { token: newToken.token, tokenExpired: newToken.tokenExpired })
  }

  function emit (kind, event) {
    for (const fn of [...listeners[kind]]) {
      try { fn(event) } catch (e) { console.error('idco-client: a ' + kind + ' listener failed', e) }
    }
  }

  // send posts one call and answers uniCloud's {result} with the answer, or
  // throws an IdcoError for a transport failure or an unreadable answer.
  async function send (object, method, params) {
    const body = JSON.parse(JSON.stringify({ method, params, clientInfo: clientInfo(), uniIdToken: storedToken() || undefined }))
    const url = baseURL + '/' + object + '/' + encodeURIComponent(method)
    let res
    try {
      res = await request(url, body)
    } catch (e) {
      throw new IdcoError({ code: 'SYSTEM_ERROR', message: text('network'), subject: 'idco-client', detail: { cause: String(e && (e.errMsg || e.message) || e) } })
    }
    let data = res.data
    if (typeof data === 'string') {
      try { data = JSON.parse(data) } catch (e) { data = null }
    }
    if (!data || typeof data !== 'object' || !('errCode' in data)) {
      throw new IdcoError({ code: 'SYSTEM_ERROR', message: text('badAnswer'), subject: 'idco-client', detail: { statusCode: res.statusCode } })
    }
    return data
  }

  // request uses uni.request, which every uni-app platform has (mini
  // programs included), or options.request.
  function request (url, data) {
    if (options.request) return options.request({ url, data, timeout })
    return new Promise((resolve, reject) => {
      u.request({
        url,
        method: 'POST',
        data,
        header: { 'content-type': 'application/json' },
        dataType: 'json',
        timeout,
        success: (res) => resolve({ statusCode: res.statusCode, data: res.data }),
        fail: reject
      })
    })
  }

  async function runInterceptors (stage, event) {
    for (const i of interceptors) {
      if (typeof i[stage] === 'function') await i[stage](event)
    }
  }

  function importObject (name, opts = {}) {
    const settings = {
      customUI: !!opts.customUI,
      loadingOptions: Object.assign({ title: text('loading'), mask: true }, opts.loadingOptions),
      errorOptions: Object.assign({ type: 'modal', retry: false }, opts.errorOptions),
      parseSystemError: opts.parseSystemError
    }
    return new Proxy({}, {
      get (_, method) {
        if (method === 'toString') return () => '[object UniCloudObject]'
        if (method === 'toJSON') return () => ({})
        // Not a method: lets the object be awaited or returned from an
        // async function (uniCloud would call a cloud method "then").
        if (typeof method !== 'string' || method === 'then') return undefined
        return (...args) => callObject(name, method, args, settings)
      }
    })
  }

  async function callObject (objectName, methodName, params, settings) {
    const event = { objectName, methodName, params }
    let outcome
    try {
      await runInterceptors('invoke', event)
      outcome = await attempt(objectName, methodName, params, settings)
      while (outcome.error) {
        let message = outcome.error.errMsg
        if (outcome.system && settings.parseSystemError) {
          const parsed = await settings.parseSystemError({ objectName, methodName, params, errSubject: outcome.error.errSubject, errCode: outcome.error.errCode, errMsg: message })
          message = (parsed && parsed.errMsg) || message
        }
        if (NEED_LOGIN.includes(outcome.error.errCode)) needLogin(outcome.error.errCode, message)
        if (settings.customUI) break
        const { type, retry } = settings.errorOptions
        if (type === 'toast') {
          u.showToast({ title: message, icon: 'none' })
          break
        }
        if (type !== 'modal') throw new Error('Invalid errorOptions.type: ' + type)
        const answer = await u.showModal({ title: text('tip'), content: message, showCancel: !!retry, cancelText: text('cancel'), confirmText: retry ? text('retry') : text('confirm') })
        if (!(retry && answer && answer.confirm)) break
        outcome = await attempt(objectName, methodName, params, settings)
      }
    } catch (e) {
      outcome = { error: e }
    }
    if (outcome.error) {
      emit('response', { type: 'cloudobject', content: outcome.error })
      await runInterceptors('fail', { ...event, error: outcome.error })
      await runInterceptors('complete', { ...event, error: outcome.error })
      throw outcome.error
    }
    emit('response', { type: 'cloudobject', content: outcome.result })
    await runInterceptors('success', { ...event, result: outcome.result })
    await runInterceptors('complete', { ...event, result: outcome.result })
    return outcome.result
  }

  // loading shows the loading UI while at least one call wants it and has
  // taken longer than loadingDelay: uni-h5 has one toast for loading and
  // toasts, and a show and hide racing a page's own toast across a page
  // change can leave its mask up; a fast call (most are) touches none of it.
  let loadingCalls = 0
  let loadingTimer = null
  let loadingShown = false
  function loading (on, opts) {
    if (on && loadingCalls++ === 0) {
      const show = () => {
        loadingTimer = null
        loadingShown = true
        u.showLoading({ title: opts.title, mask: opts.mask })
      }
      if (loadingDelay > 0) loadingTimer = setTimeout(show, loadingDelay)
      else show()
    }
    if (!on && --loadingCalls === 0) {
      if (loadingTimer) clearTimeout(loadingTimer)
      loadingTimer = null
      if (loadingShown) u.hideLoading()
      loadingShown = false
    }
  }

  // attempt sends one call with its loading UI and keeps any newToken.
  async function attempt (objectName, methodName, params, settings) {
    if (!settings.customUI) loading(true, settings.loadingOptions)
    let result
    try {
      result = await send(objectName, methodName, params)
    } catch (e) {
      return { error: e, system: true }
    } finally {
      if (!settings.customUI) loading(false)
    }
    keepToken(result.newToken)
    if (result.errCode) {
      return { error: new IdcoError({ code: result.errCode, message: result.errMsg, subject: result.errSubject, requestId: result.requestId, detail: result }), result }
    }
    return { result }
  }

  // needLogin tells onNeedLogin listeners of a token error, as uniCloud's
  // uniIdRouter does; with none and options.loginPage set, it opens the
  // login page with uniIdRedirectUrl, as uniIdRouter's resToLogin.
  function needLogin (errCode, errMsg) {
    const here = currentPath()
    if (listeners.needLogin.size > 0) {
      emit('needLogin', { errCode, errMsg, uniIdRedirectUrl: here })
      return
    }
    const login = options.loginPage && '/' + String(options.loginPage).replace(/^\/+/, '')
    if (login && !here.startsWith(login) && u.navigateTo) {
      u.navigateTo({ url: login + (here ? '?uniIdRedirectUrl=' + encodeURIComponent(here) : '') })
    }
  }

  // call is a plain call without UI, for the database shim and for tests.
  function call (object, method, param) {
    return callObject(object, method, param === undefined ? [] : [param], { customUI: true, errorOptions: {} })
  }

  function getCurrentUserInfo () {
    const empty = { uid: null, role: [], permission: [], tokenExpired: 0 }
    const token = storedToken()
    const parts = typeof token === 'string' ? token.split('.') : []
    if (parts.length !== 3) return empty
    try {
      const claims = JSON.parse(decodeBase64URL(parts[1]))
      const info = { ...claims, tokenExpired: claims.exp * 1000 }
      delete info.exp
      delete info.iat
      return info
    } catch (e) {
      throw new Error('获取当前用户信息出错，详细错误信息为：' + e.message)
    }
  }

  const saved = {}
  const patch = {
    importObject (name, opts) {
      return objects.includes(name) ? importObject(name, opts) : saved.importObject.call(uniCloud, name, opts)
    },
    database (...args) {
      return database(call, dbErrorListeners, saved.database ? () => saved.database.apply(uniCloud, args) : null)
    },
    getCurrentUserInfo,
    onRefreshToken: (fn) => listeners.refreshToken.add(fn),
    offRefreshToken: (fn) => listeners.refreshToken.delete(fn),
    onResponse: (fn) => listeners.response.add(fn),
    offResponse: (fn) => listeners.response.delete(fn),
    onNeedLogin: (fn) => listeners.needLogin.add(fn),
    offNeedLogin: (fn) => listeners.needLogin.delete(fn),
    interceptObject: (i) => { interceptors.push(i) },
    setCustomClientInfo: (info) => { customInfo = { ...info } }
  }
  for (const [k, fn] of Object.entries(patch)) {
    saved[k] = uniCloud[k]
    uniCloud[k] = fn
  }
  return {
    call,
    clientInfo,
    uninstall () {
      for (const [k, fn] of Object.entries(saved)) uniCloud[k] = fn
    }
  }
}

function currentPath () {
  try {
    const pages = typeof getCurrentPages === 'function' ? getCurrentPages() : []
    const page = pages[pages.length - 1]
    if (!page) return ''
    return (page.$page && page.$page.fullPath) || '/' + page.route
  } catch (e) {
    return ''
  }
}

function decodeBase64URL (s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)
  const bin = typeof atob === 'function' ? atob(b64) : Buffer.from(b64, 'base64').toString('binary')
  let pct = ''
  for (let i = 0; i < bin.length; i++) pct += '%' + ('0' + bin.charCodeAt(i).toString(16)).slice(-2)
  return decodeURIComponent(pct)
}

// --- the client-database shim -------------------------------------------

const SELF_WHERE = ['_id==$cloudEnv_uid', '_id==$env.uid', "'_id'==$cloudEnv_uid", "'_id'==$env.uid",
  '"_id"==$cloudEnv_uid', '"_id"==$env.uid']

// database answers uniCloud.database(). errorListeners are db.on('error')
// callbacks, shared by every database() as uniCloud's are; original is
// uniCloud's own database(), asked only for another collection (without a
// uniCloud service space it has none).
function database (call, errorListeners, original) {
  const unsupported = (what) => {
    // A developer's error, so in English whatever the locale.
    const e = new IdcoError({ code: 'SYSTEM_ERROR', message: 'not supported by idco: ' + what +
      ' (the client database reaches only the current user\'s uni-id-users record)', subject: 'idco-client' })
    for (const fn of errorListeners) fn(e)
    return e
  }
  const wrap = (result) => ({ success: true, errCode: 0, errMsg: '', requestId: '', result: { errCode: 0, errMsg: '', ...result } })
  const failed = (e) => {
    const err = new IdcoError({ code: e.errCode || 'SYSTEM_ERROR', message: e.errMsg || e.message, subject: 'idco-client', requestId: e.requestId })
    err.message = err.errMsg
    for (const fn of errorListeners) fn(err)
    throw err
  }

  // users answers collection('uni-id-users'): each where() and field()
  // returns a new query, as the client database's chains do, so a query kept
  // at module scope (uni-id-pages' store.js) never carries one call's
  // conditions into the next.
  function users (q = { self: false, admins: false, fields: null }) {
    const query = {
      where (cond) {
        const c = cond && typeof cond === 'object' ? Object.keys(cond) : []
        if (typeof cond === 'string' && SELF_WHERE.includes(cond.replace(/\s+/g, ''))) {
          return users({ ...q, self: true, admins: false })
        }
        if (c.length === 1 && cond.role === 'admin') return users({ ...q, admins: true, self: false })
        if (c.length === 1 && isSelfEnv(cond._id)) return users({ ...q, self: true, admins: false })
        throw unsupported('uni-id-users.where(' + JSON.stringify(cond) + ')')
      },
      field (fields) {
        if (typeof fields !== 'string') throw unsupported('uni-id-users.field(' + JSON.stringify(fields) + ')')
        return users({ ...q, fields: fields.split(',').map((f) => f.trim()).filter(Boolean) })
      },
      async get () {
        if (!q.self) throw unsupported('uni-id-users.get() of anyone but the current user')
        try {
          const res = await call('uni-id-co', 'getProfile', q.fields ? { fields: q.fields } : {})
          return wrap({ data: [res.userInfo] })
        } catch (e) { failed(e) }
      },
      async update (data) {
        if (!q.self) throw unsupported('uni-id-users.update() of anyone but the current user')
        try {
          const res = await call('uni-id-co', 'updateProfile', data)
          return wrap({ updated: res.updated })
        } catch (e) { failed(e) }
      },
      async count () {
        try {
          if (q.admins) {
            const res = await call('uni-id-co', 'hasAdmin')
            return wrap({ total: res.exists ? 1 : 0 })
          }
          if (q.self) {
            await call('uni-id-co', 'getProfile', { fields: ['_id'] })
            return wrap({ total: 1 })
          }
        } catch (e) { failed(e) }
        throw unsupported('uni-id-users.count()')
      }
    }
    for (const m of ['add', 'remove', 'doc', 'orderBy', 'limit', 'skip', 'groupBy', 'lookup', 'getTemp', 'foreignKey', 'aggregate']) {
      query[m] = () => { throw unsupported('uni-id-users.' + m + '()') }
    }
    return query
  }

  return {
    collection (name) {
      if (name === 'uni-id-users') return users()
      const db = original && original()
      if (db) return db.collection(name)
      throw unsupported('collection ' + JSON.stringify(name))
    },
    getCloudEnv (name) { return { $env: String(name).replace(/^\$cloudEnv_/, '') } },
    env: { uid: { $env: 'uid' } },
    on (event, fn) {
      if (event === 'error') errorListeners.add(fn)
    },
    off (event, fn) {
      if (event === 'error') errorListeners.delete(fn)
    }
  }
}

function isSelfEnv (v) {
  return v && typeof v === 'object' && v.$env === 'uid'
}
