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
        const { data } = await worker.recognize(Buffer.from(image), {}, { blocks: true, text: false })
        const text = confidentText(data.blocks ?? [])
        return { text, tokens: text.split(/\s+/).filter(Boolean).length }
      })
    },
    close: () => worker.terminate(),
  }
}

/**
 * Words Tesseract is at least this sure of (0–100). A photo or a drawing without text still yields
 * "words" — specks read as letters, at 30–45 — while print reads at 80–95 and a chart's labels at 60–80.
 */
const MIN_WORD_CONFIDENCE = 50
/** Fewer letters and digits than this in all (a photo's "i La"), and the picture had nothing to read. */
const MIN_CHARACTERS = 4

/** The confident words, a line per line, a blank line between blocks; '' when there are none. */
function confidentText(blocks) {
  const text = blocks
    .map((block) =>
      block.paragraphs
        .flatMap((paragraph) => paragraph.lines)
        .map((line) => line.words.filter((w) => w.confidence >= MIN_WORD_CONFIDENCE && /[\p{L}\p{N}]/u.test(w.text)).map((w) => w.text).join(' '))
        .filter(Boolean)
        .join('\n'),
    )
    .filter(Boolean)
    .join('\n\n')
  return (text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < MIN_CHARACTERS ? '' : text
}
