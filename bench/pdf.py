#!/usr/bin/env python3
"""PDF pages: how fast the loader reads laid-out newspaper pages, beside pdftotext.

    python bench/pdf.py --issues 3 --repeat 3

Makes ``--issues`` issues of 8 A3 pages each with reportlab (tests/pdf_support.py:
six columns filled from the running header to the footer, five articles a page in
a lead story over all columns, stacked and side-by-side articles, one photo a page,
a jump from page 1 to page 2), then times, on the same files in the same run:

- ``feeds``: content.pdfpage.pages (PDFium's text layer, segmentation, our text
  format) and the loader's parse_file (the same, then the article rules);
- ``pdftotext``: poppler's pdftotext on each issue, to standard output (plain and
  with -layout), which gives no articles but sets the pace of reading a text layer.

Prints pages per second and milliseconds a page (best of ``--repeat``), in wall time and
in processor time, with the ratio to pdftotext; the issue's target is within 10x.
Files go to bench/out/pdf/, made again on each run.
pdftotext comes from Debian's poppler-utils (apt-get install poppler-utils).

Fonts: papers embed theirs (PDF/X requires it), so the pages embed a CJK TrueType
font, ``--font`` (default: WenQuanYi Micro Hei, apt-get install fonts-wqy-microhei).
``--font cid`` sets them in reportlab's STSong-Light instead, a CID font the PDF
does not carry: PDFium then spends 10-15 times longer loading each page, finding
and measuring a substitute (poppler, extracting text only, does not).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "pdf"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from pdf_support import CID, Page, Photo, Place, Story, render  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402

from feeds.config import parse_config  # noqa: E402
from feeds.content import pdfpage  # noqa: E402
from feeds.content.loader import Settings, parse_file  # noqa: E402

SENTENCES = [
    "本报讯 {d}日，区政府召开专题会议，研究部署近期重点工作。",
    "会议指出，要坚持稳中求进，统筹发展和安全，推动各项任务落地见效。",
    "各街道、各部门要压实责任，细化措施，确保工作有序推进。",
    "据了解，今年以来全区新开工项目三十余个，完成投资同比增长百分之十二。",
    "下一步，将持续优化营商环境，提升政务服务水平，让企业和群众办事更便捷。",
    "与会人员围绕城市更新、产业升级和民生保障等议题进行了深入交流。",
]


def paragraph(rng: random.Random, day: int, first: bool) -> str:
    picked = rng.sample(SENTENCES[1:], 3)
    if first:
        picked.insert(0, SENTENCES[0].format(d=day))
    return "".join(picked)


def story(rng: random.Random, n: int, day: int, lines: float) -> Story:
    """An article of about ``lines`` lines of text (a paragraph sets in about ten)."""
    count = max(1, int(lines * 0.8 / 10))
    return Story(f"区里召开第{n}次专题工作推进会议",
                 [paragraph(rng, day, i == 0) for i in range(count)],
                 byline="记者 赵一鸣")


def filled(rng: random.Random, n: int, day: int, flow: list[tuple[int, float, float]],
           photo: bool = False) -> Story:
    lines = sum((bottom - top) / 14 for _, top, bottom in flow) - (16 if photo else 0)
    made = story(rng, n, day, lines)
    if photo:
        made.photo = Photo("图为会议现场。记者 吴迪 摄")
    return made


WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def font_name(path: str) -> str:
    if path == "cid":
        return CID
    pdfmetrics.registerFont(TTFont("BenchCJK", path, subfontIndex=0))
    return "BenchCJK"


def issue(seed: int, font: str) -> bytes:
    rng = random.Random(seed)
    pages = []
    for number in range(1, 9):
        header = (f"2024年3月{seed % 28 + 1}日 星期三", f"第{number:02d}版 要闻")
        day = seed % 28 + 1
        flows = [[(c, 110, 330) for c in range(6)], [(c, 390, 760) for c in range(3)],
                 [(c, 390, 760) for c in range(3, 6)], [(c, 820, 1140) for c in range(4)],
                 [(4, 820, 1140), (5, 820, 1140)]]
        stories = [filled(rng, number * 10 + k, day, flow, photo=k == 1)
                   for k, flow in enumerate(flows)]
        if number == 1:
            stories[4].jump = "第2版"
        places = [
            Place(stories[0], (0, 5), 50, flows[0], 28),
            Place(stories[1], (0, 2), 345, flows[1], 20),
            Place(stories[2], (3, 5), 345, flows[2], 20),
            Place(stories[3], (0, 3), 775, flows[3], 20),
            Place(stories[4], (4, 5), 775, flows[4], 16),
        ]
        pages.append(Page(places, header=header, footer="责任编辑 张三",
                          rules=[(36, 806, 338), (36, 806, 768)]))
    return render(pages, font=font)


def best(repeat: int, run) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The shortest wall time and the shortest processor time (this process and its
    children: pdftotext) of ``repeat`` runs. On a shared machine the processor time is
    the steadier figure."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = _cpu()
        start = time.perf_counter()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - before)
    return min(walls), min(cpus)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--issues", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--font", default=WQY, help="a CJK TrueType font file, or 'cid'")
    args = parser.parse_args()
    font = font_name(args.font)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    files = []
    for seed in range(args.issues):
        path = OUT / f"2024-03-{seed % 28 + 1:02d}-issue{seed}.pdf"
        path.write_bytes(issue(seed, font))
        files.append(path)
    pages = 8 * len(files)
    datas = [(p.name, p.read_bytes()) for p in files]
    settings = Settings.from_config(parse_config({"site": {"base_url": "https://x.example/"}},
                                                 root=OUT))

    def ours() -> None:
        for name, data in datas:
            pdfpage.pages(name, data)

    def loader() -> None:
        for name, data in datas:
            result = parse_file(name, data, settings)
            assert len(result.entries) == 40, result.report
            photos = [p for e in result.entries for p in e.photos]
            assert len(photos) == 8 and all(p.caption == "图为会议现场。" for p in photos)

    # PDFium keeps the fonts it has loaded for the process: a build reading many pages pays
    # that once, so it is paid here before timing (pdftotext pays its start every time).
    pdfpage.pages(*datas[0])
    tool = shutil.which("pdftotext")
    rows = [("feeds: PDF → page text", best(args.repeat, ours)),
            ("feeds: PDF → entries (parse_file)", best(args.repeat, loader))]
    if tool:
        for flags in ([], ["-layout"]):
            def poppler(flags: list[str] = flags) -> None:
                for path in files:
                    subprocess.run([tool, *flags, str(path), "-"], check=True,
                                   stdout=subprocess.DEVNULL)
            rows.append((f"pdftotext {' '.join(flags)}".strip(), best(args.repeat, poppler)))
    else:
        print("pdftotext not found (apt-get install poppler-utils): no comparison")
    reference = rows[2][1] if tool else None
    print(f"{pages} A3 pages in {len(files)} issues, font {args.font}, best of {args.repeat}")
    print(f"  {'':36} {'wall':>24}  {'processor':>24}")
    for name, (wall, cpu) in rows:
        cells = []
        for seconds, ref in ((wall, reference[0] if reference else 0),
                             (cpu, reference[1] if reference else 0)):
            ratio = f"{seconds / ref:5.1f}x" if ref else ""
            cells.append(f"{pages / seconds:6.1f} p/s {seconds * 1000 / pages:5.1f} ms {ratio}")
        print(f"  {name:36} {cells[0]:>24}  {cells[1]:>24}")


if __name__ == "__main__":
    main()
