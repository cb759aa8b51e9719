/**
 * How the CLI writes: colours and progress bars only on a terminal; plain lines when piped, so a
 * script reading the output never meets an escape code.
 */
import pc from 'picocolors'

export function output(stream = process.stdout, env = process.env) {
  const tty = Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb'
  const colors = pc.createColors(tty)
  return { tty, colors, line: (text = '') => stream.write(`${text}\n`), write: (text) => stream.write(text) }
}
