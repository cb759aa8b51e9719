import { describe, expect, it } from 'vitest'
import { resolveLimits, startDeadline } from '../limits'
import { outputMeter } from '../output-meter'
import { parseMarkdown } from './markdown'

const parse = async (md: string) =>
  (await parseMarkdown(new TextEncoder().encode(md), { limits: resolveLimits(), deadline: startDeadline(10_000), output: outputMeter(resolveLimits()) })).segments

describe('parseMarkdown', () => {
  it('gives each section its heading path', async () => {
    const segments = await parse('intro\n\n# A\n\ntext a\n\n## B\n\ntext b\n\n### C\ntext c\n\n## D\ntext d\n\n# E\n')
    expect(segments.map((s) => [s.provenance.heading ?? [], s.text.split('\n').pop()])).toEqual([
      [[], 'intro'],
      [['A'], 'text a'],
      [['A', 'B'], 'text b'],
      [['A', 'B', 'C'], 'text c'],
      [['A', 'D'], 'text d'],
      [['E'], '# E'],
    ])
  })

  it('reads setext headings and ignores # lines inside code fences', async () => {
    const segments = await parse('Title\n=====\n\n```sh\n# build the project\nmake\n```\n\nSub\n---\nbody\n')
    expect(segments.map((s) => s.provenance.heading)).toEqual([['Title'], ['Title', 'Sub']])
    expect(segments[0]!.text).toContain('# build the project')
  })

  it('strips inline markup from heading text and skips missing levels', async () => {
    const segments = await parse('# **Bold** [link](http://x)\n\n### `deep`\ntext\n')
    expect(segments[1]!.provenance.heading).toEqual(['Bold link', 'deep'])
  })

  it('turns pipe tables into table segments under the current heading', async () => {
    const segments = await parse('# T\n\n| a | b |\n|---|:-:|\n| 1 | 2 \\| 3 |\n| 4 | 5 |\n\nafter\n')
    const table = segments.find((s) => s.table)!
    expect(table.provenance).toEqual({ heading: ['T'], modality: 'table' })
    expect(table.table!.rows.map((r) => r.text)).toEqual(['| 1 | 2 \\| 3 |', '| 4 | 5 |'])
    expect(segments[segments.length - 1]!.text).toBe('after')
  })

  it('offsets locate each segment in the extracted text', async () => {
    const segments = await parse('# A\n\nalpha\n\n# B\n\nbeta\n')
    const doc = segments.map((s) => s.text).join('\n\n')
    for (const s of segments) expect(doc.slice(s.charStart, s.charEnd)).toBe(s.text)
  })
})
