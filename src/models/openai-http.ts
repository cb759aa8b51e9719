/**
 * @module The two OpenAI-compatible endpoints `@ai-sdk/openai-compatible` does not cover, as AI SDK
 * models: speech-to-text (`POST /audio/transcriptions`, OpenAI's, also served by vLLM and
 * whisper servers) and reranking (`POST /rerank`, the Cohere/Jina shape that vLLM and TEI serve).
 * Failures are `APICallError`s with their status, so retry.ts treats them like the SDK's own.
 */
import { APICallError } from 'ai'
import type { RerankingModelV3, TranscriptionModelV3 } from './ports'

export type HttpSettings = { baseUrl: string; apiKey: string | null; fetch: typeof fetch }

function headers(settings: HttpSettings, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}), ...extra }
}

async function post(settings: HttpSettings, path: string, body: BodyInit, init: { headers?: Record<string, string>; signal?: AbortSignal | undefined; requestBodyValues: unknown }): Promise<unknown> {
  const url = `${settings.baseUrl}${path}`
  let response: Response
  try {
    response = await settings.fetch(url, { method: 'POST', body, headers: headers(settings, init.headers), ...(init.signal ? { signal: init.signal } : {}) })
  } catch (err) {
    if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) throw err
    // A refused or reset connection: retryable, as the SDK's own fetches treat it.
    throw new APICallError({ message: `Cannot reach ${url}: ${err instanceof Error ? err.message : String(err)}`, url, requestBodyValues: init.requestBodyValues, isRetryable: true, cause: err })
  }
  const text = await response.text()
  if (!response.ok) {
    throw new APICallError({
      message: `${response.status} ${response.statusText} from ${url}: ${text.slice(0, 500)}`,
      url,
      requestBodyValues: init.requestBodyValues,
      statusCode: response.status,
      responseHeaders: Object.fromEntries(response.headers),
      responseBody: text,
    })
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new APICallError({ message: `${url} answered something that is not JSON`, url, requestBodyValues: init.requestBodyValues, statusCode: response.status, responseBody: text, isRetryable: false, cause: err })
  }
}

type VerboseTranscription = {
  text?: string
  language?: string
  duration?: number
  segments?: Array<{ start?: number; end?: number; text?: string }>
}

const EXTENSIONS: Record<string, string> = { 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/wave': 'wav', 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/flac': 'flac', 'audio/mp4': 'm4a' }

/** `POST {base}/audio/transcriptions`, multipart, `response_format=verbose_json` for segments. */
export function openAiTranscriptionModel(modelId: string, settings: HttpSettings, language?: string): TranscriptionModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'openai-compatible.transcription',
    modelId,
    async doGenerate({ audio, mediaType, abortSignal }) {
      const bytes = typeof audio === 'string' ? Uint8Array.from(atob(audio), (c) => c.charCodeAt(0)) : audio
      const form = new FormData()
      form.append('model', modelId)
      form.append('file', new File([bytes], `audio.${EXTENSIONS[mediaType] ?? 'bin'}`, { type: mediaType }))
      form.append('response_format', 'verbose_json')
      if (language) form.append('language', language)
      const body = (await post(settings, '/audio/transcriptions', form, { signal: abortSignal, requestBodyValues: { model: modelId, mediaType, language } })) as VerboseTranscription
      return {
        text: body.text ?? '',
        segments: (body.segments ?? []).map((s) => ({ text: s.text ?? '', startSecond: s.start ?? 0, endSecond: s.end ?? s.start ?? 0 })),
        language: body.language,
        durationInSeconds: body.duration,
        warnings: [],
        response: { timestamp: new Date(), modelId, body },
      }
    },
  }
}

type RerankBody = { results?: Array<{ index: number; relevance_score?: number; score?: number }> }

/** `POST {base}/rerank` with `{ model, query, documents, top_n }` → `{ results: [{ index, relevance_score }] }`. */
export function openAiRerankingModel(modelId: string, settings: HttpSettings): RerankingModelV3 {
  return {
    specificationVersion: 'v3',
    provider: 'openai-compatible.rerank',
    modelId,
    async doRerank({ documents, query, topN, abortSignal }) {
      const texts = documents.type === 'text' ? documents.values : documents.values.map((v) => JSON.stringify(v))
      const request = { model: modelId, query, documents: texts, ...(topN ? { top_n: topN } : {}) }
      const body = (await post(settings, '/rerank', JSON.stringify(request), {
        headers: { 'content-type': 'application/json' },
        signal: abortSignal,
        requestBodyValues: request,
      })) as RerankBody
      if (!Array.isArray(body.results)) {
        throw new APICallError({ message: `${settings.baseUrl}/rerank answered without "results"`, url: `${settings.baseUrl}/rerank`, requestBodyValues: request, isRetryable: false })
      }
      return { ranking: body.results.map((r) => ({ index: r.index, relevanceScore: r.relevance_score ?? r.score ?? 0 })) }
    },
  }
}
