#!/usr/bin/env python3
"""
What splitting one workspace's lexical index over N shards costs and buys, on a SciFact state made N
times larger with bench/scifact-scale.py: the chunks are dealt to N SQLite databases by file (each
with its own FTS5 index, as a Durable Object's SQLite or one D1 database per shard would hold them),
every question is searched in every shard at once (one thread per shard; SQLite releases the GIL
while it works) with lexical.ts's query — the rare words within the postings budget, the common
words' part for their candidates — and the shards' lists are merged by score.

Each shard's bm25() uses its own statistics (row count, average length, document counts), and the
lists are merged by those scores as they are: an approximation of one index's scores, whose cost is
the nDCG@10 lost against 1 shard. FTS5 cannot be handed outside statistics, so exact global scores
would mean scoring in the Worker from each row's term counts. nDCG@10 is over documents with copies
removed; time is wall time per question over all shards, the rare-word split decided per shard,
with the whole postings budget in every shard ('whole') or each shard its share of it ('share').

Run:  python3 bench/scifact-shards.py /tmp/scifact-x50 [train|test]     (SHARDS=1,2,4,8 QUERIES=n)
"""
import concurrent.futures, json, math, os, shutil, sqlite3, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from importlib import import_module

tune = import_module('scifact-tune')
CANDIDATES = 200
BUDGET = 20000


def build_shards(source, n, folder):
    """Deals the files of `source` to n new databases, round robin in file order, chunks with their file."""
    paths = []
    files = [r[0] for r in source.execute('SELECT id FROM files ORDER BY rowid')]
    owner = {fid: i % n for i, fid in enumerate(files)}
    for i in range(n):
        path = os.path.join(folder, 'shard-%d-of-%d.sqlite' % (i, n))
        db = sqlite3.connect(path)
        db.executescript('''
          PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
          CREATE TABLE files (id TEXT PRIMARY KEY, metadata TEXT);
          CREATE TABLE chunks (rowid INTEGER PRIMARY KEY, file_id TEXT, text TEXT, heading TEXT, filename TEXT);
          CREATE VIRTUAL TABLE chunks_fts USING fts5(text, heading, filename, content='chunks', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2');
        ''')
        db.commit()
        db.close()
        paths.append(path)
    shards = [sqlite3.connect(p) for p in paths]
    for fid, meta in source.execute('SELECT id, metadata FROM files'):
        shards[owner[fid]].execute('INSERT INTO files VALUES (?, ?)', (fid, meta))
    for row in source.execute('SELECT rowid, file_id, text, heading, filename FROM chunks'):
        shards[owner[row[1]]].execute('INSERT INTO chunks VALUES (?, ?, ?, ?, ?)', row)
    for db in shards:
        db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
        db.commit()
        db.close()
    return paths


class Shard:
    def __init__(self, path):
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.rows = self.db.execute('SELECT count(*) FROM chunks').fetchone()[0]

    def counts(self, terms):
        return {t: self.db.execute('SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?', ('"%s"' % t,)).fetchone()[0] for t in terms}

    def ranked(self, match):
        return self.db.execute('SELECT rowid, bm25(chunks_fts, 1, 2, 1) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s, rowid LIMIT ?',
                               (match, CANDIDATES)).fetchall()

    def search(self, terms, counts, budget):
        """lexical.ts's search: rare words within the budget by `counts`, then the common words' part."""
        order = sorted(terms, key=lambda t: (counts[t], terms.index(t)))
        rare, total = [], 0
        for t in order:
            if total > 0 and total + counts[t] > budget:
                break
            rare.append(t)
            total += counts[t]
        common = [t for t in terms if t not in rare]
        any_of = lambda ws: ' OR '.join('"%s"' % w for w in ws)
        best = dict(self.ranked(any_of(rare)))
        if common:
            for r, s in self.ranked('(%s) AND (%s)' % (any_of(rare), any_of(common))):
                best[r] = min(s, best.get(r, 0))
        return sorted(best.items(), key=lambda x: (x[1], x[0]))[:CANDIDATES]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    split = sys.argv[2] if len(sys.argv) > 2 else 'train'
    source = tune.open_database(sys.argv[1])
    doc_of = {fid: json.loads(meta).get('doc_id') for fid, meta in source.execute('SELECT id, metadata FROM files')}
    file_of = dict(source.execute('SELECT rowid, file_id FROM chunks'))
    queries = tune.read_queries()
    qrels = dict(list(tune.read_qrels(split).items())[:int(os.environ.get('QUERIES', 100000))])
    folder = tempfile.mkdtemp()
    print('SciFact %s, %d queries, %d chunks; shards in %s' % (split, len(qrels), len(file_of), folder), flush=True)
    try:
        for n in [int(x) for x in os.environ.get('SHARDS', '1,2,4,8').split(',')]:
            started = time.time()
            shards = [Shard(p) for p in build_shards(source, n, folder)]
            built = time.time() - started
            pool = concurrent.futures.ThreadPoolExecutor(n)
            # Each shard with the whole budget (its latency bounded as one index's), or with its share
            # (the same words rare as in one index, the same work in all).
            for mode, budget in (('whole', BUDGET), ('share', BUDGET / n)) if n > 1 else (('whole', BUDGET),):
                total, times = 0.0, []
                for q, judged in qrels.items():
                    terms = tune.query_terms(queries[q])
                    t0 = time.perf_counter()
                    lists = list(pool.map(lambda s: s.search(terms, s.counts(terms), budget), shards))
                    merged = sorted((x for l in lists for x in l), key=lambda x: (x[1], x[0]))[:CANDIDATES]
                    times.append((time.perf_counter() - t0) * 1000)
                    docs = [d for d in dict.fromkeys(doc_of[file_of[r]] for r, _ in merged) if '-copy' not in d]
                    total += tune.ndcg10(docs, judged)
                times.sort()
                p = lambda x: times[min(len(times) - 1, math.ceil(x / 100 * len(times)) - 1)]
                print('  %d shard%s budget %-5s (%6d chunks each)  nDCG@10 %.4f   p50 %6.1f ms   p95 %6.1f ms   (built in %.0f s)' % (
                    n, 's' if n > 1 else ' ', mode, shards[0].rows, total / len(qrels), p(50), p(95), built), flush=True)
            pool.shutdown()
            for s in shards:
                s.db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == '__main__':
    main()
