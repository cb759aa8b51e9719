/**
 * @module Env overrides for the test Worker's IngestWatch: a test points the watch's sweep at another
 * database (an empty one, say) to see what its alarm does when nothing is in flight, whatever other
 * tests leave in the shared one. Kept on `globalThis` so the test's and the Worker's copies of this
 * module share them.
 */
type Holder = { __cairnWatchEnv?: Record<string, unknown> }

export function useWatchEnv(env: Record<string, unknown> | null): void {
  ;(globalThis as Holder).__cairnWatchEnv = env ?? undefined
}

export function watchEnv(): Record<string, unknown> {
  return (globalThis as Holder).__cairnWatchEnv ?? {}
}
