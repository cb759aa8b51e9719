/**
 * @module Where the chunk tables' SQL runs: D1 (the single index) or an index shard's own SQLite
 * (shards/index-shard.ts). Both hold the same `chunks`, `chunks_fts` and `files` columns, so the
 * lexical query, the scope and the page reads are one text run in either place.
 */

export type SqlRunner = {
  /** The rows of one statement, `?` placeholders bound in order. */
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>
}

/**
 * The rows the statements of one search read, as the database counts them: what D1 and Durable
 * Object SQL bill by (docs/scale.md's cost table).
 */
export type RowsMeter = { rowsRead: number }

/** D1 as a runner; one prepared statement per call, its rows read added to `meter`. */
export function d1Runner(d1: D1Database, meter?: RowsMeter): SqlRunner {
  return {
    async all<T>(sql: string, params: readonly unknown[]) {
      const { results, meta } = await d1.prepare(sql).bind(...params).all<T>()
      if (meter) meter.rowsRead += meta.rows_read ?? 0
      return results
    },
  }
}

/** A runner from either: the D1 binding (its tests and callers hand that in) or a runner already. */
export function runnerOf(source: D1Database | SqlRunner): SqlRunner {
  return 'prepare' in source ? d1Runner(source) : source
}
