/**
 * The loop with the AI SDK's own mock model (`MockLanguageModelV3`) in place of a provider: a model
 * that thinks in `<think>` tags (as Qwen3 on Workers AI does) has its thinking moved to the trace,
 * never into the answer, and two research rounds of searches feed the passages the answer cites.
 */
import { env } from 'cloudflare:test'
import { simulateReadableStream } from 'ai'
import { MockLanguageModelV3 } from 'ai/test'
import { beforeAll, describe, expect, it } from 'vitest'
import { runAgent } from '../../src/agent/run-agent'
import type { RunInput } from '../../src/agent/run-types'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { assembleModels } from '../../src/models/assemble'
import { callJson, createOrgWithWorkspace, uploadForm, waitForIngestAll } from './api-client'
import { fixtureBytes } from './fixtures'

let w: Awaited<ReturnType<typeof createOrgWithWorkspace>>

const usage = { inputTokens: { total: 5, noCache: 5, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 3, text: 3, reasoning: 0 } }

type Part = Parameters<typeof simulateReadableStream>[0]['chunks'][number]

function turn(parts: Part[], finish: 'stop' | 'tool-calls' = 'stop') {
  return {
    stream: simulateReadableStream({
      chunks: [{ type: 'stream-start', warnings: [] }, ...parts, { type: 'finish', finishReason: { unified: finish, raw: finish }, usage }] as never[],
    }),
  }
}

const text = (t: string): Part[] => [{ type: 'text-start', id: 't' }, ...t.match(/[\s\S]{1,7}/g)!.map((delta) => ({ type: 'text-delta', id: 't', delta })), { type: 'text-end', id: 't' }] as Part[]
const search = (id: string, queries: string[]): Part => ({ type: 'tool-call', toolCallId: id, toolName: 'search', input: JSON.stringify({ queries }) }) as Part

function input(question: string): RunInput {
  return {
    id: 'chatcmpl-mock',
    created: 1,
    model: 'l0',
    orgId: w.writer.orgId,
    workspaceId: w.ws,
    userId: w.writer.id,
    messages: [{ role: 'user', content: question }],
    question: { messageIndex: 0, text: question, filter: null, topK: 1, images: [] },
    options: { effort: 'medium', maxTokens: null, temperature: null, topP: null, seed: null, stop: [], store: false, metadata: {}, includeUsage: false },
  }
}

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  const bytes = await fixtureBytes('samples/pdf/multi_page.pdf')
  const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['multi_page.pdf', bytes!]], { workspace: w.ws }) })
  await waitForIngestAll(w.writer.token, w.ws, [file.id])
}, 60_000)

describe('with the AI SDK mock model', () => {
  it('moves <think> to the trace, runs two rounds of searches, and cites what they found', async () => {
    const model = new MockLanguageModelV3({
      doStream: [
        turn([...text('<think>First the inventor.</think>Plan: search the patent.'), search('c1', ['typewriter patent'])], 'tool-calls'),
        turn([search('c2', ['Remington'])], 'tool-calls'),
        turn(text('Enough to answer.')),
        turn(text('<think>Passage 1 names him.</think>Christopher Latham Sholes patented the typewriter in 1868 [1].')),
      ],
    })
    const deps = { ...buildDeps(env as unknown as AppEnv), models: assembleModels('openai', { reasoning: model }) }
    let trace = ''
    let content = ''
    const completion = await runAgent(deps, input('Who patented the typewriter in 1868?'), {
      reasoning: (t) => void (trace += t),
      content: (t) => void (content += t),
    })
    expect(content).toBe('Christopher Latham Sholes patented the typewriter in 1868 [1].')
    expect(completion.choices[0]!.message.content).toBe(content)
    expect(trace).toContain('First the inventor.')
    expect(trace).toContain('Passage 1 names him.')
    expect(trace).toMatch(/Searching 'typewriter patent' in 1 file\.[\s\S]*Searching 'Remington' in 1 file\./)
    expect(content).not.toContain('think')
    expect(model.doStreamCalls).toHaveLength(4)
    // The second round saw the first round's tool result; the answer saw every passage, numbered.
    expect(JSON.stringify(model.doStreamCalls[1]!.prompt)).toContain('typewriter patent')
    expect(model.doStreamCalls[3]!.tools).toBeUndefined()
    expect(completion.usage).toEqual({ prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 })
  })
})
