/**
 * @module The completion Durable Object: one instance per agent run.
 * It will run the `l0` loop, keep the run's event log in its SQLite storage and stream it
 * to any number of readers. Only the storage of that log exists yet; the loop lands with the agent issue.
 */
import { DurableObject } from 'cloudflare:workers'

export class CompletionRun extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        'CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, data TEXT NOT NULL)',
      )
    })
  }

  /** Appends one event to the run's log and returns its sequence number. */
  append(event: unknown): number {
    const row = this.ctx.storage.sql
      .exec<{ seq: number }>('INSERT INTO events (at, data) VALUES (?, ?) RETURNING seq', Date.now(), JSON.stringify(event))
      .one()
    return row.seq
  }

  /** The events after `afterSeq`, oldest first. */
  events(afterSeq = 0): unknown[] {
    return this.ctx.storage.sql
      .exec<{ data: string }>('SELECT data FROM events WHERE seq > ? ORDER BY seq', afterSeq)
      .toArray()
      .map((r) => JSON.parse(r.data) as unknown)
  }
}
