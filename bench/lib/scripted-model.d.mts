/** The scripted reasoning model (scripted-model.mjs), for TypeScript callers such as the console's browser test. */
import type { Server } from 'node:http'
export declare function serveScriptedModel(options: { latencyMs: number }): Promise<{ url: string; server: Server }>
export declare function startScriptedModel(options: { latencyMs: number }): Promise<{ url: string; calls(): Promise<Record<string, unknown[]>>; close(): void }>
export declare function scriptedTurn(request: unknown): { content?: string; toolCalls?: Array<{ name: string; arguments: unknown }> }
