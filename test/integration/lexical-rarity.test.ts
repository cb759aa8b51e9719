/**
 * The lexical arm's rare-words-first search against real D1 and FTS5: files uploaded through the API
 * and indexed by the queue consumer, then the same question searched with a postings budget that
 * forces the split (rare words find, common words only score) and with one that never splits. Every
 * chunk holding a rare word must come back with exactly the full query's score and order; only
 * chunks holding nothing but common words may be left out; scope and filters hold as before.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngestAll } from './api-client'
import { placeInD1, workspaceInD1 } from './index-rows'
import { parseFilter } from '../../src/filter'
import { lexicalSearch } from '../../src/search/lexical'
import type { ChunkHit } from '../../src/search/chunk-hits'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
let other: string

// "quasar" is in 3 files of the workspace, "nebula" in 10: nebula is the common word.
const TEXTS: Array<[string, string, object]> = [
  ['quasar-nebula.txt', 'A quasar shines inside a nebula far away.', { shelf: 'a' }],
  ['quasar-only.txt', 'The quasar was catalogued in 1963 by radio astronomers.', { shelf: 'b' }],
  ['quasar-twice.txt', 'Quasar after quasar, the survey found more of them in the nebula.', { shelf: 'a' }],
  ['nebula-heavy.txt', 'Nebula, nebula, nebula: the nebula glows in the nebula cloud.', { shelf: 'a' }],
  ...Array.from({ length: 7 }, (_, i): [string, string, object] => [`nebula-${i}.txt`, `Notes on nebula number ${i} and its dust.`, { shelf: i % 2 ? 'a' : 'b' }]),
]

async function upload(token: string, workspace: string, files: Array<[string, string, object]>): Promise<void> {
  const ids: string[] = []
  for (const [name, text, metadata] of files) {
    const body = await callJson('POST', '/files', { token, form: uploadForm([[name, text]], { workspace, metadata: JSON.stringify(metadata) }) })
    ids.push(body.id)
  }
  const done = await waitForIngestAll(token, workspace, ids)
  for (const f of done) expect(f.status, `${f.filename}: ${f.status_details}`).toBe('processed')
}

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  other = unique('ws')
  // Both in D1's one index, whatever INDEX_SHARDS says: the other workspace's words count in its statistics.
  await placeInD1(w.admin.orgId, w.ws)
  await workspaceInD1(w.admin.token, w.admin.orgId, other, 'Other')
  await upload(w.writer.token, w.ws, TEXTS)
  // Another workspace of the same org holds quasars too: they count in the index, never in the answers.
  await upload(w.admin.token, other, [['elsewhere.txt', 'Quasar quasar quasar in another workspace.', {}]])
}, 120_000)

const scope = () => ({ orgId: w.admin.orgId, workspaceId: w.ws })
const names = (hits: ChunkHit[]) => hits.map((h) => h.filename)

describe('rare words first', () => {
  it('scores every chunk holding a rare word exactly as the full query does, in the same order', async () => {
    const request = { ...scope(), query: 'quasar nebula', limit: 20 }
    const full = await lexicalSearch(env.DB, request, { rareBudget: Infinity })
    const split = await lexicalSearch(env.DB, request, { rareBudget: 1 })
    expect(full.length).toBe(TEXTS.length)
    const withRare = full.filter((h) => /quasar/i.test(h.text))
    expect(names(split)).toEqual(names(withRare))
    split.forEach((h, i) => expect(h.score).toBeCloseTo(withRare[i]!.score, 9))
    // The chunk with both words outranks the ones with only the rare word, as in the full query.
    expect(split[0]!.filename).toBe('quasar-twice.txt')
    expect(names(split)).not.toContain('nebula-heavy.txt')
    expect(names(full)).toContain('nebula-heavy.txt')
  })

  it('keeps the full query when every word fits the budget', async () => {
    const request = { ...scope(), query: 'quasar nebula', limit: 20 }
    const roomy = await lexicalSearch(env.DB, request)
    const full = await lexicalSearch(env.DB, request, { rareBudget: Infinity })
    expect(names(roomy)).toEqual(names(full))
  })

  it('searches the rarest word even when it alone is over the budget, and a word no chunk holds does not count', async () => {
    const hits = await lexicalSearch(env.DB, { ...scope(), query: 'nebula', limit: 20 }, { rareBudget: 1 })
    expect(hits).toHaveLength(TEXTS.length - 1)
    const typo = await lexicalSearch(env.DB, { ...scope(), query: 'quasarr nebula quasar', limit: 20 }, { rareBudget: 1 })
    expect(names(typo).slice(0, 3).sort()).toEqual(['quasar-nebula.txt', 'quasar-only.txt', 'quasar-twice.txt'])
    expect(typo).toHaveLength(3)
  })

  it('ignores a word the index cannot hold (letters its tokenizer does not know) when it splits the question', async () => {
    // Adlam letters are newer than unicode61's tables: quoted, the word is a phrase of no tokens.
    const hits = await lexicalSearch(env.DB, { ...scope(), query: '\u{1E900}\u{1E901} quasar nebula', limit: 20 }, { rareBudget: 1 })
    expect(names(hits).slice(0, 3).sort()).toEqual(['quasar-nebula.txt', 'quasar-only.txt', 'quasar-twice.txt'])
    expect(await lexicalSearch(env.DB, { ...scope(), query: '\u{1E900}\u{1E901}', limit: 20 }, { rareBudget: 1 })).toEqual([])
  })

  it('stays within the workspace and the filter, and cuts at the limit', async () => {
    const filter = parseFilter("metadata.shelf = 'a'")
    const full = await lexicalSearch(env.DB, { ...scope(), query: 'nebula quasar', limit: 20, filter }, { rareBudget: Infinity })
    const split = await lexicalSearch(env.DB, { ...scope(), query: 'nebula quasar', limit: 20, filter }, { rareBudget: 1 })
    expect(names(split)).toEqual(['quasar-twice.txt', 'quasar-nebula.txt'])
    expect(names(full).filter((n) => n.startsWith('quasar'))).toEqual(names(split))
    expect(names(split)).not.toContain('elsewhere.txt')
    const top1 = await lexicalSearch(env.DB, { ...scope(), query: 'quasar nebula', limit: 1 }, { rareBudget: 1 })
    expect(names(top1)).toEqual(['quasar-twice.txt'])
  })
})
