#!/usr/bin/env node
/**
 * `npm run deploy`: provision what is missing in your Cloudflare account (D1, R2, queues and the
 * dead-letter queue, the Vectorize index with its metadata indexes), apply migrations, deploy both
 * Workers and set ADMIN_TOKEN once. Safe to run again. `--dry-run` only builds both bundles.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildConsole } from '../console/build.mjs'
import { API_CONFIG, INGEST_CONFIG, deploy } from './lib/deploy-plan.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler')

function run(args, { input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(wrangler, args, { cwd: root, env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

async function main() {
  // The API Worker uploads the console's files as its static assets.
  await buildConsole({ quiet: true })
  if (process.argv.includes('--dry-run')) {
    for (const [config, outdir] of [[API_CONFIG, path.join(root, 'dist/api')], [INGEST_CONFIG, path.join(root, 'dist/ingest')]]) {
      const result = await run(['deploy', '--dry-run', '-c', config, '--env=', '--outdir', outdir])
      if (result.code !== 0) throw new Error(result.stderr || result.stdout)
      console.log(`Built ${config} into ${outdir}`)
    }
    return
  }
  const dims = Number(process.env.EMBEDDING_DIMENSIONS || 768)
  const result = await deploy({ root, run, log: (line) => console.log(line), embeddingDimensions: dims })
  console.log(`\nCairn is deployed (API Worker "${result.resources.apiWorker}").`)
  if (!result.secrets.includes('OPENAI_API_KEY')) {
    console.log('To use your own OpenAI-compatible models instead of Workers AI: set MODEL_PROVIDER and OPENAI_BASE_URL in wrangler.toml [vars], then `npx wrangler secret put OPENAI_API_KEY`.')
  }
}

main().catch((err) => {
  console.error(`\nDeploy stopped: ${err.message}`)
  process.exit(1)
})
