"""What reading and checking feeds.toml costs each command.

    .venv/bin/python bench/config.py [FEEDS_TOML] [--repeat N]

Each run is a fresh interpreter, as a command is. It prints the medians over the runs of:
the import of feeds.config with what it imports (pydantic, which builds the validators
of the tables then), read from ``-X importtime``; the first load_config() of the file,
with email_validator's import when the file sets an address; and each load after that.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys, time
from pathlib import Path
import feeds.config
path = Path(sys.argv[1])
start = time.perf_counter()
feeds.config.load_config(path)
first = time.perf_counter()
for _ in range(20):
    feeds.config.load_config(path)
print(first - start, (time.perf_counter() - first) / 20)
"""


def run(config: Path) -> tuple[float, float, float]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", CHILD, str(config)],
                          capture_output=True, text=True, check=True, cwd=config.parent)
    imported = next(int(line.split("|")[1]) / 1e6 for line in done.stderr.splitlines()
                    if line.split("|")[-1].strip() == "feeds.config")
    first, each = map(float, done.stdout.split())
    return imported, first, each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", nargs="?", type=Path, default=ROOT / "feeds.toml")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    runs = [run(args.config.resolve()) for _ in range(args.repeat)]
    imported, first, each = (statistics.median(column) for column in zip(*runs, strict=True))
    print(f"{args.config}, medians of {args.repeat} runs:")
    print(f"  import feeds.config (pydantic, validators built)  {imported * 1000:6.1f} ms")
    print(f"  first load_config()                               {first * 1000:6.1f} ms")
    print(f"  each load_config() after it                       {each * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
