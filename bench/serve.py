#!/usr/bin/env python3
"""Live-reload benchmark for `shirube serve`: from saving a file to the browser being told to reload.

    python3 bench/serve.py                      # 1000 and 10000 pages, 40 timed saves each
    python3 bench/serve.py --pages 10000 --saves 100
    python3 bench/serve.py --binary target/release/shirube --pages 1000

For each size it generates a site with ../shared/bench/gen_corpus.py, starts `shirube serve --port 0` on it
(loopback only), opens the Server-Sent Events stream the browser would, then saves one playbook again and
again: a plain write that changes a sentence of its body. For each save it measures

    event_ms   from just before the write to the `reload` event arriving on the stream
    html_ms    from the same moment to the page's new HTML fully received (event, then a GET)

and prints p50, p95 and max of both, the time to the first served page, and serve's memory (VmRSS now and
VmHWM, the peak, from /proc). The first saves after start wait for the second (standby) session to be built
and are not timed (--warmup). Between saves it pauses --pause seconds, like an author between two saves.

Standard library only. Only 127.0.0.1 is contacted. Everything it starts is stopped when it exits.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import queue

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GEN = os.path.join(REPO, "..", "shared", "bench", "gen_corpus.py")


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def sse_reader(port, path, out):
    """Reads events from the stream; puts (name, data, perf_counter at arrival) on `out`."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    f = s.makefile("rb")
    name = "message"
    for raw in f:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            out.put((name, line[6:], time.perf_counter()))
            name = "message"


def get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    m = re.search(rb"Content-Length: (\d+)", head)
    want = int(m.group(1)) if m else None
    while want is None or len(body) < want:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    s.close()
    return head, body


def rss_mb(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024
    return out.get("VmRSS", 0.0), out.get("VmHWM", 0.0)


def run_size(binary, pages, saves, warmup, pause, tmp):
    site = os.path.join(tmp, f"site-{pages}")
    subprocess.run([sys.executable, GEN, "--pages", str(pages), "--out", site], check=True,
                   stdout=subprocess.DEVNULL)
    # The playbook to save: the first one of the first phase.
    phase_dir = sorted(d for d in os.listdir(os.path.join(site, "playbooks")))[0]
    name = sorted(os.listdir(os.path.join(site, "playbooks", phase_dir)))[0]
    rel = f"playbooks/{phase_dir}/{name}"
    path = os.path.join(site, rel)
    original = open(path, encoding="utf-8").read()

    started = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--root", site, "--port", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in proc.stderr:
            m = re.search(r"at http://127\.0\.0\.1:(\d+)(/\S*)", line)
            if m:
                url = (int(m.group(1)), m.group(2))
                break
        if url is None:
            raise SystemExit("serve did not start")
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        port, base = url
        page = f"{base}{rel[:-3]}/"
        get(port, page)
        first_page = time.perf_counter() - started

        events = queue.Queue()
        threading.Thread(target=sse_reader, args=(port, f"{base}__shirube/events", events), daemon=True).start()
        name_, _, _ = events.get(timeout=60)
        assert name_ == "hello", name_

        event_ms, html_ms = [], []
        for i in range(warmup + saves):
            marker = f"bench-edit-{i}-{os.getpid()}"
            text = original.replace("\n\n", f"\n\n{marker}\n\n", 1)
            t0 = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            while True:
                name_, data, t1 = events.get(timeout=300)
                if name_ == "reload":
                    break
                if name_ == "errors":
                    raise SystemExit(f"the build failed: {data[:500]}")
            _, body = get(port, page)
            t2 = time.perf_counter()
            if marker.encode() not in body:
                raise SystemExit(f"save {i}: the new text is not in {page}")
            if i >= warmup:
                event_ms.append((t1 - t0) * 1000)
                html_ms.append((t2 - t0) * 1000)
            time.sleep(pause)
        rss, hwm = rss_mb(proc.pid)
        return {
            "pages": pages,
            "first_page_s": first_page,
            "event": event_ms,
            "html": html_ms,
            "rss": rss,
            "hwm": hwm,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, action="append", help="site size (repeatable); default 1000 and 10000")
    ap.add_argument("--saves", type=int, default=40, help="timed saves per size (default 40)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed saves first (default 3)")
    ap.add_argument("--pause", type=float, default=0.3, help="seconds between saves (default 0.3)")
    ap.add_argument("--binary", help="shirube binary (default: cargo build --release, then a private copy)")
    args = ap.parse_args()
    sizes = args.pages or [1000, 10000]
    if not os.path.isfile(GEN):
        raise SystemExit(f"bench: corpus generator not found at {GEN}")
    tmp = tempfile.mkdtemp(prefix="shirube-serve-bench.")
    try:
        binary = args.binary
        if binary is None:
            subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
            binary = os.path.join(tmp, "shirube")
            shutil.copy(os.path.join(REPO, "target", "release", "shirube"), binary)
        load = os.getloadavg()[0]
        print(f"# shirube serve: save -> reload event and -> new HTML; {os.cpu_count()} CPUs, load {load:.2f}, "
              f"{args.saves} timed saves, {args.pause}s apart", file=sys.stderr)
        rows = []
        for n in sizes:
            print(f"bench: {n} pages ...", file=sys.stderr)
            rows.append(run_size(binary, n, args.saves, args.warmup, args.pause, tmp))
        print(f"{'pages':>7} {'first_page_s':>12} {'event_p50':>9} {'event_p95':>9} {'event_max':>9} "
              f"{'html_p50':>8} {'html_p95':>8} {'RSS_MB':>7} {'peak_MB':>7}")
        for r in rows:
            print(f"{r['pages']:>7} {r['first_page_s']:>12.2f} {pct(r['event'], 50):>9.1f} {pct(r['event'], 95):>9.1f} "
                  f"{max(r['event']):>9.1f} {pct(r['html'], 50):>8.1f} {pct(r['html'], 95):>8.1f} "
                  f"{r['rss']:>7.0f} {r['hwm']:>7.0f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
