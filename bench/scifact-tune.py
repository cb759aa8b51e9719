#!/usr/bin/env python3
"""
Tunes the lexical arm's BM25 column weights, and compares ways of turning a question into a MATCH
expression, on the BEIR SciFact TRAIN queries (never the test split), directly against the D1 database an earlier `STATE=dir node bench/scifact.mjs` run left behind: Python's
sqlite3 has FTS5 with the same porter/unicode61 tokenizer, so a grid of weights takes seconds here
instead of a server round trip per query.

It mirrors src/search/fts-query.ts (words, Lucene stop words, each word once, OR) and the lexical
query of src/search/lexical.ts; `node bench/scifact.mjs` with SPLIT=train reproduces its figure for the
chosen weights through the API.

Run:  STATE=/tmp/cairn-scifact SPLIT=train node bench/scifact.mjs   (ingests once, keeps the state)
      python3 bench/scifact-tune.py /tmp/cairn-scifact
"""
import glob, json, math, os, re, shutil, sqlite3, sys, tempfile

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'fixtures', 'beir', 'scifact')
STOP = set('a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with'.split())
# Letters and digits; fts-query.ts also keeps combining marks inside a word, which SciFact's English does not need.
WORD = re.compile(r'[^\W_]+')


def query_terms(text, stop=STOP):
    words = [w.lower()[:64] for w in WORD.findall(text)]
    kept = [w for w in words if w not in stop] or words
    return list(dict.fromkeys(kept))[:64]


def match_expression(text, stop=STOP, phrases=False):
    terms = query_terms(text, stop)
    if phrases:
        # Adjacent content words as phrases too, each scored by BM25 like a word.
        terms = terms + list(dict.fromkeys('%s %s' % pair for pair in zip(terms, terms[1:])))
    return ' OR '.join('"%s"' % t for t in terms) if terms else None


def read_queries():
    """SciFact's queries by id."""
    with open(os.path.join(DATA, 'queries.jsonl')) as f:
        return {q['_id']: q['text'] for q in map(json.loads, f)}


def read_qrels(split):
    qrels = {}
    with open(os.path.join(DATA, 'qrels', split + '.tsv')) as f:
        next(f)
        for line in f:
            q, doc, rel = line.strip().split('\t')
            qrels.setdefault(q, {})[doc] = int(rel)
    return qrels


def ndcg10(ranked, judged):
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def open_database(state):
    files = [f for f in glob.glob(os.path.join(state, 'v3', 'd1', '*', '*.sqlite')) if not f.endswith('metadata.sqlite')]
    if len(files) != 1:
        sys.exit('expected one D1 database under %s, found %d' % (state, len(files)))
    copy = tempfile.mkdtemp()
    for suffix in ('', '-wal'):
        if os.path.exists(files[0] + suffix):
            shutil.copy(files[0] + suffix, os.path.join(copy, 'db.sqlite' + suffix))
    return sqlite3.connect(os.path.join(copy, 'db.sqlite'))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = open_database(sys.argv[1])
    doc_of = {fid: json.loads(meta).get('doc_id') for fid, meta in db.execute('SELECT id, metadata FROM files')}
    queries = read_queries()
    qrels = read_qrels('train')

    def score(text_w, heading_w, filename_w):
        total = 0.0
        for q, judged in qrels.items():
            rows = db.execute(
                'SELECT c.file_id, bm25(chunks_fts, ?, ?, ?) AS s FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid '
                "JOIN files f ON f.id = c.file_id WHERE chunks_fts MATCH ? AND f.status = 'processed' ORDER BY s, c.rowid LIMIT 100",
                (text_w, heading_w, filename_w, match_expression(queries[q])),
            ).fetchall()
            total += ndcg10(list(dict.fromkeys(doc_of[f] for f, _ in rows)), judged)
        return total / len(qrels)

    print('SciFact train, %d queries: nDCG@10 by BM25 column weights (text, heading, filename)' % len(qrels))
    print('scale = all three multiplied, i.e. effective k1 = 1.2 / scale')
    for scale in (0.75, 1, 1.33, 2):
        cells = ['heading %g: %.4f' % (h, score(scale, scale * h, scale)) for h in (0, 1, 2, 3, 4)]
        print('scale %-5g %s' % (scale, '   '.join(cells)))

    # Each word's BM25 part on its own (one MATCH per word; their sum is the OR query's bm25), so a
    # passage can also be rewarded for the share of the question's words it has.
    per_word = (
        'WITH part AS MATERIALIZED (SELECT f.rowid AS rid, bm25(chunks_fts, 1, 2, 1) AS s FROM json_each(?1) w '
        'JOIN chunks_fts f ON f.chunks_fts MATCH w.value) '
        'SELECT c.file_id, sum(p.s) * (1 + ?2 * count(*) / ?3) AS s FROM part p JOIN chunks c ON c.rowid = p.rid '
        'GROUP BY p.rid ORDER BY s, p.rid LIMIT 100'
    )

    def variant(rank):
        total = 0.0
        for q, judged in qrels.items():
            total += ndcg10(list(dict.fromkeys(doc_of[f] for f, _ in rank(queries[q]))), judged)
        return total / len(qrels)

    def ranked(match):
        return db.execute(
            'SELECT c.file_id, bm25(chunks_fts, 1, 2, 1) AS s FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid '
            'WHERE chunks_fts MATCH ? ORDER BY s, c.rowid LIMIT 100', (match,)).fetchall()

    def coverage(boost):
        def rank(text):
            terms = query_terms(text)
            return db.execute(per_word, (json.dumps(['"%s"' % t for t in terms]), boost, float(len(terms)))).fetchall()
        return rank

    print('\nSciFact train: nDCG@10 by query form (weights 1, 2, 1)')
    for name, rank in [
        ('content words, OR (fts-query.ts)', lambda t: ranked(match_expression(t))),
        ('every word, stop words kept', lambda t: ranked(match_expression(t, stop=set()))),
        ('content words + adjacent pairs as phrases', lambda t: ranked(match_expression(t, phrases=True))),
    ] + [('content words, score x (1 + %g x share of words matched)' % b, coverage(b)) for b in (0.2, 0.3, 0.5)]:
        print('  %-58s %.4f' % (name, variant(rank)))


if __name__ == '__main__':
    main()
