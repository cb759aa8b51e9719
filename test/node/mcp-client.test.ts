/**
 * The official MCP client against `/mcp` as `npm start` serves it, over real HTTP as Claude Desktop's
 * bridge or an agent would reach it: the tools listed, `search` finding an uploaded PDF's page, `ask`
 * answering with citations while progress notifications arrive, and a wrong token refused with 401.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCairn, waitUntilProcessed, type RunningCairn } from './start-cairn'

const fixture = path.resolve(import.meta.dirname, '../../../shared/fixtures/samples/pdf/multi_page.pdf')

let cairn: RunningCairn
let client: Client
let pdfId = ''

beforeAll(async () => {
  cairn = await startCairn({ args: ['--no-local-models'] })
  const form = new FormData()
  form.append('file', new File([await readFile(fixture)], 'multi_page.pdf'))
  const res = await fetch(`${cairn.base}/files`, { method: 'POST', headers: { authorization: `Bearer ${cairn.token}` }, body: form })
  expect(res.status, await res.clone().text()).toBe(200)
  pdfId = ((await res.json()) as { id: string }).id
  await waitUntilProcessed(cairn.base, cairn.token, pdfId)
  client = new Client({ name: 'cairn-e2e', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${cairn.base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${cairn.token}` } } }))
})

afterAll(async () => {
  await client?.close().catch(() => {})
  await cairn?.stop()
})

describe('the MCP client against npm start', () => {
  it('lists the five tools', async () => {
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'get_file', 'list_files', 'read_page', 'search'])
  })

  it('searches and finds the page', async () => {
    const result = (await client.callTool({ name: 'search', arguments: { query: 'Who patented the typewriter in 1868?' } })) as CallToolResult
    expect(result.isError).toBeFalsy()
    expect((result.structuredContent as { results: any[] }).results[0]).toMatchObject({ file_id: pdfId, page: 1 })
  })

  it('asks, with progress while the run works, and gets citations', async () => {
    const progress: Progress[] = []
    const result = (await client.callTool({ name: 'ask', arguments: { question: 'Who patented the typewriter in 1868?' } }, undefined, {
      onprogress: (p) => progress.push(p),
      timeout: 90_000,
    })) as CallToolResult
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy()
    const { answer, citations } = result.structuredContent as { answer: string; citations: any[] }
    expect(answer).toContain('Sholes')
    expect(citations[0]).toMatchObject({ file_id: pdfId, filename: 'multi_page.pdf', page: 1 })
    expect(progress.length).toBeGreaterThan(0)
  })

  it('refuses a wrong token with 401 and WWW-Authenticate', async () => {
    const res = await fetch(`${cairn.base}/mcp`, {
      method: 'POST',
      headers: { authorization: 'Bearer cairn_wrong', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
  })
})
