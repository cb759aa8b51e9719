/** Types for `fetch-weights.mjs` (plain JavaScript, run by Node without a build). */
export type ResolvedModel = {
  id: string
  kind: 'embedding' | 'rerank'
  pooling: 'cls' | 'mean'
  maxTokens: number
  source: string
  modelPath: string
  tokenizerPath: string
  bytes: number
}
export type WantedModel = { spec: string; kind: 'embedding' | 'rerank' }
export function defaultModelsDir(env?: Record<string, string | undefined>): string
export function resolveModel(spec: string, options?: { modelsDir?: string; kind?: 'embedding' | 'rerank'; env?: Record<string, string | undefined> }): Promise<ResolvedModel>
export function wantedModels(env?: Record<string, string | undefined>): WantedModel[]
export function modelsPresent(wanted?: WantedModel[], modelsDir?: string): boolean
