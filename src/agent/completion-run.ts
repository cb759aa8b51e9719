/**
 * @module The completion Durable Object: one instance per `l0` run, named by the completion id.
 * `start()` records the request and sets an alarm; the alarm handler runs the loop, so the run
 * belongs to the object, not to the request that started it: a client that leaves does not stop it.
 * Every trace and answer piece is appended to the object's SQLite log as it is made, and `stream()`
 * replays that log from the start and follows it live, for any number of readers at once.
 *
 * If the object is restarted mid-run (a deploy, an eviction), the alarm fires again and finds the run
 * marked running: it cannot pick up a model call half-way, so it ends the run with a failure event
 * rather than leaving readers waiting forever.
 *
 * A finished run's log is kept for `LOG_RETENTION_MS` so it can be replayed, then the object
 * erases itself; a stored completion (`store: true`) lives on in D1.
 *
 * The class is abstract: the API Worker's entry (src/index.ts) exports the object, with the ports its
 * composition root builds.
 */
import { DurableObject } from 'cloudflare:workers'
import { recordAnswer } from '../audit/answers'
import { CompletionTooLargeError, saveCompletion } from '../completions/store'
import { runAgent, type AgentDeps } from './run-agent'
import { logLine } from './run-log'
import { isFinal, type ChatCompletion, type RunEvent, type RunInput } from './run-types'

/** Who a run belongs to, for authorising readers of its stream. */
export type RunOwner = Pick<RunInput, 'orgId' | 'workspaceId' | 'userId' | 'model' | 'created'> & { includeUsage: boolean }

/** Called with each new log line; `null` when the run has ended. */
type Listener = (line: Uint8Array | null) => void

/** Characters per stored piece: at most 3 bytes each in UTF-8, well under the 2 MB row limit. */
const PIECE_CHARS = 500_000

/** How long a finished run can still be replayed. */
export const LOG_RETENTION_MS = 24 * 60 * 60 * 1000

export abstract class CompletionRunObject extends DurableObject<Env> {
  private readonly listeners = new Set<Listener>()
  private readonly waiters = new Set<(event: RunEvent) => void>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.blockConcurrencyWhile(async () => this.createTables())
  }

  private createTables(): void {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, data TEXT NOT NULL)')
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
  }

  /** Records the run and schedules it; starting a run twice does nothing the second time. */
  async start(input: RunInput): Promise<void> {
    if (this.read('input') !== null) return
    this.write('input', JSON.stringify(input))
    this.write('state', 'queued')
    await this.ctx.storage.setAlarm(Date.now())
  }

  override async alarm(): Promise<void> {
    const raw = this.read('input')
    const state = this.read('state')
    if (raw === null) return
    if (state === 'done') {
      // The retention alarm: the log has been kept long enough.
      await this.ctx.storage.deleteAll()
      // The object may stay in memory a while; it answers as one that never ran.
      this.createTables()
      return
    }
    if (state === 'running') {
      this.finish({ type: 'failed', error: { message: 'The run was interrupted (the server restarted) before it finished; ask again.', type: 'server_error', code: 'run_interrupted' } })
      await this.ctx.storage.setAlarm(Date.now() + LOG_RETENTION_MS)
      return
    }
    this.write('state', 'running')
    const input = JSON.parse(raw) as RunInput
    const ports = this.portsFor(input)
    let reasoning = ''
    try {
      const completion = await runAgent(ports, input, {
        reasoning: (text) => {
          reasoning += text
          this.append({ type: 'reasoning', text })
        },
        content: (text) => this.append({ type: 'content', text }),
      })
      const choice = completion.choices[0]!
      const done: ChatCompletion = { ...completion, choices: [{ ...choice, message: { ...choice.message, reasoning_content: reasoning } }] }
      if (input.options.store) done.metadata = input.options.metadata
      await this.keep(input, done)
      await this.audit(ports, input, done)
      this.finish({ type: 'done', completion: done })
    } catch (err) {
      console.error('completion run failed', input.id, err)
      await this.audit(ports, input, null)
      this.finish({ type: 'failed', error: { message: 'The run failed because of an error in Cairn; it has been logged. Ask again.', type: 'server_error', code: 'run_failed' } })
    }
    await this.ctx.storage.setAlarm(Date.now() + LOG_RETENTION_MS)
  }

  /** What the run works with, built by the Worker's composition root. */
  protected abstract portsFor(input: RunInput): AgentDeps

  /**
   * Stores the completion when the request asked (`store: true`), before the run reports it done, so
   * `GET /chat/completions/{id}` finds it as soon as the answer has arrived. A completion too large
   * to store is still answered; the trace says it was not kept.
   */
  private async keep(input: RunInput, completion: ChatCompletion): Promise<void> {
    if (!input.options.store) return
    try {
      await saveCompletion(this.env.DB, {
        id: input.id,
        orgId: input.orgId,
        workspaceId: input.workspaceId,
        userId: input.userId,
        model: input.model,
        created: input.created,
        metadata: input.options.metadata,
        messages: input.messages,
        completion,
      })
    } catch (err) {
      if (!(err instanceof CompletionTooLargeError)) throw err
      this.append({ type: 'reasoning', text: `Not stored: ${err.message}\n` })
    }
  }

  /** Records the answer (or the failure) in the org's audit log before readers hear of it. */
  private async audit(ports: AgentDeps, input: RunInput, completion: ChatCompletion | null): Promise<void> {
    const message = completion?.choices[0]?.message
    try {
      await recordAnswer(ports, {
        orgId: input.orgId,
        workspaceId: input.workspaceId,
        userId: input.userId,
        completionId: input.id,
        model: input.model,
        question: input.question.text,
        answer: message?.content ?? '',
        cited: message?.annotations.map((a) => a.file_citation) ?? [],
        outcome: completion ? 'answered' : 'failed',
      })
    } catch (err) {
      console.error('could not record the answer in the audit log', input.id, err)
    }
  }

  owner(): RunOwner | null {
    const raw = this.read('input')
    if (raw === null) return null
    const { orgId, workspaceId, userId, model, created, options } = JSON.parse(raw) as RunInput
    return { orgId, workspaceId, userId, model, created, includeUsage: options.includeUsage }
  }

  /**
   * The run's log from the start, then live until it ends, as JSON lines of `RunEvent`s.
   * Reading the stored events and subscribing happen in one synchronous step, so nothing is missed
   * or sent twice.
   */
  stream(): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>()
    const writer = writable.getWriter()
    // A reader that has gone away must never disturb the run: its writes fail quietly and it is forgotten.
    const forget = () => this.listeners.delete(listener)
    const listener: Listener = (line) => {
      if (line) writer.write(line).catch(forget)
      else {
        forget()
        writer.close().catch(() => {})
      }
    }
    const stored = this.ctx.storage.sql.exec<{ data: string }>('SELECT data FROM events ORDER BY seq').toArray()
    for (const row of stored) writer.write(logLine(row.data)).catch(forget)
    const ended = stored.length > 0 && isFinal(JSON.parse(stored.at(-1)!.data) as RunEvent)
    if (ended || this.read('input') === null) writer.close().catch(() => {})
    else this.listeners.add(listener)
    return readable
  }

  /** The run's last event (`done` or `failed`), once there is one. */
  async outcome(): Promise<RunEvent | null> {
    if (this.read('input') === null) return null
    const last = this.ctx.storage.sql.exec<{ data: string }>('SELECT data FROM events ORDER BY seq DESC LIMIT 1').toArray()[0]
    if (last) {
      const event = JSON.parse(last.data) as RunEvent
      if (isFinal(event)) return event
    }
    return new Promise((resolve) => this.waiters.add(resolve))
  }

  private append(event: RunEvent): void {
    const data = JSON.stringify(event)
    this.ctx.storage.sql.exec('INSERT INTO events (at, data) VALUES (?, ?)', Date.now(), data)
    // A buffer per reader: each stream hands its chunks across the RPC boundary on its own.
    for (const listener of this.listeners) listener(logLine(data))
  }

  private finish(event: RunEvent): void {
    this.append(event)
    this.write('state', 'done')
    for (const listener of [...this.listeners]) listener(null)
    for (const waiter of this.waiters) waiter(event)
    this.waiters.clear()
  }

  /** A value, joined from the pieces `write` stored it in. */
  private read(key: string): string | null {
    const pieces = this.ctx.storage.sql
      .exec<{ value: string }>("SELECT value FROM run WHERE key = ? OR key LIKE ? ORDER BY length(key), key", key, `${key}#%`)
      .toArray()
    return pieces.length > 0 ? pieces.map((p) => p.value).join('') : null
  }

  /**
   * Stores a value in pieces under a Durable Object's 2 MB row limit: a request may carry up to 16 MB
   * of messages and pictures. Pieces sort by key length, then key, so `input#10` follows `input#9`.
   */
  private write(key: string, value: string): void {
    this.ctx.storage.sql.exec('DELETE FROM run WHERE key = ? OR key LIKE ?', key, `${key}#%`)
    for (let i = 0, at = 0; at < value.length || i === 0; i++, at += PIECE_CHARS) {
      this.ctx.storage.sql.exec('INSERT INTO run (key, value) VALUES (?, ?)', i === 0 ? key : `${key}#${i}`, value.slice(at, at + PIECE_CHARS))
    }
  }
}
