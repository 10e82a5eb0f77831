// idco univerify proxy: a uniCloud cloud function reached by URL (云函数URL化)
// that turns a one-click-login access_token into the phone number for an idco
// backend outside uniCloud. The protocol is in univerify.go's package comment.
// Setup: package.json {"extensions": {"uni-cloud-verify": {}}}; config in
// uni-config-center/idco-univerify/config.json: {"secret": "<idco's, 32+
// chars>", "apiKey": "...", "apiSecret": "..."} (apiKey/apiSecret may be left
// out on HBuilderX 3.9.4+). Plain Node 8+ syntax, for older uniCloud runtimes.
'use strict'
const crypto = require('crypto')
const config = require('uni-config-center')({ pluginId: 'idco-univerify' }).config()
const WINDOW_MS = 5 * 60 * 1000

const hmac = (text) => crypto.createHmac('sha256', config.secret).update(text).digest()
const header = (h, name) => (Object.entries(h || {}).find((e) => e[0].toLowerCase() === name) || [])[1]

function reply (statusCode, result, nonce) {
  const body = JSON.stringify(result)
  const headers = { 'content-type': 'application/json' }
  if (nonce) headers['x-idco-signature'] = hmac('response\n' + nonce + '\n' + body).toString('hex')
  return { mpserverlessComposedResponse: true, isBase64Encoded: false, statusCode, headers, body }
}

exports.main = async (event) => {
  if (typeof config.secret !== 'string' || config.secret.length < 32) return reply(500, { code: -500, message: 'proxy secret not configured' })
  const raw = event.isBase64Encoded ? Buffer.from(event.body || '', 'base64').toString('utf8') : String(event.body || '')
  let req
  try { req = JSON.parse(raw) } catch (e) { req = null }
  if (!req || typeof req !== 'object' || typeof req.nonce !== 'string') return reply(400, { code: -400, message: 'bad request' })
  const given = Buffer.from(String(header(event.headers, 'x-idco-signature') || ''), 'hex')
  const want = hmac(req.timestamp + '\n' + req.nonce + '\n' + raw)
  const fresh = Number.isSafeInteger(req.timestamp) && Math.abs(Date.now() - req.timestamp) <= WINDOW_MS
  if (given.length !== want.length || !crypto.timingSafeEqual(given, want) || !fresh) return reply(401, { code: -401, message: 'bad or stale signature' })
  try {
    const res = await uniCloud.getPhoneNumber({ provider: 'univerify', appid: req.appid, apiKey: config.apiKey, apiSecret: config.apiSecret, access_token: req.access_token, openid: req.openid })
    const code = Number(res.code || 0)
    return reply(200, { code: Number.isInteger(code) ? code : -1, message: String(res.message || ''), phoneNumber: res.phoneNumber }, req.nonce)
  } catch (e) {
    const code = [e.errCode, e.code].find(Number.isInteger)
    if (code === undefined) return reply(502, { code: -502, message: 'getPhoneNumber failed' })
    return reply(200, { code: code, message: String(e.errMsg || e.message || '') }, req.nonce)
  }
}
