import { describe, expect, it } from 'vitest'
import { readConfig, type AppEnv } from './config'

const stallMs = (value?: string) => readConfig({ INGEST_STALL_SECONDS: value } as unknown as AppEnv).ingestStallMs

describe('INGEST_STALL_SECONDS', () => {
  it('defaults to 20 minutes, longer than a queued message may wait for its retry', () => {
    expect(stallMs()).toBe(20 * 60 * 1000)
    expect(stallMs('')).toBe(20 * 60 * 1000)
    expect(stallMs('soon')).toBe(20 * 60 * 1000)
  })

  it('takes seconds, but never less than a minute, so a working message always beats in time', () => {
    expect(stallMs('120')).toBe(120_000)
    expect(stallMs('5')).toBe(60_000)
  })
})
