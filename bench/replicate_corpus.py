#!/usr/bin/env python3
"""Scale corpus for bench/retrieval.sh --scale: the corpus repeated COPIES times, each copy's
documents with distinct ids (`ID~rN`; copy 0 keeps the original ids, so gold ids still resolve).
Usage: replicate_corpus.py CORPUS.jsonl COPIES OUT.jsonl"""
import json, sys

src, copies, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
docs = [json.loads(l) for l in open(src) if l.strip()]
with open(out, "w") as f:
    for k in range(copies):
        for d in docs:
            r = dict(d)
            if k:
                r["id"] = f"{d['id']}~r{k}"
            f.write(json.dumps(r) + "\n")
print(len(docs) * copies)
