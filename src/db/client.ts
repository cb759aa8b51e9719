/**
 * @module The Drizzle client over D1, typed with Cairn's schema.
 */
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1'
import * as schema from './schema'

export type Db = DrizzleD1Database<typeof schema>

// Building a client walks the whole schema; a binding is the same object for the isolate's life, so one client each.
const clients = new WeakMap<D1Database, Db>()

export function d1Database(binding: D1Database): Db {
  let db = clients.get(binding)
  if (!db) clients.set(binding, (db = drizzle(binding, { schema })))
  return db
}

/** The D1 binding under a client, for statements Drizzle does not express. */
export function bindingOf(db: Db): D1Database {
  return (db as unknown as { $client: D1Database }).$client
}
