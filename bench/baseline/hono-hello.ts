// The smallest useful Hono Worker: the baseline the bundle benchmark compares Cairn's Workers against.
import { Hono } from 'hono'

const app = new Hono()
app.get('/', (c) => c.json({ ok: true }))

export default app
