#!/usr/bin/env bash
# Retrieval benchmark: Bedside's `eval` (release build) against plain SQLite FTS5 bm25 run
# from Python on the same corpus in the same run. Prints both, and the latency ratio.
# Usage: bench/retrieval.sh [DATA_DIR] [--retriever bm25|vector|hybrid] [--index embedded|qdrant]
#        bench/retrieval.sh --scale [DATA_DIR] [PASSAGES...]   (default 10000 100000)
# Scale mode replicates the corpus with distinct document ids until it holds about PASSAGES
# passages, and measures embedded bm25 ingest throughput (passages/s) and retrieval latency
# p50/p95 at each size, next to plain FTS5 (on-disk, WAL) ingesting and querying the same
# documents; and the same Bedside run with BM25 computed by FTS5 (BEDSIDE_BM25_INDEX=fts5), with
# peak RSS of each. BEDSIDE_BIN=path skips the release build (e.g. a debug binary, for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=0
if [ "${1:-}" = "--scale" ]; then scale=1; shift; fi
DATA="${1:-../shared/data/pubmedqa-dev}"; shift || true
if [ -n "${BEDSIDE_BIN:-}" ]; then
  BIN="$BEDSIDE_BIN"
else
  swift build -c release --scratch-path .build-release --product bedside >&2
  BIN="$(swift build -c release --scratch-path .build-release --show-bin-path)/bedside"
fi

if [ "$scale" = 1 ]; then
  SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000)
  WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
  # Passages per copy of the corpus, from Bedside's own chunking.
  per=$("$BIN" eval --corpus "$DATA/corpus.jsonl" --questions "$DATA/questions.jsonl" --json 2>/dev/null | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["chunks"]))')
  results=()
  # Peak RSS (KB) of a command, its stdout kept: /usr/bin/time -f %M when present.
  rss() { if [ -x /usr/bin/time ]; then /usr/bin/time -f %M -o "$WORK/rss" "$@"; else "$@"; echo 0 > "$WORK/rss"; fi; }
  for size in "${SIZES[@]}"; do
    copies=$(( (size + per - 1) / per ))
    python3 bench/replicate_corpus.py "$DATA/corpus.jsonl" "$copies" "$WORK/corpus" >/dev/null
    echo "scale: $size passages ($copies copies of the corpus)..." >&2
    # Bedside's default: BM25 over the in-memory index (loaded by the first question).
    ours=$(rss "$BIN" eval --corpus "$WORK/corpus" --questions "$DATA/questions.jsonl" --json 2>/dev/null); ours_rss=$(tail -1 "$WORK/rss")
    # The same run with BM25 computed by FTS5 itself (BEDSIDE_BM25_INDEX=fts5): the path before the index.
    plain=$(BEDSIDE_BM25_INDEX=fts5 rss "$BIN" eval --corpus "$WORK/corpus" --questions "$DATA/questions.jsonl" --json 2>/dev/null); plain_rss=$(tail -1 "$WORK/rss")
    ref=$(python3 bench/retrieval_reference.py "$WORK/corpus" "$DATA/questions.jsonl" "$WORK/ref.sqlite")
    results+=("$size" "$ours" "$plain" "$ref" "$ours_rss" "$plain_rss")
  done
  python3 - "${results[@]}" <<'PY'
import json, sys
args = sys.argv[1:]
print("bedside = embedded bm25 over the in-memory index (default); via fts5 = the same with BEDSIDE_BM25_INDEX=fts5;")
print("reference = plain SQLite FTS5 from Python (bench/retrieval_reference.py); latencies per question, ms; RSS = peak of the eval process")
print(f"{'target':>8} {'passages':>9} | {'ingest/s':>8} {'p50':>6} {'p95':>6} {'first':>7} {'RSS MB':>7} {'r@1':>5} {'mrr':>5} | "
      f"{'via fts5 p50':>12} {'p95':>6} {'RSS MB':>7} | {'fts5 rows/s':>11} {'p50':>6} {'p95':>6} | {'p50 ratio':>9} {'p95 ratio':>9}")
for i in range(0, len(args), 6):
    size, ours, plain, ref = int(args[i]), json.loads(args[i + 1]), json.loads(args[i + 2]), json.loads(args[i + 3])
    ours_rss, plain_rss = int(args[i + 4] or 0) / 1024, int(args[i + 5] or 0) / 1024
    rate = ours["chunks"] / ours["ingest_seconds"]
    print(f"{size:>8} {int(ours['chunks']):>9} | {rate:>8.0f} {ours['latency_ms_p50']:>6.2f} {ours['latency_ms_p95']:>6.2f} "
          f"{ours.get('latency_ms_first', 0):>7.1f} {ours_rss:>7.0f} {ours['recall@1']:>5.3f} {ours['mrr@10']:>5.3f} | "
          f"{plain['latency_ms_p50']:>12.2f} {plain['latency_ms_p95']:>6.2f} {plain_rss:>7.0f} | "
          f"{ref['rows'] / ref['ingest_seconds']:>11.0f} {ref['latency_ms_p50']:>6.2f} {ref['latency_ms_p95']:>6.2f} | "
          f"{ours['latency_ms_p50'] / ref['latency_ms_p50']:>9.2f} {ours['latency_ms_p95'] / ref['latency_ms_p95']:>9.2f}")
print("first = the first question's latency, which loads the in-memory index; ratio = bedside / reference")
print("targets: ingest >= 2000 passages/s; at 100k p50 < 5 ms, p95 < 20 ms, and <= 1.5x the FTS5 reference")
PY
  exit 0
fi

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
