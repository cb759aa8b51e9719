/**
 * @module The D1 schema, one file per domain. Files, chunks, completions and usage join here
 * as their issues land; `drizzle-kit generate` reads this module to write migrations.
 */
export * from './tenancy'
export * from './workspaces'
export * from './files'
export * from './vectors'
export * from './completions'
export * from './sources'
export * from './audit'
export * from './usage'
