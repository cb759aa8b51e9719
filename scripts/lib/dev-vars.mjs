/**
 * @module Reading `.dev.vars` (dotenv syntax) and command-line options, for the local scripts.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

export function readDevVars(root) {
  const file = path.join(root, '.dev.vars')
  if (!existsSync(file)) return {}
  const vars = {}
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (!match || line.trimStart().startsWith('#')) continue
    let value = match[2]
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1)
    vars[match[1]] = value
  }
  return vars
}

/** The value of `--name value` or `--name=value` in args, or undefined. */
export function optionValue(args, name) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1]
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1)
  }
  return undefined
}
