import { describe, expect, it } from 'vitest'
import { SourceSettingsError } from './errors'
import { openSecret, sealSecret } from './secret-box'

const key = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => i * 7 + 1)))
const otherKey = btoa(String.fromCharCode(...new Uint8Array(32).map((_, i) => 255 - i)))
const secret = { access_key_id: 'AKIAEXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

describe('sealing credentials', () => {
  it('opens what it sealed for the same source, and the sealed text holds no secret', async () => {
    const sealed = await sealSecret(key, 'source-a', secret)
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/)
    expect(sealed).not.toContain('wJalr')
    expect(await openSecret(key, 'source-a', sealed)).toEqual(secret)
    // A fresh nonce each time: the same secret never seals to the same text.
    expect(await sealSecret(key, 'source-a', secret)).not.toBe(sealed)
  })

  it('refuses to open it on another source, under another key, or without a key', async () => {
    const sealed = await sealSecret(key, 'source-a', secret)
    await expect(openSecret(key, 'source-b', sealed)).rejects.toThrow(/do not open with this SOURCE_SECRETS_KEY/)
    await expect(openSecret(otherKey, 'source-a', sealed)).rejects.toThrow(SourceSettingsError)
    await expect(openSecret(null, 'source-a', sealed)).rejects.toThrow(/SOURCE_SECRETS_KEY is not set/)
    await expect(sealSecret(null, 'source-a', secret)).rejects.toThrow(/set the SOURCE_SECRETS_KEY secret/)
    await expect(sealSecret('c2hvcnQ=', 'source-a', secret)).rejects.toThrow(/32 random bytes/)
  })
})
