#!/usr/bin/env python3
"""Requests per second from `feeds serve` for a feed: full answers (200) and 304s.

    python bench/serve.py --seconds 5 --repeat 3

Builds the demo content into a scratch folder, starts `feeds serve` (uvicorn,
one process) on a free loopback port, and loads it with wrk (Debian package
`wrk`) from a second process: plain GETs of /feeds/all.rss.xml, then the
conditional GETs a feed reader sends (If-None-Match with the current ETag).
Prints the median of the runs for each; the target is 2,000 304s a second.
Both processes share the machine's cores, as they would on a small server.
"""

from __future__ import annotations

import argparse
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEED = "/feeds/all.rss.xml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the server did not answer at {url}")


def wrk(url: str, seconds: int, connections: int, headers: list[str]) -> tuple[float, str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    if errors:
        sys.exit(f"{errors.group(1)} error responses:\n{out}")
    return rate, p99.group(1) if p99 else "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install wrk")

    scratch = Path(tempfile.mkdtemp(prefix="feeds-bench-serve-"))
    shutil.copytree(ROOT / "content", scratch / "content")
    shutil.copy(ROOT / "feeds.toml", scratch / "feeds.toml")
    feeds = [sys.executable, "-m", "feeds"]
    subprocess.run([*feeds, "build"], cwd=scratch, check=True)
    port = free_port()
    server = subprocess.Popen([*feeds, "serve", "--port", str(port)], cwd=scratch,
                              stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}{FEED}"
        wait_for(url)
        etag = urllib.request.urlopen(url).headers["ETag"]
        results: dict[str, list[tuple[float, str]]] = {"200": [], "304": []}
        for _ in range(args.repeat):
            results["200"].append(wrk(url, args.seconds, args.connections, []))
            results["304"].append(wrk(url, args.seconds, args.connections,
                                      [f"If-None-Match: {etag}"]))
        for status, runs in results.items():
            rates = [r for r, _ in runs]
            print(f"serve status={status} median_rps={statistics.median(rates):,.0f} "
                  f"runs={', '.join(f'{r:,.0f}' for r in rates)} "
                  f"p99={', '.join(p for _, p in runs)} connections={args.connections}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
