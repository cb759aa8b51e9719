#!/usr/bin/env python3
"""
What cheaper lexical queries cost in quality and buy in time, on a SciFact state (1x or made N times
larger with bench/scifact-scale.py), directly against its D1 database with Python's sqlite3 (FTS5
with the same porter/unicode61 tokenizer). Mirrors src/search/fts-query.ts and lexical.ts.

  full      every content word, OR, BM25 over every matching chunk (lexical.ts before pruning)
  prune B   only the rarest words whose document counts add up to at most B postings (at least the
            rarest word), BM25 over their matches
  rescore B the rarest words as in prune find candidates, and `(rare) AND (common)` gives the full
            score of those that hold a common word too: exact for every chunk with a rare word

Document counts come from the index itself (an fts5vocab table over chunks_fts) and are timed with
the query. nDCG@10 is over documents with copies removed (copies tie with their originals).

Run:  python3 bench/scifact-prune.py /tmp/scifact-x50 [train|test]
"""
import glob, json, math, os, re, sqlite3, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from importlib import import_module

tune = import_module('scifact-tune')
BM25 = 'bm25(chunks_fts, 1, 2, 1)'
CANDIDATES = 200


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    split = sys.argv[2] if len(sys.argv) > 2 else 'train'
    db = tune.open_database(sys.argv[1])
    db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, chunks_fts, 'row')")
    doc_of = {fid: json.loads(meta).get('doc_id') for fid, meta in db.execute('SELECT id, metadata FROM files')}
    chunks = db.execute('SELECT count(*) FROM chunks').fetchone()[0]
    queries = tune.read_queries()
    qrels = dict(list(tune.read_qrels(split).items())[:int(os.environ.get('QUERIES', 100000))])

    def df(term):
        # The index's own tokenizer stems the word: ask the index how many rows match it.
        return db.execute('SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?', ('"%s"' % term,)).fetchone()[0]

    def full(terms, _budget):
        return db.execute('SELECT rowid, %s AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s, rowid LIMIT ?' % BM25,
                          (' OR '.join('"%s"' % t for t in terms), CANDIDATES)).fetchall()

    def rarest(terms, budget):
        counted = sorted((df(t), t) for t in terms)
        kept, total = [], 0
        for n, t in counted:
            if total > 0 and total + n > budget:
                break
            kept.append(t)
            total += n
        return kept

    def prune(terms, budget):
        return full(rarest(terms, budget), budget)

    def rescore(terms, budget):
        # Candidates hold a rare word; the full score of those that also hold a common word comes from
        # `(rare) AND (common)`, whose phrases are each word once, so its bm25() is the full query's.
        kept = rarest(terms, budget)
        rare = full(kept, budget)
        common = [t for t in terms if t not in kept]
        if not common:
            return rare
        both = db.execute('SELECT rowid, %s AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s, rowid LIMIT ?' % BM25,
                          ('(%s) AND (%s)' % (' OR '.join('"%s"' % t for t in kept), ' OR '.join('"%s"' % t for t in common)),
                           CANDIDATES)).fetchall()
        best = dict(rare)
        for r, s in both:
            best[r] = min(s, best.get(r, 0))
        return sorted(best.items(), key=lambda x: (x[1], x[0]))[:CANDIDATES]

    def run(name, rank, budget=None):
        total, times = 0.0, []
        for q, judged in qrels.items():
            terms = tune.query_terms(queries[q])
            started = time.perf_counter()
            rows = rank(terms, budget)
            times.append((time.perf_counter() - started) * 1000)
            ids = [r for r, _ in rows]
            files = dict(db.execute('SELECT rowid, file_id FROM chunks WHERE rowid IN (SELECT value FROM json_each(?))', (json.dumps(ids),)).fetchall())
            docs = [d for d in dict.fromkeys(doc_of[files[r]] for r in ids) if '-copy' not in d]
            total += tune.ndcg10(docs, judged)
        times.sort()
        p = lambda x: times[min(len(times) - 1, math.ceil(x / 100 * len(times)) - 1)]
        print('  %-22s nDCG@10 %.4f   p50 %7.1f ms   p95 %7.1f ms' % (name, total / len(qrels), p(50), p(95)), flush=True)

    print('SciFact %s, %d queries, %d chunks' % (split, len(qrels), chunks))
    run('full', full)
    for budget in [int(x) for x in os.environ.get('BUDGETS', '2000,5000,10000,20000,50000').split(',')]:
        run('prune %d' % budget, prune, budget)
        run('rescore %d' % budget, rescore, budget)


if __name__ == '__main__':
    main()
