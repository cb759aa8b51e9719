import { describe, expect, it } from 'vitest'
import { ARM_TIMEOUT_MS, armIngestWatch } from './watch'

describe('armIngestWatch', () => {
  it('goes on when the watch does not answer, after ARM_TIMEOUT_MS', async () => {
    const started = Date.now()
    await armIngestWatch({ ingestWatch: { ensure: () => new Promise<void>(() => {}) } })
    expect(Date.now() - started).toBeGreaterThanOrEqual(ARM_TIMEOUT_MS - 50)
  })

  it('goes on when the watch cannot be reached', async () => {
    await expect(armIngestWatch({ ingestWatch: { ensure: () => Promise.reject(new Error('unreachable')) } })).resolves.toBeUndefined()
  })

  it('waits for an arming that answers', async () => {
    let armed = false
    await armIngestWatch({ ingestWatch: { ensure: async () => void (armed = true) } })
    expect(armed).toBe(true)
  })
})
