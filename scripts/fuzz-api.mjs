#!/usr/bin/env node
/**
 * `npm run fuzz:api`: fuzzes every operation of Cairn's own OpenAPI document with schemathesis against a
 * throwaway local server (fresh state, free port). Fails on any 5xx, any 4xx outside OpenAI's error
 * envelope, and any answer the document does not describe. The hooks are in scripts/fuzz/cairn_hooks.py.
 *
 * Options: --max-examples N (per operation and phase), --seed N | --seed random, --self-test (the
 * envelope check then fails on every 4xx: proves the custom check runs), --timeout-minutes N, --keep
 * (keep the report and server log even on success); after a `--`, arguments for `st run` itself
 * (`npm run fuzz:api -- --keep -- --include-path /files`).
 */
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { optionValue } from './lib/dev-vars.mjs'
import { startLocalServer } from './lib/local-server.mjs'
import { ensureSchemathesis, runSchemathesis, summarizeJunit } from './lib/schemathesis.mjs'
import { seedFuzzData } from './lib/fuzz-seed.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const argv = process.argv.slice(2)
const split = argv.indexOf('--')
const args = split === -1 ? argv : argv.slice(0, split)
const stExtra = split === -1 ? [] : argv.slice(split + 1)
const keep = args.includes('--keep')
const selfTest = args.includes('--self-test')
const maxExamples = Number(optionValue(args, '--max-examples') ?? process.env.FUZZ_MAX_EXAMPLES ?? 50)
// A fixed seed by default, so CI replays the same cases and a red run is red again; `--seed random` explores.
const seedOption = optionValue(args, '--seed') ?? process.env.FUZZ_SEED ?? '20261203'
const timeoutMs = Number(optionValue(args, '--timeout-minutes') ?? 20) * 60_000

/**
 * Checks: all of schemathesis's, minus those that are noise for this API:
 * - positive_data_acceptance: Cairn rightly refuses much that JSON Schema cannot rule out (a filter
 *   expression's syntax, an unknown cursor or id, a strict email), so a schema-valid 422/404 is not a bug.
 * - use_after_free, ensure_resource_availability: their inferred links blame the created resource for a
 *   404 about another one (POST /workspaces, then a 404 for an unknown *user* of it).
 * - object_level_authorization: needs a second identity's config; tenancy has its own tests.
 * Kept: not_a_server_error (the point), status code, content type, headers and response schema
 * conformance, negative_data_rejection, unsupported_method, ignored_auth… and openai_error_shape.
 */
const EXCLUDED_CHECKS = ['positive_data_acceptance', 'use_after_free', 'ensure_resource_availability', 'object_level_authorization']

async function main() {
  const started = Date.now()
  const st = ensureSchemathesis(root)
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-fuzz-'))
  const reportDir = path.join(workDir, 'report')
  mkdirSync(reportDir)
  const logFile = path.join(workDir, 'server.log')
  const restartsFile = path.join(workDir, 'runtime-restarts.txt')

  console.log(`Starting Cairn for the fuzzer (log: ${logFile})…`)
  const server = await startLocalServer(root, { logFile })
  // Interrupted while seeding or fuzzing: the server still goes (schemathesis gets the signal itself).
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.stop().finally(() => process.exit(130)))
  let code
  try {
    console.log(`Cairn is ready at ${server.base} (${Math.round((Date.now() - started) / 1000)} s). Seeding files, a workspace and a stored completion…`)
    const seed = await seedFuzzData(server, path.resolve(root, '..', 'shared', 'fixtures', 'samples'))
    const stArgs = [
      'run',
      `${server.base}/openapi.json`,
      '--checks', 'all',
      '--exclude-checks', EXCLUDED_CHECKS.join(','),
      '--max-examples', String(maxExamples),
      // Past an operation's first failure too, so a known one does not hide the next.
      '--continue-on-failure',
      // One worker: with two, Python 3.11's ast module races in Hypothesis's lambda descriptions
      // ("AST constructor recursion depth mismatch"), and this machine has two cores for both sides anyway.
      '--workers', '1',
      '--request-timeout', '60',
      '--generation-database', 'none',
      '--no-color',
      '--report', 'junit',
      '--report-dir', reportDir,
      ...(seedOption === 'random' ? [] : ['--seed', seedOption]),
      ...stExtra,
    ]
    const env = {
      ...process.env,
      PYTHONPATH: path.join(root, 'scripts', 'fuzz'),
      SCHEMATHESIS_HOOKS: 'cairn_hooks',
      PYTHONDONTWRITEBYTECODE: '1',
      CAIRN_FUZZ_USER_TOKEN: server.userToken,
      CAIRN_FUZZ_ADMIN_TOKEN: server.adminToken,
      CAIRN_FUZZ_USER_ID: server.userId,
      CAIRN_FUZZ_FILE_IDS: seed.fileIds.join(','),
      CAIRN_FUZZ_PROTECTED_FILE_IDS: seed.protectedFileIds.join(','),
      CAIRN_FUZZ_WORKSPACE_IDS: seed.workspaceIds.join(','),
      CAIRN_FUZZ_PROTECTED_WORKSPACE_IDS: seed.protectedWorkspaceIds.join(','),
      CAIRN_FUZZ_MEMBER_IDS: seed.memberIds.join(','),
      CAIRN_FUZZ_COMPLETION_IDS: seed.completionIds.join(','),
      CAIRN_FUZZ_PROTECTED_COMPLETION_IDS: seed.protectedCompletionIds.join(','),
      CAIRN_FUZZ_PROTECTED_TOKEN_IDS: seed.protectedTokenIds.join(','),
      CAIRN_FUZZ_SELF_TEST: selfTest ? '1' : '0',
      CAIRN_FUZZ_RESTARTS_FILE: restartsFile,
    }
    console.log(`schemathesis ${stArgs.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}\n`)
    code = await runSchemathesis(st, stArgs, { cwd: workDir, env, timeoutMs })
  } finally {
    await server.stop()
  }

  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  const summary = summarizeJunit(reportDir) ?? []
  console.log('\n── fuzz:api ──')
  if (code === null) console.log(`Stopped: schemathesis ran past ${timeoutMs / 60_000} minutes.`)
  if (summary.length > 0) console.log(`Failing operations:\n${summary.join('\n')}`)
  if (existsSync(restartsFile)) {
    const cut = readFileSync(restartsFile, 'utf8').trim().split('\n')
    console.log(`The local runtime restarted under ${cut.length} request(s), each sent again once as wrangler's dev proxy asks (its own 503, not Cairn's answer): ${[...new Set(cut)].join('; ')}. Server log: ${logFile}`)
  }
  if (selfTest) {
    // The envelope check must have fired; a clean run would mean it never ran.
    const fired = summary.some((l) => l.includes('openai_error_shape') || l.includes('Self-test'))
    console.log(fired ? `Self-test passed: the error-shape check ran and failed as it should (${minutes} min).` : 'Self-test FAILED: the error-shape check never fired.')
    rmSync(workDir, { recursive: true, force: true })
    return fired ? 0 : 1
  }
  const ok = code === 0
  // A run the runtime restarted under keeps its server log, to be read.
  const kept = keep || !ok || existsSync(restartsFile)
  console.log(`${ok ? 'Passed' : 'FAILED'}: ${maxExamples} examples per operation, seed ${seedOption}, ${minutes} min.${kept ? ` Report and server log: ${workDir}` : ''}`)
  if (!kept) rmSync(workDir, { recursive: true, force: true })
  return ok ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`\nfuzz:api failed: ${err.stack ?? err.message}`)
    process.exit(1)
  },
)
