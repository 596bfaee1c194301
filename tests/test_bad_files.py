"""One bad file never stops the others: odd files, odd names and odd bytes, each on its own
page, beside a good one that must still load and build."""

import codecs
import os
import subprocess
import sys

import pytest

from feeds.config import parse_config
from feeds.errors import ConfigError

GOOD = "2024年3月6日 第01版：要闻\n\n## 城区召开春季植树动员会\n\n本报讯 3月5日，城区召开动员会，部署全年绿化任务。\n\n记者 赵一鸣\n"


def feeds(*args, cwd):
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def test_a_fifo_named_like_a_page_is_skipped_unopened_by_check_and_build(tmp_path):
    (tmp_path / "feeds.toml").write_text("")  # a project: builds keep state
    content = tmp_path / "content"
    content.mkdir()
    (content / "2024-03-06.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(content / "2024-03-07.txt")  # opening it for reading would wait for a writer
    check = feeds("check", cwd=tmp_path)  # the timeout fails the test if it hangs
    assert check.returncode == 0, check.stderr
    assert "2024-03-07.txt: warning: not a regular file" in check.stdout
    assert "2 files, 1 entries, 0 skipped, 1 with warnings" in check.stdout
    build = feeds("build", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    assert len(list((tmp_path / "public").glob("2024/03/06/*-*.html"))) == 1  # the article
    assert feeds("check", "--strict", cwd=tmp_path).returncode == 1


@pytest.mark.parametrize("section", [{"name": "all", "slug": "quanbu"},
                                     {"name": "全部", "slug": "all"},
                                     {"name": "ALL", "slug": "everything"}])
def test_reserved_section_names_and_slugs_are_refused_in_the_config(tmp_path, section):
    with pytest.raises(ConfigError) as caught:
        parse_config({"sections": [section]}, root=tmp_path)
    (problem,) = caught.value.problems
    assert problem[0] in ("sections[1].name", "sections[1].slug") and "site-wide" in problem[1]


def test_a_reserved_section_name_in_content_is_renamed_with_a_warning(build_site, load_pages):
    pages = {"a.txt": "---\ndate: 2024-03-06\nsection: all\n---\n## 城区召开动员会\n\n正文。\n",
             "b.txt": GOOD.replace("第01版：要闻", "第02版：ALL")}
    _, public = build_site(pages)
    catalog = load_pages({})
    assert {e.section for e in catalog.entries} == {"all栏目", "ALL栏目"}
    warnings = [p.message for r in catalog.files for p in r.problems if p.severity == "warning"]
    assert len(warnings) == 2 and all("kept for the whole site" in w for w in warnings)
    assert {s.slug for s in catalog.sections} >= {"all-lan-mu"}
    assert "all" not in {s.slug for s in catalog.sections}
    assert (public / "feeds" / "all.rss.xml").read_text(encoding="utf-8").count("<item>") == 2


@pytest.mark.parametrize("front", ["date: 0001-01-01", "date: 0001-01-01 00:00:00+08:00",
                                   "date: 9999-12-31"])
def test_implausible_front_matter_dates_skip_only_their_file(build_site, front):
    result, public = build_site({"bad.txt": f"---\n{front}\n---\n## 城区召开动员会\n\n本报讯 前天，城区召开动员会。\n",
                                 "2024-03-06.txt": GOOD})
    (skipped,) = result.skipped
    assert skipped.path == "bad.txt" and "plausible" in skipped.problems[0].message
    assert len(list(public.glob("2024/03/06/*-*.html"))) == 1  # the article, not the issue


def test_a_year_1_date_in_the_file_name_is_no_issue_date(load_pages):
    catalog = load_pages({"0001-01-01.txt": "## 城区召开动员会\n\n本报讯 前天，城区召开动员会。\n"})
    assert catalog.files[0].skipped and "no issue date" in catalog.files[0].problems[0].message


def test_nul_in_front_matter_values_never_reaches_the_site(build_site):
    result, public = build_site({"a.txt": '---\ndate: 2024-03-06\nsection: "\\0经济\\x07"\n'
                                          'author: "记者 \\0赵一鸣"\n---\n## 城区召开动员会\n\n正文。\n'})
    assert not result.skipped
    rss = (public / "feeds" / "all.rss.xml").read_bytes()
    assert b"\x00" not in rss and "经济".encode() in rss


def test_a_lone_surrogate_in_utf16_is_replaced_and_reported_with_its_line(load_pages):
    data = codecs.BOM_UTF16_LE + GOOD.replace("部署", "部署\ud800").encode("utf-16-le", "surrogatepass")
    catalog = load_pages({"a.txt": data})
    (report,) = catalog.files
    (entry,) = catalog.entries
    assert not report.skipped and report.encoding == "utf-16"
    assert "部署\ufffd全年" in entry.paragraphs[0]
    (warning,) = [p for p in report.problems if p.severity == "warning"]
    assert warning.line == 5 and "undecodable" in warning.message


def test_a_stray_byte_in_utf8_is_replaced_and_reported_with_its_line(load_pages):
    data = GOOD.encode().replace("全年".encode(), b"\xff" + "全年".encode())
    catalog = load_pages({"a.txt": data, "b.txt": GOOD})
    first, second = catalog.entries
    assert "\ufffd全年" in first.paragraphs[0] and first.paragraphs[0] != second.paragraphs[0]
    assert [p.line for p in catalog.files[0].problems if "undecodable" in p.message] == [5]


def test_an_unexpected_error_in_one_article_is_that_files_error(load_pages, monkeypatch):
    """Fault injection: no known input breaks the parser, so one reader breaks here, as a
    bug would, on one article of one file."""
    from feeds.content import bylines

    real = bylines.split_tail

    def broken(paragraph):
        if "出错" in paragraph:
            raise ValueError("boom")
        return real(paragraph)

    monkeypatch.setattr(bylines, "split_tail", broken)
    catalog = load_pages({"a.txt": GOOD + "\n## 第二篇\n\n这一篇会出错。\n", "b.txt": GOOD})
    bad, good = catalog.files
    assert bad.skipped and not good.skipped
    (error,) = bad.problems
    assert error.line == 9 and "ValueError: boom" in error.message
    assert len(catalog.entries) == 1
