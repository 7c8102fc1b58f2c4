#!/usr/bin/env bash
# The answers suite (issue 20): every shared dev set through the whole pipeline in one go, one table.
#   pubmedqa-dev: its 500 questions answerable; out-of-corpus-dev and in-domain-uncovered-dev unanswerable
#   medquad-dev:  its 500 questions answerable; out-of-corpus-dev unanswerable (it covers some of the
#                 in-domain-uncovered topics, so that list is not run there)
#   demo corpus:  corpus/demo with bench/demo-questions.jsonl; both unanswerable lists
# Columns: recall@1, recall@5, MRR@10, false refusals, each unanswerable list refused, citation
# precision, and p50 latency of the whole pipeline (retrieval, gate and answer) on the answerable
# questions. Extractive answers, BM25 unless BEDSIDE_RETRIEVER says otherwise.
#
# Usage: bash bench/answers.sh [--failures]
#   BEDSIDE_BIN=path     the binary (default .build/debug/bedside); e.g. /tmp/bedside-before
#   BEDSIDE_SHARED=dir   the shared data folder (default ../shared/data from the project root)
#   ANSWERS_OUT=dir      where the JSON reports and --details files go (default a new temp folder)
#   --failures           also list each failure: answerable questions refused or answered from no
#                        gold document, unanswerable questions answered (with the documents cited)
# A binary whose eval takes --unanswerable only once (before issue 20) is run with both lists in one
# file and the per-list counts are read from --details; its latency column is then "n/a" (that eval
# timed retrieval only), and its retrieval p50 is shown in brackets.
set -euo pipefail
cd "$(dirname "$0")/.."
failures=0
for arg in "$@"; do
  case "$arg" in
    --failures) failures=1 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "answers.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

BIN="${BEDSIDE_BIN:-.build/debug/bedside}"
if [ ! -x "$BIN" ]; then
  echo "answers.sh: no bedside binary at $BIN: run 'swift build' first, or set BEDSIDE_BIN=path." >&2
  exit 1
fi
SHARED="${BEDSIDE_SHARED:-../shared/data}"
missing=()
for f in pubmedqa-dev/corpus.jsonl pubmedqa-dev/questions.jsonl medquad-dev/corpus.jsonl medquad-dev/questions.jsonl \
         out-of-corpus-dev/questions.txt in-domain-uncovered-dev/questions.txt; do
  [ -f "$SHARED/$f" ] || missing+=("$SHARED/$f")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "answers.sh: the shared dev data is missing (looked in $SHARED; set BEDSIDE_SHARED=dir to point elsewhere):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi
OOC="$SHARED/out-of-corpus-dev/questions.txt"
UNCOVERED="$SHARED/in-domain-uncovered-dev/questions.txt"
OUT="${ANSWERS_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bedside-answers.XXXXXX")}"
mkdir -p "$OUT"

# Does this eval count several --unanswerable lists apart? (Its help says so.)
multi=0
if "$BIN" eval --help 2>/dev/null | tr -s ' \n' ' ' | grep -q 'Repeat for several lists'; then multi=1; fi

# run NAME CORPUS QUESTIONS LIST...: one eval, its JSON in $OUT/NAME.json, details in $OUT/NAME.details.jsonl.
run() {
  local name="$1" corpus="$2" questions="$3"; shift 3
  local args=()
  if [ "$multi" = 1 ]; then
    for l in "$@"; do args+=(--unanswerable "$l"); done
  else
    # One file holding every list in order; the counts per list are read back from --details.
    : > "$OUT/$name.lists.txt"
    for l in "$@"; do grep -v '^[[:space:]]*$' "$l" >> "$OUT/$name.lists.txt"; done
    args+=(--unanswerable "$OUT/$name.lists.txt")
  fi
  echo "answers.sh: $name..." >&2
  "$BIN" eval --corpus "$corpus" --questions "$questions" "${args[@]}" --details "$OUT/$name.details.jsonl" --json \
    > "$OUT/$name.json" 2> "$OUT/$name.stderr" || { echo "answers.sh: eval on $name failed:" >&2; cat "$OUT/$name.stderr" >&2; exit 1; }
}

run pubmedqa-dev "$SHARED/pubmedqa-dev/corpus.jsonl" "$SHARED/pubmedqa-dev/questions.jsonl" "$OOC" "$UNCOVERED"
run medquad-dev "$SHARED/medquad-dev/corpus.jsonl" "$SHARED/medquad-dev/questions.jsonl" "$OOC"
run demo corpus/demo bench/demo-questions.jsonl "$OOC" "$UNCOVERED"

python3 - "$OUT" "$BIN" "$multi" "$failures" "$OOC" "$UNCOVERED" "$SHARED" <<'PY'
import json, os, subprocess, sys
out, binary, multi, failures, ooc, uncovered, shared = sys.argv[1:8]
multi, failures = multi == "1", failures == "1"
runs = [("pubmedqa-dev", [ooc, uncovered]), ("medquad-dev", [ooc]), ("demo", [ooc, uncovered])]
QUESTIONS = {"pubmedqa-dev": f"{shared}/pubmedqa-dev/questions.jsonl", "medquad-dev": f"{shared}/medquad-dev/questions.jsonl",
             "demo": "bench/demo-questions.jsonl"}
LIST_NAMES = {ooc: "out-of-corpus-dev", uncovered: "in-domain-uncovered-dev"}

def lines(path):
    """Non-blank lines: JSONL splits on \\n only (its strings may hold U+2028); text lists on any line break, as eval does."""
    text = open(path, encoding="utf-8", newline="").read()
    parts = text.split("\n") if path.endswith(".jsonl") else text.splitlines()
    return [l for l in parts if l.strip()]

def details(name):
    return [json.loads(l) for l in open(os.path.join(out, name + ".details.jsonl"), encoding="utf-8") if l.strip()]

def list_of(name, lists):
    """Maps a details id of an unanswerable question to the name of its list."""
    if multi:
        return lambda rid: rid.rsplit("-", 1)[0]
    bounds, start = [], 0
    for l in lists:
        n = len(lines(l))
        bounds.append((start, start + n, LIST_NAMES[l]))
        start += n
    def which(rid):
        i = int(rid.rsplit("-", 1)[1]) - 1
        return next(b[2] for b in bounds if b[0] <= i < b[1])
    return which

rows = []
for name, lists in runs:
    r = json.load(open(os.path.join(out, name + ".json"), encoding="utf-8"))
    refused = {}
    if multi:
        for l in r["unanswerable_lists"]:
            refused[l["name"]] = (int(l["refused"]), int(l["questions"]))
    else:
        which = list_of(name, lists)
        for d in details(name):
            if d["answerable"]:
                continue
            k = which(d["id"])
            n, t = refused.get(k, (0, 0))
            refused[k] = (n + (1 if d["refused"] else 0), t + 1)
    rows.append((name, r, refused))

def cell_refused(refused, key):
    if key not in refused:
        return "–"
    n, t = refused[key]
    return f"{n}/{t}"

header = ["corpus", "docs", "questions", "recall@1", "recall@5", "MRR@10", "false refusals", "out-of-corpus refused",
          "uncovered refused", "citation precision", "p50 ms (answer)"]
table = []
for name, r, refused in rows:
    q = int(r["questions"])
    fr = int(r["false_refusals"])
    latency = f"{r['answer_latency_ms_p50']:.2f}" if "answer_latency_ms_p50" in r else f"n/a [{r['latency_ms_p50']:.2f}]"
    table.append([name, str(int(r["documents"])), str(q), f"{r['recall@1']:.3f}", f"{r['recall@5']:.3f}", f"{r['mrr@10']:.3f}",
                  f"{fr}/{q} ({100 * fr / q:.1f}%)", cell_refused(refused, "out-of-corpus-dev"),
                  cell_refused(refused, "in-domain-uncovered-dev"), f"{r['citation_precision']:.3f}", latency])
widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]
def fmt(cells):
    return "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"
try:
    version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
except Exception:
    version = "?"
print(f"answers suite: {binary} ({version}); retriever {rows[0][1].get('retriever', '?')}, generator {rows[0][1].get('generator', '?')}")
print(fmt(header))
print("|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|")
for t in table:
    print(fmt(t))
print("false refusals: the corpus's own questions refused; refused columns: n of each list refused (– not run on that corpus);")
print("citation precision: cited passages from a gold document; p50 ms (answer): retrieval, gate and answer per answerable question")
if not multi:
    print("(this binary's eval counts one --unanswerable list and times retrieval only: per-list counts read from --details; [retrieval p50 ms])")
print(f"reports and --details files: {out}")

if failures:
    for name, lists in runs:
        which = list_of(name, lists)
        golds = {q["id"]: set(q["gold_ids"]) for q in map(json.loads, lines(QUESTIONS[name]))}
        ds = details(name)
        print(f"\n## {name}")
        for d in ds:
            cited = sorted(set(d["cited"]))
            gold = golds.get(d["id"], set())
            if d["answerable"] and d["refused"]:
                near = ", ".join(x["doc"] for x in d["documents"][:3])
                print(f"falsely refused  {d['id']}  {d['question']!r}  (gate: {d['gate']}; nearest: {near})")
            elif d["answerable"] and not gold.intersection(cited):
                print(f"no gold cited    {d['id']}  {d['question']!r}  cited {', '.join(cited)}: {d['answer'][:160]!r}")
            elif not d["answerable"] and not d["refused"]:
                print(f"answered ({which(d['id'])})  {d['question']!r}  from {', '.join(cited)}: {d['answer'][:160]!r}")
PY
