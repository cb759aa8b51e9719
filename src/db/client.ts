/**
 * @module The Drizzle client over D1, typed with Cairn's schema.
 */
import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1'
import * as schema from './schema'

export type Db = DrizzleD1Database<typeof schema>

export function d1Database(binding: D1Database): Db {
  return drizzle(binding, { schema })
}
