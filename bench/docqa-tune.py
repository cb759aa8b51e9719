#!/usr/bin/env python3
"""
Compares ways of ranking pages on the document QA dev set (../shared/fixtures/docqa), directly against
the D1 database an earlier `STATE=dir node bench/docqa.mjs` run left behind: Python's sqlite3 has FTS5
with the tokenizer Cairn uses, and the chunk vectors are in the `vectors` table, so a variant takes
seconds here instead of a new ingestion. Query vectors come from the local model server
(`npm run models:serve -- --port 8790`), with bge's query instruction.

It mirrors src/search: fts-query.ts (words, Lucene stop words, OR), lexical.ts (bm25 weights 1, 2, 1
over text, heading, file name), rank-fusion.ts (k = 60), retrieve.ts (50 candidates per arm) and
page-diversity.ts (the best chunk of each page first). `node bench/docqa.mjs` gives the figure of the
variant Cairn runs through the API.

Run:  STATE=/tmp/docqa node bench/docqa.mjs                    (ingests once, keeps the state)
      npm run models:serve -- --port 8790 &
      python3 bench/docqa-tune.py /tmp/docqa http://127.0.0.1:8790/v1
      (without the URL, only the lexical variants run)
"""
import collections, functools, glob, json, math, os, re, shutil, sqlite3, struct, sys, tempfile, urllib.request

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'fixtures', 'docqa')
STOP = set('a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split())
WORD = re.compile(r'[^\W_]+')
QUERY_INSTRUCTION = 'Represent this sentence for searching relevant passages: '
DEPTH, K = 50, 60


def match(text):
    words = [w.lower()[:64] for w in WORD.findall(text)]
    kept = [w for w in words if w not in STOP] or words
    return ' OR '.join('"%s"' % t for t in list(dict.fromkeys(kept))[:64])


def questions():
    out = []
    with open(os.path.join(DATA, 'financebench', 'questions.jsonl')) as f:
        for line in f:
            q = json.loads(line)
            out.append(('FinanceBench', q['question'], q['doc_name'] + '.pdf', {e['evidence_page_num'] + 1 for e in q['evidence']}))
    with open(os.path.join(DATA, 'mmlongbench-doc', 'questions.jsonl')) as f:
        for line in f:
            q = json.loads(line)
            pages = json.loads(q['evidence_pages'] or '[]')
            if q['answer'] != 'Not answerable' and pages:
                out.append(('MMLongBench-Doc', q['question'], q['doc_id'], set(pages)))
    return out


def open_state(state):
    dbs = [p for p in glob.glob(os.path.join(state, 'v3', 'd1', '*', '*.sqlite')) if not p.endswith('metadata.sqlite')]
    copy = os.path.join(tempfile.mkdtemp(), 'd1.sqlite')
    shutil.copy(max(dbs, key=os.path.getsize), copy)
    return sqlite3.connect(copy)


def embed(url, texts):
    body = json.dumps({'model': 'bge-small-en-v1.5', 'input': texts}).encode()
    req = urllib.request.Request(url.rstrip('/') + '/embeddings', body, {'content-type': 'application/json'})
    with urllib.request.urlopen(req, timeout=600) as res:
        return [d['embedding'] for d in json.load(res)['data']]


def rrf(lists, weights=None, k=K):
    score = collections.defaultdict(float)
    for l, items in enumerate(lists):
        for rank, item in enumerate(items):
            score[item] += (weights[l] if weights else 1) / (k + rank + 1)
    return [item for item, _ in sorted(score.items(), key=lambda t: -t[1])]


def first_per_page(pages):
    seen, out = set(), []
    for p in pages:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def main():
    state, url = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
    db = open_state(state)
    page_of = {rid: (fn, page) for rid, fn, page in db.execute('SELECT rowid, filename, page FROM chunks')}
    rowid_of = {cid: rid for rid, cid in db.execute('SELECT rowid, id FROM chunks')}
    qs = questions()

    @functools.lru_cache(maxsize=None)
    def lexical(q, weights=(1, 2, 1)):
        sql = 'SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, %s, %s, %s), rowid LIMIT ?' % weights
        return tuple(r for (r,) in db.execute(sql, (match(q), DEPTH)))

    vectors = {}
    for cid, blob in db.execute('SELECT id, vector FROM vectors'):
        if cid in rowid_of:
            vectors[rowid_of[cid]] = struct.unpack('<%df' % (len(blob) // 4), blob)
    qvec = dict(zip([q for _, q, _, _ in qs], embed(url, [QUERY_INSTRUCTION + q for _, q, _, _ in qs]))) if url and vectors else {}

    @functools.lru_cache(maxsize=None)
    def semantic(q):
        v = qvec[q]
        scored = sorted(vectors.items(), key=lambda kv: -sum(a * b for a, b in zip(kv[1], v)))
        return tuple(rid for rid, _ in scored[:DEPTH])

    def profiles():
        # A file's profile for routing: its name's words and its first two pages.
        text = collections.defaultdict(str)
        for fn, page, body in db.execute('SELECT filename, page, text FROM chunks WHERE page <= 2 ORDER BY rowid'):
            text[fn] += body + '\n'
        mem = sqlite3.connect(':memory:')
        mem.execute("CREATE VIRTUAL TABLE f USING fts5(name, body, tokenize='porter unicode61 remove_diacritics 2')")
        names = sorted(text)
        for i, fn in enumerate(names):
            mem.execute('INSERT INTO f(rowid, name, body) VALUES (?, ?, ?)', (i + 1, fn.replace('_', ' '), text[fn][:1500]))
        return lambda q: [(names[r - 1], -s) for r, s in mem.execute('SELECT rowid, bm25(f, 2, 1) s FROM f WHERE f MATCH ? ORDER BY s', (match(q),))]

    route = profiles()

    def routed(chunks, q, margin=1.5):
        files = route(q)
        if files and (len(files) == 1 or files[0][1] >= margin * files[1][1]):
            top = files[0][0]
            return rrf([chunks, [c for c in chunks if page_of[c][0] == top]])
        return chunks

    def page_sum(chunks, share=0.3):
        scores = collections.defaultdict(list)
        for rank, c in enumerate(chunks):
            scores[page_of[c]].append(1 / (K + rank + 1))
        return sorted(scores, key=lambda p: -(max(scores[p]) + share * (sum(scores[p]) - max(scores[p]))))

    pages = lambda chunks: [page_of[c] for c in chunks]
    variants = [
        ('lexical, chunks as ranked', lambda q: pages(lexical(q))),
        ('lexical, one chunk per page first', lambda q: first_per_page(pages(lexical(q)))),
        ('lexical, file name weight 4', lambda q: first_per_page(pages(lexical(q, (1, 2, 4))))),
        ('lexical, pages scored by their chunks', lambda q: page_sum(lexical(q))),
        ('lexical, routed to the file named', lambda q: first_per_page(pages(routed(lexical(q), q)))),
    ]
    if qvec:
        variants += [
            ('semantic only, one chunk per page first', lambda q: first_per_page(pages(semantic(q)))),
            ('hybrid, chunks as fused', lambda q: pages(rrf([lexical(q), semantic(q)]))),
            ('hybrid, one chunk per page first (Cairn)', lambda q: first_per_page(pages(rrf([lexical(q), semantic(q)])))),
            ('hybrid, lexical weight 0.5', lambda q: first_per_page(pages(rrf([lexical(q), semantic(q)], [0.5, 1])))),
            ('hybrid, fused per page', lambda q: rrf([first_per_page(pages(lexical(q))), first_per_page(pages(semantic(q)))])),
            ('hybrid, pages scored by their chunks', lambda q: page_sum(rrf([lexical(q), semantic(q)]))),
            ('hybrid, routed to the file named', lambda q: first_per_page(pages(routed(rrf([lexical(q), semantic(q)]), q)))),
        ]
    elif url:
        print('(no vectors in this state: run bench/docqa.mjs with the local model on for the hybrid variants)')

    sets = sorted({s for s, _, _, _ in qs})
    print('%-45s %s' % ('variant (page hit@10, page MRR@10)', '   '.join('%-22s' % s for s in sets)))
    for name, rank in variants:
        cells = []
        for s in sets:
            subset = [x for x in qs if x[0] == s]
            hits, rr = 0, 0.0
            for _, q, fn, gold in subset:
                top = rank(q)[:10]
                at = next((i for i, (f, p) in enumerate(top) if f == fn and p in gold), None)
                if at is not None:
                    hits += 1
                    rr += 1 / (at + 1)
            cells.append('%2d/%d %3.0f %%  %.3f' % (hits, len(subset), 100 * hits / len(subset), rr / len(subset)))
        print('%-45s %s' % (name, '   '.join('%-22s' % c for c in cells)))


if __name__ == '__main__':
    main()
