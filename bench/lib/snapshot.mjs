/**
 * @module A frozen copy of the work tree for a benchmark to serve from: wrangler dev reloads the
 * Workers whenever a source file changes, and a tree others are editing would reload mid-measure.
 * The copy holds the tracked and untracked files (not the ignored ones), shares `node_modules`, and
 * finds `../shared` beside it as the tree does.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs'
import path from 'node:path'

/** Copies `root` into `target` (emptied first) and returns `target`. */
export function snapshotTree(root, target) {
  rmSync(target, { recursive: true, force: true })
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  let copied = 0
  for (const file of listed.split('\0')) {
    const from = path.join(root, file)
    // `-c` also lists tracked files deleted in the work tree.
    // A node_modules symlink is not matched by `node_modules/` in .gitignore; it is linked below.
    if (!file || !existsSync(from) || file === 'node_modules') continue
    const to = path.join(target, file)
    mkdirSync(path.dirname(to), { recursive: true })
    copyFileSync(from, to)
    copied++
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(target, 'node_modules'), 'dir')
  const shared = path.resolve(root, '../shared')
  const sharedBeside = path.resolve(target, '../shared')
  if (existsSync(shared) && !existsSync(sharedBeside)) symlinkSync(shared, sharedBeside, 'dir')
  return { root: target, files: copied }
}
