import { describe, expect, it } from 'vitest'
import type { Reranker, RerankResult } from '../models/ports'
import { chunkHit } from '../../test/support/chunk-hit'
import type { ChunkHit } from './chunk-hits'
import { RERANK_DOCUMENT_CHARS, rerankDocument, rerankWith } from './rerank'

function hit(chunkId: string, text: string, score: number, extra: Partial<ChunkHit> = {}): ChunkHit {
  return chunkHit(chunkId, text, { filename: `${chunkId}.md`, page: null, score, ...extra })
}

/** A reranker that answers `answer(documents)` and records what it was asked. */
function fakeReranker(answer: (documents: readonly string[]) => RerankResult[] | Promise<RerankResult[]>) {
  const calls: Array<{ query: string; documents: readonly string[] }> = []
  const reranker: Reranker = {
    modelId: 'fake-reranker',
    async rerank(query, documents) {
      calls.push({ query, documents })
      return answer(documents)
    },
  }
  return { reranker, calls }
}

const candidates = [hit('a', 'glaciers melt', 0.3), hit('b', 'penguin colonies on ice', 0.2), hit('c', 'tax forms', 0.1)]

describe('rerankWith', () => {
  it('is undefined without a reranker, so retrieval skips the step', () => {
    expect(rerankWith(null)).toBeUndefined()
    expect(rerankWith(undefined)).toBeUndefined()
  })

  it('gives the model’s scores back in candidate order', async () => {
    const { reranker, calls } = fakeReranker(() => [
      { index: 1, score: 0.9 },
      { index: 2, score: 0.5 },
      { index: 0, score: 0.1 },
    ])
    expect(await rerankWith(reranker)!('penguins', candidates)).toEqual([0.1, 0.9, 0.5])
    expect(calls).toHaveLength(1)
    expect(calls[0]!.query).toBe('penguins')
    expect(calls[0]!.documents).toEqual(['a.md\n\nglaciers melt', 'b.md\n\npenguin colonies on ice', 'c.md\n\ntax forms'])
  })

  it('scores what the model left out below everything it scored, even negative scores, and finite', async () => {
    const { reranker } = fakeReranker(() => [{ index: 2, score: -7 }, { index: 1, score: 0.5 }])
    const scores = await rerankWith(reranker)!('q', candidates)
    expect(scores).toEqual([-8, 0.5, -7])
  })

  it('keeps the fused scores when the model scored nothing', async () => {
    const { reranker } = fakeReranker(() => [])
    expect(await rerankWith(reranker)!('q', candidates)).toEqual([0.3, 0.2, 0.1])
  })

  it('drops indexes outside the list and scores that are not numbers', async () => {
    const { reranker } = fakeReranker(() => [
      { index: 7, score: 1 },
      { index: -1, score: 1 },
      { index: 0, score: Number.NaN },
      { index: 1, score: 0.4 },
    ])
    expect(await rerankWith(reranker)!('q', candidates)).toEqual([-0.6, 0.4, -0.6])
  })

  it('falls back to the fused scores when the model fails, and says so', async () => {
    const failure = new Error('rerank model unavailable')
    const { reranker } = fakeReranker(() => Promise.reject(failure))
    const heard: unknown[] = []
    const scores = await rerankWith(reranker, { onError: (e) => heard.push(e) })!('q', candidates)
    expect(scores).toEqual([0.3, 0.2, 0.1])
    expect(heard).toEqual([failure])
  })

  it('asks nothing of the model for no candidates', async () => {
    const { reranker, calls } = fakeReranker(() => [])
    expect(await rerankWith(reranker)!('q', [])).toEqual([])
    expect(calls).toHaveLength(0)
  })
})

describe('rerankDocument', () => {
  it('puts the file name and heading path before the text', () => {
    const doc = rerankDocument(hit('x', '  Create a token first.  ', 0, { filename: 'guide.pdf', heading: 'Setup > Tokens' }))
    expect(doc).toBe('guide.pdf › Setup > Tokens\n\nCreate a token first.')
  })

  it('keeps a long chunk within the limit, cut at a word', () => {
    const doc = rerankDocument(hit('x', 'lorem ipsum '.repeat(1000), 0))
    expect(doc.length).toBeLessThanOrEqual(RERANK_DOCUMENT_CHARS)
    expect(doc.length).toBeGreaterThan(RERANK_DOCUMENT_CHARS * 0.8)
    expect(doc).toMatch(/(lorem|ipsum)$/)
  })

  it('cuts a text without spaces at the limit, never inside a surrogate pair', () => {
    expect(rerankDocument(hit('x', 'a'.repeat(5000), 0, { filename: '' })).length).toBe(RERANK_DOCUMENT_CHARS)
    const emoji = rerankDocument(hit('x', `${'a'.repeat(RERANK_DOCUMENT_CHARS - 1)}😀😀`, 0, { filename: '' }))
    expect(emoji).toBe('a'.repeat(RERANK_DOCUMENT_CHARS - 1))
  })

  it('bounds a very long heading too', () => {
    const doc = rerankDocument(hit('x', 'Body text.', 0, { heading: 'H '.repeat(500) }))
    expect(doc.split('\n\n')[0]!.length).toBeLessThanOrEqual(200)
    expect(doc.endsWith('Body text.')).toBe(true)
  })
})
