#!/usr/bin/env node
// make demo: DCloud's uni-id-pages, built as an H5 app (build.mjs), served on
// http://127.0.0.1:8081 against the dev server on http://127.0.0.1:8080
// (`make run`, same data folder .idco/). Ctrl-C stops both.
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { serveStatic } from './serve.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '..', '..')
const api = process.env.IDCO_BASE_URL || 'http://127.0.0.1:8080'
const sitePort = Number(process.env.IDCO_DEMO_PORT || 8081)

const built = spawnSync(process.execPath, ['build.mjs'], { cwd: here, stdio: 'inherit', env: { ...process.env, IDCO_BASE_URL: api } })
if (built.status !== 0) process.exit(built.status || 1)
const addr = new URL(api).host
const dev = spawn('go', ['run', './infra/devserver', '-addr', addr], { cwd: repoRoot, stdio: 'inherit' })
const site = await serveStatic(path.join(here, 'dist'), sitePort)
console.log(`\nuni-id-pages on http://127.0.0.1:${sitePort}/ against idco on ${api}`)
console.log(`  register:   http://127.0.0.1:${sitePort}/#/uni_modules/uni-id-pages/pages/register/register`)
console.log(`  login:      http://127.0.0.1:${sitePort}/#/uni_modules/uni-id-pages/pages/login/login-withpwd`)
console.log('  captcha answers and SMS/email codes: printed below and in .idco/outbox.jsonl\n')
const stop = () => { site.close(); dev.kill('SIGINT') }
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
dev.on('exit', (code) => { site.close(); process.exit(code || 0) })
