/**
 * @module The chunk index port: where a workspace's chunks, their FTS5 index and the file fields the
 * filter reads are kept, written and searched. Two places answer it — D1's own tables (the single
 * index every installation started with) and `IndexShard` Durable Objects (shards/), chosen per
 * workspace by its placement (shards/placement.ts) — and nothing else reads the chunk tables.
 *
 * D1's `files` stays the truth about a file; an index holds a copy of the fields a search needs and is
 * told when they change (`publish`). Writes are ordered so that the copy can lag but never show more
 * than D1 allows: a part's chunks are written before D1 records the part, a file is published as
 * `processed` after D1 says so, and a deleted file's chunks go before its row.
 */
import type { ChunkHit, SearchScope } from './chunk-hits'
import type { ChunkRef, IndexedFile } from './chunk-rows'
import type { Chunk } from '../ingest/segment'
import type { LexicalRequest } from './lexical'
import type { ChunkReads } from './page-reader'

/** The lexical arm's hits, and how many rows its statements read (every shard's, summed). */
export type LexicalAnswer = { hits: ChunkHit[]; rowsRead: number }

/** A file as the index knows where to find it. */
export type FileAt = { id: string; orgId: string; workspaceId: string }

/** A chunk of a file's opening, for reading what the file is about (metadata extraction). */
export type ExcerptChunk = { text: string; page: number | null; tokens: number }

export type ChunkIndex = ChunkReads & {
  /** The lexical arm (lexical.ts): the best `limit` chunks in scope by BM25, higher score first, and the rows it read. */
  lexical(request: LexicalRequest): Promise<LexicalAnswer>
  /** Chunks another arm named, in its order, those outside the scope (or gone) left out (chunk-hits.ts). */
  load(scope: SearchScope, found: ReadonlyArray<{ chunkId: string; score: number }>): Promise<ChunkHit[]>
  /** A file's first chunks in reading order, at most `limit`, whatever its status. */
  excerpt(file: FileAt, limit: number): Promise<ExcerptChunk[]>
  /** Replaces the chunks of one part of a file with these (none: the part has no text). */
  writePart(file: IndexedFile, part: number, chunks: readonly Chunk[]): Promise<void>
  /** Copies D1's current fields of these files (status, metadata, name…) to wherever their chunks are. */
  publish(files: readonly FileAt[]): Promise<void>
  /** Removes every chunk of these files, and their copies; returns the chunks removed, for their vectors. */
  removeFiles(files: readonly FileAt[]): Promise<ChunkRef[]>
}
