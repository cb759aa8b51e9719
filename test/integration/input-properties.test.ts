/**
 * Property tests of what an OpenAPI schema cannot describe: malformed multipart uploads, huge strings,
 * odd unicode (lone surrogates, NUL, direction marks), metadata of any shape and depth, and random
 * filter expressions, against real local D1 and R2. For every input: never a 5xx, and every 4xx in
 * OpenAI's envelope with a message. Runs are few per property, so the file stays well under a minute.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, uploadForm, waitForIngestAll } from './api-client'
import { printFilter } from '../../src/filter/printer'
import { Random, randomTree, STRINGS } from '../../src/filter/testing/arbitrary'
import { JSON_LIMITS } from '../../src/json-limits'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
let fileId: string

const RUNS = { numRuns: 40 }

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  // Rows for the filters to run over: SQLite raises some errors only when a row reaches them.
  const metadata = [{ author: 'hegel', tags: ['logic', 'Ärger 😀'], n: 1.5, o: { a: [1, { b: 'x' }] } }, { author: 'kant', tags: [], title: 'é'.repeat(40) }]
  const ids: string[] = []
  for (const [i, m] of metadata.entries()) {
    const form = uploadForm([[`note-${i}.txt`, `The zebrafish note number ${i}.`]], { workspace: w.ws, metadata: JSON.stringify(m) })
    ids.push((await callJson('POST', '/files', { token: w.writer.token, form })).id)
  }
  fileId = ids[0]!
  await waitForIngestAll(w.writer.token, w.ws, ids)
}, 120_000)

/** No 5xx; a 4xx is `{ error: { message, type, param, code } }` with a non-empty message. */
async function expectClientAnswer(res: Response, what: string): Promise<void> {
  const text = await res.text()
  expect(res.status, `${what} → ${res.status} ${text.slice(0, 500)}`).toBeLessThan(500)
  if (res.status < 400) return
  let body: any
  expect(() => (body = JSON.parse(text)), `${what}: the error is not JSON: ${text.slice(0, 200)}`).not.toThrow()
  expect(Object.keys(body?.error ?? {}).sort(), `${what}: ${text.slice(0, 300)}`).toEqual(['code', 'message', 'param', 'type'])
  expect(typeof body.error.message).toBe('string')
  expect(body.error.message.length).toBeGreaterThan(0)
  expect(body.error.param === null || typeof body.error.param === 'string').toBe(true)
}

/** Characters that break careless code: NUL, lone surrogates, direction marks, BOM, emoji, quotes. */
const ODD = ['\u0000', '\ud800', '\udfff', '\u200f', '\u202e', '\u2066', '\ufeff', '😀', '"', "'", '\\', '%', '_', '\n', 'é', 'É', 'a', ' ']
const oddString = (maxLength = 40) =>
  fc.oneof(
    fc.array(fc.constantFrom(...ODD), { maxLength }).map((chars) => chars.join('')),
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom(...STRINGS),
  )
const hugeString = fc.integer({ min: 17_000, max: 200_000 }).map((n) => 'x'.repeat(n))

/**
 * Percent-encoding that, unlike encodeURIComponent, also takes lone surrogates: as the three bytes
 * UTF-8 would give them, which is not valid UTF-8, so the server meets a query it cannot decode.
 */
function percentEncode(text: string): string {
  let out = ''
  for (const c of text) {
    const code = c.codePointAt(0)!
    if (code >= 0xd800 && code <= 0xdfff) out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`
    else out += encodeURIComponent(c)
  }
  return out
}

/** JSON text nested `depth` levels, as objects or lists. */
const nestedText = (depth: number, list: boolean) => (list ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`)

describe('POST /files with bad multipart bodies', () => {
  it('answers a 4xx or a file, never a 5xx, for random forms', async () => {
    const part = fc.oneof(
      fc.record({ kind: fc.constant('file' as const), name: oddString(30), content: fc.oneof(oddString(60), fc.uint8Array({ maxLength: 64 })) }),
      fc.record({ kind: fc.constant('text' as const), name: fc.constantFrom('file', 'purpose', 'metadata', 'workspace', 'instructions', 'other'), value: fc.oneof(oddString(), hugeString) }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(part, { maxLength: 4 }), fc.option(fc.oneof(oddString(), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))), { nil: undefined }), async (parts, metadata) => {
        const form = new FormData()
        form.append('workspace', w.ws)
        for (const p of parts) {
          // The client's FormData refuses a name ending in a backslash; the raw bodies below send such names.
          if (p.kind === 'file') form.append('file', new File([p.content], p.name.endsWith('\\') || !p.name ? `${p.name}x` : p.name))
          else form.append(p.name, p.value)
        }
        if (metadata !== undefined) form.append('metadata', metadata)
        await expectClientAnswer(await call('POST', '/files', { token: w.writer.token, form }), `form ${JSON.stringify(parts).slice(0, 300)}`)
      }),
      RUNS,
    )
  })

  it('answers a 4xx, never a 5xx, for raw bodies that are not well-formed multipart', async () => {
    const raw = fc.record({
      boundary: fc.constantFrom('B', 'x'.repeat(80), '', '"q"'),
      name: oddString(20),
      filename: fc.option(oddString(20), { nil: undefined }),
      content: oddString(80),
      cut: fc.nat({ max: 200 }),
      header: fc.constantFrom('multipart/form-data; boundary=B', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary="B"'),
    })
    await fc.assert(
      fc.asyncProperty(raw, async ({ boundary, name, filename, content, cut, header }) => {
        const disposition = `form-data; name="${name}"${filename === undefined ? '' : `; filename="${filename}"`}`
        const body = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n${content}\r\n--${boundary}--\r\n`
        const res = await call('POST', `/files?workspace=${w.ws}`, { token: w.writer.token, rawBody: body.slice(0, body.length - cut), headers: { 'content-type': header } })
        await expectClientAnswer(res, `raw multipart ${JSON.stringify(body).slice(0, 300)}`)
      }),
      RUNS,
    )
  })
})

describe('metadata of any shape', () => {
  it('PATCH /files/{id}/metadata answers the file or a 4xx, never a 5xx', async () => {
    const shape = fc.oneof(
      fc.dictionary(oddString(12), fc.jsonValue({ maxDepth: 5 }), { maxKeys: 6 }),
      fc.jsonValue({ maxDepth: 3 }),
      fc.integer({ min: JSON_LIMITS.metadataDepth - 2, max: JSON_LIMITS.bodyDepth + 2 }).map((depth) => ({ deep: JSON.parse(nestedText(depth, depth % 2 === 0)) })),
    )
    await fc.assert(
      fc.asyncProperty(shape, async (body) => {
        // A fresh key each time keeps the file's metadata from growing to the size limit.
        const res = await call('PATCH', `/files/${fileId}/metadata`, { token: w.writer.token, body })
        await expectClientAnswer(res, `PATCH ${JSON.stringify(body).slice(0, 300)}`)
        if (res.ok && body && typeof body === 'object' && !Array.isArray(body)) {
          const reset = Object.fromEntries(Object.keys(body).filter((k) => k !== 'instructions').map((k) => [k, null]))
          await callJson('PATCH', `/files/${fileId}/metadata`, { token: w.writer.token, body: reset })
        }
      }),
      RUNS,
    )
  })

  it('the metadata field at upload answers a file or a 4xx, never a 5xx', async () => {
    const text = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.integer({ min: 1, max: 300_000 }).chain((depth) => fc.boolean().map((list) => nestedText(depth, list))),
      oddString(),
    )
    await fc.assert(
      fc.asyncProperty(text, async (metadata) => {
        const form = uploadForm([['m.txt', 'metadata test']], { workspace: w.ws, metadata })
        await expectClientAnswer(await call('POST', '/files', { token: w.writer.token, form }), `metadata ${metadata.slice(0, 200)}`)
      }),
      { numRuns: 25 },
    )
  })
})

describe('JSON bodies with odd unicode, huge strings and deep nesting', () => {
  it('POST /chat/completions answers or refuses with a 4xx, never a 5xx', async () => {
    const content = fc.oneof(
      oddString(),
      hugeString,
      fc.array(fc.oneof(fc.record({ type: fc.constant('text'), text: oddString() }), fc.record({ type: fc.constant('filter'), filter: fc.option(oddString(), { nil: null }) })), { maxLength: 3 }),
    )
    const extra = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 4 }), fc.integer({ min: 50, max: 100_000 }).map((d) => JSON.parse(nestedText(Math.min(d, 5_000), d % 2 === 0))))
    await fc.assert(
      fc.asyncProperty(content, extra, fc.oneof(fc.constant('l0-retrieval'), oddString(10)), async (messageContent, anything, model) => {
        const body = { model, workspace: w.ws, messages: [{ role: 'user', content: messageContent }], extra: anything }
        const res = await call('POST', '/chat/completions', { token: w.reader.token, body })
        await expectClientAnswer(res, `chat ${JSON.stringify(body).slice(0, 300)}`)
      }),
      RUNS,
    )
  })
})

describe('random filter expressions', () => {
  /**
   * Printed random trees, random text in the filter's alphabet, and like patterns of 20 to 80 pieces,
   * mostly longer than D1's 50-byte LIKE limit (pieces as written in a filter string: `\\%` is a literal %).
   */
  const expression = fc.oneof(
    fc.integer().map((seed) => printFilter(randomTree(new Random(seed), { chunkAttributes: true, maxDepth: 4 }))),
    fc.array(fc.constantFrom('a', 'metadata.tags', 'author', 'page', 'and', 'or', 'not', 'in', 'like', 'is', 'null', '=', '<', '(', ')', '[', ']', ',', '"x"', '1', '%', '_', '\\'), { maxLength: 12 }).map((t) => t.join(' ')),
    fc.tuple(fc.constantFrom('author', 'metadata.tags', 'title', 'filename', 'modality'), fc.boolean(), fc.array(fc.constantFrom('%', '_', 'é', 'É', 'a', 'A', '\\\\\\\\', '\\\\%', '\\\\_', '😀', 'hegel', 'x'), { minLength: 20, maxLength: 80, size: 'max' })).map(
      ([target, negated, pieces]) => `${target} ${negated ? 'not like' : 'like'} "${pieces.join('')}"`,
    ),
    oddString(60),
  )

  it('GET /files?metadata= answers a list or a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(expression, async (filter) => {
        const res = await call('GET', `/files?workspace=${w.ws}&metadata=${percentEncode(filter)}`, { token: w.reader.token })
        await expectClientAnswer(res, `GET /files?metadata=${JSON.stringify(filter)}`)
      }),
      RUNS,
    )
  })

  it('the l0-retrieval filter part answers chunks or a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(expression, async (filter) => {
        const body = { model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: [{ type: 'filter', filter }, { type: 'text', text: 'zebrafish note' }] }] }
        await expectClientAnswer(await call('POST', '/chat/completions', { token: w.reader.token, body }), `filter ${JSON.stringify(filter)}`)
      }),
      RUNS,
    )
  })
})
