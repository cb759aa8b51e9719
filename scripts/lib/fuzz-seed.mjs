/**
 * @module What the API fuzzer aims at besides random ids: real files (from the shared fixtures), a
 * workspace the user is admin of, another member, a stored completion, and the tokens to keep alive.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** Small files of the kinds whose routes differ: a PDF (page images) and text. */
const FIXTURES = ['pdf/multi_page.pdf', 'markdown/duck.md', 'csv/csv-comma.csv']
/** Stand-ins when the shared fixtures are not checked out beside the repo. */
const INLINE = [
  ['notes.md', '# Ducks\n\nDucks are birds that swim. They eat plants and small animals.\n'],
  ['table.csv', 'name,legs\nduck,2\ncat,4\n'],
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
    ids.push((await api(server, server.userToken, 'POST', '/files', form)).id)
  }
  return ids
}

export async function seedFuzzData(server, fixturesDir) {
  const fileIds = await uploadFiles(server, fixturesDir)
  // The user is admin here, so membership routes get past 403; the hooks never let it be deleted.
  const kept = 'fuzz-kept'
  await api(server, server.userToken, 'POST', '/workspaces', { id: kept, name: 'Kept for the whole fuzz run' })
  const member = await api(server, server.adminToken, 'POST', '/users', { email: 'fuzz-member@cairn.localhost', org: 'local' })
  await api(server, server.userToken, 'POST', `/workspaces/${kept}/user`, { user: member.id, access: 'reader' })
  const completion = await api(server, server.userToken, 'POST', '/chat/completions', {
    model: 'l0',
    store: true,
    metadata: { topic: 'ducks' },
    messages: [{ role: 'user', content: 'What do ducks eat?' }],
  })
  const tokens = await api(server, server.adminToken, 'GET', `/users/${server.userId}/tokens`)
  return {
    fileIds,
    workspaceIds: [kept, 'default'],
    protectedWorkspaceIds: [kept],
    memberIds: [member.id, member.email],
    completionIds: [completion.id],
    protectedTokenIds: tokens.data.map((t) => t.id),
  }
}
