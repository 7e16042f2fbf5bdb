#!/usr/bin/env python3
"""Load and slow-client test of `shirube serve` (issue 17, "serve against clients that do not read").

Usage:
    cargo build --release
    python3 bench/serve_load.py [--bin target/release/shirube] [--pages 1000] [--seconds 30]

Needs `wrk` (apt-get install wrk) and ../shared/bench/gen_corpus.py (or --corpus). Loopback only. Three phases,
each printing wrk's summary and serve's resident memory (VmRSS, sampled every 0.2 s):

1. wrk, 50 connections, --seconds long, on one page, while a playbook is saved every 0.5 s (the site rebuilds
   and open event streams get a reload each time).
2. The same with clients that do not read: 8 connections asking for a 10 MB file and reading nothing, and an
   event stream that reads nothing while saves add 3,000 broken pages (an overlay of 3,000 errors) and then keep
   changing the first error.
3. Oversize heads: a 10 MB header, then a 500 MB header streamed without end; RSS before and after.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop = pid, 0, False

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_kb(self.pid))
            time.sleep(0.2)


def start(binary, root):
    proc = subprocess.Popen(
        [binary, "serve", "--port", "0", "--root", root],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:
        m = re.search(r"serving .* at (http://127\.0\.0\.1:(\d+)(/\S*))", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, int(m.group(2)), m.group(3)
    sys.exit("serve did not start")


def wrk(url, seconds):
    out = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {
        "requests": total.group(1) if total else "?",
        "req/s": rps.group(1) if rps else "?",
        "p99": p99.group(1) if p99 else "?",
        "socket errors": errors.group(1) if errors else "none",
        "non-2xx": non2xx.group(1) if non2xx else "0",
    }


def saver(path, stop, every=0.5):
    text = open(path).read()
    n = 0
    while not stop.is_set():
        n += 1
        with open(path, "w") as f:
            f.write(text + f"\n\nSaved {n} times during the load test.\n")
        time.sleep(every)
    with open(path, "w") as f:
        f.write(text)
    return n


def stuck_get(port, path):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n".encode())
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "target", "release", "shirube"))
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--skip-heads", action="store_true", help="leave out phase 3 (oversize heads)")
    ap.add_argument("--corpus", default=os.path.join(HERE, "..", "..", "shared", "bench", "gen_corpus.py"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="serve-load-")
    root = os.path.join(tmp, "site")
    subprocess.run([sys.executable, args.corpus, "--pages", str(args.pages), "--out", root], check=True,
                   stdout=subprocess.DEVNULL)
    os.makedirs(os.path.join(root, "static"), exist_ok=True)
    with open(os.path.join(root, "static", "big.bin"), "wb") as f:
        f.write(os.urandom(10 << 20))
    playbooks = sorted(
        os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, "playbooks")) for f in fs if f.endswith(".md")
    )
    target = playbooks[0]
    proc, port, base = start(args.bin, root)
    url = f"http://127.0.0.1:{port}{base}"
    page = url + "faq/"
    print(f"serve pid {proc.pid} at {url}; RSS after start {rss_kb(proc.pid) // 1024} MB")
    sampler = Sampler(proc.pid)
    sampler.start()

    # 1. Load with saves.
    stop = threading.Event()
    t = threading.Thread(target=saver, args=(target, stop), daemon=True)
    t.start()
    r = wrk(page, args.seconds)
    stop.set()
    t.join()
    print(f"1. wrk -c50 {args.seconds}s with a save every 0.5 s: {r}; peak RSS {sampler.peak // 1024} MB")

    # 2. Clients that do not read.
    stuck = [stuck_get(port, base + "big.bin") for _ in range(8)]
    events = stuck_get(port, base + "__shirube/events")
    long = "x" * 300
    for i in range(3000):
        with open(os.path.join(root, "content", "faq", f"zz-broken-{i:04}.md"), "w") as f:
            f.write(f"---\ntitle: [{long} {i}\n---\n")
    first = os.path.join(root, "content", "faq", "zz-broken-0000.md")
    stop = threading.Event()

    def break_saves():
        n = 0
        while not stop.is_set():
            n += 1
            with open(first, "w") as f:
                f.write("---" + "\n" * (1 + n % 2) + f"title: [{long} 0\n---\n")
            time.sleep(0.5)

    t = threading.Thread(target=break_saves, daemon=True)
    t.start()
    r = wrk(page, args.seconds)
    stop.set()
    t.join()
    # Dropped by now (10 s without progress): what each had received when it was, then the end of the stream.
    got = []
    for s in stuck + [events]:
        s.settimeout(5)
        n = 0
        try:
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                n += len(chunk)
        except (socket.timeout, OSError):
            n = -1 if n == 0 else n
        got.append(n)
    dropped = sum(1 for n in got[:8] if 0 <= n < (10 << 20))
    print(f"2. same, with 8 clients not reading a 10 MB file and an event stream not reading during saves of "
          f"3,000 errors: {r}; peak RSS {sampler.peak // 1024} MB; {dropped}/8 downloads dropped unfinished "
          f"(bytes each: {got[:8]}); the event stream {'was dropped' if got[8] >= 0 else 'is still open'} "
          f"after {got[8]} bytes")
    for s in stuck + [events]:
        s.close()
    for i in range(3000):
        os.remove(os.path.join(root, "content", "faq", f"zz-broken-{i:04}.md"))

    # 3. Oversize heads.
    if args.skip_heads:
        proc.kill()
        proc.wait()
        return
    before = rss_kb(proc.pid)
    s = socket.create_connection(("127.0.0.1", port))
    head = b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * (10 << 20) + b"\r\n\r\n"
    try:
        s.sendall(head)
    except OSError:
        pass
    try:
        status = s.recv(64).split(b"\r\n")[0].decode()
    except OSError as e:
        status = f"connection error {e}"
    s.close()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
    block, sent = b"a" * (1 << 20), 0
    try:
        while sent < 500:
            s.sendall(block)
            sent += 1
    except OSError:
        pass
    s.close()
    time.sleep(0.5)
    print(f"3. 10 MB header: {status!r}; 500 MB streamed header: cut off after {sent} MB sent; "
          f"RSS {before // 1024} MB before, {rss_kb(proc.pid) // 1024} MB after; peak {sampler.peak // 1024} MB")
    sampler.stop = True
    proc.kill()
    proc.wait()


if __name__ == "__main__":
    main()
