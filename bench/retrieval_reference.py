#!/usr/bin/env python3
"""Reference for bench/retrieval.sh: plain SQLite FTS5 bm25 over whole abstracts
(porter tokenizer, question terms OR-ed), measured in the same run as Bedside.
Prints one JSON object with recall@1/5/10, MRR@10, per-query latency p50/p95 (ms), and
the ingest time (rows inserted into an on-disk FTS5 table in WAL mode, one transaction).
Usage: retrieval_reference.py CORPUS(.jsonl or folder of them) QUESTIONS.jsonl [DB_FILE]  (default: in memory)"""
import json, os, re, sqlite3, sys, time

corpus, questions = sys.argv[1], sys.argv[2]
path = sys.argv[3] if len(sys.argv) > 3 else ":memory:"
if path != ":memory:":
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix): os.remove(path + suffix)
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE VIRTUAL TABLE d USING fts5(id UNINDEXED, title, text, tokenize='porter')")
files = [os.path.join(corpus, n) for n in sorted(os.listdir(corpus)) if n.endswith(".jsonl")] if os.path.isdir(corpus) else [corpus]
rows = []
for name in files:
    with open(name) as f:
        rows += [(r["id"], r.get("title", ""), r["text"]) for r in map(json.loads, filter(str.strip, f))]
t0 = time.perf_counter()
with db:
    db.executemany("INSERT INTO d VALUES (?,?,?)", rows)
ingest = time.perf_counter() - t0
qs = [json.loads(l) for l in open(questions) if l.strip()]
ranks, lat = [], []
for q in qs:
    terms = re.findall(r"\w+", q["question"].lower())
    match = " OR ".join('"%s"' % t for t in terms)
    t0 = time.perf_counter()
    ids = [r[0] for r in db.execute("SELECT id FROM d WHERE d MATCH ? ORDER BY bm25(d) LIMIT 10", (match,))]
    lat.append((time.perf_counter() - t0) * 1000)
    gold = set(q["gold_ids"])
    ranks.append(next((i + 1 for i, x in enumerate(ids) if x in gold), None))
db.close()
if path != ":memory:":
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix): os.remove(path + suffix)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, round(p * (len(lat) - 1)))]
rec = lambda k: sum(1 for r in ranks if r and r <= k) / len(ranks)
print(json.dumps({"questions": len(qs), "recall@1": rec(1), "recall@5": rec(5), "recall@10": rec(10),
                  "mrr@10": sum(1 / r for r in ranks if r) / len(ranks), "latency_ms_p50": pct(0.5), "latency_ms_p95": pct(0.95),
                  "rows": len(rows), "ingest_seconds": ingest}))
