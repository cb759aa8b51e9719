/**
 * @module Where a workspace's index lives: its placement, kept on its D1 row — how many shards
 * (0: D1's own tables), the generation that names them, and during a move the shard count it moves to
 * (generation + 1) — and which shard holds a file. A file is dealt to a shard by a hash of its id, so
 * every shard holds a fair sample of the workspace and scores from its own statistics stay comparable
 * (docs/scale.md, "Scores across shards").
 */

/** One generation of a workspace's index: `shards` objects, or D1 itself when 0. */
export type Layout = { shards: number; generation: number }

export type Placement = Layout & {
  /** While a move runs: the layout it fills, which every write reaches too; null otherwise. */
  next: Layout | null
}

/** A workspace with no row (none should remain) reads as D1's own tables. */
export const SINGLE_INDEX: Placement = { shards: 0, generation: 0, next: null }

export async function readPlacement(d1: D1Database, orgId: string, workspaceId: string): Promise<Placement> {
  const row = await d1
    .prepare('SELECT index_shards AS shards, index_generation AS generation, index_next_shards AS nextShards FROM workspaces WHERE org_id = ?1 AND id = ?2')
    .bind(orgId, workspaceId)
    .first<{ shards: number; generation: number; nextShards: number | null }>()
  if (!row) return SINGLE_INDEX
  return { shards: row.shards, generation: row.generation, next: row.nextShards === null ? null : { shards: row.nextShards, generation: row.generation + 1 } }
}

/** The Durable Object name of shard `n` of a layout. Org and workspace ids hold no `/`. */
export function shardName(orgId: string, workspaceId: string, layout: Layout, n: number): string {
  return `${orgId}/${workspaceId}/${layout.generation}/${n}`
}

/** The shard of `shards` that holds a file: FNV-1a of its id, so the same file always lands in the same one. */
export function shardOf(fileId: string, shards: number): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < fileId.length; i++) {
    hash ^= fileId.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return (hash >>> 0) % shards
}

/** The layouts a write must reach: the current one, and the next while a move runs. */
export function writeLayouts(placement: Placement): Layout[] {
  return placement.next ? [placement, placement.next] : [placement]
}
