/**
 * @module Cuts the children of one big XML element (a sheet's rows, a document's body, the
 * shared strings) into runs of whole elements, so each run is parsed on its own and a 16 MB
 * part never becomes a 300 MB tree in a 128 MB isolate. It only finds tag boundaries; the
 * parsing itself stays with the safe XML parser.
 */

/** Tags, comments, CDATA and processing instructions; attribute values may hold `>`. */
const MARKUP = /<(?:!--[\s\S]*?--|!\[CDATA\[[\s\S]*?\]\]|\?[\s\S]*?\?|(\/?)[^\s/>!?]+(?:"[^"]*"|'[^']*'|[^'">])*?(\/?))>/g

export type ContainerSplit = {
  /** The text with the container's content taken out (what lies around it, e.g. merged cells). */
  outside: string
  /** Runs of the container's children, each about `batchChars` long (a single child may be longer). */
  batches: Iterable<string>
}

/**
 * Finds the first element whose local name is `container` and splits its content into runs of
 * whole children. Returns `undefined` when there is no such element.
 */
export function splitContainer(text: string, container: string, batchChars: number): ContainerSplit | undefined {
  const open = new RegExp(`<(?:[\\w.-]+:)?${container}(?=[\\s/>])(?:"[^"]*"|'[^']*'|[^'">])*>`, 'g')
  const start = open.exec(text)
  if (!start) return undefined
  const contentStart = start.index + start[0].length
  if (start[0].endsWith('/>')) return { outside: text, batches: [] }
  const contentEnd = findClose(text, contentStart)
  return {
    outside: text.slice(0, contentStart) + text.slice(contentEnd),
    batches: runs(text, contentStart, contentEnd, batchChars),
  }
}

/** Where the element whose content starts at `from` closes (the end of the text if it never does). */
function findClose(text: string, from: number): number {
  let depth = 0
  MARKUP.lastIndex = from
  for (let m = MARKUP.exec(text); m; m = MARKUP.exec(text)) {
    if (m[1] === undefined) continue
    if (m[1] === '/') {
      if (depth === 0) return m.index
      depth--
    } else if (m[2] !== '/') depth++
  }
  return text.length
}

function* runs(text: string, from: number, to: number, batchChars: number): Generator<string> {
  let depth = 0
  let runStart = from
  let lastChildEnd = from
  const markup = new RegExp(MARKUP.source, 'g')
  markup.lastIndex = from
  for (let m = markup.exec(text); m && m.index < to; m = markup.exec(text)) {
    if (m[1] === undefined) continue
    if (m[1] === '/') depth--
    else if (m[2] !== '/') depth++
    if (depth > 0) continue
    lastChildEnd = m.index + m[0].length
    if (lastChildEnd - runStart >= batchChars) {
      yield text.slice(runStart, lastChildEnd)
      runStart = lastChildEnd
    }
  }
  if (lastChildEnd > runStart) yield text.slice(runStart, lastChildEnd)
}
