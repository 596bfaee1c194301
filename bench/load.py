#!/usr/bin/env python3
"""Load throughput of the content loader on a large synthetic archive.

    python bench/load.py --articles 100000 --repeat 3
    python bench/load.py --articles 20000 --repeat 3 --cached

Generates (once) a corpus with the peer harness's deterministic generator
(../shared/peers/gen_corpus.py, pages/ layout: this project's page style with
front matter) and times loading it, each run in a fresh process so peak memory
is that run's own: by default a full parse without the parse cache; with
``--cached``, a load from a parse cache made beforehand (nothing changed, as in
a rebuild) followed by reading every entry's text from it, which is what a
build that renders every article page does. Prints articles per second, MB per
second and peak memory (the main process and the largest worker), the median
of the runs, and one line per run. Shared machines are noisy: compare medians,
and compare against a baseline measured in the same session.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_GENERATOR = HERE.parent.parent / "shared" / "peers" / "gen_corpus.py"

# Runs in a fresh interpreter: loads the corpus once, prints one JSON line.
_RUN = r"""
import json, resource, sys, time
from pathlib import Path
from feeds.config import parse_config
from feeds.content.loader import load, load_cached
config = parse_config({}, root=Path("."))
content, jobs, state = Path(sys.argv[1]), int(sys.argv[2]) or None, sys.argv[3]
start = time.perf_counter()
if state:
    with load_cached(config, content=content, state=Path(state), jobs=jobs) as catalog:
        catalog.entries
else:
    catalog = load(config, content=content, jobs=jobs)
seconds = time.perf_counter() - start
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "entries": len(catalog.entries),
                  "main_mb": me.ru_maxrss / 1024, "worker_mb": kids.ru_maxrss / 1024,
                  "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime}))
"""


def corpus(path: Path, articles: int, generator: Path) -> Path:
    pages = path / "pages"
    if not pages.is_dir():
        if not generator.exists():
            sys.exit(f"generator not found: {generator} (pass --generator)")
        subprocess.run([sys.executable, str(generator), str(path), "-n", str(articles),
                        "--layouts", "pages", "-q"], check=True)
    return pages


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*.txt"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0,
                        help="processes that parse, the loading one included (0: one per core)")
    parser.add_argument("--cached", action="store_true",
                        help="time loading from the parse cache and reading every entry")
    parser.add_argument("--scratch", type=Path, default=HERE / "out",
                        help="where corpora are generated (kept between runs)")
    parser.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    args = parser.parse_args()

    pages = corpus(args.scratch / f"corpus-{args.articles}", args.articles, args.generator)
    megabytes = size_of(pages) / 1e6
    state = ""
    if args.cached:  # made once, untimed; the cache file is removed first (another schema)
        state = str(args.scratch / f"state-{args.articles}")
        shutil.rmtree(state, ignore_errors=True)
        subprocess.run([sys.executable, "-c", _RUN, str(pages), str(args.jobs), state],
                       check=True, capture_output=True)
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", _RUN, str(pages), str(args.jobs), state],
                             check=True, capture_output=True, text=True)
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"run: {run['seconds']:.2f} s, {run['entries'] / run['seconds']:,.0f} articles/s, "
              f"cpu {run['cpu_s']:.1f} s, main {run['main_mb']:.0f} MB, "
              f"largest worker {run['worker_mb']:.0f} MB")
    seconds = statistics.median(r["seconds"] for r in runs)
    entries = runs[0]["entries"]
    print(f"load{' cached' if args.cached else ''} n={entries} files_mb={megabytes:.0f} "
          f"cores={os.cpu_count()} "
          f"median_s={seconds:.2f} articles_per_s={entries / seconds:,.0f} "
          f"mb_per_s={megabytes / seconds:.1f} "
          f"peak_main_mb={max(r['main_mb'] for r in runs):.0f} "
          f"peak_worker_mb={max(r['worker_mb'] for r in runs):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
