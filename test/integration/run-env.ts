/**
 * @module Env overrides for the `l0` runs of one workspace, e.g. MODEL_PROVIDER=openai against the
 * scripted model server. Durable Objects run in the tests' isolate, so a test sets them here and
 * the test Worker's completion object reads them when a run of that workspace starts; other
 * workspaces keep the default env (no models). Kept on `globalThis` so the test's and the Worker's
 * copies of this module share them.
 */
type RunEnvs = Map<string, Record<string, unknown>>

const shared = (): RunEnvs => ((globalThis as { __cairnRunEnv?: RunEnvs }).__cairnRunEnv ??= new Map())

export function useRunEnv(workspaceId: string, env: Record<string, unknown>): void {
  shared().set(workspaceId, env)
}

export function runEnvFor(workspaceId: string): Record<string, unknown> {
  return shared().get(workspaceId) ?? {}
}
