#!/usr/bin/env node
/**
 * `npm start`: serve Cairn locally with both Workers in one wrangler runtime and one state folder.
 * Applies the D1 migrations first, then prints the URL, the admin token and a ready-made user token.
 * Extra arguments pass through to `wrangler dev` (`npm start -- --port 8787 --persist-to /tmp/cairn`).
 * Beside it runs the local model server (local-models/), which both Workers use for embeddings;
 * `--no-local-models` or `CAIRN_LOCAL_MODELS=off` leaves it out, and `--models-port N` pins its port.
 */
import { spawn } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readDevVars, optionValue } from './lib/dev-vars.mjs'
import { ingestDevVars, startLocalModels } from './lib/local-models.mjs'
import { buildConsole } from '../console/build.mjs'
import { signInLink } from './lib/sign-in-link.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const port = Number(optionValue(args, '--port') ?? 8787)
const persistTo = path.resolve(root, optionValue(args, '--persist-to') ?? '.wrangler/state')
const ownOptions = ['--persist-to', '--models-port']
const passthrough = args.filter(
  (a, i) => a !== '--no-local-models' && !ownOptions.some((o) => a === o || args[i - 1] === o || a.startsWith(`${o}=`)),
)
if (optionValue(args, '--port') === undefined) passthrough.push('--port', String(port))
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_D1_WARNING: 'true' }
const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler')

function run(command, commandArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(command)} ${commandArgs.join(' ')} failed:\n${output}`))))
  })
}

/** The local admin token: from .dev.vars, else one generated once and kept beside the local state. */
function localSecrets() {
  mkdirSync(persistTo, { recursive: true })
  const stateFile = path.join(persistTo, 'cairn-local.json')
  const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {}
  const devVars = readDevVars(root)
  const fromDevVars = Boolean(devVars.ADMIN_TOKEN)
  state.adminToken = devVars.ADMIN_TOKEN || state.adminToken || `cairn_admin_${randomBytes(24).toString('base64url')}`
  // Seals S3 sources' credentials in the local database; both Workers need the same key.
  state.sourceSecretsKey = devVars.SOURCE_SECRETS_KEY || state.sourceSecretsKey || randomBytes(32).toString('base64')
  writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 })
  return { state, stateFile, fromDevVars }
}

/** One `.dev.vars` at the root configures both Workers; wrangler looks for it beside each config. */
function shareDevVars() {
  const source = path.join(root, '.dev.vars')
  const link = path.join(root, 'workers', 'ingest', '.dev.vars')
  if (!existsSync(source)) return
  try {
    if (lstatSync(link, { throwIfNoEntry: false })) return
    symlinkSync(path.relative(path.dirname(link), source), link)
  } catch {
    // A read-only checkout keeps working; the ingest Worker then runs on its defaults.
  }
}

async function waitForHealth(base, child) {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('wrangler dev exited before Cairn was ready')
    try {
      const res = await fetch(`${base}/health`)
      if (res.status === 200) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`Cairn did not answer ${base}/health within 150 s`)
}

async function api(base, token, method, pathname, body) {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json().catch(() => null) }
}

/** A user in org `local` with a working token, reused across restarts while the state folder lives. */
async function readyMadeUser(base, secrets) {
  const { state, stateFile } = secrets
  if (state.userToken && (await api(base, state.userToken, 'GET', '/workspaces')).status === 200) return state
  let user = await api(base, state.adminToken, 'POST', '/users', { email: 'you@cairn.localhost', org: 'local' })
  if (user.status === 409) {
    user = await api(base, state.adminToken, 'POST', '/users', { email: `you-${Date.now()}@cairn.localhost`, org: 'local' })
  }
  if (user.status !== 200) throw new Error(`could not create the local user: ${JSON.stringify(user.body)}`)
  const token = await api(base, state.adminToken, 'POST', `/users/${user.body.id}/tokens`, { name: 'local' })
  if (token.status !== 200) throw new Error(`could not create the local token: ${JSON.stringify(token.body)}`)
  Object.assign(state, { userId: user.body.id, userEmail: user.body.email, userToken: token.body.token })
  writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 })
  return state
}

async function main() {
  const secrets = localSecrets()
  shareDevVars()
  process.stdout.write('Applying D1 migrations to the local database… ')
  await run(wrangler, ['d1', 'migrations', 'apply', 'DB', '--local', '--env', 'local', '--persist-to', persistTo])
  console.log('done.')
  // Built on every start, so the console always matches the checkout (it takes well under a second).
  await buildConsole({ quiet: true })

  const models = await startLocalModels({ root, args, env: process.env, devVars: readDevVars(root) })
  // The ingest Worker gets no --var: the models' variables and the sources' key reach it through its .dev.vars.local.
  const sourceKey = readDevVars(root).SOURCE_SECRETS_KEY ? {} : { SOURCE_SECRETS_KEY: secrets.state.sourceSecretsKey }
  const ingestVars = ingestDevVars(root, 'local', { ...(models.vars ?? {}), ...sourceKey })
  if (models.vars && !ingestVars.written) console.log(`Note: ${path.relative(root, ingestVars.file)} is yours, so the ingest Worker keeps its own model settings.`)

  const devArgs = ['dev', '-c', 'wrangler.toml', '-c', 'workers/ingest/wrangler.toml', '--env', 'local', '--persist-to', persistTo, '--show-interactive-dev-session=false']
  if (!secrets.fromDevVars) devArgs.push('--var', `ADMIN_TOKEN:${secrets.state.adminToken}`)
  for (const [key, value] of Object.entries(sourceKey)) devArgs.push('--var', `${key}:${value}`)
  for (const [key, value] of Object.entries(models.vars ?? {})) devArgs.push('--var', `${key}:${value}`)
  // Its own process group, so stopping `npm start` also stops workerd.
  const child = spawn(wrangler, [...devArgs, ...passthrough], { cwd: root, env, stdio: 'inherit', detached: true })
  const stop = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {}
    models.child?.kill(signal)
  }
  process.on('exit', () => {
    models.child?.kill('SIGTERM')
    if (ingestVars.written) ingestDevVars(root, 'local', null, ingestVars.text)
  })
  models.child?.on('exit', (code, signal) => {
    if (child.exitCode === null && signal !== 'SIGTERM' && signal !== 'SIGINT') console.error(`Local models stopped (${signal ?? `exit ${code}`}); search is lexical-only until Cairn restarts.`)
  })
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  child.on('exit', (code) => process.exit(code ?? 0))

  const base = `http://localhost:${port}`
  await waitForHealth(base, child)
  const state = await readyMadeUser(base, secrets)
  const link = await signInLink(base, state.userToken).catch((err) => ({ error: err.message }))
  const lines = [
    '',
    `Cairn is running at ${base}  (API docs: ${base}/docs)`,
    `State: ${persistTo}`,
    models.note,
    secrets.fromDevVars ? 'Admin token: ADMIN_TOKEN from .dev.vars' : `Admin token (local, kept in ${secrets.stateFile}): ${state.adminToken}`,
    `User ${state.userEmail} (org "local") token: ${state.userToken}`,
    '',
    link.url
      ? `Console: ${link.url}\n  (signs this browser in as ${state.userEmail}; the link works once, within ${link.minutes} minutes; \`npm run sign-in\` prints a new one)`
      : `Console: ${base}/  (paste the user token above; no sign-in link: ${link.error})`,
    '',
    'Try it:',
    `  curl -s ${base}/v1/models -H "Authorization: Bearer ${state.userToken}"`,
    '',
  ]
  console.log(lines.filter((l) => l !== undefined).join('\n'))
}

main().catch((err) => {
  console.error(`\nnpm start failed: ${err.message}`)
  process.exit(1)
})
