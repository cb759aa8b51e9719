/**
 * @module Reading the words in a picture with Tesseract (tesseract.js: the engine compiled to
 * WebAssembly, English weights from `@tesseract.js-data/eng`, both from npm, so nothing is fetched at
 * run time). It is the local server's vision model: it reads text, it does not describe pictures.
 * One engine, one picture at a time, so memory stays bounded under load.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import { createWorker, OEM } from 'tesseract.js'

const require = createRequire(import.meta.url)

/** The id the server answers to; Cairn's catalogue knows it as a reader of text only. */
export const OCR_MODEL_ID = 'tesseract-eng'

/**
 * The integer-quantised LSTM weights ("best_int"): more accurate than "fast" on scans of small print,
 * about as quick on CPU.
 */
const LANG_DIR = '4.0.0_best_int'

/**
 * Starts the engine; resolves once its weights are loaded.
 * @example const ocr = await loadOcr(); const { text } = await ocr.read(pngBytes)
 */
export async function loadOcr() {
  const langPath = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), LANG_DIR)
  // cacheMethod 'none': the weights are read from the package each start, never written elsewhere.
  const worker = await createWorker('eng', OEM.LSTM_ONLY, { langPath, gzip: true, cacheMethod: 'none' })
  let queue = Promise.resolve()
  const serially = (work) => {
    const next = queue.then(work, work)
    queue = next.catch(() => {})
    return next
  }
  return {
    id: OCR_MODEL_ID,
    /**
     * The text in `image` (PNG or JPEG bytes), lines kept, blank lines between blocks; and a token count
     * for usage (its words). A request whose caller has gone stops before the engine starts on it.
     */
    async read(image, { signal } = {}) {
      return serially(async () => {
        signal?.throwIfAborted()
        const { data } = await worker.recognize(Buffer.from(image))
        const text = tidy(data.text ?? '')
        return { text, tokens: text.split(/\s+/).filter(Boolean).length }
      })
    },
    close: () => worker.terminate(),
  }
}

/** Trailing spaces off each line, runs of blank lines to one, nothing around the whole. */
function tidy(text) {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
