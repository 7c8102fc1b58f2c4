#!/usr/bin/env python3
"""Scale corpus for bench/retrieval.sh --scale: the corpus repeated COPIES times, each copy's
documents with distinct ids (`ID~rN`; copy 0 keeps the original ids, so gold ids still resolve).
Written as a folder of .jsonl parts of one copy each (Bedside reads folders; a file over 50 MB
is refused). Usage: replicate_corpus.py CORPUS.jsonl COPIES OUT_DIR   (prints the document count)"""
import json, os, sys

src, copies, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
docs = [json.loads(l) for l in open(src) if l.strip()]
os.makedirs(out, exist_ok=True)
for name in os.listdir(out):
    if name.endswith(".jsonl"): os.remove(os.path.join(out, name))
for k in range(copies):
    with open(os.path.join(out, f"part-{k:04d}.jsonl"), "w") as f:
        for d in docs:
            r = dict(d)
            if k:
                r["id"] = f"{d['id']}~r{k}"
            f.write(json.dumps(r) + "\n")
print(len(docs) * copies)
