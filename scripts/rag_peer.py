#!/usr/bin/env python3
"""A small Python RAG service over gRPC, the peer of `bedside serve --inference grpc://HOST:PORT`.

It implements rag.RAGService/Query (Protos/rag.proto) over the demo corpus with plain keyword
overlap scoring: it is a test peer, not a retriever. The Python stubs are generated at start-up
with grpc_tools.protoc into a temporary folder, so nothing generated for Python is committed.

    python3 scripts/rag_peer.py --port 50051 [--corpus corpus/demo] [--control FILE]

Prints `listening PORT` on stdout once it serves (--port 0 picks a free port).

The control file (--control), re-read on every call, switches behaviour for tests:
    delay=SECONDS       sleep this long before answering (past the gateway's deadline)
    error=CODE          answer with this gRPC status (UNAVAILABLE, INVALID_ARGUMENT, INTERNAL, ...)
    append=TEXT         add TEXT (with any [n] markers) after the answer's own sentences, e.g. a
                        sentence its citation does not back, to test the gateway's checker
    replace=TEXT        answer TEXT instead, with the same citations
    hostile=KIND        a reply a gateway must not trust (issue 19), instead of the normal one:
                          huge      one 3 MB citation, cited by every sentence
                          many      20,000 small citations
                          nan       scores NaN, +Inf and -Inf
                          escapes   terminal escapes (ESC, CSI, OSC 8, C1) and bidi overrides in
                                    the answer, titles and texts, within the gateway's caps
                          heavy     just within the gateway's default caps: an 8,000-byte answer,
                                    20 citations of 16,000 bytes (the most checking work allowed)
Lines are `key=value`; a missing or empty file means answer normally. Every call is counted in
`FILE.calls` (one line per call) so tests can tell whether the gateway called the peer.
Needs grpcio and grpcio-tools (pip install grpcio grpcio-tools).
"""
import argparse
import os
import re
import sys
import tempfile
import time
from concurrent import futures

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_stubs(proto_dir):
    """Generates rag_pb2 / rag_pb2_grpc from rag.proto into a temp folder and imports them."""
    from grpc_tools import protoc
    import importlib.resources

    out = tempfile.mkdtemp(prefix="rag-peer-stubs-")
    include = str(importlib.resources.files("grpc_tools") / "_proto")
    code = protoc.main(["grpc_tools.protoc", f"-I{proto_dir}", f"-I{include}", f"--python_out={out}",
                        f"--grpc_python_out={out}", os.path.join(proto_dir, "rag.proto")])
    if code != 0:
        raise SystemExit(f"rag_peer: protoc failed with {code}")
    sys.path.insert(0, out)
    import rag_pb2
    import rag_pb2_grpc
    return rag_pb2, rag_pb2_grpc


WORD = re.compile(r"[a-z0-9]+")
STOP = set("a an the of in on for to and or is are was be with by at as what how when which who does do should "
           "i it its this that from than there their after before".split())


def words(text):
    return [w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 1]


def load_corpus(folder):
    """Passages: (source_id, title, text) per Markdown paragraph of each document."""
    passages = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith((".md", ".txt")):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            text = f.read()
        source_id = os.path.splitext(name)[0]
        title = source_id
        for line in text.splitlines():
            if line.startswith("# "):
                title = line[2:].strip()
                break
        for para in re.split(r"\n\s*\n", text):
            para = para.strip()
            if not para or para.startswith("#") or para.startswith(">"):
                continue
            passages.append((source_id, title, para, set(words(para))))
    return passages


def read_control(path):
    settings = {}
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if "=" in line:
                    k, v = line.strip().split("=", 1)
                    settings[k.strip()] = v.strip()
    return settings


ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;javascript:alert(1)\x1b\\link\x1b]8;;\x1b\\\u202e\u0085\x9b31m"


def hostile_reply(rag_pb2, kind, passages):
    """One of the replies `hostile=KIND` describes, built from the corpus's passages."""
    texts = [p[2] for p in passages] or ["The IM adrenaline dose is 500 micrograms."]
    first = re.split(r"(?<=[.!?])\s+", texts[0])[0].rstrip(".")

    def filled(size, offset=0):
        out, i = [], offset
        total = 0
        while total < size:
            t = texts[i % len(texts)] + " "
            out.append(t)
            total += len(t.encode("utf-8"))
            i += 1
        return "".join(out).encode("utf-8")[:size].decode("utf-8", "ignore")

    if kind == "huge":
        text = filled(3_000_000)
        return rag_pb2.QueryResponse(
            answer=" ".join(f"{first} [1]." for _ in range(50)),
            citations=[rag_pb2.Citation(text=text, score=0.9, source_id="huge" + ESCAPES, title="Huge" + ESCAPES)])
    if kind == "many":
        cites = [rag_pb2.Citation(text=texts[i % len(texts)][:80], score=0.5, source_id=f"s{i}") for i in range(20_000)]
        return rag_pb2.QueryResponse(answer=" ".join(f"{first} [{n}]." for n in range(1, 200)), citations=cites)
    if kind == "nan":
        cites = [rag_pb2.Citation(text=texts[i % len(texts)], score=s, source_id=f"s{i}")
                 for i, s in enumerate([float("nan"), float("inf"), float("-inf")])]
        return rag_pb2.QueryResponse(answer=f"{first} [1]. {first} [2].", citations=cites)
    if kind == "escapes":
        cites = [rag_pb2.Citation(text=ESCAPES + texts[0] + ESCAPES, score=0.5, source_id="esc" + ESCAPES, title=ESCAPES)]
        return rag_pb2.QueryResponse(answer=f"{ESCAPES}{first} [1].{ESCAPES}", citations=cites)
    if kind == "heavy":
        cites = [rag_pb2.Citation(text=filled(16_000 - 64, offset=n), score=0.5, source_id=f"h{n}", title=f"Heavy {n}")
                 for n in range(20)]
        sentences, size, n = [], 0, 0
        while True:
            lead = re.split(r"(?<=[.!?])\s+", texts[n % len(texts)])[0].rstrip(".")
            sentence = f"{lead} [{n % 20 + 1}]. "
            if size + len(sentence.encode("utf-8")) > 8_000:
                break
            sentences.append(sentence)
            size += len(sentence.encode("utf-8"))
            n += 1
        return rag_pb2.QueryResponse(answer="".join(sentences), citations=cites)
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=50051)
    parser.add_argument("--corpus", default=os.path.join(ROOT, "corpus", "demo"))
    parser.add_argument("--proto", default=os.path.join(ROOT, "Protos"))
    parser.add_argument("--control", default=os.environ.get("RAG_PEER_CONTROL"))
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args()

    import grpc
    rag_pb2, rag_pb2_grpc = load_stubs(args.proto)
    passages = load_corpus(args.corpus)

    class Service(rag_pb2_grpc.RAGServiceServicer):
        def Query(self, request, context):
            if args.control:
                with open(args.control + ".calls", "a", encoding="utf-8") as f:
                    f.write(request.question.replace("\n", " ") + "\n")
            control = read_control(args.control)
            delay = float(control.get("delay", "0") or 0)
            if delay > 0:
                time.sleep(delay)
            error = control.get("error", "")
            if error:
                code = getattr(grpc.StatusCode, error.upper(), grpc.StatusCode.INTERNAL)
                context.abort(code, f"rag_peer: switched to {code.name}")
            hostile = hostile_reply(rag_pb2, control.get("hostile", ""), passages)
            if hostile is not None:
                return hostile
            question = request.question.strip()
            if not question:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "The question is empty.")
            q = set(words(question))
            specialty = request.filters.get("source_id")
            scored = []
            for source_id, title, text, ws in passages:
                if specialty and source_id != specialty:
                    continue
                overlap = len(q & ws)
                if overlap:
                    scored.append((overlap / (len(q) or 1), source_id, title, text))
            scored.sort(key=lambda s: (-s[0], s[1]))
            top = scored[: args.top]
            if not top:
                return rag_pb2.QueryResponse(answer="The indexed sources do not answer this question.")
            citations, sentences = [], []
            for n, (score, source_id, title, text) in enumerate(top, start=1):
                citations.append(rag_pb2.Citation(text=text, score=score, source_id=source_id, title=title))
                first = re.split(r"(?<=[.!?])\s+", text)[0].rstrip(".")
                sentences.append(f"{first} [{n}].")
            answer = " ".join(sentences)
            if control.get("append"):
                answer += " " + control["append"]
            if control.get("replace"):
                answer = control["replace"]
            return rag_pb2.QueryResponse(answer=answer, citations=citations)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    rag_pb2_grpc.add_RAGServiceServicer_to_server(Service(), server)
    port = server.add_insecure_port(f"{args.host}:{args.port}")
    if port == 0:
        raise SystemExit(f"rag_peer: cannot listen on {args.host}:{args.port}")
    server.start()
    print(f"listening {port}", flush=True)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(0)


if __name__ == "__main__":
    main()
