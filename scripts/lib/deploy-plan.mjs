/**
 * @module What `npm run deploy` does, as a function of a wrangler runner, so that the sequence can be
 * tested without an account. Every step looks before it creates, so running it again changes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { parse } from 'smol-toml'

export const API_CONFIG = 'wrangler.toml'
export const INGEST_CONFIG = 'workers/ingest/wrangler.toml'
export const PLACEHOLDER_DATABASE_ID = '00000000-0000-0000-0000-000000000000'

/**
 * Filterable fields that get Vectorize metadata indexes (at most 10; they must exist before vectors are
 * upserted, so deploy creates them with the index).
 */
export const METADATA_INDEXES = [
  { propertyName: 'file_id', type: 'string' },
  { propertyName: 'purpose', type: 'string' },
  { propertyName: 'modality', type: 'string' },
  { propertyName: 'page', type: 'number' },
  { propertyName: 'created_at', type: 'number' },
]

/** The names of the production resources, read from the top level of both configs. */
export function readResources(root) {
  const api = parse(readFileSync(path.join(root, API_CONFIG), 'utf8'))
  const ingest = parse(readFileSync(path.join(root, INGEST_CONFIG), 'utf8'))
  const consumers = ingest.queues?.consumers ?? []
  const queues = new Set([...(api.queues?.producers ?? []), ...(ingest.queues?.producers ?? [])].map((p) => p.queue))
  for (const c of consumers) {
    queues.add(c.queue)
    if (c.dead_letter_queue) queues.add(c.dead_letter_queue)
  }
  return {
    apiWorker: api.name,
    database: { name: api.d1_databases[0].database_name, id: api.d1_databases[0].database_id },
    bucket: api.r2_buckets[0].bucket_name,
    queues: [...queues],
    vectorIndex: api.vectorize?.[0]?.index_name ?? null,
  }
}

/** Writes the D1 id into the top-level `[[d1_databases]]` of a config, leaving `[env.*]` sections alone. */
export function withDatabaseId(tomlText, databaseName, id) {
  const envStart = tomlText.search(/^\[env\./m)
  const head = envStart === -1 ? tomlText : tomlText.slice(0, envStart)
  const tail = envStart === -1 ? '' : tomlText.slice(envStart)
  const block = new RegExp(`(database_name\\s*=\\s*"${databaseName}"\\s*\\n\\s*database_id\\s*=\\s*)"[^"]*"`)
  if (!block.test(head)) throw new Error(`no top-level [[d1_databases]] for "${databaseName}" with a database_id line`)
  return head.replace(block, `$1"${id}"`) + tail
}

/**
 * Runs the deployment. `run(args, { input })` runs wrangler and resolves to `{ code, stdout, stderr }`.
 * @example await deploy({ root, run: wranglerRunner(root), log: console.log })
 */
export async function deploy({ root, run, log, embeddingDimensions = 768, newSecret = () => `cairn_admin_${randomBytes(24).toString('base64url')}` }) {
  const must = async (args, options) => {
    const result = await run(args, options)
    if (result.code !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${result.stderr || result.stdout}`)
    return result
  }
  const json = async (args) => JSON.parse((await must(args)).stdout || '[]')
  const exists = async (args) => (await run(args)).code === 0
  const resources = readResources(root)

  if ((await run(['whoami'])).code !== 0) throw new Error('Not logged in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN) and try again.')

  // D1: find or create, then make both configs point at it.
  const findDb = async () => (await json(['d1', 'list', '--json'])).find((d) => d.name === resources.database.name)
  let db = await findDb()
  if (!db) {
    log(`Creating D1 database ${resources.database.name}`)
    await must(['d1', 'create', resources.database.name])
    db = await findDb()
    if (!db) throw new Error(`D1 database ${resources.database.name} was created but is not listed yet; run deploy again.`)
  }
  for (const config of [API_CONFIG, INGEST_CONFIG]) {
    const file = path.join(root, config)
    const before = readFileSync(file, 'utf8')
    const after = withDatabaseId(before, resources.database.name, db.uuid)
    if (after !== before) {
      writeFileSync(file, after)
      log(`Wrote database_id ${db.uuid} into ${config}`)
    }
  }

  if (!(await exists(['r2', 'bucket', 'info', resources.bucket]))) {
    log(`Creating R2 bucket ${resources.bucket}`)
    await must(['r2', 'bucket', 'create', resources.bucket])
  }
  for (const queue of resources.queues) {
    if (!(await exists(['queues', 'info', queue]))) {
      log(`Creating queue ${queue}`)
      await must(['queues', 'create', queue])
    }
  }
  if (resources.vectorIndex) {
    const indexes = await json(['vectorize', 'list', '--json'])
    if (!indexes.some((i) => i.name === resources.vectorIndex)) {
      log(`Creating Vectorize index ${resources.vectorIndex} (${embeddingDimensions} dimensions, cosine)`)
      await must(['vectorize', 'create', resources.vectorIndex, `--dimensions=${embeddingDimensions}`, '--metric=cosine'])
    }
    const present = new Set((await json(['vectorize', 'list-metadata-index', resources.vectorIndex, '--json'])).map((m) => m.propertyName))
    for (const index of METADATA_INDEXES.filter((m) => !present.has(m.propertyName))) {
      log(`Creating metadata index ${index.propertyName} (${index.type})`)
      await must(['vectorize', 'create-metadata-index', resources.vectorIndex, `--propertyName=${index.propertyName}`, `--type=${index.type}`])
    }
  }

  log('Applying D1 migrations')
  await must(['d1', 'migrations', 'apply', 'DB', '--remote', '--env='])
  log('Deploying the ingest Worker')
  await must(['deploy', '-c', INGEST_CONFIG, '--env='])
  log('Deploying the API Worker')
  await must(['deploy', '-c', API_CONFIG, '--env='])

  // Secrets attach to a deployed Worker, so they come last; an existing one is never replaced.
  const secrets = await json(['secret', 'list', '--format', 'json', '-c', API_CONFIG, '--env='])
  let adminToken = null
  if (!secrets.some((s) => s.name === 'ADMIN_TOKEN')) {
    adminToken = newSecret()
    await must(['secret', 'put', 'ADMIN_TOKEN', '-c', API_CONFIG, '--env='], { input: adminToken })
    log(`Set the ADMIN_TOKEN secret. Keep it now; it is not shown again:\n  ${adminToken}`)
  }
  // Sources' credentials are sealed by the API Worker and opened by the ingest Worker: one key on both.
  const ingestSecrets = await json(['secret', 'list', '--format', 'json', '-c', INGEST_CONFIG, '--env='])
  const hasKey = (list) => list.some((s) => s.name === 'SOURCE_SECRETS_KEY')
  if (!hasKey(secrets) && !hasKey(ingestSecrets)) {
    const key = randomBytes(32).toString('base64')
    for (const config of [API_CONFIG, INGEST_CONFIG]) await must(['secret', 'put', 'SOURCE_SECRETS_KEY', '-c', config, '--env='], { input: key })
    log('Set the SOURCE_SECRETS_KEY secret on both Workers (it seals sources\' credentials).')
  } else if (hasKey(secrets) !== hasKey(ingestSecrets)) {
    log('Warning: SOURCE_SECRETS_KEY is set on one Worker only; set the same value on the other (`npx wrangler secret put SOURCE_SECRETS_KEY -c …`), or S3 sources cannot sync.')
  }
  return { resources, databaseId: db.uuid, adminToken, secrets: secrets.map((s) => s.name) }
}
