/**
 * @module A namespace's vectors decoded once and kept in the isolate's memory, for the D1 vector
 * store: reading every vector out of D1 for each question costs a page of hex per 256 of them
 * (about 300 ms for 6,600 vectors under `npm start`), while scoring them from memory takes a few
 * milliseconds. A snapshot is good while the namespace's stamp (`vector_stamps.version`, replaced in
 * the same batch as every upsert and delete) is what it was when the snapshot was read; another
 * isolate's writes replace it too, so both Workers stay exact. Memory is bounded: a namespace too big
 * for the budget is not kept (the store then reads it page by page, as before), and the least
 * recently used snapshots make room for new ones.
 */

/** Floats kept in all: 32 MB, a quarter of a Worker's 128 MB (about 21,000 vectors of 384 dimensions). */
export const SNAPSHOT_FLOATS = 8 * 1024 * 1024

export type Snapshot = {
  /** The namespace's stamp when its rows were read ('' when it had none). */
  version: string
  dimensions: number
  ids: string[]
  fileIds: string[]
  /** Each row's metadata as stored (JSON), parsed only when a filter must be checked. */
  metadata: string[]
  /** Row-major, `dimensions` floats a row, each row scaled to unit length (so a dot product is the cosine). */
  unit: Float32Array
}

/** Snapshots by namespace and vector size, least recently used first (a Map keeps insertion order). */
export class SnapshotCache {
  private readonly kept = new Map<string, Snapshot>()
  private floats = 0

  constructor(private readonly budget = SNAPSHOT_FLOATS) {}

  /** Whether `rows` vectors of `dimensions` floats may be kept at all. */
  fits(rows: number, dimensions: number): boolean {
    return rows * dimensions <= this.budget
  }

  /** The snapshot of `namespace` at `version`, if one is kept; a stale one is dropped. */
  get(namespace: string, dimensions: number, version: string): Snapshot | undefined {
    const key = `${dimensions}:${namespace}`
    const snapshot = this.kept.get(key)
    if (!snapshot) return undefined
    this.kept.delete(key)
    if (snapshot.version !== version) {
      this.floats -= snapshot.unit.length
      return undefined
    }
    this.kept.set(key, snapshot)
    return snapshot
  }

  put(namespace: string, snapshot: Snapshot): void {
    const key = `${snapshot.dimensions}:${namespace}`
    const old = this.kept.get(key)
    if (old) {
      this.kept.delete(key)
      this.floats -= old.unit.length
    }
    if (snapshot.unit.length > this.budget) return
    for (const [k, s] of this.kept) {
      if (this.floats + snapshot.unit.length <= this.budget) break
      this.kept.delete(k)
      this.floats -= s.unit.length
    }
    this.kept.set(key, snapshot)
    this.floats += snapshot.unit.length
  }
}

/**
 * Builds a snapshot from rows read in order, each scaled to unit length as it arrives and written
 * straight into one block sized for the rows counted beforehand (grown if writes added more
 * meanwhile), so reading a namespace never holds its vectors twice.
 */
export class SnapshotBuilder {
  private readonly ids: string[] = []
  private readonly fileIds: string[] = []
  private readonly metadata: string[] = []
  private unit: Float32Array

  constructor(
    private readonly version: string,
    private readonly dimensions: number,
    expectedRows = 0,
  ) {
    this.unit = new Float32Array(Math.max(1, expectedRows) * dimensions)
  }

  add(id: string, fileId: string, metadata: string, vector: Float32Array): void {
    const d = this.dimensions
    const at = this.ids.length * d
    if (at + d > this.unit.length) {
      const grown = new Float32Array(this.unit.length * 2)
      grown.set(this.unit)
      this.unit = grown
    }
    let norm = 0
    for (let j = 0; j < d; j++) norm += vector[j]! * vector[j]!
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
    for (let j = 0; j < d; j++) this.unit[at + j] = vector[j]! * scale
    this.ids.push(id)
    this.fileIds.push(fileId)
    this.metadata.push(metadata)
  }

  build(): Snapshot {
    const rows = this.ids.length * this.dimensions
    return {
      version: this.version,
      dimensions: this.dimensions,
      ids: this.ids,
      fileIds: this.fileIds,
      metadata: this.metadata,
      unit: rows === this.unit.length ? this.unit : this.unit.slice(0, rows),
    }
  }
}

/** Cosine of `query` with row `row` of the snapshot (the row is unit length already). */
export function rowCosine(snapshot: Snapshot, row: number, query: Float32Array, queryNorm: number): number {
  if (queryNorm === 0) return 0
  const d = snapshot.dimensions
  const unit = snapshot.unit
  let dot = 0
  for (let j = 0, at = row * d; j < d; j++, at++) dot += unit[at]! * query[j]!
  return dot / queryNorm
}
