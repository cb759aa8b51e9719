import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))
const fixturesRoot = path.resolve(import.meta.dirname, '../shared/fixtures')

/** Serves `../shared/fixtures/<path>` to code in workerd, which has no file system: `env.FIXTURES.fetch('http://fixtures/samples/x.pdf')`. */
async function serveFixture(request: Request): Promise<Response> {
  const relative = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, '')
  const file = path.resolve(fixturesRoot, relative)
  if (!file.startsWith(fixturesRoot + path.sep)) return new Response('outside the fixtures', { status: 403 })
  try {
    return new Response(await readFile(file))
  } catch {
    return new Response(`no fixture ${relative}`, { status: 404 })
  }
}

export default defineConfig({
  test: {
    projects: [
      {
        // In workerd, against real local D1, R2, Queues and Durable Objects.
        plugins: [
          cloudflareTest({
            main: './src/index.ts',
            wrangler: { configPath: './wrangler.toml', environment: 'local' },
            miniflare: {
              serviceBindings: { FIXTURES: serveFixture },
              bindings: {
                TEST_MIGRATIONS: migrations,
                ADMIN_TOKEN: 'test-admin-token',
              },
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts'],
          setupFiles: ['./test/integration/apply-migrations.ts'],
        },
      },
      {
        // In Node: the scripts around the Workers (start, deploy, bundles).
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
