import { SELF } from 'cloudflare:test'
import { expect, it } from 'vitest'
import { fixtureBytes } from './fixtures'

it('health answers once migrations are applied', async () => {
  const res = await SELF.fetch('http://cairn.test/health')
  expect(res.status).toBe(200)
  expect(await res.json()).toMatchObject({ status: 'ok', checks: { database: 'ok' } })
})

it('serves the shared fixtures to code in workerd', async () => {
  const bytes = await fixtureBytes('README.md')
  expect(new TextDecoder().decode(bytes.slice(0, 15))).toBe('# Test fixtures')
})
