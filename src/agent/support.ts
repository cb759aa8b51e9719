/**
 * @module Whether a passage supports a claim, and which words of it to quote. A deterministic check,
 * so a citation is kept or dropped the same way every time and without another model call: every
 * number the claim states must appear in the passage, and enough of its content words must too.
 *
 * It is a guard against citations that point at the wrong passage (a number from elsewhere, a
 * passage about something else), not a proof of entailment: the model writes the claim from the
 * passage, so an honest citation shares its words and figures.
 */

const STOPWORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours according based shows show shown states stated says said document documents file files page pages passage passages source sources evidence'
  ).split(' '),
)

/** Support needs this share of the claim's content words in the passage… */
const MIN_WORD_SHARE = 0.34
/** …or at least this many of them, for long claims that also say things from other passages. */
const MIN_SHARED_WORDS = 4

/** A light stem, so "launches", "launched" and "launch" meet; the same on both sides is all it needs. */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ies')) return `${word.slice(0, -3)}y`
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (word.length > suffix.length + 3 && word.endsWith(suffix)) return word.slice(0, -suffix.length)
  }
  return word
}

export function contentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}][\p{L}\p{N}'’-]*/gu) ?? []
  return words.map((w) => w.replace(/['’-]+$/u, '')).filter((w) => w.length > 2 && !STOPWORDS.has(w)).map(stem)
}

/** Numbers as written, normalised: thousands separators dropped, "1.50" and "1.5" alike. */
export function numbersIn(text: string): string[] {
  const found = text.match(/\d[\d,]*(?:\.\d+)?/g) ?? []
  return found.map((n) => {
    const plain = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(n) ? n.replace(/,/g, '') : n.replace(/,$/, '')
    return plain.includes('.') ? plain.replace(/\.?0+$/, '') : plain
  })
}

export type SupportVerdict = { supported: true } | { supported: false; reason: string }

/**
 * @example
 * judgeSupport('SLS Block 1 stands 98 m tall', 'The SLS Block 1 … height: 98 m') // { supported: true }
 * judgeSupport('It stands 111 m tall', 'The SLS Block 1 … height: 98 m')       // { supported: false, reason: 'the passage does not state 111' }
 */
export function judgeSupport(claim: string, passage: string): SupportVerdict {
  const passageNumbers = new Set(numbersIn(passage))
  const missing = numbersIn(claim).filter((n) => !passageNumbers.has(n))
  if (missing.length > 0) return { supported: false, reason: `the passage does not state ${missing.slice(0, 3).join(', ')}` }

  const claimWords = [...new Set(contentWords(claim))]
  if (claimWords.length === 0) return { supported: true }
  const passageWords = new Set(contentWords(passage))
  const shared = claimWords.filter((w) => passageWords.has(w)).length
  if (shared >= MIN_SHARED_WORDS || shared / claimWords.length >= MIN_WORD_SHARE) return { supported: true }
  return { supported: false, reason: `the passage shares ${shared} of the claim's ${claimWords.length} key words` }
}

const MAX_QUOTE = 320

/**
 * The sentence (or two) of `passage` closest to `claim`, verbatim, so a reader can find it on the page.
 * Falls back to the passage's opening when nothing overlaps.
 */
export function bestQuote(claim: string, passage: string): string {
  const sentences = splitSentences(passage)
  if (sentences.length === 0) return passage.slice(0, MAX_QUOTE).trim()
  const want = new Set(contentWords(claim))
  const wantNumbers = new Set(numbersIn(claim))
  let best = 0
  let bestScore = -1
  sentences.forEach((s, i) => {
    const words = new Set(contentWords(s.text))
    let score = 0
    for (const w of want) if (words.has(w)) score += 1
    for (const n of numbersIn(s.text)) if (wantNumbers.has(n)) score += 2
    if (score > bestScore) {
      bestScore = score
      best = i
    }
  })
  const first = sentences[best]!
  let end = first.end
  // A very short sentence ("Height: 98 m") reads better with the one after it.
  if (end - first.start < 60 && sentences[best + 1]) end = sentences[best + 1]!.end
  const quote = passage.slice(first.start, end).trim()
  // Cut at a word, without an ellipsis: the quote stays a verbatim substring of the passage.
  return quote.length > MAX_QUOTE ? quote.slice(0, quote.lastIndexOf(' ', MAX_QUOTE) > 0 ? quote.lastIndexOf(' ', MAX_QUOTE) : MAX_QUOTE) : quote
}

type Span = { start: number; end: number; text: string }

/** A full stop that ends an abbreviation ("No. 2", "Fig. 3", "e.g.", "J. Smith"), not a sentence. */
const ABBREVIATION = /(?:^|[\s(])(?:no|nos|fig|figs|eq|eqs|vol|pp|p|e\.g|i\.e|etc|vs|approx|ca|cf|mr|mrs|ms|dr|st|inc|ltd|co|jr|sr|dept|est|[a-z])\.$/i

export function endsWithAbbreviation(text: string): boolean {
  return ABBREVIATION.test(text.trimEnd())
}

function splitSentences(text: string): Span[] {
  const spans: Span[] = []
  const re = /[^.!?\n]+(?:[.!?]+|\n|$)/g
  let start = -1
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++
      continue
    }
    if (start < 0) start = m.index
    const end = m.index + m[0].length
    // "No. 2 of 1878" is one sentence: an abbreviation's full stop joins it to what follows.
    if (end < text.length && !m[0].endsWith('\n') && endsWithAbbreviation(text.slice(start, end))) continue
    const span = text.slice(start, end)
    if (span.trim().length > 0) spans.push({ start, end, text: span })
    start = -1
  }
  return spans
}
