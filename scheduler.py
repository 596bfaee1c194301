#!/usr/bin/env python3
"""Run the feeds jobs on their schedule, or one job once.

    python scheduler.py [--config feeds.toml] [--verbose]    # until SIGTERM/SIGINT
    python scheduler.py [--config feeds.toml] --once build   # like `feeds run build`

The same as `feeds schedule run` and `feeds run JOB`; see README "Running on a schedule".
"""

from __future__ import annotations

import argparse
import sys

from feeds.cli import main
from feeds.schedule import JOBS


def arguments(argv: list[str]) -> list[str]:
    """This script's options, as the `feeds` command line they stand for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", help="site configuration (default: the nearest feeds.toml)")
    parser.add_argument("--once", choices=JOBS, metavar="JOB",
                        help=f"run one job now and exit ({', '.join(JOBS)})")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    options = parser.parse_args(argv)
    command = ["--config", options.config] if options.config else []
    if options.once:
        return [*command, "run", options.once]
    return [*command, "schedule", "run", *(["--verbose"] if options.verbose else [])]


if __name__ == "__main__":
    sys.argv[1:] = arguments(sys.argv[1:])
    main()
