"""The commands: feeds digest, feeds subscribers …, feeds unsubscribe; exit codes and output."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
from click.testing import CliRunner
from conftest import DEMO_PAGE, ROOT, page
from digest_support import PAGES, SECRET, SITE_TOML, Sink, maildir_messages, smtp_sink

from feeds.cli import cli, digest  # noqa: F401  (registers the digest commands)


@pytest.fixture
def site(tmp_path, monkeypatch):
    (tmp_path / "content").mkdir()
    for name, text in PAGES.items():
        (tmp_path / "content" / name).write_text(page(text), encoding="utf-8")
    (tmp_path / "feeds.toml").write_text(SITE_TOML, encoding="utf-8")
    monkeypatch.setenv("FEEDS_SECRET_KEY", SECRET)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def feeds(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_every_command_documents_an_example():
    for args in (["digest"], ["subscribers"], ["subscribers", "add"], ["subscribers", "remove"],
                 ["subscribers", "list"], ["subscribers", "import"], ["unsubscribe"],
                 ["subscribers", "unsubscribe"], ["bounces"]):
        result = feeds(*args, "--help")
        assert result.exit_code == 0 and "Example:" in result.output, args


def test_add_twice_is_fine_and_an_unknown_section_is_a_usage_error(site):
    assert feeds("subscribers", "add", "a@example.com").output == \
        "added: a@example.com (all sections)\n"
    again = feeds("subscribers", "add", "a@example.com")
    assert again.exit_code == 0 and again.output.startswith("unchanged")
    bad = feeds("subscribers", "add", "b@example.com", "--section", "sport")
    assert bad.exit_code == 2 and "no section 'sport'" in bad.output
    worse = feeds("subscribers", "add", "not an address")
    assert worse.exit_code == 2 and "is not an email address" in worse.output


def test_digest_writes_the_outbox_and_the_web_copy_then_has_nothing_new(site):
    feeds("subscribers", "add", "a@example.com", "--section", "经济")
    first = feeds("digest")
    assert first.exit_code == 0
    assert first.output.splitlines()[0] == \
        "edition 2024-03-02 (new, 3 entries): 1 sent, 0 skipped, 0 failed"
    (message,) = maildir_messages(site / "outbox")
    assert message["Subject"] == "【城区新闻】3月2日 经济1"
    web = (site / "public" / "digests" / "2024-03-02.html").read_text(encoding="utf-8")
    assert "开发区新增企业三十家" in web and "城区中学开展科技节活动" in web
    assert "https://news.example.cn/digests/2024-03-02.html" in \
        message.get_body(("html",)).get_content()
    second = feeds("digest")
    assert second.exit_code == 0 and second.output.startswith("nothing new")
    assert len(maildir_messages(site / "outbox")) == 1


def test_the_web_copy_is_part_of_the_site_and_a_later_build_keeps_it(site):
    feeds("subscribers", "add", "a@example.com")
    assert feeds("digest").exit_code == 0
    manifest = json.loads((site / "state" / "manifest.json").read_bytes())["files"]
    assert "digests/2024-03-02.html" in manifest  # published by the site writer
    assert feeds("build").exit_code == 0
    assert (site / "public" / "digests" / "2024-03-02.html").is_file()
    assert (site / "public" / "index.html").is_file()
    assert not list(site.glob(".*staging*"))


def test_dry_run_shows_who_gets_what_and_changes_nothing(site):
    feeds("subscribers", "add", "a@example.com")
    feeds("subscribers", "add", "b@example.com", "--section", "education")
    result = feeds("digest", "--dry-run")
    assert result.exit_code == 0
    assert "a@example.com\t【城区新闻】3月2日 教育2·经济1" in result.output
    assert "b@example.com\t【城区新闻】3月2日 教育2" in result.output
    assert not (site / "outbox").exists()
    assert feeds("digest").output.startswith("edition 2024-03-02 (new")  # still new


def test_a_test_copy_and_a_preview_record_nothing(site):
    feeds("subscribers", "add", "a@example.com")
    result = feeds("digest", "--to", "editor@example.com", "--preview", "preview.html")
    assert result.exit_code == 0, result.output
    assert "sent a test copy of edition 2024-03-02 to editor@example.com" in result.output
    html = (site / "preview.html").read_text(encoding="utf-8")
    assert "editor@example.com 订阅了" in html and "<style>" in html
    (copy,) = maildir_messages(site / "outbox")
    assert copy["To"] == "editor@example.com"
    real = feeds("digest")
    assert real.output.startswith("edition 2024-03-02 (new, 3 entries): 1 sent")


def test_no_subscribers_means_no_edition_yet(site):
    result = feeds("digest")
    assert result.exit_code == 0 and "no active subscribers" in result.output
    feeds("subscribers", "add", "a@example.com")
    assert "1 sent" in feeds("digest").output


def test_a_failed_delivery_exits_1_and_names_the_reader(site):
    with smtp_sink(Sink(script={"a@example.com": ["550 no such user"]})) as sink:
        (site / "feeds.toml").write_text(
            SITE_TOML + f'\n[delivery]\nmethod = "smtp"\n\n[delivery.smtp]\nhost = "127.0.0.1"\n'
                     f'port = {sink.port}\nsecurity = "none"\n', encoding="utf-8")
        feeds("subscribers", "add", "a@example.com")
        feeds("subscribers", "add", "b@example.com")
        result = CliRunner().invoke(cli, ["digest"])
    assert result.exit_code == 1
    assert "warning: a@example.com: 550 no such user" in result.output
    assert "1 sent, 0 skipped, 1 failed" in result.output


def test_a_configuration_mistake_exits_2(site):
    (site / "feeds.toml").write_text(SITE_TOML + '\n[delivery]\nmethod = "pigeon"\n',
                                     encoding="utf-8")
    result = CliRunner().invoke(cli, ["digest"])
    assert result.exit_code == 2 and "delivery.method" in result.output


def test_import_reports_rows_by_line_and_exits_1_when_any_was_skipped(site):
    (site / "readers.csv").write_bytes("email,name,sections\nwang@example.com,王芳,经济\n"
                                       "oops,x,\n".encode("gb18030"))
    result = CliRunner().invoke(cli, ["subscribers", "import", "readers.csv"])
    assert result.exit_code == 1
    assert re.search(r"warning: readers\.csv:3: 'oops' is not an email address", result.output)
    assert "imported 1 from readers.csv (gb18030): 1 added" in result.output
    listed = json.loads(feeds("subscribers", "list", "--json").output)
    assert listed == [{"email": "wang@example.com", "name": "王芳", "sections": ["economy"],
                       "status": "active", "reason": None, "suppressed": None,
                       "created_at": listed[0]["created_at"]}]


def test_import_exits_1_for_a_stray_header_row_after_a_duplicate(site):
    (site / "readers.csv").write_text("email,name,sections\nwang@example.com,王芳,\n"
                                      "wang@example.com,,\nemail,name,sections\n",
                                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["subscribers", "import", "readers.csv"])
    assert result.exit_code == 1
    assert "warning: readers.csv:3: wang@example.com is also on line 2" in result.output
    assert "warning: readers.csv:4: a header row below the first row; row skipped" \
        in result.output
    assert "imported 1 from readers.csv (utf-8): 1 added" in result.output
    assert "1 rows skipped" in result.output


def test_unsubscribe_applies_a_link_token_and_refuses_a_forged_one(site):
    feeds("subscribers", "add", "a@example.com")
    feeds("digest")
    (message,) = maildir_messages(site / "outbox")
    token = re.search(r"token=([^>]+)>", message["List-Unsubscribe"]).group(1)
    forged = CliRunner().invoke(cli, ["unsubscribe", token[:-3] + "xyz"])
    assert forged.exit_code == 2 and "not a valid unsubscribe token" in forged.output
    done = feeds("unsubscribe", token)
    assert done.exit_code == 0 and done.output == "unsubscribed: a@example.com\n"
    assert "unsubscribed" in feeds("subscribers", "list").output
    removed = feeds("subscribers", "remove", "a@example.com")
    assert removed.output == "removed: a@example.com\n"


def test_the_demo_page_makes_a_digest_dated_by_its_issue_not_the_clock(tmp_path, monkeypatch):
    demo = tomllib.loads((ROOT / "feeds.toml").read_text(encoding="utf-8"))
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / DEMO_PAGE.name).write_bytes(DEMO_PAGE.read_bytes())
    lines = ['[site]', f'title = "{demo["site"]["title"]}"', 'state_dir = "state"']
    for section in demo["sections"]:
        keywords = json.dumps(section.get("keywords", []), ensure_ascii=False)
        lines += ["[[sections]]", f'name = "{section["name"]}"', f'slug = "{section["slug"]}"',
                  f"keywords = {keywords}"]
    lines.insert(3, f'min_keyword_score = {demo["site"]["min_keyword_score"]}')
    (tmp_path / "feeds.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FEEDS_SECRET_KEY", SECRET)
    feeds("subscribers", "add", "demo@example.com")
    result = feeds("digest")
    assert result.exit_code == 0 and result.output.startswith("edition 2022-09-20 (new")
    (message,) = maildir_messages(tmp_path / "outbox")
    assert message["Subject"].startswith(f"【{demo['site']['title']}】9月20日 ")
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_an_editor_previews_the_next_edition_before_anyone_subscribes(site):
    result = feeds("digest", "--preview", "preview.html")
    assert result.exit_code == 0
    assert result.output.startswith("wrote preview.html: edition 2024-03-02, 【城区新闻】")
    html = (site / "preview.html").read_text(encoding="utf-8")
    assert "reader@example.com 订阅了" in html
    assert feeds("digest").output.startswith("no active subscribers")  # nothing recorded
