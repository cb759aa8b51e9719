/**
 * @module The scripted model server's embedder, shared with tests that predict its answers: a bag of
 * words hashed into a fixed number of counts, so texts sharing words are close by cosine.
 */

/** Dimensions of the default embeddings. */
export const EMBEDDING_DIMENSIONS = 256

/** Words of three letters or more, lower-cased, each hashed (FNV-1a) to one of `dimensions` counts. */
export function bagOfWords(text: string, dimensions = EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0)
  for (const word of text.toLowerCase().match(/\p{L}{3,}/gu) ?? []) {
    let hash = 0x811c9dc5
    for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193) >>> 0
    vector[hash % dimensions]! += 1
  }
  // Never all zeros: cosine needs a length.
  vector[0]! += 0.01
  return vector
}
