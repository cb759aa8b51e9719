/**
 * The layout's rules check themselves: dependency-cruiser's rules (.dependency-cruiser.cjs — the filter
 * language pure, model adapters stateless, no domain speaking HTTP or importing a composition root,
 * the agent entering search through one door, no import circles), and no source module over 300 lines.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const MAX_LINES = 300

describe('the layout', () => {
  it('keeps its dependency rules', () => {
    const run = spawnSync(path.join(root, 'node_modules/.bin/depcruise'), ['src', 'workers', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: root, encoding: 'utf8' })
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toContain('no dependency violations found')
  })

  it(`has no source module over ${MAX_LINES} lines`, () => {
    const modules = readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    expect(modules.length).toBeGreaterThan(100)
    const long = modules.map((f) => ({ f, lines: readFileSync(path.join(root, 'src', f), 'utf8').split('\n').length - 1 })).filter((m) => m.lines > MAX_LINES)
    expect(long).toEqual([])
  })
})
