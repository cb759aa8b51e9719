/**
 * `cairn source`: connect a bucket or a website to a workspace, list sources with where their syncs
 * stand, sync one now, disconnect one. An S3 source's keys are read from AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), never from the command line, so they stay out of
 * shell history.
 */
import { CairnError } from './client.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** The request body for `cairn source add <type> <name> <location>`. */
export function sourceBody(type, name, location, options, env = process.env) {
  const globs = { include: options.include ?? [], exclude: options.exclude ?? [] }
  const common = { type, name, workspace: options.workspace, ...(options.every ? { sync_every_minutes: Number(options.every) } : {}) }
  if (type === 'r2') return { ...common, settings: { binding: location, prefix: options.prefix ?? '', ...(options.bucketName ? { bucket_name: options.bucketName } : {}), ...globs } }
  if (type === 's3') {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location)
    if (!match) throw new CairnError('An S3 location is s3://bucket or s3://bucket/prefix/.')
    if (!options.endpoint) throw new CairnError('--endpoint is required for an S3 source (e.g. https://s3.eu-west-1.amazonaws.com).')
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new CairnError('Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (read-only keys) for an S3 source.')
    return {
      ...common,
      settings: {
        endpoint: options.endpoint,
        bucket: match[1],
        prefix: match[2],
        region: options.region ?? 'us-east-1',
        path_style: !options.virtualHosted,
        access_key_id: env.AWS_ACCESS_KEY_ID,
        secret_access_key: env.AWS_SECRET_ACCESS_KEY,
        ...(env.AWS_SESSION_TOKEN ? { session_token: env.AWS_SESSION_TOKEN } : {}),
        ...globs,
      },
    }
  }
  if (type === 'web') {
    return {
      ...common,
      settings: {
        url: location,
        ...(options.sitemap ? { sitemap_url: options.sitemap } : {}),
        ...(options.maxDepth !== undefined ? { max_depth: Number(options.maxDepth) } : {}),
        ...(options.maxPages !== undefined ? { max_pages: Number(options.maxPages) } : {}),
        ...globs,
      },
    }
  }
  throw new CairnError(`A source is r2, s3 or web, not "${type}".`)
}

const counts = (s) => (s.last_sync ? `+${s.last_sync.added} ~${s.last_sync.updated} -${s.last_sync.removed} !${s.last_sync.failed} =${s.last_sync.unchanged}` : 'never synced')

function describe(out, s) {
  const { colors: c } = out
  const paint = { idle: c.green, error: c.red, syncing: c.yellow }
  const where = s.settings.url ?? (s.type === 'r2' ? `r2:${s.settings.binding}/${s.settings.prefix}` : `s3://${s.settings.bucket}/${s.settings.prefix}`)
  out.line(`${s.id}  ${(paint[s.status] ?? c.yellow)(s.status.padEnd(7))}  ${s.name}  ${c.dim(where)}  ${counts(s)}${s.status_details ? c.dim(`  (${s.status_details})`) : ''}`)
}

async function waitForSync(api, id) {
  for (;;) {
    const s = await api.json('GET', `/sources/${encodeURIComponent(id)}`)
    if (s.status !== 'syncing') return s
    await sleep(1000)
  }
}

export async function addSource(api, out, type, name, location, options) {
  let source = await api.json('POST', '/sources', sourceBody(type, name, location, options))
  out.line(`Connected ${source.name} (${source.id}); syncing.`)
  if (!options.wait) return true
  source = await waitForSync(api, source.id)
  describe(out, source)
  return source.status !== 'error'
}

export async function listSources(api, out, options) {
  const { data } = await api.json('GET', `/sources?workspace=${encodeURIComponent(options.workspace)}`)
  if (options.json) return out.line(JSON.stringify(data, null, 2))
  for (const s of data) describe(out, s)
  out.line(out.colors.dim(`${data.length} source${data.length === 1 ? '' : 's'} in "${options.workspace}"  (+added ~updated -removed !failed =unchanged)`))
}

export async function syncSource(api, out, id, options) {
  let source = await api.json('POST', `/sources/${encodeURIComponent(id)}/sync`)
  if (options.wait) source = await waitForSync(api, id)
  describe(out, source)
  return source.status !== 'error'
}

export async function removeSource(api, out, id, options) {
  const done = await api.json('DELETE', `/sources/${encodeURIComponent(id)}?delete_files=${options.deleteFiles ? 'true' : 'false'}`)
  out.line(`Disconnected ${id}${options.deleteFiles ? `; ${done.files_deleted} files deleted` : '; its files stay'}.`)
}
