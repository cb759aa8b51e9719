/**
 * @module Whose records an org-wide report (usage, the audit log) may show. The deployment's admin
 * token reads any org, named by id or name; a user reads their own org (naming another finds nothing)
 * and, beyond their own records, those of the workspaces they administer.
 */
import { and, eq, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { orgs, workspaceMembers } from '../db/schema'
import { TenancyError } from './errors'
import type { Principal } from './principal'

/** The org a report is about; `param` names the input that named it, for the refusal. */
export async function reportedOrg(db: Db, principal: Principal, org: string | undefined, param = 'org'): Promise<string> {
  if (principal.kind === 'user' && org === undefined) return principal.orgId
  if (org === undefined) throw new TenancyError('invalid', `${param} is required with the admin token: name the org (its id or name) to report on.`, { param })
  const found = await db.select({ id: orgs.id }).from(orgs).where(or(eq(orgs.id, org), eq(orgs.name, org))).get()
  if (!found || (principal.kind === 'user' && found.id !== principal.orgId)) {
    throw new TenancyError('not_found', `No org "${org}"${principal.kind === 'user' ? ' of yours' : ''}.`, { param })
  }
  return found.id
}

/** The workspaces a user administers: an explicit `admin` membership (`default` makes everyone a writer only). */
export async function administeredWorkspaces(db: Db, orgId: string, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: workspaceMembers.workspaceId })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.userId, userId), eq(workspaceMembers.access, 'admin')))
    .all()
  return rows.map((r) => r.id)
}
