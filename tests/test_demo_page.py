"""The real page users have (content/), loaded unmodified through the command line."""

import json
import subprocess
import sys

from conftest import DEMO_PAGE, ROOT
from PIL import Image


def feeds(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "feeds", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def test_demo_page_is_the_seed_byte_for_byte():
    seed = ROOT.parent / "shared" / "seeds" / DEMO_PAGE.name
    if seed.exists():  # the shared folder is beside the checkout on project machines
        assert DEMO_PAGE.read_bytes() == seed.read_bytes()
    assert DEMO_PAGE.read_bytes().startswith(b"\n\n# ")


def test_entries_json_of_the_demo_content():
    run = feeds("entries", "--json")
    assert run.returncode == 0, run.stderr
    everything = json.loads(run.stdout)
    entries = [e for e in everything if e["source"].startswith(DEMO_PAGE.name)]
    assert [len(e["paragraphs"]) for e in entries] == [4, 3, 4, 5, 3]
    assert {e["issue_date"] for e in entries} == {"2022-09-20"}
    assert {e["date"] for e in entries} == {"2022-09-20"}
    assert [e["date_approximate"] for e in entries] == [False, False, True, True, False]
    assert entries[0]["title"] == "孙建功调研郑东新区基础教育集团化办学工作 奋力开创郑东新区“美好教育”新局面"
    assert entries[4]["title"] == "郑东新区举办“中国统计开放日”活动"
    assert entries[0]["authors"] == [{"name": "马燕", "role": "记者"}, {"name": "李盼", "role": "通讯员"}]
    assert entries[4]["authors"] == [{"name": "王阳", "role": "记者"}, {"name": "丁雷", "role": "通讯员"}]
    for entry in entries:
        assert set(entry) == {"id", "kicker", "title", "section", "issue_date", "date",
                              "date_approximate", "authors", "paragraphs", "captions", "photos",
                              "summary", "source"}
        assert entry["kicker"] is None and entry["photos"] == []
        text = "".join(entry["paragraphs"])
        assert "本报讯" not in text and "记者" not in text and "通讯员" not in text
        assert entry["summary"] == entry["paragraphs"][0]
        assert entry["id"].startswith("tag:localhost,2022-09-20:")
        assert entry["source"].startswith("000_20e2c56e6a147bfe.txt:")
    assert "始终把教育事业摆在优先位置" in entries[0]["paragraphs"][3]
    assert "中国银行、中原银行" in entries[3]["paragraphs"][3]
    assert len({e["section"] for e in entries}) >= 3


def test_the_demo_page_with_photos_names_one_for_each_article():
    run = feeds("entries", "--json")
    assert run.returncode == 0, run.stderr
    photo_page = [e for e in json.loads(run.stdout) if e["source"].startswith("2022-09-20-A04")]
    assert [[p["src"] for p in e["photos"]] for e in photo_page] == [
        ["photos/garden.jpg"], ["2022-09-20-A04-1.jpg"], ["2022-09-20-A04-2.jpg"]]
    assert all(p["caption"].startswith("图为") and p["credit"]
               for e in photo_page for p in e["photos"])
    assert all(e["captions"] == [] for e in photo_page)
    for photo in (p for e in photo_page for p in e["photos"]):
        image = ROOT / "content" / photo["src"]
        assert image.stat().st_size < 100_000
        with Image.open(image) as opened:  # drawn for the demo: nothing about anyone in it
            assert not opened.getexif() and "icc_profile" not in opened.info


def test_check_warns_of_the_inferred_issue_date_with_its_evidence():
    run = feeds("check")
    assert run.returncode == 0, run.stderr
    assert "2022-09-20 (inferred)" in run.stdout
    assert "000_20e2c56e6a147bfe.txt:5: warning: issue date 2022-09-20 inferred" in run.stdout
    assert "the year 2022 (line 23: …" in run.stdout  # with the words that gave the year
    assert "2022年营商环境" in run.stdout
    assert ": note:" not in run.stdout and "1 with warnings" in run.stdout
    strict = feeds("check", "--strict")
    assert strict.returncode == 1


def test_check_exits_non_zero_and_names_the_skipped_file(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "ok.txt").write_bytes(DEMO_PAGE.read_bytes())
    (content / "empty.txt").write_text("")
    run = feeds("check", "--content", str(content), cwd=tmp_path)
    assert run.returncode == 1
    assert "empty.txt: error: file is empty" in run.stdout
    assert "1 skipped" in run.stdout


def test_bad_config_is_one_clear_line_and_exit_2(tmp_path):
    (tmp_path / "feeds.toml").write_text('[site]\ntimezone = "Mars/Olympus"\n')
    run = feeds("--config", str(tmp_path / "feeds.toml"), "check", cwd=tmp_path)
    assert run.returncode == 2
    assert "site.timezone" in run.stderr and "Traceback" not in run.stderr


def test_missing_content_directory(tmp_path):
    run = feeds("check", "--content", str(tmp_path / "nope"), cwd=tmp_path)
    assert run.returncode == 1
    assert "content directory not found" in run.stderr and "Traceback" not in run.stderr


def test_entries_of_one_section_by_its_name_or_its_slug():
    everything = json.loads(feeds("entries", "--json").stdout)
    education = [e["id"] for e in everything if e["section"] == "教育"]
    assert education
    by_name = json.loads(feeds("entries", "--json", "--section", "教育").stdout)
    assert [e["id"] for e in by_name] == education
    by_slug = json.loads(feeds("entries", "--json", "--section", "education").stdout)
    assert [e["id"] for e in by_slug] == education
    both = json.loads(feeds("entries", "--json", "--section", "教育", "--section", "economy").stdout)
    assert {e["section"] for e in both} == {"教育", "经济"}
