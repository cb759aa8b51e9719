import { describe, expect, it } from 'vitest'
import { DamagedFileError, LimitExceededError } from '../errors'
import { resolveLimits, startDeadline } from '../limits'
import { outputMeter } from '../output-meter'
import { nesting, parseJson } from './json'

const limits = resolveLimits()
const parse = (json: string, overrides = {}) =>
  parseJson(new TextEncoder().encode(json), { limits: resolveLimits(overrides), deadline: startDeadline(limits.timeBudgetMs), output: outputMeter(resolveLimits(overrides)) })

describe('parseJson', () => {
  it('renders small documents as path: value lines under the root key path', async () => {
    const { segments } = await parse('{"name":"cairn","deps":{"hono":"4.13"},"tags":["a","b"],"ok":true,"n":null}')
    expect(segments).toHaveLength(1)
    expect(segments[0]!.provenance).toEqual({ keyPath: '$', modality: 'text' })
    expect(segments[0]!.text.split('\n')).toEqual(['name: cairn', 'deps.hono: 4.13', 'tags[0]: a', 'tags[1]: b', 'ok: true', 'n: null'])
  })

  it('groups large arrays into slices whose key path names the range', async () => {
    const records = Array.from({ length: 200 }, (_, i) => ({ id: `test-${i}`, file: `pdfs/file-${i}.pdf`, rounds: 1 }))
    const { segments } = await parse(JSON.stringify({ tests: records }))
    expect(segments.length).toBeGreaterThan(5)
    expect(segments[0]!.provenance.keyPath).toMatch(/^\$\.tests\[0\.\.\d+\]$/)
    const all = segments.map((s) => s.text).join('\n')
    expect(all).toContain('[199].id: test-199')
    const last = segments[segments.length - 1]!.provenance.keyPath!
    expect(last).toMatch(/\.\.199\]$|\[199\]$/)
  })

  it('quotes keys that are not identifiers', async () => {
    const { segments } = await parse('{"a b":{"c.d":1}}')
    expect(segments[0]!.text).toBe('["a b"]["c.d"]: 1')
  })

  it('accepts scalars and empty containers at the root', async () => {
    expect((await parse('42')).segments[0]!.text).toBe('42')
    expect((await parse('[]')).segments[0]!.text).toBe('$: []')
  })

  it('parses 500 nested arrays within the depth cap', async () => {
    const json = `${'['.repeat(500)}1${']'.repeat(500)}`
    expect(nesting(json)).toEqual({ depth: 500, balanced: true })
    const { segments } = await parse(json)
    expect(segments[0]!.text).toContain('1')
  })

  it('refuses nesting past the cap before JSON.parse can blow the stack', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    await expect(parse(deep)).rejects.toBeInstanceOf(LimitExceededError)
    await expect(parse(deep)).rejects.toThrow('the JSON nests deeper than the 1,000 levels')
  })

  it('says malformed JSON is not valid JSON', async () => {
    await expect(parse('[1,2')).rejects.toBeInstanceOf(DamagedFileError)
    await expect(parse('{"a":1,}')).rejects.toThrow('the file is not valid JSON')
    await expect(parse('[' .repeat(100_000))).rejects.toBeInstanceOf(DamagedFileError)
  })

  it('does not count brackets inside strings', () => {
    expect(nesting('["[[[", "\\"]]"]')).toEqual({ depth: 1, balanced: true })
  })
})
