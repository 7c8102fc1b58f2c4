#!/usr/bin/env python3
"""Starts a command (bedside serve) and prints the milliseconds from just before exec to its
first 200 on GET /readyz, polling with a raw socket every 0.5 ms (a curl process per poll
costs several milliseconds and would be measured with the server). The server keeps running;
its pid is written to --pid-file and its output goes to --log.

    bench/ready.py --port 18787 --pid-file serve.pid --log serve.log -- bedside serve ...
"""
import argparse
import socket
import subprocess
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--pid-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--timeout", type=float, default=10.0)
parser.add_argument("command", nargs=argparse.REMAINDER)
args = parser.parse_args()
command = args.command[1:] if args.command[:1] == ["--"] else args.command

request = b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
log = open(args.log, "wb")
start = time.perf_counter()
process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
with open(args.pid_file, "w") as f:
    f.write(str(process.pid))
while True:
    if process.poll() is not None:
        sys.exit("the server exited before it was ready")
    if time.perf_counter() - start > args.timeout:
        sys.exit("the server was not ready within %.0f s" % args.timeout)
    try:
        with socket.create_connection(("127.0.0.1", args.port), timeout=1) as s:
            s.sendall(request)
            if s.recv(16).startswith(b"HTTP/1.1 200"):
                break
    except OSError:
        pass
    time.sleep(0.0005)
print(round((time.perf_counter() - start) * 1000, 1))
