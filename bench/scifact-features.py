#!/usr/bin/env python3
"""
Would re-scoring the lexical arm's candidates with more than BM25 help? Cross-validated on the BEIR
SciFact TRAIN queries only (never the test split), against the D1 database an earlier
`STATE=dir node bench/scifact.mjs` run left behind.

The top 100 chunks of the lexical arm (FTS5 bm25 with the weights of src/search/lexical.ts) are
re-scored as  bm25 / best bm25  +  sum of weight x feature,  with features a second pass could
compute cheaply from the candidates' words (FTS5's own stemmed tokens, via fts5vocab):
  coord        share of the question's words the chunk has (Lucene's classic coord)
  idf coord    the same, each word weighted by Lucene's idf
  heading      idf-weighted share of the question's words in the heading (the title, on SciFact)
  pairs        share of the question's adjacent word pairs found adjacent in the chunk
  proximity    1 / the smallest gap between two different question words in the chunk
Weights are chosen by coordinate ascent on two thirds of the queries and scored on the other
third, three times over (3-fold cross-validation), so the figure is what a tuned re-scorer gains
on queries it was not tuned on. Printed: the held-out gain per fold and its mean, for each feature
alone and for all together, and the in-sample figure the same weights reach on all of train.

Run:  STATE=/tmp/cairn-scifact SPLIT=train node bench/scifact.mjs   (ingests once, keeps the state)
      python3 bench/scifact-features.py /tmp/cairn-scifact
"""
import collections, importlib.util, json, math, os, random, statistics, sys

_spec = importlib.util.spec_from_file_location('tune', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'scifact-tune.py'))
tune = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tune)

FEATURES = ['coord', 'idf coord', 'heading', 'pairs', 'proximity']
STEPS = (0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    db = tune.open_database(sys.argv[1])
    db.execute("CREATE VIRTUAL TABLE temp.vins USING fts5vocab(main, chunks_fts, 'instance')")
    db.execute("CREATE VIRTUAL TABLE temp.vrow USING fts5vocab(main, chunks_fts, 'row')")
    # The query's words through the index's own tokenizer, so they compare with its tokens.
    db.execute("CREATE VIRTUAL TABLE temp.qtok USING fts5(w, tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE temp.qvoc USING fts5vocab(temp, qtok, 'instance')")
    total = db.execute('SELECT count(*) FROM chunks').fetchone()[0]
    df = dict(db.execute('SELECT term, doc FROM vrow'))
    doc_of = {fid: json.loads(meta).get('doc_id') for fid, meta in db.execute('SELECT id, metadata FROM files')}
    file_of = dict(db.execute('SELECT rowid, file_id FROM chunks'))
    tokens = collections.defaultdict(lambda: {'text': [], 'heading': []})
    for term, doc, col, offset in db.execute("SELECT term, doc, col, offset FROM vins WHERE col IN ('text', 'heading')"):
        tokens[doc][col].append((offset, term))
    for cols in tokens.values():
        for col in cols:
            cols[col] = [t for _, t in sorted(cols[col])]
    queries = tune.read_queries()
    qrels = tune.read_qrels('train')

    def stem(word):
        db.execute('DELETE FROM qtok')
        db.execute('INSERT INTO qtok(rowid, w) VALUES (1, ?)', (word,))
        found = [r[0] for r in db.execute('SELECT term FROM qvoc ORDER BY offset')]
        return found[0] if found else None

    def idf(term):
        n = df.get(term, 0)
        return math.log(1 + (total - n + 0.5) / (n + 0.5))

    def candidates(text):
        terms = [t for t in dict.fromkeys(stem(w) for w in tune.query_terms(text)) if t]
        rows = db.execute(
            'SELECT rowid, -bm25(chunks_fts, 1, 2, 1) AS s FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY s DESC, rowid LIMIT 100',
            (tune.match_expression(text),)).fetchall()
        if not rows or not terms:
            return []
        best = rows[0][1]
        weight = sum(idf(t) for t in terms)
        pairs = set(zip(terms, terms[1:]))
        wanted = set(terms)
        out = []
        for rid, score in rows:
            text_tokens, heading = tokens[rid]['text'], tokens[rid]['heading']
            present = set(text_tokens) | set(heading)
            matched = [t for t in terms if t in present]
            seq = heading + ['|'] + text_tokens
            positions = [(i, t) for i, t in enumerate(text_tokens) if t in wanted]
            gap = min((b[0] - a[0] for a, b in zip(positions, positions[1:]) if a[1] != b[1]), default=None)
            out.append((file_of[rid], [
                score / best,
                len(matched) / len(terms),
                sum(idf(t) for t in matched) / weight,
                sum(idf(t) for t in terms if t in set(heading)) / weight,
                len(pairs & set(zip(seq, seq[1:]))) / max(1, len(pairs)),
                1 / gap if gap else 0.0,
            ]))
        return out

    scored = {q: candidates(queries[q]) for q in qrels}

    def ndcg(q, w):
        ranked = sorted(scored[q], key=lambda c: -sum(a * b for a, b in zip(w, c[1])))
        return tune.ndcg10(list(dict.fromkeys(doc_of[f] for f, _ in ranked)), qrels[q])

    def mean(qs, w):
        return statistics.mean(ndcg(q, w) for q in qs)

    def ascend(qs, allowed):
        w = [1.0] + [0.0] * len(FEATURES)
        best = mean(qs, w)
        for _ in range(3):
            for i in allowed:
                for v in STEPS:
                    trial = list(w)
                    trial[i] = v
                    s = mean(qs, trial)
                    if s > best + 1e-9:
                        best, w = s, trial
        return w, best

    order = sorted(qrels)
    random.Random(7).shuffle(order)
    plain = [1.0] + [0.0] * len(FEATURES)
    print('SciFact train, %d queries: nDCG@10 of BM25 alone %.4f' % (len(order), mean(order, plain)))
    print('%-28s %-30s %10s   %s' % ('features', 'held-out gain per fold', 'mean', 'in-sample on all of train'))
    sets = [[i + 1] for i in range(len(FEATURES))] + [list(range(1, len(FEATURES) + 1))]
    for allowed in sets:
        gains = []
        for k in range(3):
            held = set(order[k::3])
            w, _ = ascend([q for q in order if q not in held], allowed)
            gains.append(mean(held, w) - mean(held, plain))
        _, in_sample = ascend(order, allowed)
        name = 'all five' if len(allowed) > 1 else FEATURES[allowed[0] - 1]
        print('%-28s %-30s %+10.4f   %.4f' % (name, ' '.join('%+.4f' % g for g in gains), statistics.mean(gains), in_sample))


if __name__ == '__main__':
    main()
