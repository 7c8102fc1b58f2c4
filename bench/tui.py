#!/usr/bin/env python3
"""Console benchmark: drives the real `bedside` binary under tmux and reads the timing
marks it writes to $BEDSIDE_TUI_TRACE (see Sources/TUI/Runtime/TUITrace.swift).

Measures, in one run:
  * start to interactive: launch of `bedside` (embedded gateway, demo corpus already
    indexed) until the first frame, and until the status bar knows ONLINE/OFFLINE;
    reference: launch-to-exit of `bedside --version` (process start + Swift runtime).
  * Enter-to-screen for a cached answer: the Enter key read to the complete answer's
    frame drawn, with the console on `bedside serve`; reference: the same cached
    POST /v1/query answered to a plain HTTP client (the gateway round trip alone).
  * Enter-to-screen offline: the same console after the gateway is killed (-9), the answer
    replayed STALE from the workstation replica; compared with the online cached case.

Usage: bench/tui.py BIN [--runs N] [--asks N]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

QUESTION = "What is the first-line fluid bolus in septic shock?"


def tmux(sock, *args):
    return subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", *args], check=True, capture_output=True, text=True).stdout


def read_trace(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def wait_trace(path, pred, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for e in read_trace(path):
            if pred(e):
                return e
        time.sleep(0.002)
    raise SystemExit(f"timed out waiting in {path}")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--asks", type=int, default=30)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="bedside-tui-bench-")
    db = os.path.join(work, "bench.sqlite")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BEDSIDE_")}
    env.update({"BEDSIDE_DB": db, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                "XDG_CONFIG_HOME": os.path.join(work, "config")})
    # Index the demo corpus once, so starts measure the usual case (an existing index).
    t = time.time()
    subprocess.run([a.bin, "ask", "--db", db, QUESTION], env=env, check=True, capture_output=True)
    first_ingest = time.time() - t

    # Reference: process launch to exit.
    ref = []
    for _ in range(a.runs):
        t = time.perf_counter()
        subprocess.run([a.bin, "--version"], env=env, check=True, capture_output=True)
        ref.append((time.perf_counter() - t) * 1000)

    # Start to interactive, embedded gateway.
    first_frame, ready = [], []
    for i in range(a.runs):
        sock = os.path.join(work, f"s{i}")
        trace = os.path.join(work, f"start{i}.jsonl")
        e = dict(env, BEDSIDE_TUI_TRACE=trace)
        launch = time.time()
        tmux(sock, "new-session", "-d", "-x", "120", "-y", "40", *sum((["-e", f"{k}={v}"] for k, v in e.items() if k.startswith(("BEDSIDE_", "TERM", "LANG", "LC_", "XDG_"))), []),
             "--", a.bin, "--export-dir", work)
        ff = wait_trace(trace, lambda x: x["event"] == "first_frame")
        rd = wait_trace(trace, lambda x: x["event"] == "ready")
        first_frame.append((ff["unix"] - launch) * 1000)
        ready.append((rd["unix"] - launch) * 1000)
        tmux(sock, "kill-server")

    # Enter-to-screen against `bedside serve`.
    serve = subprocess.Popen([a.bin, "serve", "--db", db, "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = None
    deadline = time.time() + 30
    while url is None and time.time() < deadline:
        line = serve.stdout.readline()
        if '"url":"' in line:
            url = line.split('"url":"', 1)[1].split('"', 1)[0]
    if url is None:
        raise SystemExit("bedside serve did not report its URL")
    token = subprocess.run([a.bin, "token", "create", "--db", db, "--subject", "bench"], env=env, check=True, capture_output=True, text=True).stdout.strip()
    body = json.dumps({"question": QUESTION}).encode()
    http = []
    for i in range(a.asks + 5):
        req = urllib.request.Request(url + "/v1/query", data=body, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        t = time.perf_counter()
        with urllib.request.urlopen(req) as r:
            payload = json.loads(r.read())
        if i >= 5:
            http.append((time.perf_counter() - t) * 1000)
    assert payload["cached"], "the reference query should be a cache hit"

    sock = os.path.join(work, "ask")
    trace = os.path.join(work, "ask.jsonl")
    # The workstation replica goes in the scratch folder, never the user's data folder.
    tmux(sock, "new-session", "-d", "-x", "120", "-y", "40", "-e", f"BEDSIDE_TUI_TRACE={trace}", "-e", "TERM=xterm-256color",
         "-e", "LANG=C.UTF-8", "-e", f"XDG_CONFIG_HOME={env['XDG_CONFIG_HOME']}", "-e", f"XDG_DATA_HOME={os.path.join(work, 'data')}",
         "--", a.bin, "--gateway", url, "--token", token)
    wait_trace(trace, lambda x: x["event"] == "ready")
    enter, first_event, frames = [], [], []
    for i in range(a.asks + 1):  # the first ask is a warm-up
        if i > 0:
            tmux(sock, "send-keys", "-t", "0", "i")  # after an answer the focus is on the answer pane
        tmux(sock, "send-keys", "-t", "0", "C-u")
        tmux(sock, "send-keys", "-t", "0", "-l", QUESTION)
        before = len([x for x in read_trace(trace) if x["event"] == "answer_drawn"])
        tmux(sock, "send-keys", "-t", "0", "Enter")
        wait_trace(trace, lambda x, b=before: len([y for y in read_trace(trace) if y["event"] == "answer_drawn"]) > b)
        last = [x for x in read_trace(trace) if x["event"] == "answer_drawn"][-1]
        assert last["complete"], last
        if i > 0:
            assert last["cached"], last
            enter.append(last["ms"])
            first_event.append(last["first_event_ms"])
            frames.append(last["frames"])
        time.sleep(0.05)

    # Offline: the gateway is killed; the same question replays from the replica.
    serve.kill()
    serve.wait(timeout=30)
    offline = []
    for i in range(a.asks + 1):  # the first ask finds the gateway gone and turns the console OFFLINE
        tmux(sock, "send-keys", "-t", "0", "i")
        tmux(sock, "send-keys", "-t", "0", "C-u")
        tmux(sock, "send-keys", "-t", "0", "-l", QUESTION)
        before = len([x for x in read_trace(trace) if x["event"] == "answer_drawn"])
        tmux(sock, "send-keys", "-t", "0", "Enter")
        wait_trace(trace, lambda x, b=before: len([y for y in read_trace(trace) if y["event"] == "answer_drawn"]) > b)
        last = [x for x in read_trace(trace) if x["event"] == "answer_drawn"][-1]
        assert last["complete"] and last["stale"], last
        if i == 0:
            # Let the background probe see the gateway gone (it then replays without trying the network).
            deadline = time.time() + 10
            while "OFFLINE" not in tmux(sock, "capture-pane", "-p", "-t", "0") and time.time() < deadline:
                time.sleep(0.05)
            time.sleep(1.5)
        else:
            offline.append(last["ms"])
        time.sleep(0.05)
    tmux(sock, "kill-server")
    shutil.rmtree(work, ignore_errors=True)

    def row(name, xs):
        print(f"{name:44}{statistics.median(xs):>10.2f}{pct(xs, 95):>10.2f}")
    print(f"{'(ms)':44}{'p50':>10}{'p95':>10}")
    row("reference: bedside --version, launch to exit", ref)
    row("start to first frame (embedded gateway)", first_frame)
    row("start to interactive (status known)", ready)
    row("reference: cached POST /v1/query over HTTP", http)
    row("Enter-to-screen, cached answer", enter)
    row("  of which Enter to the first stream event", first_event)
    row("Enter-to-screen offline, replayed (replica)", offline)
    print(f"frames drawn per cached answer (median): {statistics.median(frames):.0f}")
    print(f"start ratio (interactive / --version): {statistics.median(ready) / statistics.median(ref):.2f}")
    print(f"Enter-to-screen ratio (console / bare HTTP round trip): {statistics.median(enter) / statistics.median(http):.2f}")
    print(f"offline / online Enter-to-screen (median): {statistics.median(offline) / statistics.median(enter):.2f}")
    print(f"first ask on an empty database (demo ingest + answer, CLI): {first_ingest:.2f} s")


if __name__ == "__main__":
    main()
