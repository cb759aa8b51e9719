/**
 * The MCP endpoint driven by the official MCP client over Streamable HTTP, in workerd: initialize,
 * the five tools and their schemas, search and ask finding an uploaded sample with its page, progress
 * while `ask` works, tool errors with the domains' sentences (a bad filter, another org's file, a
 * workspace the caller may not read), and the HTTP answers around it (401 with WWW-Authenticate, 403
 * for the admin token, 405 for GET).
 */
import { SELF } from 'cloudflare:test'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFilter } from '../../src/filter'
import { ADMIN, call, callJson, createOrgWithWorkspace, createPerson, unique, uploadForm, waitForIngestAll, type Person } from './api-client'
import { fixtureBytes } from './fixtures'
import { script, server } from './model-server-client'
import { useRunEnv } from './run-env'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>

let w: World
let stranger: Person
let pdfId = ''
let strangersFileId = ''
const clients: Client[] = []

/** A client connected to the test Worker's `/mcp` (or `/v1/mcp`) with a bearer token. */
async function connect(token: string, path = '/mcp'): Promise<Client> {
  const client = new Client({ name: 'cairn-test', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`http://cairn.test${path}`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: (url, init) => SELF.fetch(url, init),
  })
  await client.connect(transport)
  clients.push(client)
  return client
}

const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')

/** The parser's own sentence for an expression, as the domains raise it. */
function parserSentence(expression: string, chunkAttributes: boolean): string {
  try {
    parseFilter(expression, { chunkAttributes })
  } catch (err) {
    return (err as Error).message
  }
  throw new Error(`"${expression}" parses`)
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
}
const MCP_HEADERS = { accept: 'application/json, text/event-stream' }

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  stranger = await createPerson(unique('other-org'))
  const pdf = await fixtureBytes('samples/pdf/multi_page.pdf')
  const [file] = [await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['multi_page.pdf', pdf]], { workspace: w.ws }) })]
  const theirs = await callJson('POST', '/files', { token: stranger.token, form: uploadForm([['patent.txt', await fixtureBytes('samples/text/uspto_patent_pftaps057006474.txt')]]) })
  const [done] = await waitForIngestAll(w.writer.token, w.ws, [file.id])
  expect(done.status, done.status_details).toBe('processed')
  pdfId = file.id
  strangersFileId = theirs.id
}, 120_000)

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})))
})

describe('the session', () => {
  it('initializes and lists the five tools, each with a schema and a description', async () => {
    const client = await connect(w.reader.token)
    expect(client.getServerVersion()).toMatchObject({ name: 'cairn' })
    expect(client.getServerCapabilities()?.tools).toBeDefined()
    expect(client.getInstructions()).toMatch(/citations/)
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'get_file', 'list_files', 'read_page', 'search'])
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]))
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(80)
      expect(tool.inputSchema.type).toBe('object')
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(true)
    }
    expect(byName.search!.inputSchema.required).toEqual(['query'])
    expect(Object.keys(byName.search!.inputSchema.properties!).sort()).toEqual(['filter', 'query', 'top_k', 'workspace'])
    expect(byName.search!.inputSchema.properties!.top_k).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 })
    expect(byName.ask!.inputSchema.required).toEqual(['question'])
    expect(byName.ask!.inputSchema.properties!.effort).toMatchObject({ enum: ['low', 'medium', 'high'] })
    expect(byName.get_file!.inputSchema.required).toEqual(['file_id'])
    expect(byName.read_page!.inputSchema.required).toEqual(['file_id'])
    expect(byName.list_files!.inputSchema.required ?? []).toEqual([])
  })

  it('answers under /v1/mcp as well', async () => {
    const client = await connect(w.reader.token, '/v1/mcp')
    expect((await client.listTools()).tools).toHaveLength(5)
  })
})

describe('search', () => {
  it('finds the uploaded file, with its page, score and text', async () => {
    const client = await connect(w.reader.token)
    const result = (await client.callTool({ name: 'search', arguments: { query: 'Who patented the typewriter in 1868?', workspace: w.ws, top_k: 3 } })) as CallToolResult
    expect(result.isError, textOf(result)).toBeFalsy()
    const results = (result.structuredContent as { results: any[] }).results
    expect(results.length).toBeGreaterThan(0)
    expect(results.length).toBeLessThanOrEqual(3)
    expect(results[0]).toMatchObject({ file_id: pdfId, filename: 'multi_page.pdf', page: 1 })
    expect(results[0].text).toContain('Sholes')
    expect(results[0].score).toBeGreaterThan(0)
    expect(textOf(result)).toMatch(new RegExp(`^\\[1\\] multi_page\\.pdf, page 1 \\(file_id ${pdfId}, score`))
    // The audit log has the search as an answer: its question and the passages it handed over.
    const [event] = (await callJson('GET', '/v1/audit?action=answer&limit=1', { token: w.reader.token })).data
    expect(event).toMatchObject({ workspace: w.ws, details: { model: 'mcp:search', question: 'Who patented the typewriter in 1868?' } })
    expect(event.details.cited.map((c: { chunk_id: string }) => c.chunk_id)).toEqual(results.map((r) => r.chunk_id))
  })

  it('honours the filter, and says when nothing matches', async () => {
    const client = await connect(w.reader.token)
    const result = (await client.callTool({ name: 'search', arguments: { query: 'typewriter', filter: "filename == 'other.pdf'", workspace: w.ws } })) as CallToolResult
    expect(result.isError).toBeFalsy()
    expect((result.structuredContent as { results: unknown[] }).results).toEqual([])
    expect(textOf(result)).toMatch(/^Nothing in workspace/)
  })

  it('answers a bad filter with a tool error carrying the parser\'s sentence', async () => {
    const client = await connect(w.reader.token)
    const expression = "filename == 'a' and"
    const result = (await client.callTool({ name: 'search', arguments: { query: 'typewriter', filter: expression, workspace: w.ws } })) as CallToolResult
    expect(result.isError).toBe(true)
    expect(textOf(result)).toBe(parserSentence(expression, true))
  })

  it('refuses a workspace the caller may not read, and another org\'s, as tool errors', async () => {
    const outsider = await connect(w.outsider.token)
    const forbidden = (await outsider.callTool({ name: 'search', arguments: { query: 'typewriter', workspace: w.ws } })) as CallToolResult
    expect(forbidden.isError).toBe(true)
    expect(textOf(forbidden)).toMatch(new RegExp(`no access to workspace "${w.ws}"`))
    const foreign = (await (await connect(stranger.token)).callTool({ name: 'search', arguments: { query: 'typewriter', workspace: w.ws } })) as CallToolResult
    expect(foreign.isError).toBe(true)
    expect(textOf(foreign)).toBe(`No workspace "${w.ws}" in your org.`)
  })
})

describe('the file tools', () => {
  it('list_files lists with the filter language and refuses a bad filter with its sentence', async () => {
    const client = await connect(w.reader.token)
    const listed = (await client.callTool({ name: 'list_files', arguments: { workspace: w.ws, filter: "filename like '%.pdf'" } })) as CallToolResult
    expect(listed.isError, textOf(listed)).toBeFalsy()
    expect(listed.structuredContent).toMatchObject({ total: 1, has_more: false, files: [{ id: pdfId, filename: 'multi_page.pdf', status: 'processed' }] })
    expect(textOf(listed)).toContain(`${pdfId}  multi_page.pdf  processed`)
    const none = (await client.callTool({ name: 'list_files', arguments: { workspace: w.ws, filter: "filename == 'nope'" } })) as CallToolResult
    expect((none.structuredContent as { files: unknown[] }).files).toEqual([])
    const bad = (await client.callTool({ name: 'list_files', arguments: { workspace: w.ws, filter: 'page == 1' } })) as CallToolResult
    expect(bad.isError).toBe(true)
    expect(textOf(bad)).toBe(parserSentence('page == 1', false))
  })

  it('get_file gives the file object, and another org\'s file is not found', async () => {
    const client = await connect(w.reader.token)
    const got = (await client.callTool({ name: 'get_file', arguments: { file_id: pdfId } })) as CallToolResult
    expect(got.isError, textOf(got)).toBeFalsy()
    expect(got.structuredContent).toMatchObject({ id: pdfId, object: 'file', filename: 'multi_page.pdf', workspace_id: w.ws, status: 'processed' })
    const foreign = (await client.callTool({ name: 'get_file', arguments: { file_id: strangersFileId } })) as CallToolResult
    expect(foreign.isError).toBe(true)
    expect(textOf(foreign)).toBe(`No file "${strangersFileId}".`)
  })

  it('read_page reads a page and a run of pages, and says what a file has', async () => {
    const client = await connect(w.reader.token)
    const one = (await client.callTool({ name: 'read_page', arguments: { file_id: pdfId, page: 1 } })) as CallToolResult
    expect(one.isError, textOf(one)).toBeFalsy()
    expect(textOf(one)).toMatch(/^--- multi_page\.pdf, page 1 ---\n/)
    expect(textOf(one)).toContain('Sholes')
    const run = (await client.callTool({ name: 'read_page', arguments: { file_id: pdfId, page: 1, to_page: 2 } })) as CallToolResult
    expect((run.structuredContent as { pages: Array<{ page: number }> }).pages.map((p) => p.page)).toEqual([1, 2])
    const beyond = (await client.callTool({ name: 'read_page', arguments: { file_id: pdfId, page: 99 } })) as CallToolResult
    expect(beyond.isError).toBe(true)
    expect(textOf(beyond)).toMatch(/has no text on page 99\. It has \d+ pages\./)
    const foreign = (await client.callTool({ name: 'read_page', arguments: { file_id: strangersFileId, page: 1 } })) as CallToolResult
    expect(foreign.isError).toBe(true)
    expect(textOf(foreign)).toBe(`No file "${strangersFileId}".`)
  })
})

describe('ask', () => {
  it('answers with citations to the file and page, and reports progress while the run works', async () => {
    const client = await connect(w.reader.token)
    const progress: Progress[] = []
    const result = (await client.callTool({ name: 'ask', arguments: { question: 'Who patented the typewriter in 1868?', workspace: w.ws } }, undefined, {
      onprogress: (p) => progress.push(p),
      timeout: 60_000,
    })) as CallToolResult
    expect(result.isError, textOf(result)).toBeFalsy()
    const answer = result.structuredContent as { completion_id: string; answer: string; citations: any[] }
    expect(answer.completion_id).toMatch(/^chatcmpl-[0-9a-f]{32}$/)
    expect(answer.answer).toContain('Sholes')
    expect(answer.citations.length).toBeGreaterThan(0)
    expect(answer.citations[0]).toMatchObject({ marker: '[1]', file_id: pdfId, filename: 'multi_page.pdf', page: 1 })
    expect(answer.citations[0].quote).toContain('Sholes')
    expect(textOf(result)).toContain(`\n\nSources:\n[1] multi_page.pdf, page 1 (file_id ${pdfId}): "`)
    // Without a reasoning model the run says so, then what it searched: each step a notification.
    expect(progress.length).toBeGreaterThan(1)
    expect(progress.map((p) => p.progress)).toEqual(progress.map((_, i) => i + 1))
    expect(progress.map((p) => p.message).join('\n')).toMatch(/Searching 'Who patented the typewriter in 1868\?'/)
  })

  it('answers from a reasoning model\'s run with its verified citation', { timeout: 90_000 }, async () => {
    // A workspace of its own whose runs use the scripted model server (run-env.ts).
    const ws = unique('ws')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: ws, name: 'With a model' } })
    await call('POST', `/workspaces/${ws}/user`, { token: w.admin.token, body: { user: w.reader.id, access: 'reader' } })
    const file = await callJson('POST', '/files', { token: w.admin.token, form: uploadForm([['multi_page.pdf', await fixtureBytes('samples/pdf/multi_page.pdf')]], { workspace: ws }) })
    await waitForIngestAll(w.admin.token, ws, [file.id])
    const model = unique('reasoner')
    useRunEnv(ws, { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, REASONING_MODEL: model })
    await script(model, [{ content: 'Enough.' }, { content: 'Christopher Latham Sholes patented the typewriter in 1868 [1].' }])

    const client = await connect(w.reader.token)
    const progress: Progress[] = []
    const result = (await client.callTool({ name: 'ask', arguments: { question: 'Who patented the typewriter in 1868?', workspace: ws, effort: 'low' } }, undefined, {
      onprogress: (p) => progress.push(p),
      timeout: 60_000,
    })) as CallToolResult
    expect(result.isError, textOf(result)).toBeFalsy()
    const answer = result.structuredContent as { answer: string; citations: any[] }
    expect(answer.answer).toBe('Christopher Latham Sholes patented the typewriter in 1868 [1].')
    expect(answer.citations).toHaveLength(1)
    expect(answer.citations[0]).toMatchObject({ marker: '[1]', file_id: file.id, page: 1 })
    expect(answer.citations[0].quote).toContain('Sholes')
    expect(progress[0]!.message).toMatch(/^Searching/)
  })

  it('refuses a bad filter with the parser\'s sentence before any run starts', async () => {
    const client = await connect(w.reader.token)
    const result = (await client.callTool({ name: 'ask', arguments: { question: 'Who?', filter: 'page >', workspace: w.ws } })) as CallToolResult
    expect(result.isError).toBe(true)
    expect(textOf(result)).toBe(parserSentence('page >', true))
  })
})

describe('HTTP around the endpoint', () => {
  it('answers a lone tools/call as an SSE message, as curl sees it (stateless: no initialize needed)', async () => {
    const body = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'search', arguments: { query: 'typewriter Sholes', workspace: w.ws } } }
    const res = await call('POST', '/mcp', { token: w.reader.token, body, headers: MCP_HEADERS })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('mcp-session-id')).toBeNull()
    const text = await res.text()
    expect(text).toMatch(/^event: message\n/)
    const message = JSON.parse(text.split('\n').find((l) => l.startsWith('data: '))!.slice(6))
    expect(message).toMatchObject({ jsonrpc: '2.0', id: 7 })
    expect(message.result.structuredContent.results[0]).toMatchObject({ file_id: pdfId, page: 1 })
  })

  it('refuses arguments outside the schema as a tool error', async () => {
    const client = await connect(w.reader.token)
    const result = (await client.callTool({ name: 'search', arguments: { query: 'typewriter', top_k: 0 } })) as CallToolResult
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/Input validation error: Invalid arguments for tool search: .*top_k/)
  })

  it('answers no token and a bad token with 401 and WWW-Authenticate: Bearer', async () => {
    for (const token of [null, 'cairn_not-a-real-token']) {
      const res = await call('POST', '/mcp', { token, body: INITIALIZE, headers: MCP_HEADERS })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/)
      expect((await res.json<any>()).error.code).toBe('invalid_api_key')
    }
    await expect(connect('cairn_not-a-real-token')).rejects.toThrow(/The bearer token is not valid/)
  })

  it('refuses the admin token, which belongs to no org, as REST does', async () => {
    const res = await call('POST', '/mcp', { token: ADMIN, body: INITIALIZE, headers: MCP_HEADERS })
    expect(res.status).toBe(403)
    expect((await res.json<any>()).error.message).toMatch(/admin token/)
  })

  it('answers GET with 405 (no standing stream) and a plain POST without the MCP Accept header with 406', async () => {
    const get = await call('GET', '/mcp', { token: w.reader.token, headers: { accept: 'text/event-stream' } })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST, OPTIONS')
    const plain = await call('POST', '/mcp', { token: w.reader.token, body: INITIALIZE, headers: { accept: 'application/json' } })
    expect(plain.status).toBe(406)
  })
})
