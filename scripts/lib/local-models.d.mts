/** Types for `local-models.mjs` (plain JavaScript, run by Node without a build). */
import type { ChildProcess } from 'node:child_process'
export type LocalModelVars = Record<string, string>
export function startLocalModels(options: {
  root: string
  args: string[]
  env: Record<string, string | undefined>
  devVars: Record<string, string>
}): Promise<{ vars: LocalModelVars | null; note?: string; child?: ChildProcess; base?: string }>
export function ingestDevVars(root: string, envName: string, vars: LocalModelVars | null, written?: string): { written: boolean; file: string; text?: string }
/** What the local model server's `/health` says it serves. */
export type LocalModelsHealth = {
  embedding: { model: string; dimensions: number }
  rerank: { model: string } | null
  vision?: { model: string; reads: string } | null
}
export function localModelVars(health: LocalModelsHealth, base: string, devVars: Record<string, string>): LocalModelVars
