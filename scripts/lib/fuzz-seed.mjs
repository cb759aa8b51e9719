/**
 * @module What the API fuzzer aims at besides random ids: real files (from the shared fixtures), a
 * workspace the user is admin of, another member, a stored completion, and the tokens to keep alive.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** Small files of the kinds whose routes differ: a PDF (page images) and text. */
const FIXTURES = ['pdf/multi_page.pdf', 'markdown/duck.md', 'csv/csv-comma.csv', 'text/uspto_patent_pftaps057006474.txt']
/** Stand-ins when the shared fixtures are not checked out beside the repo. */
const INLINE = [
  ['notes.md', '# Ducks\n\nDucks are birds that swim. They eat plants and small animals.\n'],
  ['table.csv', 'name,legs\nduck,2\ncat,4\n'],
  ['expendable.txt', 'A file the fuzzer may delete.\n'],
]

async function api(server, token, method, pathname, body) {
  const init = { method, headers: { authorization: `Bearer ${token}` } }
  if (body instanceof FormData) init.body = body
  else if (body !== undefined) {
    init.body = JSON.stringify(body)
    init.headers['content-type'] = 'application/json'
  }
  const res = await fetch(`${server.base}${pathname}`, init)
  const text = await res.text()
  if (!res.ok) throw new Error(`seeding the fuzzer: ${method} ${pathname} answered ${res.status}: ${text.slice(0, 300)}`)
  return text ? JSON.parse(text) : null
}

async function uploadFiles(server, fixturesDir) {
  const files = existsSync(fixturesDir)
    ? FIXTURES.map((f) => [path.basename(f), readFileSync(path.join(fixturesDir, f))])
    : INLINE.map(([name, text]) => [name, Buffer.from(text)])
  if (!existsSync(fixturesDir)) console.log(`(${fixturesDir} is missing; uploading two small inline files instead)`)
  const ids = []
  // Each its own upload, so losing one to a fuzzed DELETE leaves the others.
  for (const [name, bytes] of files) {
    const form = new FormData()
    form.append('file', new Blob([bytes]), name)
    // Metadata of every JSON type, so generated filters can match, miss and mismatch types.
    form.append('metadata', JSON.stringify({ author: 'hegel', year: 1807 + ids.length, tags: ['logic', 'ducks'], draft: ids.length % 2 === 0, topic: null }))
    ids.push((await api(server, server.userToken, 'POST', '/files', form)).id)
  }
  return ids
}

/** Waits (a while, not forever) for ingestion, so questions search real chunks; unprocessed files are still fine targets. */
async function waitForProcessing(server, fileIds, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const listing = await api(server, server.userToken, 'GET', '/files')
    const pending = listing.data.filter((f) => fileIds.includes(f.id) && (f.status === 'uploaded' || f.status === 'processing'))
    if (pending.length === 0) return
    await new Promise((r) => setTimeout(r, 1000))
  }
  console.log('(some seeded files are still being processed; fuzzing anyway)')
}

export async function seedFuzzData(server, fixturesDir) {
  const fileIds = await uploadFiles(server, fixturesDir)
  await waitForProcessing(server, fileIds)
  // The user is admin here, so membership routes get past 403; the hooks never let it be deleted.
  const kept = 'fuzz-kept'
  await api(server, server.userToken, 'POST', '/workspaces', { id: kept, name: 'Kept for the whole fuzz run' })
  const member = await api(server, server.adminToken, 'POST', '/users', { email: 'fuzz-member@cairn.localhost', org: 'local' })
  await api(server, server.userToken, 'POST', `/workspaces/${kept}/user`, { user: member.id, access: 'reader' })
  const completionIds = []
  // Two: the first stays for the whole run, the second is there for DELETE to succeed on.
  for (const question of ['What do ducks eat?', 'Who wrote about logic?']) {
    const completion = await api(server, server.userToken, 'POST', '/chat/completions', {
      model: 'l0',
      store: true,
      metadata: { topic: 'ducks' },
      messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: question }],
    })
    completionIds.push(completion.id)
  }
  const tokens = await api(server, server.adminToken, 'GET', `/users/${server.userId}/tokens`)
  return {
    fileIds,
    // All but the last stay; the last is there for DELETE /files/{file_id} to succeed on.
    protectedFileIds: fileIds.slice(0, -1),
    workspaceIds: [kept, 'default'],
    protectedWorkspaceIds: [kept],
    memberIds: [member.id, member.email],
    completionIds,
    protectedCompletionIds: completionIds.slice(0, 1),
    protectedTokenIds: tokens.data.map((t) => t.id),
  }
}
