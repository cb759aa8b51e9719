#!/usr/bin/env node
/**
 * Filter language timings: parse, compile to SQL and split for Vectorize, for a typical expression
 * and for expressions at the language's limits. Prints the median microseconds of many runs.
 * Bundles src/filter with the esbuild that wrangler already brings, so it runs on plain Node 20.
 * Run: node bench/filter.mjs
 */
import { build } from 'esbuild'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const outfile = path.join(mkdtempSync(path.join(tmpdir(), 'cairn-filter-')), 'filter.mjs')
await build({ entryPoints: [path.join(root, 'src/filter/index.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile })
const filter = await import(pathToFileURL(outfile).href)
const { parseFilter, compileToSql, compileToVectorize, FilterSyntaxError } = filter

const columns = {
  id: 'f.id', filename: 'f.filename', bytes: 'f.bytes', created_at: 'f.created_at', purpose: 'f.purpose',
  status: 'f.status', user_id: 'f.user_id', metadata: 'f.metadata', page: 'c.page', modality: 'c.modality',
}
const options = { chunkAttributes: true }

/** Median microseconds per call of `fn`, timing batches so the clock's resolution does not matter. */
function median(fn, { batches = 41, minBatchMs = 20 } = {}) {
  let perBatch = 1
  for (;;) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < perBatch; i++) fn()
    if (Number(process.hrtime.bigint() - t) / 1e6 >= minBatchMs) break
    perBatch *= 2
  }
  const samples = []
  for (let b = 0; b < batches; b++) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < perBatch; i++) fn()
    samples.push(Number(process.hrtime.bigint() - t) / 1e3 / perBatch)
  }
  samples.sort((x, y) => x - y)
  return samples[Math.floor(samples.length / 2)]
}

const refused = (text) => () => {
  try {
    parseFilter(text, options)
  } catch (err) {
    if (err instanceof FilterSyntaxError) return
    throw err
  }
  throw new Error('expected the filter to be refused')
}

const typical = '(status in ["processed", "uploaded"] and created_at > "2024-01-01") or (metadata.author = "hegel" and metadata.tags like "%logic%" and page <= 10)'
const manyConditions = (n) =>
  Array.from({ length: n }, (_, i) => `${i ? (i % 3 ? ' or ' : ' and ') : ''}metadata.k${i % 17}.v not in ["a${i}", ${i}]`).join('')
const longest256 = Array.from({ length: 256 }, (_, i) => `metadata.k${i}.v = "${'x'.repeat(34)}"`).join(' or ')
const list1000 = `metadata.tags in [${Array.from({ length: 1000 }, (_, i) => `"t${i}"`).join(', ')}]`
const deep64 = `${'not ('.repeat(32)}metadata.a = 1 and metadata.b = 2${')'.repeat(32)}`
const thousand = Array.from({ length: 1000 }, (_, i) => `k${i} = ${i}`).join(' or ')

for (const text of [typical, longest256, list1000, deep64]) if (text.length > 16_384) throw new Error(`over the limit: ${text.length}`)

const rows = []
const row = (name, chars, fn) => rows.push({ name, chars, us: median(fn) })
const parsed = (text) => parseFilter(text, options)

row('typical: parse', typical.length, () => parsed(typical))
row('typical: parse + SQL + Vectorize', typical.length, () => {
  const tree = parsed(typical)
  compileToSql(tree, columns)
  compileToVectorize(tree)
})
const t256 = manyConditions(256)
row('256 conditions: parse', t256.length, () => parsed(t256))
row('256 conditions: parse + SQL', t256.length, () => compileToSql(parsed(t256), columns))
row('256 conditions: parse + SQL + Vectorize', t256.length, () => {
  const tree = parsed(t256)
  compileToSql(tree, columns)
  compileToVectorize(tree)
})
row('256 conditions, 16 K chars: parse', longest256.length, () => parsed(longest256))
row('1,000-item list: parse', list1000.length, () => parsed(list1000))
row('1,000-item list: parse + SQL', list1000.length, () => compileToSql(parsed(list1000), columns))
row('64 levels of nesting: parse + SQL', deep64.length, () => compileToSql(parsed(deep64), columns))
row('1,000 conditions: refused at the 257th', thousand.length, refused(thousand))
row('16,385 characters: refused', 16_385, refused(`a = "${'x'.repeat(16_379)}"`))

console.log(`Node ${process.version}; median of 41 timed batches each\n`)
console.log('case                                        chars    median µs')
for (const r of rows) console.log(`${r.name.padEnd(42)} ${String(r.chars).padStart(6)}   ${r.us.toFixed(1).padStart(10)}`)
