#!/usr/bin/env bash
# Retrieval benchmark: Bedside's `eval` (release build) against plain SQLite FTS5 bm25 run
# from Python on the same corpus in the same run. Prints both, and the latency ratio.
# Usage: bench/retrieval.sh [DATA_DIR] [--retriever bm25|vector|hybrid] [--index embedded|qdrant]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-../shared/data/pubmedqa-dev}"; shift || true
swift build -c release --product bedside >&2
BIN="$(swift build -c release --show-bin-path)/bedside"
ref=$(python3 bench/retrieval_reference.py "$DATA/corpus.jsonl" "$DATA/questions.jsonl")
ours=$("$BIN" eval --corpus "$DATA/corpus.jsonl" --questions "$DATA/questions.jsonl" --json "$@")
python3 - "$ref" "$ours" <<'PY'
import json, sys
ref, ours = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"{'':22}{'bedside':>12}{'fts5 reference':>16}")
for k in ["recall@1", "recall@5", "recall@10", "mrr@10", "latency_ms_p50", "latency_ms_p95"]:
    print(f"{k:22}{ours[k]:>12.4f}{ref[k]:>16.4f}")
print(f"latency ratio p50 (bedside / reference): {ours['latency_ms_p50'] / ref['latency_ms_p50']:.2f}")
if "ingest_seconds" in ours: print(f"ingest: {ours['ingest_seconds']:.2f} s for {int(ours['documents'])} documents, {int(ours['chunks'])} passages ({ours.get('retriever', '')})")
PY
