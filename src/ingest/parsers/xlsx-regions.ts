/**
 * @module Finds the tables on a sheet: groups of touching non-empty cells (side by side or
 * stacked tables, a title above a table, come apart), with groups whose bounding boxes overlap
 * merged back so a sparse table stays whole.
 */

export type CellMap = Map<number, string>

/** Rows and columns of a region, 1-based and inclusive. */
export type Region = { top: number; bottom: number; left: number; right: number }

const COLS = 1 << 15
/** XFD, the last column a sheet can have. */
export const MAX_COLUMN = 16_384

export const cellKey = (row: number, col: number) => row * COLS + col

export const cellPosition = (key: number) => ({ row: Math.floor(key / COLS), col: key % COLS })

/** Past this many fragments the sheet is read as one region: merging is quadratic. */
const MAX_REGIONS = 200

export function findRegions(cells: CellMap): Region[] {
  const seen = new Set<number>()
  let regions: Region[] = []
  for (const start of cells.keys()) {
    if (seen.has(start)) continue
    const region = floodFill(cells, start, seen)
    regions.push(region)
    if (regions.length > MAX_REGIONS) return [boundingBox(cells)]
  }
  regions = mergeOverlapping(regions)
  return regions.sort((a, b) => a.top - b.top || a.left - b.left)
}

function floodFill(cells: CellMap, start: number, seen: Set<number>): Region {
  const region: Region = { top: Infinity, bottom: 0, left: Infinity, right: 0 }
  const stack = [start]
  seen.add(start)
  while (stack.length) {
    const key = stack.pop()!
    const col = key % COLS
    widen(region, key)
    for (const next of [key - COLS, key + COLS, col > 1 ? key - 1 : -1, col < MAX_COLUMN ? key + 1 : -1]) {
      if (next >= 0 && !seen.has(next) && cells.has(next)) {
        seen.add(next)
        stack.push(next)
      }
    }
  }
  return region
}

function overlaps(a: Region, b: Region): boolean {
  return a.left <= b.right && b.left <= a.right && a.top <= b.bottom && b.top <= a.bottom
}

function mergeOverlapping(regions: Region[]): Region[] {
  let merged = true
  while (merged) {
    merged = false
    outer: for (let i = 0; i < regions.length; i++) {
      for (let j = i + 1; j < regions.length; j++) {
        const [a, b] = [regions[i]!, regions[j]!]
        if (!overlaps(a, b)) continue
        regions[i] = {
          top: Math.min(a.top, b.top),
          bottom: Math.max(a.bottom, b.bottom),
          left: Math.min(a.left, b.left),
          right: Math.max(a.right, b.right),
        }
        regions.splice(j, 1)
        merged = true
        break outer
      }
    }
  }
  return regions
}

/** Grows a region to include the cell at `key`. */
function widen(region: Region, key: number): void {
  const row = Math.floor(key / COLS)
  const col = key % COLS
  region.top = Math.min(region.top, row)
  region.bottom = Math.max(region.bottom, row)
  region.left = Math.min(region.left, col)
  region.right = Math.max(region.right, col)
}

function boundingBox(cells: CellMap): Region {
  const region: Region = { top: Infinity, bottom: 0, left: Infinity, right: 0 }
  for (const key of cells.keys()) widen(region, key)
  return region
}
