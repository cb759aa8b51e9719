import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'
import { kCurrentWorker } from 'miniflare'
import { buildConsole } from './console/build.mjs'

// The API Worker's static assets (wrangler.toml [assets]) must exist before its config is read.
await buildConsole({ quiet: true })
const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'))
const fixturesRoot = path.resolve(import.meta.dirname, '../shared/fixtures')

/**
 * Serves `../shared/fixtures/<path>` to code in workerd, which has no file system:
 * `env.FIXTURES.fetch('http://fixtures/samples/x.pdf')`; a folder path ending in `/` lists its files, recursively, as JSON.
 */
async function serveFixture(request: Request): Promise<Response> {
  const relative = decodeURIComponent(new URL(request.url).pathname).replace(/^\/+/, '')
  const file = path.resolve(fixturesRoot, relative)
  if (file !== fixturesRoot && !file.startsWith(fixturesRoot + path.sep)) return new Response('outside the fixtures', { status: 403 })
  if (relative.endsWith('/') || relative === '') {
    const entries = await readdir(file, { recursive: true, withFileTypes: true })
    const names = entries.filter((e) => e.isFile()).map((e) => path.relative(fixturesRoot, path.join(e.parentPath, e.name)))
    return Response.json(names.sort())
  }
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
            main: './test/integration/test-worker.ts',
            wrangler: { configPath: './wrangler.toml', environment: 'local' },
            miniflare: {
              serviceBindings: {
                FIXTURES: serveFixture,
                // The test Worker carries the ingest Worker's PageRenderer too (test-worker.ts).
                PAGE_RENDERER: { name: kCurrentWorker, entrypoint: 'PageRenderer' },
              },
              // The test Worker carries the ingest Worker's IngestWatch and IndexShard too, in place of wrangler.toml's script_name.
              durableObjects: { INGEST_WATCH: { className: 'IngestWatch', useSQLite: true }, INDEX_SHARD: { className: 'IndexShard', useSQLite: true } },
              // A second database, empty of files, for the watch's tests (watch-env.ts).
              d1Databases: { WATCH_DB: 'watch-test-db' },
              // wrangler.toml's local limits, and small ones a test binds in their place to be refused (rate-limits.test.ts).
              ratelimits: {
                API_LIMIT_PER_TOKEN: { simple: { limit: 12000, period: 60 } },
                API_LIMIT_PER_ORG: { simple: { limit: 24000, period: 60 } },
                INGEST_LIMIT_PER_TOKEN: { simple: { limit: 3000, period: 60 } },
                INGEST_LIMIT_PER_ORG: { simple: { limit: 6000, period: 60 } },
                TIGHT_LIMIT_3: { simple: { limit: 3, period: 60 } },
                TIGHT_LIMIT_5: { simple: { limit: 5, period: 60 } },
              },
              // As in workers/ingest/wrangler.toml, but quick: the test Worker consumes its own queue.
              queueConsumers: {
                'cairn-ingest': { maxBatchSize: 25, maxBatchTimeout: 0.1, maxRetries: 2, retryDelay: 0, deadLetterQueue: 'cairn-ingest-dlq' },
                'cairn-ingest-dlq': { maxBatchSize: 10, maxBatchTimeout: 0.1, maxRetries: 1 },
              },
              bindings: {
                TEST_MIGRATIONS: migrations,
                ADMIN_TOKEN: 'test-admin-token',
                // Seals S3 sources' credentials in tests (32 bytes, base64).
                SOURCE_SECRETS_KEY: 'dGVzdC1zb3VyY2Utc2VjcmV0cy1rZXktMzItYnl0ZXM=',
                // Small enough that a test can upload one file over it.
                MAX_FILE_BYTES: String(4 * 1024 * 1024),
                // Small, so a 14-page fixture fans out into three page-range messages.
                PAGES_PER_MESSAGE: '5',
                // `INDEX_SHARDS=n npm test` runs the suite with new workspaces' indexes on n shards.
                ...(process.env.INDEX_SHARDS ? { INDEX_SHARDS: process.env.INDEX_SHARDS } : {}),
              },
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['src/**/*.test.ts', 'test/integration/**/*.test.ts'],
          // node-html-parser reaches css-what through a path the pool's module loader cannot resolve; pre-bundled, it loads.
          deps: { optimizer: { ssr: { enabled: true, include: ['node-html-markdown', 'node-html-parser'] } } },
          setupFiles: ['./test/integration/apply-migrations.ts'],
          // A scripted OpenAI-compatible model server on 127.0.0.1; tests read its URL with inject('modelServerUrl').
          // …and the local model server with real weights: inject('localModelsUrl'); an S3 server (s3rver), inject('s3Url');
          // a small website for the web source, inject('webSiteUrl').
          globalSetup: ['./test/model-server/global-setup.ts', './test/local-models/global-setup.ts', './test/s3-server/global-setup.ts', './test/web-site/global-setup.ts'],
        },
      },
      {
        // In Node: the scripts around the Workers (start, deploy, bundles).
        test: {
          name: 'node',
          include: ['test/node/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['./test/local-models/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
