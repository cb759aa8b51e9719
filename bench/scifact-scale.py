#!/usr/bin/env python3
"""
Makes a SciFact state N times the corpus for the scaling run, from a state where the corpus was
ingested once through the API: each copy gets new file ids, doc ids `<id>-copy<k>` (never
relevant), and its own chunk rows, written with SQL into the same local D1 database — the insert
triggers fill the FTS5 index exactly as ingestion does. Search cost depends on the rows in the
index, not on how they got there; ingesting 259,150 documents through the local queue one message
at a time would take hours. (bench:scifact with SCALE=n still ingests copies through the API.)
A state ingested with the local embedding model gets its vectors copied too, under the copies' ids.

Run:  STATE=/tmp/scifact-x1 node bench/scifact.mjs                       (ingests the corpus once)
      python3 bench/scifact-scale.py /tmp/scifact-x1 /tmp/scifact-x50 50
      STATE=/tmp/scifact-x50 SCALE=50 node bench/scifact.mjs              (queries the copy)
"""
import glob, json, os, shutil, sqlite3, sys, time

FILE_COLUMNS = ['id', 'org_id', 'workspace_id', 'user_id', 'filename', 'bytes', 'purpose', 'kind', 'content_type', 'status',
                'status_details', 'metadata', 'instructions', 'created_at', 'created_at_ms', 'blob_key', 'pages_total',
                'pages_done', 'parts_total', 'chunk_count']
# The corpus as ingested: copies carry `-copy<k>` in their doc id.
ORIGINAL = "json_extract(metadata, '$.doc_id') NOT LIKE '%-copy%'"
VECTOR_COLUMNS = ['id', 'namespace', 'file_id', 'purpose', 'created_at', 'modality', 'page', 'metadata', 'dimensions', 'vector']
CHUNK_COLUMNS = ['id', 'file_id', 'org_id', 'workspace_id', 'part', 'position', 'text', 'filename', 'heading', 'page', 'sheet',
                 'rows_from', 'rows_to', 'key_path', 'start_time', 'end_time', 'modality', 'char_start', 'char_end', 'token_count']


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, target, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if not os.path.exists(os.path.join(source, 'scifact-ingested-x1.json')):
        sys.exit('%s holds no ingestion of the corpus (run bench:scifact with STATE=%s first)' % (source, source))
    if os.path.exists(target):
        sys.exit('%s exists; remove it first' % target)
    shutil.copytree(source, target)
    [path] = [f for f in glob.glob(os.path.join(target, 'v3', 'd1', '*', '*.sqlite')) if not f.endswith('metadata.sqlite')]
    db = sqlite3.connect(path)
    originals = db.execute('SELECT count(*) FROM files WHERE %s' % ORIGINAL).fetchone()[0]
    started = time.time()
    for k in range(1, n):
        suffix = '-c%d' % k
        copy = '-copy%d' % k
        files = {c: c for c in FILE_COLUMNS}
        files.update({
            'id': "id || '%s'" % suffix,
            'filename': "replace(filename, '.md', '%s.md')" % copy,
            'metadata': "json_set(metadata, '$.doc_id', json_extract(metadata, '$.doc_id') || '%s')" % copy,
            'blob_key': "blob_key || '%s'" % suffix,
            'created_at_ms': 'created_at_ms + %d' % k,
        })
        chunks = {c: c for c in CHUNK_COLUMNS}
        chunks.update({
            'id': "replace(id, file_id, file_id || '%s')" % suffix,
            'file_id': "file_id || '%s'" % suffix,
            'filename': "replace(filename, '.md', '%s.md')" % copy,
        })
        vectors = {c: c for c in VECTOR_COLUMNS}
        vectors.update({
            'id': "replace(id, file_id, file_id || '%s')" % suffix,
            'file_id': "file_id || '%s'" % suffix,
            'metadata': "json_set(metadata, '$.file_id', file_id || '%s')" % suffix,
        })
        with db:
            db.execute('INSERT INTO vectors (%s) SELECT %s FROM vectors WHERE file_id IN (SELECT id FROM files WHERE %s)' % (
                ', '.join(VECTOR_COLUMNS), ', '.join(vectors[c] for c in VECTOR_COLUMNS), ORIGINAL))
            db.execute('INSERT INTO files (%s) SELECT %s FROM files WHERE %s' % (', '.join(FILE_COLUMNS), ', '.join(files[c] for c in FILE_COLUMNS), ORIGINAL))
            db.execute('INSERT INTO chunks (%s) SELECT %s FROM chunks WHERE file_id IN (SELECT id FROM files WHERE %s)' % (
                ', '.join(CHUNK_COLUMNS), ', '.join(chunks[c] for c in CHUNK_COLUMNS), ORIGINAL))
        print('\r  copy %d of %d written (%.0f s)' % (k, n - 1, time.time() - started), end='', flush=True)
    total = db.execute('SELECT count(*) FROM files').fetchone()[0]
    chunk_rows = db.execute('SELECT count(*) FROM chunks').fetchone()[0]
    vector_rows = db.execute('SELECT count(*) FROM vectors').fetchone()[0]
    db.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    db.close()
    with open(os.path.join(target, 'scifact-ingested-x%d.json' % n), 'w') as f:
        json.dump({'docs': total, 'totalMs': (time.time() - started) * 1000, 'failed': 0, 'copiedWithSql': True}, f)
    print('\n  %d documents (%d originals), %d chunks, %d vectors in %s' % (total, originals, chunk_rows, vector_rows, target))


if __name__ == '__main__':
    main()
