#!/usr/bin/env python3
"""
Weighs the two arms of hybrid search against each other on two corpora at once, so a setting is kept
only if it helps on both: BEIR SciFact's TRAIN queries (never the test split; short scientific
claims over abstracts) and the document QA dev half (long questions over long filings and reports,
page hit@10). It reads the D1 databases that `STATE=dir node bench/scifact.mjs` and
`STATE=dir node bench/docqa.mjs` left behind with the local model on (their `vectors` tables hold the
chunk vectors), and embeds the questions with the local model server.

It mirrors src/search: fts-query.ts and lexical.ts (the lexical arm, bm25 weights 1, 2, 1), the D1
vector store (cosine over every vector), retrieve.ts (50 candidates per arm), rank-fusion.ts (RRF,
k = 60, per-arm weights) and page-diversity.ts (the best chunk of each page first).

Run:  npm run models:serve -- --port 8790 &
      python3 bench/fusion-tune.py SCIFACT_STATE DOCQA_STATE http://127.0.0.1:8790/v1
"""
import importlib.util, json, os, struct, sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name, file):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, file))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scifact = load('scifact_tune', 'scifact-tune.py')
docqa = load('docqa_tune', 'docqa-tune.py')
DEPTH = 50
QUERY_INSTRUCTION = docqa.QUERY_INSTRUCTION


def vectors_of(db, rowid_of):
    ids, rows = [], []
    for cid, blob in db.execute('SELECT id, vector FROM vectors'):
        if cid in rowid_of:
            ids.append(rowid_of[cid])
            rows.append(np.frombuffer(blob, dtype='<f4'))
    return np.array(ids), np.stack(rows)


def embed_all(url, texts, batch=64):
    out = []
    for i in range(0, len(texts), batch):
        out += docqa.embed(url, [QUERY_INSTRUCTION + t for t in texts[i:i + batch]])
    return np.array(out, dtype=np.float32)


def fuse(lexical, semantic, weight):
    """Weighted RRF of two chunk lists (weight on the lexical arm, 1 on the semantic one)."""
    if weight is None:
        return list(semantic)
    if weight == 'lexical':
        return list(lexical)
    return docqa.rrf([lexical, semantic], [weight, 1.0])


class Corpus:
    def __init__(self, db):
        self.db = db
        rows = db.execute('SELECT rowid, id, file_id, page FROM chunks').fetchall()
        self.rowid_of = {cid: r for r, cid, _, _ in rows}
        self.place = {r: (fid, page) for r, _, fid, page in rows}
        self.ids, self.matrix = vectors_of(db, self.rowid_of)

    def lexical(self, question):
        match = scifact.match_expression(question)
        if not match:
            return []
        sql = 'SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1, 2, 1), rowid LIMIT ?'
        return [r for (r,) in self.db.execute(sql, (match, DEPTH))]

    def semantic(self, vector):
        scores = self.matrix @ vector
        top = np.argpartition(-scores, DEPTH)[:DEPTH]
        return self.ids[top[np.argsort(-scores[top])]].tolist()

    def pages(self, chunks):
        """Page diversity: the best chunk of each page first; a chunk without a page is its own group."""
        seen, first, rest = set(), [], []
        for c in chunks:
            fid, page = self.place[c]
            key = ('chunk', c) if page is None else (fid, page)
            (rest if key in seen else first).append(c)
            seen.add(key)
        return first + rest


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sci_db, doc_db, url = scifact.open_database(sys.argv[1]), docqa.open_state(sys.argv[2]), sys.argv[3]

    sci = Corpus(sci_db)
    doc_of = {fid: json.loads(meta).get('doc_id') for fid, meta in sci_db.execute('SELECT id, metadata FROM files')}
    queries = scifact.read_queries()
    qrels = scifact.read_qrels('train')
    sci_q = [q for q in qrels if q in queries]
    sci_vec = embed_all(url, [queries[q] for q in sci_q])
    sci_lex = {q: sci.lexical(queries[q]) for q in sci_q}
    sci_sem = {q: sci.semantic(v) for q, v in zip(sci_q, sci_vec)}

    dq = Corpus(doc_db)
    name_of = {fid: fn for fid, fn in doc_db.execute('SELECT id, filename FROM files')}
    dq_q = docqa.questions()
    dq_vec = embed_all(url, [q for _, q, _, _ in dq_q])
    dq_lex = [dq.lexical(q) for _, q, _, _ in dq_q]
    dq_sem = [dq.semantic(v) for v in dq_vec]
    sets = sorted({s for s, _, _, _ in dq_q})

    print('SciFact train: %d queries, %d chunks with vectors; document QA dev: %d questions, %d chunks with vectors'
          % (len(sci_q), len(sci.ids), len(dq_q), len(dq.ids)))
    print('%-34s %-18s %s' % ('arms (RRF weight on lexical)', 'SciFact nDCG@10', '   '.join('%-16s' % ('%s hit@10' % s) for s in sets)))
    for label, weight in [('lexical only', 'lexical'), ('semantic only', None), ('RRF 1 : 1 (Cairn)', 1.0),
                          ('RRF 0.75 : 1', 0.75), ('RRF 0.5 : 1', 0.5), ('RRF 0.25 : 1', 0.25)]:
        total = 0.0
        for q in sci_q:
            chunks = sci.pages(fuse(sci_lex[q], sci_sem[q], weight))
            ranked = list(dict.fromkeys(doc_of[sci.place[c][0]] for c in chunks))
            total += scifact.ndcg10(ranked, qrels[q])
        cells = []
        for s in sets:
            hits = n = 0
            for (qs, _, fn, gold), lex, sem in zip(dq_q, dq_lex, dq_sem):
                if qs != s:
                    continue
                n += 1
                top = [dq.place[c] for c in dq.pages(fuse(lex, sem, weight))][:10]
                hits += any(name_of[fid] == fn and page in gold for fid, page in top)
            cells.append('%2d/%d %3.0f %%' % (hits, n, 100 * hits / n))
        print('%-34s %-18s %s' % (label, '%.4f' % (total / len(sci_q)), '   '.join('%-16s' % c for c in cells)))


if __name__ == '__main__':
    main()
