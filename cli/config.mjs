/**
 * Where the CLI keeps its URL and token: `$CAIRN_CONFIG_DIR`, else `$XDG_CONFIG_HOME/cairn`, else
 * `~/.config/cairn`, in `config.json` readable by its owner only (0600). `CAIRN_URL` and
 * `CAIRN_TOKEN` in the environment take precedence, for scripts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

export function configDir(env = process.env) {
  return env.CAIRN_CONFIG_DIR || path.join(env.XDG_CONFIG_HOME || path.join(homedir(), '.config'), 'cairn')
}

const configFile = (env) => path.join(configDir(env), 'config.json')

export function readConfig(env = process.env) {
  const file = configFile(env)
  const saved = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
  return { url: env.CAIRN_URL || saved.url || 'http://localhost:8787', token: env.CAIRN_TOKEN || saved.token || null }
}

export function saveConfig(config, env = process.env) {
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 })
  const file = configFile(env)
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  // An existing file keeps its old mode on write: set it again.
  chmodSync(file, 0o600)
  return file
}

export function forgetConfig(env = process.env) {
  rmSync(configFile(env), { force: true })
}
