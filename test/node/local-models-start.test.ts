/**
 * How `npm start` decides about the local model server and hands its variables to the ingest Worker,
 * which `wrangler dev -c … -c …` gives no `--var`: switched off, left to the user's `.dev.vars`, and
 * the `.dev.vars.local` it writes beside the ingest config (and never over the user's own).
 */
import { mkdirSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ingestDevVars, localModelVars, startLocalModels } from '../../scripts/lib/local-models.mjs'

const root = path.resolve(import.meta.dirname, '../..')
const vars = { EMBEDDING_BASE_URL: 'http://127.0.0.1:9999/v1', EMBEDDING_MODEL: 'bge-small-en-v1.5', EMBEDDING_DIMENSIONS: '384' }

function checkout() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-checkout-'))
  mkdirSync(path.join(dir, 'workers', 'ingest'), { recursive: true })
  return dir
}

describe('local models at npm start', () => {
  it('stays off when asked to, and leaves an endpoint set in .dev.vars alone', async () => {
    expect(await startLocalModels({ root, args: ['--no-local-models'], env: {}, devVars: {} })).toEqual({ vars: null, note: expect.stringContaining('off') })
    expect(await startLocalModels({ root, args: [], env: { CAIRN_LOCAL_MODELS: 'off' }, devVars: {} })).toMatchObject({ vars: null })
    const own = await startLocalModels({ root, args: [], env: {}, devVars: { EMBEDDING_BASE_URL: 'https://api.example.com/v1' } })
    expect(own).toEqual({ vars: null, note: expect.stringContaining('.dev.vars sets EMBEDDING_BASE_URL') })
  })

  it('makes the server’s OCR the vision role only when nothing else serves it', () => {
    const health = { embedding: { model: 'bge-small-en-v1.5', dimensions: 384 }, rerank: null, vision: { model: 'tesseract-eng', reads: 'text' } }
    const base = 'http://127.0.0.1:9999'
    expect(localModelVars(health, base, {})).toEqual({
      EMBEDDING_BASE_URL: `${base}/v1`,
      EMBEDDING_MODEL: 'bge-small-en-v1.5',
      EMBEDDING_DIMENSIONS: '384',
      EMBEDDING_BATCH_SIZE: '8',
      VISION_BASE_URL: `${base}/v1`,
      VISION_MODEL: 'tesseract-eng',
      VISION_PAGES_PER_FILE: '500',
    })
    expect(localModelVars(health, base, { MODEL_PROVIDER: 'none', VISION_PAGES_PER_FILE: '3' })).toMatchObject({ VISION_MODEL: 'tesseract-eng' })
    expect(localModelVars(health, base, { MODEL_PROVIDER: 'none', VISION_PAGES_PER_FILE: '3' })).not.toHaveProperty('VISION_PAGES_PER_FILE')
    const served: Record<string, string>[] = [{ MODEL_PROVIDER: 'workers-ai' }, { MODEL_PROVIDER: 'openai' }, { VISION_MODEL: 'llava' }, { VISION_BASE_URL: 'http://vlm/v1' }]
    for (const own of served)
      expect(Object.keys(localModelVars(health, base, own)).filter((k) => k.startsWith('VISION'))).toEqual([])
    expect(localModelVars({ ...health, vision: null }, base, {})).not.toHaveProperty('VISION_MODEL')
  })

  it('writes the ingest Worker’s .dev.vars.local from its .dev.vars plus the model variables, and removes it after', () => {
    const dir = checkout()
    writeFileSync(path.join(dir, 'workers', 'ingest', '.dev.vars'), 'OPENAI_API_KEY=sk-local\n')
    const written = ingestDevVars(dir, 'local', vars)
    const file = path.join(dir, 'workers', 'ingest', '.dev.vars.local')
    expect(written).toMatchObject({ written: true, file })
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('OPENAI_API_KEY=sk-local')
    expect(text).toContain('EMBEDDING_BASE_URL="http://127.0.0.1:9999/v1"')
    expect(text).toContain('EMBEDDING_DIMENSIONS="384"')
    ingestDevVars(dir, 'local', null, written.text)
    expect(existsSync(file)).toBe(false)
  })

  it('never touches a .dev.vars.local the user wrote', () => {
    const dir = checkout()
    const file = path.join(dir, 'workers', 'ingest', '.dev.vars.local')
    writeFileSync(file, 'EMBEDDING_MODEL=mine\n')
    expect(ingestDevVars(dir, 'local', vars).written).toBe(false)
    ingestDevVars(dir, 'local', null)
    expect(readFileSync(file, 'utf8')).toBe('EMBEDDING_MODEL=mine\n')
  })
})
