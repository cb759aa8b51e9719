/** Types for `http-api.mjs` (plain JavaScript, run by Node without a build). */
import type { RequestListener } from 'node:http'

/** What the HTTP surface needs of a loaded model (encoder.mjs's `loadEncoder` gives it). */
export type ServedEncoder = {
  id: string
  kind: string
  dimensions?: number
  embed?(texts: string[], options?: { signal?: AbortSignal }): Promise<{ vectors: Float32Array[]; tokens: number }>
  score?(query: string, passages: string[], options?: { signal?: AbortSignal }): Promise<{ scores: number[]; tokens: number }>
}
/** What the HTTP surface needs of the OCR engine (ocr.mjs's `loadOcr` gives it). */
export type ServedReader = {
  id: string
  read(image: Uint8Array, options?: { signal?: AbortSignal }): Promise<{ text: string; tokens: number }>
}
export function modelApi(models: { embedding: ServedEncoder; rerank: ServedEncoder | null; ocr?: ServedReader | null }): RequestListener
