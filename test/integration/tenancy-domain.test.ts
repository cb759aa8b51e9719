/**
 * The tenancy domain called directly, with no HTTP in between, as a console, MCP endpoint or CLI would:
 * the same functions the REST routes call, against real local D1, refusing with `TenancyError`s.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { d1Database } from '../../src/db/client'
import { d1VectorStore } from '../../src/search/vector-d1'
import { d1ChunkIndex } from '../../src/search/d1-chunk-index'
import { TenancyError } from '../../src/tenancy/errors'
import { addMember, listMembers, removeMember, setMemberAccess } from '../../src/tenancy/members'
import type { OrgUser, UserPrincipal } from '../../src/tenancy/principal'
import { identify, issueToken, listTokens, revokeToken } from '../../src/tenancy/tokens'
import { createUser } from '../../src/tenancy/users'
import { authorizeWorkspace } from '../../src/tenancy/workspace-access'
import { createWorkspace, deleteWorkspace, getWorkspace, listWorkspaces } from '../../src/tenancy/workspaces'
import { unique } from './api-client'

const db = d1Database(env.DB)
const ADMIN = { kind: 'admin' } as const

/** A new user of `org`, signed in with a fresh token, as a front door would hold them. */
async function signIn(org: string): Promise<UserPrincipal> {
  const user = await createUser(db, { email: `${unique('Person')}@Example.com`, org })
  const { token } = await issueToken(db, ADMIN, user.id, 'cli')
  const principal = await identify(db, env.ADMIN_TOKEN, token)
  expect(principal).toMatchObject({ kind: 'user', userId: user.id, orgId: user.orgId })
  return principal as UserPrincipal
}

/** The `TenancyError` a call refuses with, for asserting on its kind, code and param. */
async function refusal(promise: Promise<unknown>): Promise<TenancyError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TenancyError)
  // Nothing HTTP leaks out of the domain: no status, no response.
  expect(err).not.toHaveProperty('status')
  return err as TenancyError
}

describe('users and tokens without HTTP', () => {
  it('the first user makes the org and its default workspace; emails are one per deployment', async () => {
    const org = unique('org')
    const ana = await signIn(org)
    const ben = await signIn(org)
    expect(ben.orgId).toBe(ana.orgId)
    expect((await listWorkspaces(db, ben)).map((w) => w.id)).toEqual(['default'])
    const again = await refusal(createUser(db, { email: ana.email.toUpperCase(), org: unique('org') }))
    expect(again).toMatchObject({ kind: 'conflict', code: 'user_exists', param: 'email' })
  })

  it('a token names its user until revoked; the admin token names the admin; another org sees no token', async () => {
    const ana = await signIn(unique('org'))
    const spare = await issueToken(db, ana, ana.userId, 'spare')
    expect(await identify(db, env.ADMIN_TOKEN, env.ADMIN_TOKEN)).toEqual({ kind: 'admin' })
    expect((await listTokens(db, ana, ana.userId)).map((t) => t.name).sort()).toEqual(['cli', 'spare'])
    const stranger = await signIn(unique('org'))
    expect(await refusal(revokeToken(db, stranger, spare.id))).toMatchObject({ kind: 'not_found', param: 'token_id' })
    expect(await revokeToken(db, ana, spare.id)).toBe(spare.id)
    expect(await identify(db, env.ADMIN_TOKEN, spare.token)).toBeNull()
    expect(await identify(db, env.ADMIN_TOKEN, 'cairn_not-a-token')).toBeNull()
  })

  it("a user of the same org may not touch another user's tokens", async () => {
    const org = unique('org')
    const ana = await signIn(org)
    const ben = await signIn(org)
    expect(await refusal(issueToken(db, ben, ana.userId))).toMatchObject({ kind: 'forbidden', param: null })
    expect(await refusal(listTokens(db, ben, 'user-missing'))).toMatchObject({ kind: 'not_found', param: 'user_id' })
  })
})

describe('workspaces and members without HTTP', () => {
  it('the creator is admin, members are added by email, and the last admin stays', async () => {
    const org = unique('org')
    const [owner, colleague] = [await signIn(org), await signIn(org)]
    const id = unique('ws')
    const created = await createWorkspace(env.DB, owner, { id })
    expect(created).toMatchObject({ id, name: id, orgId: owner.orgId, creatorUserId: owner.userId })
    expect(await refusal(createWorkspace(env.DB, owner, { id }))).toMatchObject({ kind: 'conflict', code: 'workspace_exists', param: 'id' })

    await addMember(db, owner, id, { user: colleague.email.toUpperCase(), access: 'reader' })
    expect(await refusal(addMember(db, owner, id, { user: colleague.userId, access: 'writer' }))).toMatchObject({ code: 'already_member' })
    expect(await refusal(addMember(db, colleague, id, { user: owner.userId, access: 'reader' }))).toMatchObject({ kind: 'forbidden' })
    expect((await authorizeWorkspace(db, colleague, id, 'reader')).access).toBe('reader')

    expect(await refusal(setMemberAccess(db, owner, id, { user: owner.userId, access: 'writer' }))).toMatchObject({
      kind: 'conflict',
      code: 'last_admin',
      param: 'user',
    })
    await setMemberAccess(db, owner, id, { user: colleague.userId, access: 'admin' })
    await removeMember(db, colleague, id, owner.userId)
    const members = await listMembers(db, colleague, id)
    expect(members.map((m) => [m.userId, m.access])).toEqual([[colleague.userId, 'admin']])
  })

  it('default holds every org member as a writer and is never deleted; another org sees nothing', async () => {
    const org = unique('org')
    const [ana, ben] = [await signIn(org), await signIn(org)]
    const members = await listMembers(db, ana, 'default')
    expect(new Map(members.map((m) => [m.userId, m.access]))).toEqual(new Map([[ana.userId, 'writer'], [ben.userId, 'writer']]))
    // Being a writer in default is not being its admin.
    expect(await refusal(setMemberAccess(db, ana, 'default', { user: ben.userId, access: 'reader' }))).toMatchObject({ kind: 'forbidden' })
    expect(await refusal(deleteWorkspace(deps(), ana, 'default'))).toMatchObject({ kind: 'conflict', code: 'default_workspace', param: 'workspace_id' })

    const outsider: OrgUser = await signIn(unique('org'))
    expect(await refusal(getWorkspace(db, outsider, 'nope'))).toMatchObject({ kind: 'not_found', param: 'workspace_id' })
  })

  it('deleting a workspace takes its members with it, and its id can be used again', async () => {
    const owner = await signIn(unique('org'))
    const id = unique('ws')
    await createWorkspace(env.DB, owner, { id, name: 'Short-lived' })
    await deleteWorkspace(deps(), owner, id)
    expect(await refusal(getWorkspace(db, owner, id))).toMatchObject({ kind: 'not_found' })
    expect((await listWorkspaces(db, owner)).map((w) => w.id)).toEqual(['default'])
    expect((await createWorkspace(env.DB, owner, { id })).name).toBe(id)
  })
})

/** What deleting a workspace needs: rows, bytes and vectors. */
const deps = () => ({ db, index: d1ChunkIndex(env.DB), blobs: env.FILES, vectors: d1VectorStore(env.DB) })
