#!/usr/bin/env node
/**
 * Builds the web console to static files in `console/dist/`, which the API Worker serves at `/`
 * (Workers Static Assets). Preact + esbuild: a few kilobytes of runtime, one bundle, no dev server.
 * Runs from `npm install` (postinstall), `npm start` and the test setup, so no one runs it by hand.
 * Run:  node console/build.mjs   (prints the files and their sizes)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const CONSOLE_DIST = path.join(here, 'dist')

/** Builds the console; returns the output files' sizes in bytes, by path relative to `dist/`. */
export async function buildConsole({ quiet = false } = {}) {
  // esbuild is loaded only when building, so importing this module stays cheap.
  const { build } = await import('esbuild')
  mkdirSync(path.join(CONSOLE_DIST, 'console'), { recursive: true })
  const result = await build({
    entryPoints: { app: path.join(here, 'src/main.tsx'), style: path.join(here, 'src/style.css') },
    outdir: path.join(CONSOLE_DIST, 'console'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    write: false,
    logLevel: quiet ? 'error' : 'warning',
  })
  // A file is written only when it changed: several `npm start`s (tests run them side by side) may
  // build at once while others serve these files, and wrangler reloads on every write it sees.
  const writeIfChanged = (file, contents) => {
    if (!existsSync(file) || !readFileSync(file).equals(Buffer.from(contents))) writeFileSync(file, contents)
  }
  for (const out of result.outputFiles) writeIfChanged(out.path, out.contents)
  writeIfChanged(path.join(CONSOLE_DIST, 'index.html'), readFileSync(path.join(here, 'index.html')))
  const sizes = Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, out]) => [path.relative(CONSOLE_DIST, file), out.bytes]))
  if (!quiet) for (const [file, bytes] of Object.entries(sizes)) console.log(`console/dist/${file}  ${(bytes / 1024).toFixed(1)} KB`)
  return sizes
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildConsole().catch((err) => {
    console.error(`The console did not build: ${err.message}`)
    process.exit(1)
  })
}
