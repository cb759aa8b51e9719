declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[]
    ADMIN_TOKEN: string
    /** `../shared/fixtures`, served by the test runner: `env.FIXTURES.fetch('http://fixtures/samples/…')`. */
    FIXTURES: Fetcher
    /** An empty database the ingest watch's tests point its sweep at (watch-env.ts). */
    WATCH_DB: D1Database
    /** Small rate limits a test binds in place of wrangler.toml's (vitest.config.mts). */
    TIGHT_LIMIT_3: RateLimit
    TIGHT_LIMIT_5: RateLimit
  }
}
