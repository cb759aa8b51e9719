#!/usr/bin/env node
/**
 * `cairn`: Cairn from a terminal — sign in, upload folders (resumable), ask, list and remove files, see usage.
 * Every command talks to the public API with the token `cairn login` saved. `cairn --help` lists them.
 */
import { Command } from 'commander'
import { ask } from '../cli/ask.mjs'
import { exportAudit, listAudit, verifyAudit } from '../cli/audit.mjs'
import { client, CairnError } from '../cli/client.mjs'
import { ls, rm, status, workspaces } from '../cli/commands.mjs'
import { addSource, listSources, removeSource, syncSource } from '../cli/sources.mjs'
import { forgetConfig, readConfig, saveConfig } from '../cli/config.mjs'
import { output } from '../cli/output.mjs'
import { upload } from '../cli/upload.mjs'
import { usage } from '../cli/usage.mjs'

const out = output()
const api = () => client(readConfig())
/** Runs a command; a failure prints its sentence and exits 1, as does a command that reports failure. */
const run = (action) => async (...args) => {
  try {
    if ((await action(...args)) === false) process.exitCode = 1
  } catch (err) {
    process.stderr.write(`cairn: ${err instanceof CairnError || err instanceof SyntaxError ? err.message : err.stack}\n`)
    process.exitCode = 1
  }
}
const workspaceOption = (cmd) => cmd.option('-w, --workspace <id>', 'the workspace', 'default')

const program = new Command('cairn').description('Upload files to Cairn and ask them questions with cited answers.').showHelpAfterError()

program
  .command('login')
  .description('save the URL and token to use (in your config folder, readable only by you)')
  .option('--url <url>', "Cairn's address", readConfig().url)
  .requiredOption('--token <token>', 'an API token (the console\'s "Your tokens", or POST /users/{id}/tokens)')
  .action(
    run(async (o) => {
      const me = await client({ url: o.url, token: o.token }).json('GET', '/users/me')
      const file = saveConfig({ url: o.url, token: o.token })
      out.line(`Signed in to ${o.url} as ${me.email}. Saved in ${file}.`)
    }),
  )

program
  .command('logout')
  .description('forget the saved token')
  .action(run(async () => (forgetConfig(), out.line('Signed out.'))))

workspaceOption(program.command('upload').argument('<paths...>', 'files and folders'))
  .description('upload files and folders, skipping what the workspace already holds, then wait for indexing')
  .option('--metadata <json>', 'a JSON object applied to every file')
  .option('--metadata-from-path <keys>', 'name metadata keys after folders, e.g. "category/author"')
  .option('--instructions <text>', 'what metadata the model should extract from each file')
  .option('--expires-after <duration>', 'delete the files this long after upload (1h to 30d, e.g. 12h, 7d)')
  .option('--no-wait', 'do not wait for indexing')
  .action(run((paths, o) => upload(api(), out, paths, o)))

workspaceOption(program.command('ask').argument('<question>'))
  .description('ask a question; the reasoning streams, then the answer and its citations')
  .option('--filter <expression>', 'only files matching this filter expression')
  .option('--retrieval', 'search only: the top passages, no answer')
  .option('--top-k <n>', 'how many passages with --retrieval')
  .option('--json', 'print the whole completion as JSON')
  .action(run((question, o) => ask(api(), out, question, o)))

workspaceOption(program.command('ls'))
  .description('list files')
  .option('--filter <expression>', 'only files matching this filter expression')
  .option('--json', 'print the file objects as JSON')
  .action(run((o) => ls(api(), out, o)))

workspaceOption(program.command('rm').argument('<ids...>', 'file ids'))
  .description('delete files with their chunks and vectors')
  .action(run((ids, o) => rm(api(), out, ids, o)))

workspaceOption(program.command('status')).description('is Cairn up, who am I, and the files by status').action(run((o) => status(api(), out, o)))
program.command('workspaces').description('the workspaces you can see').action(run(() => workspaces(api(), out)))
program
  .command('usage')
  .description('tokens, perception, pages and bytes: yours, and everyone\'s in the workspaces you administer')
  .option('--from <day>', 'first day, YYYY-MM-DD (UTC; default 29 days before --to)')
  .option('--to <day>', 'last day, YYYY-MM-DD (UTC; default today)')
  .option('--group-by <keys>', 'any of day, user, workspace, comma-separated', 'day')
  .option('-w, --workspace <id>', 'only this workspace')
  .option('--user <id or email>', "only this user (another's needs admin access to the workspace)")
  .option('--json', 'print the report as JSON')
  .action(run((o) => usage(api(), out, o)))

const collect = (value, previous) => [...(previous ?? []), value]
const source = program.command('source').description('buckets and websites indexed in place (docs/sources.md)')
workspaceOption(source.command('add').argument('<type>', 'r2, s3 or web').argument('<name>', 'unique in the workspace; files carry it as metadata.source').argument('<location>', 'an R2 binding, s3://bucket/prefix/, or a start URL'))
  .description('connect a bucket or a website and start its first sync')
  .option('--endpoint <url>', 'S3: the endpoint, e.g. https://s3.eu-west-1.amazonaws.com (keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)')
  .option('--region <region>', 'S3: the region', 'us-east-1')
  .option('--virtual-hosted', 'S3: bucket.endpoint/key rather than endpoint/bucket/key')
  .option('--prefix <prefix>', 'R2: only keys under this prefix')
  .option('--bucket-name <name>', "R2: the bucket's name, for its event notifications")
  .option('--sitemap <url>', 'web: a sitemap whose pages are read too')
  .option('--max-depth <n>', 'web: links followed from the start URL')
  .option('--max-pages <n>', 'web: pages at most')
  .option('--include <glob>', 'only keys (or URL paths) matching; repeatable', collect)
  .option('--exclude <glob>', 'skip keys (or URL paths) matching; repeatable', collect)
  .option('--every <minutes>', 'sync on a schedule too')
  .option('--no-wait', 'do not wait for the first sync')
  .action(run((type, name, location, o) => addSource(api(), out, type, name, location, o)))
workspaceOption(source.command('ls'))
  .description("the workspace's sources and their last sync")
  .option('--json', 'print the source objects as JSON')
  .action(run((o) => listSources(api(), out, o)))
source
  .command('sync')
  .argument('<id>', 'source id')
  .description('sync a source now')
  .option('--no-wait', 'do not wait for the sync to end')
  .action(run((id, o) => syncSource(api(), out, id, o)))
source
  .command('rm')
  .argument('<id>', 'source id')
  .description('disconnect a source; its files stay unless --delete-files')
  .option('--delete-files', 'delete the files it brought in too')
  .action(run((id, o) => removeSource(api(), out, id, o)))

const audit = program.command('audit').description("the org's audit log: who did what, and every answer's evidence")
const auditFilters = (cmd) =>
  cmd
    .option('--org <org>', 'the org (with the admin token)')
    .option('--action <actions>', 'only these actions, comma-separated (e.g. file.deleted,token.created)')
    .option('--actor <user>', "the acting user's id or email")
    .option('--workspace <id>', 'only this workspace')
    .option('--target <id>', 'a file, token, user or completion id')
    .option('--since <time>', 'from this time (ISO 8601 or Unix seconds)')
    .option('--until <time>', 'up to this time')
auditFilters(audit.command('ls', { isDefault: true }))
  .description('list events, newest first')
  .option('--limit <n>', 'how many', '50')
  .option('--json', 'print the event objects as JSON')
  .action(run((o) => listAudit(api(), out, o)))
auditFilters(audit.command('export'))
  .description('every matching event as JSON lines, oldest first')
  .option('-o, --output <file>', 'write to this file rather than the terminal')
  .action(run((o) => exportAudit(api(), out, o)))
audit
  .command('verify')
  .description("recompute the chain's hashes and report the first broken link (exit 1 if any)")
  .option('--org <org>', 'the org (with the admin token)')
  .action(run((o) => verifyAudit(api(), out, o)))

await program.parseAsync()
