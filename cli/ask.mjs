/**
 * `cairn ask`: the `l0` answer streamed — its reasoning dimmed, then the answer — and the citations
 * as `file p.N: "quote"`; `--retrieval` prints `l0-retrieval`'s passages; `--json` prints the whole
 * completion as Cairn returns it, for scripts.
 */
import { createParser } from 'eventsource-parser'

function messages(question, filter, topK) {
  const content = [{ type: 'text', text: question }]
  if (filter || topK) content.push({ type: 'filter', ...(filter ? { filter } : {}), ...(topK ? { top_k: topK } : {}) })
  return [{ role: 'user', content }]
}

const where = (d) => [d.page != null && `p.${d.page}`, d.sheet && `${d.sheet}${d.rows ? ` rows ${d.rows[0]}–${d.rows[1]}` : ''}`, d.start_time != null && `${Math.floor(d.start_time)}s`].filter(Boolean).join(' ')

export async function ask(api, out, question, options) {
  const { colors: c } = out
  const model = options.retrieval ? 'l0-retrieval' : 'l0'
  const body = { model, workspace: options.workspace, messages: messages(question, options.filter, options.topK ? Number(options.topK) : undefined) }
  if (options.json || options.retrieval) {
    const completion = await api.json('POST', '/chat/completions', body)
    if (options.json) return out.line(JSON.stringify(completion, null, 2))
    completion.choices.forEach((choice, i) => {
      const m = choice.metadata
      out.line(`${c.bold(`${i + 1}. ${m.filename}`)} ${where(m)}  ${c.dim(m.score.toFixed(4))}`)
      out.line(`   ${choice.message.content.replace(/\s+/g, ' ').slice(0, 300)}`)
    })
    return
  }
  const res = await api.request('POST', '/chat/completions', { json: { ...body, stream: true } })
  let annotations = []
  let inAnswer = false
  let failure = null
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return
      const chunk = JSON.parse(event.data)
      if (chunk.error) failure = chunk.error.message
      const delta = chunk.choices?.[0]?.delta ?? {}
      if (delta.reasoning_content) out.write(c.dim(delta.reasoning_content))
      if (delta.content) {
        if (!inAnswer) out.write('\n\n')
        inAnswer = true
        out.write(delta.content)
      }
      if (delta.annotations) annotations = delta.annotations
    },
  })
  const decoder = new TextDecoder()
  for await (const part of res.body) parser.feed(decoder.decode(part, { stream: true }))
  out.line()
  if (failure) throw new Error(failure)
  if (annotations.length > 0) out.line()
  for (const a of annotations) out.line(`${c.cyan(a.text)} ${[a.file_citation.filename, where(a.file_citation)].filter(Boolean).join(' ')}: "${a.file_citation.quote}"`)
}
