/**
 * @module The local model server beside `npm start`: fetches the weights on first use, starts
 * `local-models/serve.mjs`, and says which variables point both Workers at it. When it cannot run
 * (switched off, configured by the user, weights not to be had) Cairn starts lexical-only.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { resolveModel, wantedModels, modelsPresent } from '../../local-models/fetch-weights.mjs'

const MARK = '# Written by `npm start` for the local model server; rewritten or removed on each start.'
const MODEL_VARS = ['EMBEDDING_BASE_URL', 'EMBEDDING_MODEL', 'RERANK_BASE_URL', 'RERANK_MODEL']
/** Texts per embedding request to the local server (see EMBEDDING_BATCH_SIZE in docs/models.md). */
export const LOCAL_EMBEDDING_BATCH = 8
/** Scanned pages per file the local OCR reads (VISION_PAGES_PER_FILE), unless `.dev.vars` says otherwise. */
export const LOCAL_OCR_PAGES_PER_FILE = 500

/**
 * Starts the local model server unless it is switched off (`--no-local-models`, `CAIRN_LOCAL_MODELS=off`)
 * or `.dev.vars` already names an embedding or rerank endpoint.
 * Resolves to `{ vars, child, base, note }` when it serves, or `{ vars: null, note? }` when Cairn goes without
 * (`note` is the line for start.mjs's summary; a failed fetch has said its line already).
 */
export async function startLocalModels({ root, args, env, devVars }) {
  if (args.includes('--no-local-models') || /^(off|0|false|no)$/i.test(env.CAIRN_LOCAL_MODELS ?? ''))
    return { vars: null, note: 'Local models: off; search is lexical-only.' }
  const own = MODEL_VARS.filter((k) => devVars[k])
  if (own.length) return { vars: null, note: `Local models: not started; .dev.vars sets ${own.join(', ')}.` }

  const wanted = wantedModels(env)
  if (!modelsPresent(wanted)) {
    process.stdout.write(`Fetching model weights (${wanted.map((w) => w.spec).join(', ')}), once… `)
    try {
      for (const w of wanted) await resolveModel(w.spec, { kind: w.kind, env })
      console.log('done.')
    } catch (err) {
      // Completes the line above: the one line that says Cairn goes without.
      console.log(`unavailable (${err.message.split('\n')[0]}); Cairn starts lexical-only.`)
      return { vars: null }
    }
  }

  const port = args.find((a, i) => args[i - 1] === '--models-port') ?? '0'
  let started
  try {
    started = await spawnServer(root, port, env)
  } catch (err) {
    return { vars: null, note: `Local models: failed to start (${err.message.split('\n')[0]}); Cairn starts lexical-only.` }
  }
  const { child, base } = started
  const health = await (await fetch(`${base}/health`)).json()
  const vars = localModelVars(health, base, devVars)
  const reranker = health.rerank ? `, rerank ${health.rerank.model}` : ', no reranker'
  const reader = vars.VISION_MODEL ? `, OCR ${vars.VISION_MODEL} for scans and pictures` : ''
  return { vars, child, base, note: `Local models: ${health.embedding.model} (${health.embedding.dimensions} dimensions${reranker}${reader}) at ${base}/v1` }
}

/**
 * The variables that point both Workers at the server whose `/health` is `health`: embeddings always,
 * rerank when it serves a cross-encoder, and its OCR as the vision role unless `.dev.vars` has that role
 * served otherwise.
 */
export function localModelVars(health, base, devVars) {
  return {
    EMBEDDING_BASE_URL: `${base}/v1`,
    EMBEDDING_MODEL: health.embedding.model,
    EMBEDDING_DIMENSIONS: String(health.embedding.dimensions),
    // Small requests: on CPU each answers in seconds, well inside the embedding deadline even on a busy machine.
    EMBEDDING_BATCH_SIZE: String(LOCAL_EMBEDDING_BATCH),
    ...(health.rerank ? { RERANK_BASE_URL: `${base}/v1`, RERANK_MODEL: health.rerank.model } : {}),
    ...(readsForCairn(health, devVars)
      ? {
          VISION_BASE_URL: `${base}/v1`,
          VISION_MODEL: health.vision.model,
          // OCR costs a second or two of local CPU a page, no money: a long scan is read whole.
          ...(devVars.VISION_PAGES_PER_FILE ? {} : { VISION_PAGES_PER_FILE: String(LOCAL_OCR_PAGES_PER_FILE) }),
        }
      : {}),
  }
}

/**
 * Whether Cairn's vision role should be the local OCR: only when nothing else serves it, that is when
 * `.dev.vars` names no vision model or endpoint and no provider (whose defaults include a vision model).
 */
function readsForCairn(health, devVars) {
  const provider = devVars.MODEL_PROVIDER?.trim()
  return Boolean(health.vision) && !devVars.VISION_BASE_URL && !devVars.VISION_MODEL && (!provider || provider === 'none')
}

/** Runs serve.mjs in start.mjs's process group (a stop of the group stops it too); resolves on its ready line. */
function spawnServer(root, port, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'local-models/serve.mjs'), '--port', port], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const onData = (d) => {
      output += d
      const ready = /ready at (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output)
      if (ready) {
        child.stdout.off('data', onData)
        child.stderr.off('data', onData)
        // Later lines (a crash) still reach the terminal.
        child.stdout.pipe(process.stdout)
        child.stderr.pipe(process.stderr)
        resolve({ child, base: ready[1] })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(output.trim().split('\n').pop() || `exited with ${code}`)))
  })
}

/**
 * `wrangler dev -c a -c b` hands `--var` to the first Worker only; the ingest Worker reads
 * `.dev.vars.<env>` beside its config before `.dev.vars`. So its variables go there: what it would
 * have read anyway plus `vars`. A file the user wrote there is left alone (returns false).
 * With `vars` null, a file written earlier is removed (only the one this run wrote, when `written`
 * is given), so a later run without local models is not pointed at a server that is gone.
 */
export function ingestDevVars(root, envName, vars, written) {
  const file = path.join(root, 'workers', 'ingest', `.dev.vars.${envName}`)
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined
  const ours = current?.startsWith(MARK)
  if (current !== undefined && !ours) return { written: false, file }
  if (!vars) {
    if (ours && (written === undefined || current === written)) unlinkSync(file)
    return { written: false, file }
  }
  const base = path.join(root, 'workers', 'ingest', '.dev.vars')
  const inherited = existsSync(base) ? readFileSync(base, 'utf8').trimEnd() : ''
  const text = [MARK, ...(inherited ? [inherited] : []), ...Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`), ''].join('\n')
  // An unchanged file is not rewritten: wrangler reloads a running Worker when this file changes.
  if (!ours || readFileSync(file, 'utf8') !== text) writeFileSync(file, text, { mode: 0o600 })
  return { written: true, file, text }
}
