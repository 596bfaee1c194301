#!/usr/bin/env python3
"""Kill a large build at random moments: the site must be the old one or the new one.

    python bench/kill.py --articles 20000 --kills 20

Generates (once, with the peer harness's generator ../shared/peers/gen_corpus.py) a
corpus, and from it two versions of the content: the old one, and a new one with a
day of articles added and five pages removed. Builds the old site (every feed, archive
and page, with bench/full.toml), and once the new one from there, with a new site title
so that every file changes (as after an upgrade or a template change: the longest
publish there is), to know both sites' bytes and how long the new build takes. Then,
each time from the old site and state, it starts that build again and sends it SIGKILL
at a random moment of that time, and checks:

- right after the kill: the site is the old one, the new one, or (killed while files
  were being swapped in) a mix that a complete journal beside the site will finish;
- after the recovery every build does first (feeds.sitewriter.recover): the site is
  the old one or the new one, its manifest describes it, and no staging folder is left
  beside the site or inside it.

After the last kill it runs a whole build, which must give the new site. Prints one
line per kill and a summary; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_GENERATOR = HERE.parent.parent / "shared" / "peers" / "gen_corpus.py"
CONFIG = HERE / "full.toml"


def contents(work: Path, articles: int, generator: Path) -> tuple[Path, Path]:
    """The old and the new content folders, made once."""
    old, new = work / "old-content", work / "new-content"
    if new.is_dir():
        return old, new
    corpus = work / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    run = [sys.executable, str(generator), str(corpus), "--layouts", "pages", "-q"]
    subprocess.run([*run[:3], "-n", str(articles), *run[3:]], check=True)
    shutil.copytree(corpus / "pages", old)
    subprocess.run([*run[:3], "--add", str(max(1, articles // 400)), *run[3:]], check=True)
    shutil.copytree(corpus / "pages", new)
    for page in sorted(new.rglob("*.txt"))[:5]:
        page.unlink()
    return old, new


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def staging_left(public: Path) -> list[str]:
    beside = [p.name for p in public.parent.iterdir() if "feeds-staging" in p.name]
    inside = [p.name for p in public.iterdir() if "feeds-staging" in p.name]
    return beside + inside


def manifest_matches(public: Path, site: dict[str, str], state: Path) -> bool:
    records = json.loads((state / "manifest.json").read_bytes())["files"]
    return all(site.get(path) == record[3] for path, record in records.items())


def build(config: Path, content: Path, public: Path, state: Path) -> list[str]:
    return [sys.executable, "-m", "feeds", "--config", str(config), "build", "-q",
            "--content", str(content), "--output", str(public), "--state", str(state)]


def restore(saved: Path, public: Path, state: Path) -> None:
    for folder in (public, state):
        shutil.rmtree(folder, ignore_errors=True)
    for left in public.parent.iterdir():
        if "feeds-staging" in left.name:
            shutil.rmtree(left)
    # Published files are only ever replaced by renames: hard links are a faithful copy.
    subprocess.run(["cp", "-al", str(saved / "public"), str(public)], check=True)
    shutil.copytree(saved / "state", state)  # SQLite writes in place: a real copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--window", type=float, nargs=2, default=(0.0, 1.0),
                        metavar=("FROM", "TO"), help="kill between these fractions of the "
                        "build's time (default 0 1; 0.9 1.05 aims at the publishing itself)")
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/feeds-kill"),
                        help="where corpora and sites are made (corpora kept between runs)")
    parser.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    args = parser.parse_args()
    from feeds.sitewriter import recover  # this checkout's, as `python -m feeds` runs it

    work = args.scratch / f"n{args.articles}"
    old_content, new_content = contents(work, args.articles, args.generator)
    site = work / "site"
    public, state, saved = site / "public", site / "state", work / "old-site"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(saved, ignore_errors=True)
    site.mkdir(parents=True)
    started = time.monotonic()
    subprocess.run(build(CONFIG, old_content, public, state), check=True)
    print(f"old site: {time.monotonic() - started:.1f} s, "
          f"{sum(1 for _ in public.rglob('*.html'))} pages", flush=True)
    new_config = work / "new.toml"
    new_config.write_text(CONFIG.read_text(encoding="utf-8").replace(
        'title = "新闻"', 'title = "新闻（新版）"'), encoding="utf-8")
    saved.mkdir()
    subprocess.run(["cp", "-al", str(public), str(saved / "public")], check=True)
    shutil.copytree(state, saved / "state")
    old = digests(public)
    started = time.monotonic()
    subprocess.run(build(new_config, new_content, public, state), check=True)
    seconds = time.monotonic() - started
    new = digests(public)
    print(f"new site: {seconds:.1f} s from the old one; {len(old)} files before, {len(new)} "
          f"after", flush=True)

    chance = random.Random(args.seed)
    failures = 0
    outcomes: dict[str, int] = {}
    for kill in range(1, args.kills + 1):
        restore(saved, public, state)
        moment = chance.uniform(args.window[0] * seconds, args.window[1] * seconds)
        process = subprocess.Popen(build(new_config, new_content, public, state))
        try:
            process.wait(moment)
            killed = "finished before the kill"
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = "killed"
        now = digests(public)
        seen = "old" if now == old else "new" if now == new else "between"
        recover(public, state / "manifest.json")  # what the next build does first
        after = digests(public)
        outcome = "old" if after == old else "new" if after == new else "NEITHER"
        left = staging_left(public)
        ok = outcome != "NEITHER" and not left and manifest_matches(public, after, state)
        failures += not ok
        outcomes[f"{seen}->{outcome}"] = outcomes.get(f"{seen}->{outcome}", 0) + 1
        print(f"kill {kill:2}: at {moment:5.1f} s ({killed}): site {seen}, after recovery "
              f"{outcome}, staging left: {left or 'none'}{'' if ok else '  FAILED'}",
              flush=True)
    done = subprocess.run(build(new_config, new_content, public, state))
    final_ok = done.returncode == 0 and digests(public) == new and not staging_left(public)
    failures += not final_ok
    print(f"next build after the last kill: {'new site, no staging' if final_ok else 'FAILED'}")
    print(f"kills n={args.articles} kills={args.kills} build_s={seconds:.1f} "
          f"outcomes={json.dumps(outcomes)} failures={failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
