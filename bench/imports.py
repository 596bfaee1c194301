#!/usr/bin/env python3
"""What a `feeds build --no-pages` imports, and how long starting it takes.

    .venv/bin/python bench/imports.py --repeat 3

A small rebuild is mostly interpreter start and imports (see "Loading content" in
bench/README.md), so the build path must not import what other commands use. Builds
the demo page in a temporary site, then rebuilds it ``--repeat`` times, each in a fresh
interpreter, and prints the wall time of each and any module from the list below that
was imported. Exits 1 when one was: run it after changing imports on the build path.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PAGE = ROOT / "content" / "000_20e2c56e6a147bfe.txt"
# For other commands, or other cases of the build (pages, new headlines' slugs, PDFs in
# parallel).
NOT_FOR_A_BUILD = {"httpx", "rich", "pypinyin", "apscheduler", "charset_normalizer", "aiosmtpd",
                   "starlette", "feeds.digest", "feeds.schedule.cron", "feeds.pages",
                   "concurrent.futures.process"}
SCRIPT = ("import sys\nfrom feeds.cli import cli\n"
          "cli.main(['build', '-q', '--no-pages'], standalone_mode=False)\n"
          "print(' '.join(sys.modules))")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds after the first")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "content").mkdir()
        shutil.copy(DEMO_PAGE, site / "content")
        (site / "feeds.toml").write_text('[site]\ntitle = "新闻"\n', encoding="utf-8")
        seconds, extra = [], set()
        for run in range(args.repeat + 1):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=site, check=True,
                                  capture_output=True, text=True)
            seconds.append(time.perf_counter() - started)
            modules = set(done.stdout.split())
            # A first build slugs the headlines it shows for the first time: pypinyin.
            extra |= modules & (NOT_FOR_A_BUILD - {"pypinyin"} if run == 0 else NOT_FOR_A_BUILD)
            print(f"run {run + 1}: {seconds[-1]:.3f} s, {len(modules)} modules")
    print(f"median of the rebuilds: {statistics.median(seconds[1:] or seconds):.3f} s")
    if extra:
        print(f"imported but not used by a build: {', '.join(sorted(extra))}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
