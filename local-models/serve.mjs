#!/usr/bin/env node
/**
 * @module The local model server: one embedding model (and a cross-encoder when one is named), and
 * Tesseract reading the text in images, behind an OpenAI-compatible API on 127.0.0.1, for Cairn's
 * BYOM adapters. Prints one ready line.
 *
 * Run:  node local-models/serve.mjs [--port 8790] [--embedding NAME|hf:ORG/REPO|DIR] [--rerank …] [--models-dir DIR] [--no-ocr]
 *       defaults: LOCAL_EMBEDDING_MODEL (else the catalog default), LOCAL_RERANK_MODEL (else none),
 *       OCR on unless LOCAL_OCR=off
 */
import http from 'node:http'
import { loadEncoder } from './encoder.mjs'
import { defaultModelsDir, resolveModel, wantedModels } from './fetch-weights.mjs'
import { modelApi } from './http-api.mjs'
import { loadOcr } from './ocr.mjs'

function option(args, name) {
  const at = args.indexOf(name)
  if (at >= 0) return args[at + 1]
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1)
}

async function main() {
  const args = process.argv.slice(2)
  const modelsDir = option(args, '--models-dir') ?? defaultModelsDir()
  const wanted = wantedModels()
  const embeddingSpec = option(args, '--embedding') ?? wanted[0].spec
  const rerankSpec = option(args, '--rerank') ?? wanted.find((w) => w.kind === 'rerank')?.spec
  const embedding = await loadEncoder(await resolveModel(embeddingSpec, { modelsDir, kind: 'embedding' }))
  const rerank = rerankSpec ? await loadEncoder(await resolveModel(rerankSpec, { modelsDir, kind: 'rerank' })) : null
  const ocr = args.includes('--no-ocr') || /^(off|0|false|no)$/i.test(process.env.LOCAL_OCR ?? '') ? null : await loadOcr()
  const server = http.createServer(modelApi({ embedding, rerank, ocr }))
  server.listen(Number(option(args, '--port') ?? 8790), option(args, '--host') ?? '127.0.0.1', () => {
    const { address, port } = server.address()
    const reranker = rerank ? `rerank ${rerank.id}` : 'no reranker'
    const reader = ocr ? `; OCR ${ocr.id}` : ''
    console.log(`Local models ready at http://${address}:${port}/v1 (embedding ${embedding.id}, ${embedding.dimensions} dimensions; ${reranker}${reader})`)
  })
  const stop = () => server.close(async () => {
    await ocr?.close()
    process.exit(0)
  })
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((err) => {
  console.error(`local models failed to start: ${err.message}`)
  process.exit(1)
})
