#!/usr/bin/env python3
"""
Tries a page-level semantic arm on the document QA dev set, before anyone builds it into Cairn: each
PDF page embedded as one text (its file name, title and page number, then its chunks' text, cut at
3,000 characters; the model reads its first 512 tokens), the question's 50 nearest pages fused with
the pages Cairn ranks today. Reads the D1 database a `STATE=dir npm run bench:docqa` run kept (chunk
vectors included), mirrors Cairn's ranking the way bench/docqa-tune.py does, and embeds the pages and
questions with the local model server; page vectors are kept in bench/out/ between runs.

Run:  npm run models:serve -- --port 8790 &
      python3 bench/docqa-page-arm.py DOCQA_STATE http://127.0.0.1:8790/v1
"""
import collections, hashlib, importlib.util, os, sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('docqa_tune', os.path.join(HERE, 'docqa-tune.py'))
tune = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tune)
PAGE_CHARS = 3000
DEPTH = 50


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    db, url = tune.open_state(sys.argv[1]), sys.argv[2]
    rows = db.execute('SELECT rowid, id, filename, page, heading, text FROM chunks ORDER BY file_id, part, position').fetchall()
    page_of = {r: (fn, p) for r, _, fn, p, _, _ in rows}
    rowid_of = {cid: r for r, cid, _, _, _, _ in rows}
    ids, vectors = [], []
    for cid, blob in db.execute('SELECT id, vector FROM vectors'):
        if cid in rowid_of:
            ids.append(rowid_of[cid])
            vectors.append(np.frombuffer(blob, dtype='<f4'))
    ids, chunk_matrix = np.array(ids), np.stack(vectors)

    pages = collections.OrderedDict()
    for _, _, fn, page, heading, text in rows:
        if page is not None:
            entry = pages.setdefault((fn, page), {'heading': heading or '', 'text': ''})
            entry['text'] += text + '\n'
    keys = list(pages)
    texts = ['%s · %s · page %d\n\n%s' % (fn, pages[(fn, p)]['heading'], p, pages[(fn, p)]['text'][:PAGE_CHARS]) for fn, p in keys]
    digest = hashlib.sha256('\0'.join(texts).encode()).hexdigest()[:16]
    cache = os.path.join(HERE, 'out', 'docqa-page-vectors-%s.npy' % digest)
    if os.path.exists(cache):
        page_matrix = np.load(cache)
    else:
        out = []
        for i in range(0, len(texts), 16):
            out += tune.embed(url, texts[i:i + 16])
        page_matrix = np.array(out, dtype=np.float32)
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        np.save(cache, page_matrix)

    questions = tune.questions()
    query_matrix = np.array(tune.embed(url, [tune.QUERY_INSTRUCTION + q for _, q, _, _ in questions]))
    sql = 'SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1, 2, 1), rowid LIMIT ?'
    lexical = lambda q: [r for (r,) in db.execute(sql, (tune.match(q), DEPTH))]
    semantic = lambda v: ids[np.argsort(-(chunk_matrix @ v))][:DEPTH].tolist()
    page_arm = lambda v: [keys[i] for i in np.argsort(-(page_matrix @ v))[:DEPTH]]
    as_pages = lambda chunks: tune.first_per_page([page_of[c] for c in chunks])
    first_chunk = {}
    for r, _, fn, page, _, _ in rows:
        first_chunk.setdefault((fn, page), r)
    # What a store holding page vectors beside chunk vectors could do without a new fusion step: each
    # page the page arm finds votes for its page's first chunk in the chunk-level fusion.
    page_votes = lambda P: [first_chunk[k] for k in P]
    variants = [
        ('Cairn today (chunks fused, one per page first)', lambda L, S, P: as_pages(tune.rrf([L, S]))),
        ('+ the page arm, fused with those pages', lambda L, S, P: tune.rrf([as_pages(tune.rrf([L, S])), P])),
        ('pages of each of the three arms, fused', lambda L, S, P: tune.rrf([as_pages(L), as_pages(S), P])),
        ('the page arm as a third chunk list (first chunk)', lambda L, S, P: as_pages(tune.rrf([L, S, page_votes(P)]))),
        ('the page arm alone', lambda L, S, P: P),
    ]
    print('%d pages embedded (%s); %d questions' % (len(keys), os.path.relpath(cache), len(questions)))
    for name, rank in variants:
        hits, total = collections.Counter(), collections.Counter()
        for (s, q, fn, gold), v in zip(questions, query_matrix):
            top = rank(lexical(q), semantic(v), page_arm(v))[:10]
            total[s] += 1
            hits[s] += any(f == fn and p in gold for f, p in top)
        print('%-48s %s' % (name, '   '.join('%s %d/%d' % (s, hits[s], total[s]) for s in sorted(total))))


if __name__ == '__main__':
    main()
