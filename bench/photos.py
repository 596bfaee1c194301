#!/usr/bin/env python3
"""Photos: how fast pictures are converted, and what unchanged ones cost a rebuild.

    python bench/photos.py --convert 40 --size 3000x2000 --photos 1000 --repeat 5

1. Conversion: draws ``--convert`` distinct pictures of ``--size`` (camera size),
   saves them as JPEGs, and times ``Gallery.prepare`` on them with an empty cache
   (decode, orientation, sRGB, three widths as JPEG and WebP, hashing, writing the
   cache): pictures per second, with the threads ``prepare`` uses (one per core).
2. Rebuild: two sites of the same articles (``--photos`` of them, ten to a page),
   one with no pictures and one where every article has its own picture, wider
   than 1600 px so that each has all six web copies the site writer must account
   for (``--picture-size``; made once, by the first build of that site). Each is
   built once, then the two are rebuilt in turn ``--repeat`` times with nothing
   changed, so that both meet the same load on a shared machine; prints the
   median rebuild of each and the median of the differences of each pair, which
   is what the unchanged pictures cost (the issue's target: under one second for
   1,000).

Everything is written under bench/out/photos/ and made again on each run, except
with ``--reuse``, which keeps the two sites (and their caches) of an earlier run.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "photos"
sys.path.insert(0, str(HERE.parent))

from PIL import Image, ImageDraw  # noqa: E402

from feeds.build import BuildOptions, build  # noqa: E402
from feeds.config import parse_config  # noqa: E402
from feeds.model import Listing, Photo  # noqa: E402
from feeds.photos import Gallery  # noqa: E402


def drawing(size: tuple[int, int], seed: int) -> bytes:
    """A picture with gradients and shapes, different for every seed, as a JPEG."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    top = [rng.randrange(256) for _ in range(3)]
    bottom = [rng.randrange(256) for _ in range(3)]
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line([(0, y), (width, y)],
                  fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(width // 40 + 1, width // 8 + 2)
        draw.ellipse([x - r, y - r, x + r, y + r],
                     fill=tuple(rng.randrange(256) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def convert_rate(count: int, size: tuple[int, int]) -> tuple[float, float]:
    folder = OUT / "convert"
    content = folder / "content"
    content.mkdir(parents=True)
    owners = []
    for i in range(count):
        (content / f"p{i}.jpg").write_bytes(drawing(size, i))
        owners.append(Listing(f"tag:x,{i}", "t", "t", "s", None, None, 0, "page.txt", 1, None,
                              (Photo(f"p{i}.jpg", "图为"),)))
    gallery = Gallery(content, folder / "state")
    started = time.perf_counter()
    gallery.prepare(owners)
    seconds = time.perf_counter() - started
    assert not gallery.problems, gallery.problems
    return count / seconds, seconds


def site(root: Path, photos: int, with_pictures: bool, reuse: bool,
         size: tuple[int, int] = (1700, 1100)):
    content = root / "content"
    config = parse_config({"site": {"title": "城区新闻", "base_url": "https://news.example.cn/",
                                    "content_dir": "content", "output_dir": "public",
                                    "state_dir": "state"}}, root=root)
    if reuse and content.is_dir():
        return config
    (content / "photos").mkdir(parents=True)
    for page in range(photos // 10):
        day = 1 + page % 28
        month = 1 + (page // 28) % 12
        lines = ["第01版 要闻", ""]
        for n in range(10):
            number = page * 10 + n
            lines += [f"## 第{number}号新闻：城区举行第{number}场活动", "",
                      f"本报讯 {month}月{day}日，城区举行第{number}场活动，居民踊跃参加。", ""]
            if with_pictures:
                lines += [f"![图为第{number}场活动现场。记者 吴迪 摄](photos/p{number}.jpg)", ""]
                (content / "photos" / f"p{number}.jpg").write_bytes(drawing(size, number))
        (content / f"2024-{month:02d}-{day:02d}-p{page}.txt").write_text(
            "\n".join(lines), encoding="utf-8")
    return config


def rebuild(config) -> float:
    started = time.perf_counter()
    again = build(config, BuildOptions(jobs=1))
    seconds = time.perf_counter() - started
    assert again.summary.written == [], again.summary.written[:5]
    assert not again.photo_problems, again.photo_problems
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--convert", type=int, default=40, help="pictures to convert")
    parser.add_argument("--size", default="3000x2000", help="their size, WIDTHxHEIGHT")
    parser.add_argument("--photos", type=int, default=1000, help="articles, one picture each")
    parser.add_argument("--repeat", type=int, default=5, help="rebuilds timed for each site")
    parser.add_argument("--picture-size", default="1700x1100",
                        help="size of the rebuild's pictures, WIDTHxHEIGHT")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the two sites of an earlier run (and their caches)")
    args = parser.parse_args()
    if not args.reuse:
        shutil.rmtree(OUT, ignore_errors=True)
    shutil.rmtree(OUT / "convert", ignore_errors=True)
    width, height = (int(x) for x in args.size.split("x"))
    if args.convert:
        rate, seconds = convert_rate(args.convert, (width, height))
        print(f"convert: {args.convert} pictures of {width}x{height} in {seconds:.2f} s: "
              f"{rate:.2f} pictures/s ({os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f})")
    picture = tuple(int(x) for x in args.picture_size.split("x"))
    plain = site(OUT / "plain", args.photos, False, args.reuse)
    pictured = site(OUT / "pictured", args.photos, True, args.reuse, picture)  # type: ignore[arg-type]
    for config in (plain, pictured):  # the first builds: pages made, pictures converted
        first = build(config, BuildOptions(jobs=1))
        assert not first.photo_problems, first.photo_problems
    pairs = [(rebuild(plain), rebuild(pictured)) for _ in range(args.repeat)]
    costs = [b - a for a, b in pairs]
    print(f"rebuild, {args.photos} articles, no pictures: "
          f"{statistics.median(a for a, _ in pairs):.3f} s (median)")
    print(f"rebuild, {args.photos} articles, {args.photos} unchanged pictures "
          f"({args.picture_size}, six web copies each): "
          f"{statistics.median(b for _, b in pairs):.3f} s (median)")
    print(f"unchanged pictures cost: {statistics.median(costs):+.3f} s (median of "
          f"{args.repeat} pairs; pairs: " + ", ".join(f"{c:+.3f}" for c in costs)
          + f"; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
