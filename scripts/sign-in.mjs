#!/usr/bin/env node
/**
 * `npm run sign-in`: prints a new one-time console sign-in link for the local user that `npm start`
 * made, while Cairn runs. Takes the same `--port` and `--persist-to` as `npm start`.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { optionValue } from './lib/dev-vars.mjs'
import { signInLink } from './lib/sign-in-link.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const base = `http://localhost:${optionValue(args, '--port') ?? 8787}`
const stateFile = path.join(path.resolve(root, optionValue(args, '--persist-to') ?? '.wrangler/state'), 'cairn-local.json')

const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {}
if (!state.userToken) {
  console.error(`No local user yet (${stateFile}): run \`npm start\` first.`)
  process.exit(1)
}
signInLink(base, state.userToken).then(
  ({ url, minutes }) => console.log(`${url}\n(works once, within ${minutes} minutes)`),
  (err) => {
    console.error(`Could not make a sign-in link at ${base}: ${err.message}. Is \`npm start\` running?`)
    process.exit(1)
  },
)
