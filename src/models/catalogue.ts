/**
 * @module What Cairn knows about embedding models it may be configured with: vector size, texts per
 * call, and the instruction a search query (or a passage) takes. Unknown models still work: their size
 * comes from EMBEDDING_DIMENSIONS or their first answer, and they get conservative batches and no instruction.
 */

export type EmbeddingFacts = {
  dimensions: number
  batchSize: number
  /** Put before a search query, never before a passage. */
  queryPrefix?: string
  /** Put before every passage embedded for the index (e5's "passage: "). */
  passagePrefix?: string
}

/** bge-*-en-v1.5's card: short queries retrieve better with this instruction; passages take none. */
const BGE_QUERY = 'Represent this sentence for searching relevant passages: '
/** qwen3-embedding's card: an instruction on queries only. */
const QWEN3_QUERY = 'Instruct: Given a search query, retrieve relevant passages that answer the query\nQuery: '
/** e5-*-v2's card: "query: " before queries and "passage: " before passages, or quality drops. */
const E5_QUERY = 'query: '
const E5_PASSAGE = 'passage: '
/** embeddinggemma's card: a task prefix on queries. */
const GEMMA_QUERY = 'task: search result | query: '

/**
 * Workers AI's text-embedding models (PLATFORM.md §2): bge takes at most 100 texts per call,
 * qwen3-embedding 32. bge-m3's and embeddinggemma's sizes are their upstream ones.
 */
export const WORKERS_AI_EMBEDDINGS: Record<string, EmbeddingFacts> = {
  '@cf/baai/bge-small-en-v1.5': { dimensions: 384, batchSize: 100, queryPrefix: BGE_QUERY },
  '@cf/baai/bge-base-en-v1.5': { dimensions: 768, batchSize: 100, queryPrefix: BGE_QUERY },
  '@cf/baai/bge-large-en-v1.5': { dimensions: 1024, batchSize: 100, queryPrefix: BGE_QUERY },
  '@cf/baai/bge-m3': { dimensions: 1024, batchSize: 100 },
  '@cf/qwen/qwen3-embedding-0.6b': { dimensions: 1024, batchSize: 32, queryPrefix: QWEN3_QUERY },
  '@cf/google/embeddinggemma-300m': { dimensions: 768, batchSize: 32, queryPrefix: GEMMA_QUERY },
}

/** For a Workers AI model not listed: the smallest documented batch. */
export const WORKERS_AI_DEFAULT_BATCH = 32

/** OpenAI's own models; other OpenAI-compatible servers serve whatever they host. */
export const OPENAI_EMBEDDINGS: Record<string, EmbeddingFacts> = {
  'text-embedding-3-small': { dimensions: 1536, batchSize: 256 },
  'text-embedding-3-large': { dimensions: 3072, batchSize: 256 },
  'text-embedding-ada-002': { dimensions: 1536, batchSize: 256 },
}

/**
 * Open models as self-hosted servers name them (Cairn's local model server, TEI, vLLM, Infinity), looked
 * up by the name after any owner prefix, case aside: `BAAI/bge-small-en-v1.5` is `bge-small-en-v1.5`.
 * A CPU server takes a batch of 32 passages of 512 tokens in a second or two, well inside one attempt's
 * deadline. all-MiniLM-L6-v2 was trained without instructions; e5 wants one on both sides.
 */
export const SELF_HOSTED_EMBEDDINGS: Record<string, EmbeddingFacts> = {
  'bge-small-en-v1.5': { dimensions: 384, batchSize: 32, queryPrefix: BGE_QUERY },
  'bge-base-en-v1.5': { dimensions: 768, batchSize: 32, queryPrefix: BGE_QUERY },
  'bge-large-en-v1.5': { dimensions: 1024, batchSize: 32, queryPrefix: BGE_QUERY },
  'all-minilm-l6-v2': { dimensions: 384, batchSize: 32 },
  'e5-small-v2': { dimensions: 384, batchSize: 32, queryPrefix: E5_QUERY, passagePrefix: E5_PASSAGE },
  'e5-base-v2': { dimensions: 768, batchSize: 32, queryPrefix: E5_QUERY, passagePrefix: E5_PASSAGE },
  'e5-large-v2': { dimensions: 1024, batchSize: 32, queryPrefix: E5_QUERY, passagePrefix: E5_PASSAGE },
}

/**
 * What is known of a model an OpenAI-compatible endpoint serves: OpenAI's own by exact id, open
 * models by their name without owner prefix.
 * @example openAiCompatibleEmbeddingFacts('BAAI/bge-small-en-v1.5')?.queryPrefix // 'Represent this sentence…'
 */
export function openAiCompatibleEmbeddingFacts(modelId: string): EmbeddingFacts | undefined {
  return OPENAI_EMBEDDINGS[modelId] ?? SELF_HOSTED_EMBEDDINGS[modelId.slice(modelId.lastIndexOf('/') + 1).toLowerCase()]
}

/** OpenAI accepts 2048 inputs per call; self-hosted servers (vLLM, Ollama) are happier with fewer. */
export const OPENAI_DEFAULT_BATCH = 64

/**
 * Vision models that read text and nothing else: OCR engines behind an OpenAI-compatible chat API,
 * such as the local model server's `tesseract-eng`. Known by the name after any owner prefix.
 */
export const readsTextOnly = (modelId: string) => /^tesseract(-|$)/i.test(modelId.slice(modelId.lastIndexOf('/') + 1))

/** Models that shorten their vectors on request (OpenAI's `dimensions` parameter). */
export const shortensOnRequest = (modelId: string) => /^text-embedding-3-/.test(modelId)
