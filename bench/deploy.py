#!/usr/bin/env python3
"""Objects uploaded and seconds taken by `feeds deploy`, against a local S3 server.

    .venv/bin/python bench/deploy.py --articles 50000

Generates the peer harness's corpus (../shared/peers/gen_corpus.py) into bench/out,
builds every feed and page with bench/full.toml, starts moto's S3 server (the `test`
extra) in its own process on a free loopback port, and times `feeds deploy` as a user
runs it (a fresh process each time):

  full     the first deploy, into an empty bucket
  again    a second deploy with nothing changed
  add1     after one new article (gen_corpus --add 1) and a rebuild

A real store adds network round trips that loopback does not have; moto adds its own
CPU (it shares the two cores with the client), so the absolute seconds are the
server's as much as ours. The object counts are exact.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent.parent / "shared" / "peers"
SUMMARY = re.compile(r"(\d+) new, (\d+) changed, (\d+) deleted, (\d+) unchanged")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def corpus(articles: int) -> Path:
    out = ROOT / "bench" / "out" / f"corpus-{articles}"
    if not out.exists():
        subprocess.run([sys.executable, str(PEERS / "gen_corpus.py"), str(out),
                        "-n", str(articles)], check=True, stdout=subprocess.DEVNULL)
    return out


def start_s3(port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                               "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("moto's server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()

    source = corpus(args.articles)
    scratch = Path(tempfile.mkdtemp(prefix="feeds-bench-deploy-"))
    shutil.copytree(source, scratch / "corpus")  # --add 1 needs every layout and meta.json
    port = free_port()
    config = scratch / "feeds.toml"
    config.write_text((ROOT / "bench" / "full.toml").read_text(encoding="utf-8") + f"""
content_dir = "corpus/pages"
output_dir = "public"
state_dir = "state"

[deploy]
endpoint = "http://127.0.0.1:{port}"
bucket = "bench"
workers = {args.workers}
""", encoding="utf-8")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    feeds = [sys.executable, "-m", "feeds", "--config", str(config)]
    server = start_s3(port)
    try:
        import boto3

        s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                          region_name="us-east-1", aws_access_key_id="bench",
                          aws_secret_access_key="bench")
        s3.create_bucket(Bucket="bench")
        started = time.perf_counter()
        subprocess.run([*feeds, "build", "-q"], check=True, env=env)
        files = sum(1 for p in (scratch / "public").rglob("*") if p.is_file())
        print(f"# built {args.articles} articles: {files} files in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        for mode in ("full", "again", "add1"):
            if mode == "add1":
                subprocess.run([sys.executable, str(PEERS / "gen_corpus.py"),
                                str(scratch / "corpus"), "--add", "1"],
                               check=True, stdout=subprocess.DEVNULL)
                subprocess.run([*feeds, "build", "-q"], check=True, env=env)
            started = time.perf_counter()
            done = subprocess.run([*feeds, "deploy"], capture_output=True, text=True, env=env)
            seconds = time.perf_counter() - started
            found = SUMMARY.search(done.stderr)
            if done.returncode != 0 or not found:
                sys.exit(f"deploy failed:\n{done.stderr}")
            new, changed, deleted, unchanged = map(int, found.groups())
            print(f"deploy n={args.articles} mode={mode} uploaded={new + changed} "
                  f"(new={new} changed={changed}) deleted={deleted} unchanged={unchanged} "
                  f"wall_s={seconds:.1f} workers={args.workers}", flush=True)
            if mode == "again":  # what the server's listing costs, apart from feeds
                started = time.perf_counter()
                pages = s3.get_paginator("list_objects_v2").paginate(Bucket="bench")
                count = sum(len(page.get("Contents", ())) for page in pages)
                print(f"# the listing alone (ListObjectsV2, {count} objects): "
                      f"{time.perf_counter() - started:.1f} s", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
