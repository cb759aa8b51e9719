import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { amplifyingFiles } from '/work/main/test/support/amplifying-files.mjs'
import { startCairn, stopCairn } from '/work/main/bench/lib/cairn-process.mjs'
import { peakMemory } from '/work/main/bench/lib/process-memory.mjs'
const root = '/work/main'
const port = 23456
const base = `http://localhost:${port}`
const { child, token } = await startCairn({ root, port, persistTo: mkdtempSync(path.join(tmpdir(), 'pf-')), log: '/tmp/pf.log' })
const only = process.env.ONLY; const files = [...amplifyingFiles(), ...['pdf/bomb_giant.pdf','pdf/PDFBOX-3148-2-fuzzed.pdf','office/test_recursive_embedded.docx','office/powerpoint_bad_text.pptx','pdf/password_1234_2206.01062_pg3.pdf','mislabeled/elife-56337.txt'].map(p=>[path.basename(p), new Uint8Array(readFileSync('/work/shared/fixtures/hostile/'+p))])]
for (const [name, bytes] of files.filter(([n]) => !only || only.split(',').includes(n))) {
  const m = peakMemory(child.pid)
  const form = new FormData(); form.append('file', new File([bytes], name))
  const t = Date.now()
  const res = await (await fetch(`${base}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })).json()
  let f = res
  while (f.status !== 'processed' && f.status !== 'error' && !f.error) { await new Promise(r=>setTimeout(r,200)); f = await (await fetch(`${base}/files/${res.id}`, { headers: { authorization: `Bearer ${token}` } })).json() }
  await new Promise(r=>setTimeout(r,500))
  const p = m.stop()
  console.log(name, f.status ?? JSON.stringify(f.error).slice(0,80), Date.now()-t, 'ms', 'workerd peak', Math.round(p.peakWorkerdKb/1024), 'MB')
}
stopCairn(child)
