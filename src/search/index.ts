/**
 * @module Search's public surface: hybrid retrieval and its pieces (the lexical arm, rank fusion,
 * reading a question from chat messages, the citation fields of a hit and the boxes around its
 * text on the page) and the workspace reader,
 * the one port through which the agent searches and reads pages. SQL over the chunk tables stays inside.
 */
export type { ChunkHit, SearchScope } from './chunk-hits'
export { evidenceFields } from './evidence'
export type { EvidenceFields } from './evidence'
export { locatePassages, withBoxes } from './evidence-boxes'
export type { PassageRequest } from './evidence-boxes'
export { ftsQuery, MAX_QUERY_TERMS, queryWords, STOP_WORDS } from './fts-query'
export type { FtsQuery } from './fts-query'
export { BM25_WEIGHTS, lexicalSearch } from './lexical'
export type { LexicalRequest } from './lexical'
export type { Box } from './page-layout'
export { d1PageReader } from './page-reader'
export type { ListedFile, PageReader, PageSource } from './page-reader'
export { QuestionError, readQuestion } from './question'
export type { ChatMessage, ContentPart, Question } from './question'
export { reciprocalRankFusion, RRF_K } from './rank-fusion'
export type { Fused, FusionOptions } from './rank-fusion'
export { DEFAULT_TOP_K, FUSION_DEPTH, MAX_TOP_K, retrieve } from './retrieve'
export type { ArmHit, ArmRequest, PhaseTimer, Rerank, RetrievedChunk, RetrieveOptions, RetrieveRequest, SearchArm } from './retrieve'
export { workspaceReader } from './workspace-reader'
export type { WorkspaceReader } from './workspace-reader'
export { searchWorkspace } from './workspace-search'
export type { WorkspaceSearchDeps } from './workspace-search'
