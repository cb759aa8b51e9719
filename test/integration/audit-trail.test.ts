/**
 * The audit trail end to end on real D1: the events tenancy, files and answers append, who may read
 * which, filters and paging, the JSON-lines export (whose hashes a reader can recompute offline), and
 * `GET /audit/verify` finding rows a test edits, removes or truncates directly in D1. Retention and
 * racing appends are checked against the domain functions.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { canonicalJson, eventHash, GENESIS_HASH } from '../../src/audit/chain'
import { appendAudit } from '../../src/audit/log'
import { pruneAuditLog } from '../../src/audit/retention'
import { verifyChain } from '../../src/audit/verify'
import type { AppEnv } from '../../src/config'
import { d1Database } from '../../src/db/client'
import { buildDeps } from '../../src/deps'
import { sweepExpiredFiles } from '../../src/files/expiry'
import { ADMIN, call, callJson, createOrgWithWorkspace, createPerson, unique, uploadForm, waitForIngestAll } from './api-client'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
type AuditEventObject = {
  id: string
  seq: number
  action: string
  actor: { kind: string; id: string; email: string | null }
  workspace: string | null
  target: string | null
  details: Record<string, any>
  prev_hash: string
  hash: string
  org_id: string
  at_ms: number
}

const deps = () => buildDeps(env as unknown as AppEnv)

async function events(token: string, query = ''): Promise<AuditEventObject[]> {
  return (await callJson('GET', `/v1/audit?limit=1000${query}`, { token })).data
}

async function verify(token: string, query = '') {
  return callJson('GET', `/v1/audit/verify${query}`, { token })
}

/** An answer is recorded after the response is sent: wait for it. */
async function waitForEvent(token: string, query: string, found: (e: AuditEventObject) => boolean): Promise<AuditEventObject> {
  const started = Date.now()
  for (;;) {
    const hit = (await events(token, query)).find(found)
    if (hit) return hit
    if (Date.now() - started > 10_000) throw new Error(`no audit event matched ${query}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

let w: World
let fileId: string

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  const file = await callJson('POST', '/v1/files', {
    token: w.writer.token,
    form: uploadForm([['ledger.txt', 'The quarterly ledger shows revenue of 42 million kroner in the Oslo office.']], { workspace: w.ws }),
  })
  fileId = file.id
  await waitForIngestAll(w.writer.token, w.ws, [fileId])
})

describe('what is recorded', () => {
  it('records tenancy changes with who made them', async () => {
    const log = await events(ADMIN, `&org=${w.org}&order=asc`)
    const actions = log.map((e) => e.action)
    expect(actions.filter((a) => a === 'user.created')).toHaveLength(4)
    expect(actions.filter((a) => a === 'token.created')).toHaveLength(4)
    const created = log.find((e) => e.action === 'workspace.created')!
    expect(created).toMatchObject({ workspace: w.ws, actor: { kind: 'user', id: w.admin.id, email: w.admin.email } })
    const added = log.filter((e) => e.action === 'member.added')
    expect(added.map((e) => e.target).sort()).toEqual([w.writer.id, w.reader.id].sort())
    expect(added.find((e) => e.target === w.reader.id)!.details).toMatchObject({ access: 'reader', email: w.reader.email })
    expect(log.find((e) => e.action === 'user.created')!.actor).toMatchObject({ kind: 'admin' })
    // Numbered from 1 without gaps, each linked to the one before.
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1))
    expect(log[0]!.prev_hash).toBe(GENESIS_HASH)
    for (let i = 1; i < log.length; i++) expect(log[i]!.prev_hash).toBe(log[i - 1]!.hash)
  })

  it('records uploads, metadata changes, role changes, deletions and revoked tokens', async () => {
    const extra = await callJson('POST', '/v1/files', { token: w.writer.token, form: uploadForm([['draft.txt', 'A draft.']], { workspace: w.ws }) })
    await callJson('PATCH', `/v1/files/${extra.id}/metadata?workspace=${w.ws}`, { token: w.writer.token, body: { stage: 'final', owner: null } })
    await callJson('PUT', `/v1/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: w.reader.id, access: 'writer' } }, 204)
    await callJson('DELETE', `/v1/files/${extra.id}?workspace=${w.ws}`, { token: w.writer.token })
    const spare = await callJson('POST', `/v1/users/${w.writer.id}/tokens`, { token: w.writer.token, body: { name: 'spare' } })
    await callJson('DELETE', `/v1/tokens/${spare.id}`, { token: w.writer.token })

    const about = await events(ADMIN, `&org=${w.org}&target=${extra.id}&order=asc`)
    expect(about.map((e) => e.action)).toEqual(['file.uploaded', 'file.metadata_changed', 'file.deleted'])
    expect(about[0]!.details).toMatchObject({ filename: 'draft.txt', bytes: 8, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(about[1]!.details).toEqual({ changes: { stage: 'final', owner: null }, instructions: null })
    expect(about[2]!.details).toMatchObject({ filename: 'draft.txt', reason: 'deleted' })
    for (const e of about) expect(e.actor).toMatchObject({ kind: 'user', id: w.writer.id, email: w.writer.email })
    const role = await events(ADMIN, `&org=${w.org}&action=member.access_changed`)
    expect(role[0]).toMatchObject({ target: w.reader.id, workspace: w.ws, details: { access: 'writer' }, actor: { id: w.admin.id } })
    const revoked = await events(ADMIN, `&org=${w.org}&target=${spare.id}&order=asc`)
    expect(revoked.map((e) => e.action)).toEqual(['token.created', 'token.revoked'])
    await callJson('PUT', `/v1/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: w.reader.id, access: 'reader' } }, 204)
  })

  it('records an answer: who asked, the question, the answer hash, the cited chunks and the model ids', async () => {
    const question = 'What revenue does the ledger show for the Oslo office?'
    const answer = await callJson('POST', '/v1/chat/completions', {
      token: w.reader.token,
      body: { model: 'activeloop-l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: question }] },
    })
    const event = await waitForEvent(w.reader.token, '&action=answer', (e) => e.target === answer.id)
    expect(event).toMatchObject({ workspace: w.ws, actor: { kind: 'user', id: w.reader.id }, details: { model: 'activeloop-l0-retrieval', question, outcome: 'answered' } })
    const cited = answer.choices.map((c: any) => ({ file_id: c.metadata.file_id, chunk_id: c.metadata.chunk_id }))
    expect(cited.length).toBeGreaterThan(0)
    expect(event.details.cited.map((c: any) => ({ file_id: c.file_id, chunk_id: c.chunk_id }))).toEqual(cited)
    expect(event.details.cited[0].filename).toBe('ledger.txt')
    const text = new TextEncoder().encode(answer.choices.map((c: any) => c.message.content).join('\n\n'))
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', text))].map((b) => b.toString(16).padStart(2, '0')).join('')
    expect(event.details.answer_sha256).toBe(digest)
    expect(event.details.model_ids).toEqual(expect.any(Object))
  })

  it('records an expired file as deleted by the expiry sweep', async () => {
    const file = await callJson('POST', '/v1/files', {
      token: w.writer.token,
      form: uploadForm([['short.txt', 'Short-lived.']], { workspace: w.ws, 'expires_after[anchor]': 'created_at', 'expires_after[seconds]': '3600' }),
    })
    await waitForIngestAll(w.writer.token, w.ws, [file.id])
    await env.DB.prepare('UPDATE files SET expires_at_ms = ? WHERE id = ?').bind(Date.now() - 1000, file.id).run()
    expect(await sweepExpiredFiles(deps())).toBeGreaterThanOrEqual(1)
    const [gone] = await events(ADMIN, `&org=${w.org}&target=${file.id}&action=file.deleted`)
    expect(gone).toMatchObject({ actor: { kind: 'system', id: 'expiry' }, details: { reason: 'expired', filename: 'short.txt' } })
  })
})

describe('who reads what', () => {
  it('shows a user what they did and a workspace admin every event of their workspace', async () => {
    const mine = await events(w.reader.token)
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.every((e) => e.actor.id === w.reader.id)).toBe(true)
    const admin = await events(w.admin.token)
    expect(admin.some((e) => e.actor.id === w.writer.id && e.workspace === w.ws)).toBe(true)
    // The writer's events outside any workspace the admin runs (their own tokens) stay the writer's.
    expect(admin.some((e) => e.actor.id === w.writer.id && e.workspace === null)).toBe(false)
    expect(await events(w.outsider.token)).toEqual([])
  })

  it('keeps orgs apart and asks the admin token to name one', async () => {
    const stranger = await createPerson(unique('org'))
    expect((await events(stranger.token)).every((e) => e.org_id === stranger.orgId)).toBe(true)
    const res = await call('GET', `/v1/audit?org=${w.org}`, { token: stranger.token })
    expect(res.status).toBe(404)
    const missing = await call('GET', '/v1/audit', { token: ADMIN })
    expect(missing.status).toBe(422)
    expect(((await missing.json()) as any).error).toMatchObject({ param: 'org' })
  })

  it('filters, pages and refuses what it cannot read', async () => {
    const all = await events(ADMIN, `&org=${w.org}`)
    const page1 = await callJson('GET', `/v1/audit?org=${w.org}&limit=3`, { token: ADMIN })
    expect(page1.data.map((e: AuditEventObject) => e.seq)).toEqual(all.slice(0, 3).map((e) => e.seq))
    expect(page1.has_more).toBe(true)
    const page2 = await callJson('GET', `/v1/audit?org=${w.org}&limit=3&after=${page1.last_id}`, { token: ADMIN })
    expect(page2.data.map((e: AuditEventObject) => e.seq)).toEqual(all.slice(3, 6).map((e) => e.seq))
    const byEmail = await events(ADMIN, `&org=${w.org}&actor=${encodeURIComponent(w.writer.email)}`)
    expect(byEmail.length).toBeGreaterThan(0)
    expect(byEmail.every((e) => e.actor.id === w.writer.id)).toBe(true)
    expect(await events(ADMIN, `&org=${w.org}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([])
    for (const [query, param] of [
      ['action=file.exploded', 'action'],
      ['after=42', 'after'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
    ]) {
      const res = await call('GET', `/v1/audit?org=${w.org}&${query}`, { token: ADMIN })
      const body = (await res.json()) as any
      expect([400, 422], JSON.stringify(body)).toContain(res.status)
      expect(body.error.param).toBe(param)
    }
  })
})

describe('export and verification', () => {
  it('exports JSON lines whose hashes anyone can recompute', async () => {
    const res = await call('GET', `/v1/audit/export?org=${w.org}`, { token: ADMIN })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/)
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as AuditEventObject)
    expect(lines.length).toBe((await events(ADMIN, `&org=${w.org}`)).length)
    let prev = GENESIS_HASH
    for (const e of lines) {
      const recomputed = await eventHash({
        orgId: e.org_id,
        seq: e.seq,
        atMs: e.at_ms,
        actorKind: e.actor.kind,
        actorId: e.actor.id,
        actorEmail: e.actor.email,
        action: e.action,
        workspaceId: e.workspace,
        target: e.target,
        details: canonicalJson(e.details),
        prevHash: prev,
      })
      expect(recomputed).toBe(e.hash)
      prev = e.hash
    }
  })

  it('verifies an untouched chain, and finds a row edited, removed or cut off in D1', async () => {
    const world = await createOrgWithWorkspace()
    const orgId = world.admin.orgId
    const intact = await verify(world.reader.token)
    expect(intact).toMatchObject({ object: 'audit.verification', ok: true, broken: null, first_seq: 1 })
    expect(intact.events_checked).toBe(intact.last_seq)
    expect(intact.events_checked).toBeGreaterThanOrEqual(10)

    // Someone with database access quietly changes who an event says was added.
    await env.DB.prepare(`UPDATE audit_events SET details = replace(details, '"reader"', '"admin"') WHERE org_id = ? AND action = 'member.added'`).bind(orgId).run()
    const edited = await verify(ADMIN, `?org=${orgId}`)
    const firstAdded = (await events(ADMIN, `&org=${orgId}&action=member.added&order=asc`)).find((e) => e.details.access === 'admin')!
    expect(edited).toMatchObject({ ok: false, broken: { seq: firstAdded.seq, reason: expect.stringMatching(/changed after it was written/) } })

    const other = await createOrgWithWorkspace()
    const otherId = other.admin.orgId
    await env.DB.prepare('DELETE FROM audit_events WHERE org_id = ? AND seq = 3').bind(otherId).run()
    expect(await verify(other.admin.token)).toMatchObject({ ok: false, broken: { seq: 3, reason: expect.stringMatching(/missing/) } })

    const third = await createOrgWithWorkspace()
    const thirdId = third.admin.orgId
    const last = (await verify(third.admin.token)).last_seq
    await env.DB.prepare('DELETE FROM audit_events WHERE org_id = ? AND seq = ?').bind(thirdId, last).run()
    expect(await verify(third.admin.token)).toMatchObject({ ok: false, broken: { seq: last, reason: expect.stringMatching(/later events were removed/) } })
  })
})

describe('the chain under load and over time', () => {
  it('numbers racing appends without a gap or a fork, from one isolate or two', async () => {
    const orgId = unique('org-race')
    const db = deps().db
    // A second client over another handle to the same database stands for another isolate: it knows nothing of the first's appends.
    const elsewhere = d1Database({ prepare: (q: string) => env.DB.prepare(q), batch: (s: D1PreparedStatement[]) => env.DB.batch(s), exec: (q: string) => env.DB.exec(q) } as unknown as D1Database)
    await Promise.all(Array.from({ length: 24 }, (_, i) => appendAudit(i % 2 ? elsewhere : db, orgId, [{ actor: { kind: 'system', name: 'test' }, action: 'answer', target: `t${i}` }])))
    // Once all are done, nothing is left unsealed.
    const unsealed = await env.DB.prepare('SELECT count(*) AS n FROM audit_events WHERE org_id = ? AND hash IS NULL').bind(orgId).first<{ n: number }>()
    expect(unsealed!.n).toBe(0)
    const report = await verifyChain(db, orgId)
    expect(report).toMatchObject({ ok: true, eventsChecked: 24, firstSeq: 1, lastSeq: 24 })
    const targets = (await env.DB.prepare('SELECT target FROM audit_events WHERE org_id = ?').bind(orgId).all<{ target: string }>()).results.map((r) => r.target)
    expect(new Set(targets).size).toBe(24)
  })

  it('seals, the same way, events whose appender stopped before sealing them', async () => {
    const orgId = unique('org-unsealed')
    const db = deps().db
    for (let i = 0; i < 3; i++) await appendAudit(db, orgId, [{ actor: { kind: 'system', name: 'test' }, action: 'answer', target: `e${i}` }])
    const hashes = async () => (await env.DB.prepare('SELECT seq, prev_hash, hash FROM audit_events WHERE org_id = ? ORDER BY seq').bind(orgId).all()).results
    const sealed = await hashes()
    // As if the appenders of events 2 and 3 stopped between inserting and sealing.
    await env.DB.batch([
      env.DB.prepare('UPDATE audit_events SET prev_hash = NULL, hash = NULL WHERE org_id = ? AND seq >= 2').bind(orgId),
      env.DB.prepare('UPDATE audit_heads SET seq = 1, hash = ? WHERE org_id = ?').bind(sealed[0]!.hash, orgId),
    ])
    expect(await verifyChain(db, orgId)).toMatchObject({ ok: true, eventsChecked: 3 })
    expect(await hashes()).toEqual(sealed)
    // And an event removed from the end leaves its number missing: the next append does not take it again.
    await env.DB.prepare('DELETE FROM audit_events WHERE org_id = ? AND seq = 3').bind(orgId).run()
    await appendAudit(db, orgId, [{ actor: { kind: 'system', name: 'test' }, action: 'answer', target: 'after' }])
    expect(await verifyChain(db, orgId)).toMatchObject({ ok: false, broken: { seq: 3, reason: expect.stringMatching(/missing/) } })
  })

  it('removes events past retention and still verifies what is kept', async () => {
    const orgId = unique('org-retention')
    const db = deps().db
    const day = 24 * 60 * 60 * 1000
    const now = Date.now()
    for (let i = 0; i < 5; i++) await appendAudit(db, orgId, [{ actor: { kind: 'system', name: 'test' }, action: 'answer', target: `old${i}` }], now - 100 * day)
    for (let i = 0; i < 3; i++) await appendAudit(db, orgId, [{ actor: { kind: 'system', name: 'test' }, action: 'answer', target: `new${i}` }], now)
    expect(await pruneAuditLog(db, null, now)).toBe(0)
    expect(await pruneAuditLog(db, 30, now)).toBeGreaterThanOrEqual(5)
    const kept = (await env.DB.prepare('SELECT seq FROM audit_events WHERE org_id = ? ORDER BY seq').bind(orgId).all<{ seq: number }>()).results.map((r) => r.seq)
    expect(kept).toEqual([6, 7, 8])
    expect(await verifyChain(db, orgId)).toMatchObject({ ok: true, eventsChecked: 3, firstSeq: 6, lastSeq: 8 })
    // Editing the first kept event still shows: it no longer links to the anchor retention left.
    await env.DB.prepare('UPDATE audit_events SET prev_hash = ? WHERE org_id = ? AND seq = 6').bind(GENESIS_HASH, orgId).run()
    expect(await verifyChain(db, orgId)).toMatchObject({ ok: false, broken: { seq: 6 } })
  })
})
