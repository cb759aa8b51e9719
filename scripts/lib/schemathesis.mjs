/**
 * @module Schemathesis for the API fuzzer: installed once into `.venv-fuzz` at the pinned versions of
 * `scripts/fuzz/requirements.txt`, run as a child process, and its JUnit report read back as a summary.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const sh = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', ...options })

/**
 * The `st` command of the project's venv, (re)installed when the pinned requirements changed.
 * Needs Python ≥ 3.10 with `venv`; pip reaches PyPI.
 */
export function ensureSchemathesis(root) {
  const venv = path.join(root, '.venv-fuzz')
  const requirements = path.join(root, 'scripts', 'fuzz', 'requirements.txt')
  const stamp = path.join(venv, '.requirements')
  const st = path.join(venv, 'bin', 'st')
  const wanted = readFileSync(requirements, 'utf8')
  if (existsSync(st) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return st

  const python = process.env.PYTHON ?? 'python3'
  console.log(`Installing schemathesis into ${path.relative(root, venv)} (pinned in ${path.relative(root, requirements)})…`)
  for (const [command, args] of [
    [python, ['-m', 'venv', '--clear', venv]],
    [path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', requirements]],
  ]) {
    const result = sh(command, args, { stdio: 'inherit' })
    if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${result.status ?? result.error?.message})`)
  }
  writeFileSync(stamp, wanted)
  return st
}

/** Runs `st` with its output on ours; resolves with its exit code, or null when it ran past `timeoutMs` and was stopped. */
export function runSchemathesis(st, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, { cwd, env, stdio: 'inherit', detached: true })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, timeoutMs)
    const forward = (signal) => {
      try {
        process.kill(-child.pid, signal)
      } catch {}
    }
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      resolve(timedOut ? null : code)
    })
  })
}

const unescapeXml = (s) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')

/**
 * One line per failing operation from the JUnit report: the checks that failed and the statuses seen.
 * Schemathesis prints every detail above; this is the short list to read first.
 */
export function summarizeJunit(reportDir) {
  const file = existsSync(reportDir) && readdirSync(reportDir).find((f) => f.startsWith('junit') && f.endsWith('.xml'))
  if (!file) return null
  const xml = readFileSync(path.join(reportDir, file), 'utf8')
  const lines = []
  for (const testcase of xml.split('<testcase ').slice(1)) {
    const name = unescapeXml(/^name="([^"]*)"/.exec(testcase)?.[1] ?? '?')
    const problems = new Set()
    for (const [, kind, body] of testcase.matchAll(/<(failure|error)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
      const text = unescapeXml(body)
      if (kind === 'error') problems.add(`error: ${text.split('\n').find((l) => l.trim())?.trim() ?? 'runtime error'}`)
      // One failure element may hold several test cases, each with its checks and the status it got.
      for (const testCase of text.split(/^\d+\. Test Case ID/m)) {
        const status = /^\[(\d{3})\]/m.exec(testCase)?.[1]
        for (const [, title] of testCase.matchAll(/^- (.+)$/gm)) problems.add(`${title.trim()}${status ? ` (${status})` : ''}`)
      }
    }
    if (problems.size > 0) lines.push(`  ${name}: ${[...problems].join('; ')}`)
  }
  return lines
}
