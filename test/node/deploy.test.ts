/**
 * `npm run deploy` against a scripted wrangler: from an empty account it creates every resource once;
 * run again against what it created, it creates nothing and only migrates and redeploys.
 */
import { cpSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ESM script without type declarations
import { deploy, readResources, withDatabaseId, METADATA_INDEXES } from '../../scripts/lib/deploy-plan.mjs'

const root = path.resolve(import.meta.dirname, '../..')

/** A copy of the two configs, so the test may let deploy write the database id into them. */
function projectCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-deploy-'))
  mkdirSync(path.join(dir, 'workers/ingest'), { recursive: true })
  cpSync(path.join(root, 'wrangler.toml'), path.join(dir, 'wrangler.toml'))
  cpSync(path.join(root, 'workers/ingest/wrangler.toml'), path.join(dir, 'workers/ingest/wrangler.toml'))
  return dir
}

/** A fake Cloudflare account behind a fake wrangler: it remembers what was created. */
function fakeAccount() {
  const state = { dbs: [] as Array<{ name: string; uuid: string }>, buckets: new Set<string>(), queues: new Set<string>(), indexes: new Map<string, Set<string>>(), secrets: new Set<string>() }
  const calls: string[][] = []
  const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' })
  const fail = (stderr: string) => ({ code: 1, stdout: '', stderr })
  const run = async (args: string[], options?: { input?: string }) => {
    calls.push(args)
    const [a, b, c] = args
    const flag = (name: string) => args.find((x) => x.startsWith(`--${name}=`))?.split('=')[1]
    if (a === 'whoami') return ok('You are logged in')
    if (a === 'd1' && b === 'list') return ok(JSON.stringify(state.dbs))
    if (a === 'd1' && b === 'create') return (state.dbs.push({ name: c!, uuid: `uuid-${c}` }), ok())
    if (a === 'd1' && b === 'migrations') return ok('Migrations applied')
    if (a === 'r2' && b === 'bucket' && c === 'info') return state.buckets.has(args[3]!) ? ok() : fail('The specified bucket does not exist.')
    if (a === 'r2' && b === 'bucket' && c === 'create') return (state.buckets.add(args[3]!), ok())
    if (a === 'queues' && b === 'info') return state.queues.has(c!) ? ok() : fail('Queue not found')
    if (a === 'queues' && b === 'create') return (state.queues.add(c!), ok())
    if (a === 'vectorize' && b === 'list') return ok(JSON.stringify([...state.indexes.keys()].map((name) => ({ name }))))
    if (a === 'vectorize' && b === 'create') return (state.indexes.set(c!, new Set()), ok())
    if (a === 'vectorize' && b === 'list-metadata-index') return ok(JSON.stringify([...state.indexes.get(c!)!].map((propertyName) => ({ propertyName }))))
    if (a === 'vectorize' && b === 'create-metadata-index') return (state.indexes.get(c!)!.add(flag('propertyName')!), ok())
    if (a === 'deploy') return ok('Deployed')
    // Secrets belong to one Worker: kept as `<config>:<name>`.
    const config = args[args.indexOf('-c') + 1]
    if (a === 'secret' && b === 'list') return ok(JSON.stringify([...state.secrets].filter((s) => s.startsWith(`${config}:`)).map((s) => ({ name: s.split(':')[1], type: 'secret_text' }))))
    if (a === 'secret' && b === 'put') {
      if (c === 'ADMIN_TOKEN') expect(options?.input).toMatch(/^cairn_admin_/)
      else expect(Buffer.from(options!.input!, 'base64')).toHaveLength(32)
      return (state.secrets.add(`${config}:${c}`), ok())
    }
    return fail(`unexpected wrangler ${args.join(' ')}`)
  }
  return { state, calls, run }
}

const creations = (calls: string[][]) => calls.filter((c) => c.some((x) => /^(create|create-metadata-index|put)$/.test(x)))

describe('deploy', () => {
  it('reads the production resource names from both configs', () => {
    expect(readResources(root)).toEqual({
      apiWorker: 'cairn',
      database: { name: 'cairn', id: '00000000-0000-0000-0000-000000000000' },
      bucket: 'cairn-files',
      queues: ['cairn-ingest', 'cairn-ingest-dlq', 'cairn-source-events'],
      vectorIndex: 'cairn-chunks',
    })
  })

  it('provisions everything in an empty account, then a second run creates nothing', async () => {
    const dir = projectCopy()
    const account = fakeAccount()
    const logs: string[] = []
    const first = await deploy({ root: dir, run: account.run, log: (l: string) => logs.push(l), newSecret: () => 'cairn_admin_test' })
    expect(first.adminToken).toBe('cairn_admin_test')
    expect(account.state.dbs).toEqual([{ name: 'cairn', uuid: 'uuid-cairn' }])
    expect([...account.state.buckets]).toEqual(['cairn-files'])
    expect([...account.state.queues].sort()).toEqual(['cairn-ingest', 'cairn-ingest-dlq', 'cairn-source-events'])
    expect([...account.state.indexes.get('cairn-chunks')!].sort()).toEqual(METADATA_INDEXES.map((m: { propertyName: string }) => m.propertyName).sort())
    expect([...account.state.secrets].sort()).toEqual(['workers/ingest/wrangler.toml:SOURCE_SECRETS_KEY', 'wrangler.toml:ADMIN_TOKEN', 'wrangler.toml:SOURCE_SECRETS_KEY'])
    // The one key both Workers seal and open sources' credentials with.
    const keys = account.calls.filter((c) => c[0] === 'secret' && c[2] === 'SOURCE_SECRETS_KEY')
    expect(keys).toHaveLength(2)
    // The vector index is created with its metadata indexes before anything could upsert into it.
    const order = account.calls.map((c) => c.slice(0, 2).join(' '))
    expect(order.indexOf('vectorize create-metadata-index')).toBeLessThan(order.indexOf('deploy -c'))
    expect(order.indexOf('d1 migrations')).toBeLessThan(order.indexOf('deploy -c'))
    // Both configs now name the real database; the local environment keeps its own.
    for (const config of ['wrangler.toml', 'workers/ingest/wrangler.toml']) {
      const text = readFileSync(path.join(dir, config), 'utf8')
      expect(text).toContain('database_id = "uuid-cairn"')
      expect(text).toContain('database_id = "cairn-local"')
    }

    account.calls.length = 0
    const second = await deploy({ root: dir, run: account.run, log: () => {} })
    expect(second.adminToken).toBeNull()
    expect(creations(account.calls)).toEqual([])
    expect(account.calls.filter((c) => c[0] === 'deploy')).toHaveLength(2)
    expect(account.calls).toContainEqual(['d1', 'migrations', 'apply', 'DB', '--remote', '--env='])
  })

  it('stops with a clear message when not logged in, before touching anything', async () => {
    const account = fakeAccount()
    const run = async (args: string[]) => (args[0] === 'whoami' ? { code: 1, stdout: '', stderr: 'not authenticated' } : account.run(args))
    await expect(deploy({ root: projectCopy(), run, log: () => {} })).rejects.toThrow(/wrangler login/)
    expect(account.calls).toEqual([])
  })

  it('stops at the first failing step and says which', async () => {
    const account = fakeAccount()
    const run = async (args: string[], o?: { input?: string }) =>
      args[0] === 'queues' && args[1] === 'create' ? { code: 1, stdout: '', stderr: 'queue limit reached' } : account.run(args, o)
    await expect(deploy({ root: projectCopy(), run, log: () => {} })).rejects.toThrow(/queues create cairn-ingest failed:\nqueue limit reached/)
    expect(account.calls.some((c) => c[0] === 'deploy')).toBe(false)
  })

  it('writes the database id only into the top-level block', () => {
    const text = readFileSync(path.join(root, 'wrangler.toml'), 'utf8')
    const out = withDatabaseId(text, 'cairn', 'abc')
    expect(out.match(/database_id = "abc"/g)).toHaveLength(1)
    expect(out).toContain('database_id = "cairn-local"')
    expect(withDatabaseId(out, 'cairn', 'abc')).toBe(out)
  })
})
