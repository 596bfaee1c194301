"""PDF pages made with reportlab in real layouts load into exactly the articles they were made
from, the same as their text pages; pages that cannot be read are refused."""

import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pdf_support import CID, Page, Photo, Place, Story, as_text, render, use_truetype
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from feeds.cli import cli
from feeds.content import pdfpage
from feeds.photos import Gallery

DEMO = Path(__file__).parent.parent / "content"
HEADER = ("2024年3月6日 星期三", "第A03版 教育")
HEADER_LINE = "2024年3月6日 星期三 第A03版 教育"

P1 = "本报讯 3月5日，区教育局召开春季开学工作会议，部署新学期各项工作。会议要求各校做好安全检查，确保师生平安开学。"
P2 = "会议指出，今年全区新增学位三千个，新建学校两所，教师队伍持续壮大。各校要把立德树人作为根本任务，办好人民满意的教育。"
P3 = "下一步，各校将围绕课堂教学、课后服务和家校共育三个方面，细化工作方案，逐项落实责任，让每一名学生都能健康成长。"
P4 = "与会人员还就校园周边交通安全、食品安全和心理健康教育进行了交流，提出了具体建议。"


def lead_story() -> Story:
    return Story("全区春季开学工作会议召开", [P1, P2, P3, P4], byline="记者 赵一鸣 通讯员 钱晓东",
                 kicker="聚焦新学期开启新征程", subtitle="新增学位三千个新建学校两所")


def entries_json(catalog):
    out = []
    for entry in catalog.entries:
        data = entry.to_json()
        data.pop("source")
        data["photos"] = [{**p, "src": p["src"].rpartition("/")[2]} for p in data["photos"]]
        out.append(data)
    return out


def same_as_text(load_pages, pdf: bytes, stories, header=HEADER_LINE, name="2024-03-06-A03"):
    """Load the PDF alone, then its stories as a correct text page; return the PDF's entries
    after checking both give the same articles."""
    from_pdf = load_pages({f"{name}.pdf": pdf})
    assert not [p for r in from_pdf.files for p in r.problems if p.severity != "note"]
    from_text = load_pages({f"{name}.txt": as_text(stories, header, f"{name}.pdf")})
    assert entries_json(from_pdf) == entries_json(from_text)
    return from_pdf.entries


def test_lead_story_over_all_columns_with_a_three_part_headline(load_pages):
    other = Story("城区图书馆延长开放时间", [P2, P4], byline="记者 刘洋")
    page = Page([Place(lead_story(), (0, 5), 50, [(c, 150, 330) for c in range(6)]),
                 Place(other, (0, 5), 350, [(c, 400, 600) for c in range(6)], title_size=20)],
                header=HEADER, footer="责任编辑 张三 美术编辑 李四", rules=[(36, 806, 340)])
    entries = same_as_text(load_pages, render([page]), [lead_story(), other])
    lead, second = entries
    assert lead.title == "聚焦新学期开启新征程\u3000全区春季开学工作会议召开 新增学位三千个新建学校两所"
    assert lead.subtitle == "新增学位三千个新建学校两所"
    assert lead.paragraphs == (P1.removeprefix("本报讯 "), P2, P3, P4)
    assert [(a.name, a.role) for a in lead.authors] == [("赵一鸣", "记者"), ("钱晓东", "通讯员")]
    assert str(lead.issue_date) == "2024-03-06" and str(lead.date) == "2024-03-05"
    assert lead.section == "教育"
    assert second.title == "城区图书馆延长开放时间" and second.paragraphs == (P2, P4)
    assert not any("责任编辑" in p for e in entries for p in e.paragraphs)


def test_l_shaped_and_stacked_articles_in_five_columns(load_pages):
    ell = Story("老旧小区改造全面启动", [P1, P2, P3, P2, P3], byline="记者 黄磊")
    under = Story("社区食堂开门迎客", [P4, P2], byline="通讯员 孙悦")
    top = Story("文明交通劝导进路口", [P3, P4], byline="记者 陈晨")
    bottom = Story("志愿者走进养老院", [P2, P4], byline="实习生 周文")
    page = Page([
        Place(ell, (0, 3), 50, [(0, 110, 700), (1, 110, 700), (2, 110, 330), (3, 110, 330)]),
        Place(under, (2, 3), 345, [(2, 390, 700), (3, 390, 700)], title_size=18),
        Place(top, (4, 4), 50, [(4, 90, 420)], title_size=14),
        Place(bottom, (4, 4), 430, [(4, 470, 900)], title_size=14),
    ], header=HEADER, columns=5, rules=[(360, 590, 340)])
    entries = same_as_text(load_pages, render([page]), [ell, top, under, bottom])
    assert [e.title for e in entries] == [s.title for s in (ell, top, under, bottom)]
    assert entries[0].paragraphs == (P1.removeprefix("本报讯 "), P2, P3, P2, P3)
    assert [a.name for e in entries for a in e.authors] == ["黄磊", "陈晨", "孙悦", "周文"]


def test_a_photo_is_matched_to_its_caption_and_goes_through_the_photo_pipeline(
        load_pages, content_dir):
    story = Story("社区花园迎来秋季花期", [P4, P3], byline="记者 周文",
                  photo=Photo("图为居民在社区花园赏花。通讯员 林青 摄", colour=(30, 160, 60)))
    plain = Story("河滨步道改造完工", [P2, P3], byline="记者 韩雪")
    page = Page([Place(story, (0, 2), 50, [(0, 100, 700), (1, 100, 700), (2, 100, 700)], 20),
                 Place(plain, (3, 5), 50, [(3, 100, 700), (4, 100, 700), (5, 100, 700)], 20)],
                header=HEADER)
    (entry, other) = same_as_text(load_pages, render([page]), [story, plain])
    (photo,) = entry.photos
    assert (photo.src, photo.caption, photo.credit) == (
        "2024-03-06-A03.pdf#page=1&image=1", "图为居民在社区花园赏花。", "通讯员 林青 摄")
    assert not other.photos and not entry.captions
    # Stored as a JPEG: extracted as it is, then made into web copies like any photo.
    stored = pdfpage.picture((content_dir / "2024-03-06-A03.pdf").read_bytes(), "page=1&image=1")
    assert stored[:3] == b"\xff\xd8\xff"
    assert Image.open(io.BytesIO(stored)).getpixel((5, 5))[1] > 120
    (picture,) = Gallery(content_dir, None).pictures(entry)
    assert [v.width for v in picture.jpeg] == [Image.open(io.BytesIO(stored)).width]


def test_a_png_photo_is_extracted_losslessly(load_pages, content_dir):
    story = Story("社区花园迎来秋季花期", [P4], byline="记者 周文",
                  photo=Photo("图为社区花园。", colour=(200, 30, 40), kind="PNG"))
    load_pages({"2024-03-06.pdf": render([Page([Place(story, (0, 2), 50, [(0, 100, 700)])],
                                               header=HEADER)])})
    stored = pdfpage.picture((content_dir / "2024-03-06.pdf").read_bytes(), "page=1&image=1")
    assert stored[:4] == b"\x89PNG"
    assert Image.open(io.BytesIO(stored)).convert("RGB").getpixel((3, 3)) == (200, 30, 40)


def test_an_article_jumps_to_another_page_of_the_issue(load_pages):
    front = Story("城区召开春季植树动员会", [P1, P2], byline="", jump="第2版")
    rest = Story("城区召开春季植树动员会", [P3, P4], byline="记者 赵一鸣", from_page="第1版")
    local = Story("社区食堂开门迎客", [P4, P2], byline="通讯员 孙悦")
    page1 = Page([Place(front, (0, 5), 50, [(c, 100, 200) for c in range(6)])],
                 header=("2024年3月6日 星期三", "第1版 要闻"))
    page2 = Page([Place(local, (0, 2), 50, [(0, 100, 600), (1, 100, 600), (2, 100, 600)], 18),
                  Place(rest, (3, 5), 50, [(3, 100, 600), (4, 100, 600)], 14, headless=True)],
                 header=("2024年3月6日 星期三", "第2版 要闻"))
    catalog = load_pages({"2024-03-06.pdf": render([page1, page2])})
    assert [e.title for e in catalog.entries] == ["城区召开春季植树动员会", "社区食堂开门迎客"]
    jumped = catalog.entries[0]
    assert jumped.paragraphs == (P1.removeprefix("本报讯 "), P2, P3, P4)
    assert [a.name for a in jumped.authors] == ["赵一鸣"]
    assert not any("下转" in p or "上接" in p for e in catalog.entries for p in e.paragraphs)
    # Sources name the headline's line in the converted text, pages after one another.
    text = pdfpage.convert("2024-03-06.pdf", render([page1, page2])).split("\n")
    assert text.count("\f") == 1
    for entry in catalog.entries:
        assert text[entry.source.line - 1] == "## " + entry.title
    assert catalog.entries[1].source.line > text.index("\f")
    # Loaded as a correction, the converted issue gives the same articles: the running
    # header of page 2 does not end the article before it.
    corrected = load_pages({"2024-03-06.txt": "\n".join(text)})
    assert [(e.title, e.paragraphs, e.authors) for e in corrected.entries] == [
        (e.title, e.paragraphs, e.authors) for e in catalog.entries]


def test_a_running_header_without_rules_is_found_by_repeating_on_every_page(load_pages):
    stories = [Story(f"城区第{n}期惠民工程开工", [P2, P4], byline="记者 刘洋") for n in "一二三"]
    pages = [Page([Place(story, (0, 5), 110, [(c, 170, 400) for c in range(6)], 20)],
                  header=("2024年3月6日 星期三", f"第A0{n}版 教育"), header_at=75,
                  header_rule=False)
             for n, story in enumerate(stories, 1)]
    catalog = load_pages({"issue.pdf": render(pages)})
    assert [e.title for e in catalog.entries] == [s.title for s in stories]
    assert all(str(e.issue_date) == "2024-03-06" and e.section == "教育" for e in catalog.entries)
    assert all(e.paragraphs == (P2, P4) for e in catalog.entries)


def test_an_embedded_truetype_cjk_font_reads_like_the_cid_font(load_pages):
    # The shipped font is a CJK subset without Latin glyphs: full-width digits, as
    # some papers set them, which the loader reads as dates too.
    story = Story("全区春季开学工作会议召开", [P1.replace("3月5日", "３月５日"), P2, P3],
                  byline="记者 赵一鸣")
    page = Page([Place(story, (0, 5), 50, [(c, 150, 330) for c in range(6)])],
                header=("２０２４年３月６日 星期三", "第０３版 教育"))
    truetype = render([page], font=use_truetype())
    assert b"FontFile2" in truetype and b"FontFile2" not in render([page], font=CID)
    (entry,) = same_as_text(load_pages, truetype, [story],
                            header="２０２４年３月６日 星期三 第０３版 教育")
    assert entry.paragraphs[1:] == (P2, P3) and str(entry.date) == "2024-03-05"
    assert entry.section == "教育"


def test_a_scanned_page_without_text_is_skipped_and_asks_for_ocr(load_pages):
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    scan = io.BytesIO()
    Image.new("L", (400, 600), 230).save(scan, "PNG")
    scan.seek(0)
    from reportlab.lib.utils import ImageReader
    canvas.drawImage(ImageReader(scan), 0, 0, 595, 842)
    canvas.save()
    catalog = load_pages({"2024-03-06.pdf": buffer.getvalue(), "2024-03-07.txt": "## 标题\n\n正文。\n"})
    report = catalog.files[0]
    assert report.skipped and "OCR" in report.problems[0].message
    assert [e.title for e in catalog.entries] == ["标题"]


def test_a_font_mapping_to_private_use_characters_is_refused_naming_the_page(
        load_pages, tmp_path):
    from fontTools.ttLib import TTFont as FontFile
    from pdf_support import FONT_FILE
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # A font whose characters sit at private-use code points, as some layout systems
    # export them: the text layer is there, and says nothing readable.
    font = FontFile(FONT_FILE)
    glyphs = sorted(set(font.getBestCmap().values()))[200:240]
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap.update({0xE000 + i: glyph for i, glyph in enumerate(glyphs)})
    font.save(tmp_path / "pua.ttf")
    pdfmetrics.registerFont(TTFont("PUATest", str(tmp_path / "pua.ttf")))
    garbled = "".join(chr(0xE000 + i % 40) for i in range(60))
    bad = Page([Place(Story(garbled[:8], [garbled, garbled]), (0, 2), 50,
                      [(0, 100, 600), (1, 100, 600)])], header=HEADER)
    alone = load_pages({"2024-03-06.pdf": render([bad], font="PUATest")})
    (problem,) = alone.files[0].problems
    assert alone.files[0].skipped and "page 1" in problem.message and "Unicode" in problem.message
    assert not alone.entries


def test_an_unreadable_page_is_left_out_and_the_others_of_the_file_load(load_pages):
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    scan = io.BytesIO()
    Image.new("L", (400, 600), 230).save(scan, "PNG")
    scan.seek(0)
    from reportlab.lib.utils import ImageReader
    good = Page([Place(lead_story(), (0, 5), 50, [(c, 150, 330) for c in range(6)])],
                header=HEADER)
    text_page = render([good])
    canvas.drawImage(ImageReader(scan), 0, 0, 595, 842)
    canvas.save()
    from pypdfium2 import PdfDocument
    joined = PdfDocument(text_page)
    joined.import_pages(PdfDocument(buffer.getvalue()))
    out = io.BytesIO()
    joined.save(out)
    catalog = load_pages({"2024-03-06.pdf": out.getvalue()})
    (report,) = catalog.files
    assert not report.skipped and [e.title for e in catalog.entries] == [
        "聚焦新学期开启新征程\u3000全区春季开学工作会议召开 新增学位三千个新建学校两所"]
    assert any("page 2" in p.message and "OCR" in p.message for p in report.problems)


def test_convert_writes_the_text_and_a_text_beside_the_pdf_takes_precedence(
        load_pages, content_dir, tmp_path):
    page = Page([Place(lead_story(), (0, 5), 50, [(c, 150, 330) for c in range(6)])],
                header=HEADER)
    first = load_pages({"2024-03-06.pdf": render([page])})
    runner = CliRunner()
    result = runner.invoke(cli, ["convert", str(content_dir / "2024-03-06.pdf")])
    assert result.exit_code == 0, result.output
    text = (content_dir / "2024-03-06.txt").read_text()
    assert text.startswith(HEADER_LINE + "\n") and "\n### 新增学位三千个新建学校两所\n" in text
    again = runner.invoke(cli, ["convert", str(content_dir / "2024-03-06.pdf")])
    assert again.exit_code != 0 and "--force" in again.output
    # The text alone is loaded now; as converted it gives the same article, and an
    # editor's correction in it sticks.
    second = load_pages({})
    assert [r.path for r in second.files] == ["2024-03-06.txt"]
    assert entries_json(second) == entries_json(first)
    (content_dir / "2024-03-06.txt").write_text(text.replace("春季开学", "春季开学新"))
    assert "春季开学新" in load_pages({}).entries[0].title


def test_the_demo_pdf_loads_into_the_same_entries_as_the_demo_text_page(load_pages, tmp_path):
    stem = "000_20e2c56e6a147bfe"
    alone = tmp_path / "pdf"
    alone.mkdir()
    shutil.copy(DEMO / f"{stem}.pdf", alone / f"{stem}.pdf")
    from_pdf = load_pages({f"{stem}.pdf": (DEMO / f"{stem}.pdf").read_bytes()})
    from_text = load_pages({f"{stem}.txt": (DEMO / f"{stem}.txt").read_bytes()})
    assert len(from_pdf.entries) == 5
    assert entries_json(from_pdf) == entries_json(from_text)


@pytest.mark.parametrize("data", [b"%PDF-1.4 garbage", b"not a pdf at all"])
def test_a_damaged_pdf_is_skipped_with_an_error(load_pages, data):
    catalog = load_pages({"2024-03-06.pdf": data})
    assert catalog.files[0].skipped and "PDF" in catalog.files[0].problems[0].message


def test_a_pdf_page_builds_into_article_pages_with_its_photo_and_a_rebuild_reads_it_from_cache(
        build_site, tmp_path):
    story = Story("社区花园迎来秋季花期", [P4, P3], byline="记者 周文",
                  photo=Photo("图为居民在社区花园赏花。通讯员 林青 摄"))
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "2024-03-06-A03.pdf").write_bytes(
        render([Page([Place(story, (0, 2), 50, [(0, 100, 700), (1, 100, 700)], 20)],
                     header=HEADER)]))
    _, public = build_site()
    (article,) = [p for p in public.glob("2024/03/06/*.html") if p.name != "index.html"]
    html = article.read_text()
    assert "社区花园迎来秋季花期" in html and "图为居民在社区花园赏花。" in html
    images = sorted(p.name for p in (public / "images").iterdir())
    jpegs = [n for n in images if n.endswith(".jpg")]
    assert jpegs and all(f"images/{n}" in html for n in jpegs)
    before = {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()}
    build_site()
    assert {p: p.stat().st_mtime_ns for p in public.rglob("*") if p.is_file()} == before
