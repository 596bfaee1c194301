import re
from contextlib import closing

import pytest
from digest_support import NOW, digest_run, make_site
from lxml import html

from feeds.content.loader import load
from feeds.database import connect, database_path
from feeds.digest.edition import make
from feeds.digest.render import Recipient, Renderer
from feeds.rendering import TemplateProblem

READER = Recipient("wang@example.com", "https://news.example.cn/unsubscribe?token=a.b",
                   "https://news.example.cn/preferences?token=c.d", "全部栏目")


def edition_of(config):
    catalog = load(config)
    fresh = [e for e in catalog.entries if e.issue_date.year == 2024 and e.issue_date.month == 3]
    return make(fresh, catalog.sections, set())


def many_pages(count):
    body = "".join(f"## 第{i}条新闻：城区学校开展第{i}次活动\n\n本报讯 3月2日，"
                   + "学生参加活动，" * 30 + "\n\n" for i in range(count))
    return {"2024-03-02-edu.txt": "第1版 教育\n\n" + body,
            "2024-03-02-eco.txt": "第2版 经济\n\n## 开发区新增企业\n\n本报讯 3月2日，新增企业。\n"}


def test_subject_counts_each_section_of_the_edition(tmp_path):
    config = make_site(tmp_path)
    edition = edition_of(config)
    renderer = Renderer(config)
    assert renderer.subject(edition, edition.groups) == "【城区新闻】3月2日 教育2·经济1"
    assert renderer.subject(edition, edition.share(("economy",))) == "【城区新闻】3月2日 经济1"


def test_the_footer_says_why_the_reader_gets_it_and_how_to_leave(tmp_path):
    config = make_site(tmp_path)
    edition = edition_of(config)
    rendered = Renderer(config).email(edition, edition.groups,
                                      Recipient(**{**READER.__dict__,
                                                   "sections_text": "教育、经济栏目"}))
    assert "wang@example.com 订阅了城区新闻的教育、经济栏目" in rendered.html
    assert 'href="https://news.example.cn/unsubscribe?token=a.b"' in rendered.html
    assert "退订：https://news.example.cn/unsubscribe?token=a.b" in rendered.text
    assert "在浏览器中查看：https://news.example.cn/digests/2024-03-02.html" in rendered.text
    assert 'href="https://news.example.cn/sections/education.html"' in rendered.html


def test_readers_of_one_choice_each_get_their_own_values_escaped(tmp_path):
    config = make_site(tmp_path)
    edition = edition_of(config)
    renderer = Renderer(config)
    readers = [("a@example.com", "https://x.cn/u?token=a.1"),
               ("b&c@example.com", "https://x.cn/u?token=b.2&x=<1>"),  # escaped in the HTML
               ("读者@例子.中国", "https://x.cn/u?token=d.3")]
    emails = [renderer.email(edition, edition.groups,
                             Recipient(address, url, url.replace("/u?", "/p?"), "全部栏目"))
              for address, url in readers]
    for (address, url), email, other in zip(readers, emails, emails[1:] + emails[:1],
                                            strict=True):
        assert f"因为 {address.replace('&', '&amp;')} 订阅了" in email.html
        assert url in [a.get("href") for a in html.fromstring(email.html).iter("a")]
        assert f"因为 {address} 订阅了" in email.text and f"退订：{url}" in email.text
        assert address.replace("&", "&amp;") not in other.html
    assert len({e.html.split('class="footer"')[0] for e in emails}) == 1  # the rest is shared


def test_every_element_and_link_carries_its_style_inline(tmp_path):
    # Gmail drops <style> blocks in some views and Outlook reads only inline styles:
    # only the @media and [data-ogsc] overrides may live in <style>.
    config = make_site(tmp_path)
    edition = edition_of(config)
    page = html.fromstring(Renderer(config).email(edition, edition.groups, READER).html)
    for name in ("body", "outer", "page", "masthead", "title", "dateline", "section",
                 "section-name", "headline", "summary", "more", "footer", "preheader"):
        found = page.find_class(name)
        assert found and all(e.get("style") for e in found), name
    links = list(page.iter("a"))
    assert len(links) > 5 and all("color:" in (a.get("style") or "") for a in links)
    footer_links = page.find_class("footer")[0].iter("a")
    assert all(a.get("style") == "color:#595959" for a in footer_links)
    media = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
    for block in page.iter("style"):
        rules = [r.strip() for r in media.sub("", block.text).split("}") if r.strip()]
        assert all(r.startswith("[data-ogsc]") for r in rules), rules


def test_a_template_that_transforms_reader_values_is_rendered_per_reader(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    from feeds.rendering import SHIPPED

    text = (SHIPPED / "digest.html.j2").read_text(encoding="utf-8")
    (folder / "digest.html.j2").write_text(
        text.replace("{{ recipient.email }}", "{{ recipient.email | upper }}"), encoding="utf-8")
    config = make_site(tmp_path)
    edition = edition_of(config)
    renderer = Renderer(config)
    first = renderer.email(edition, edition.groups, READER)
    second = renderer.email(edition, edition.groups, READER.__class__(
        "li@example.com", READER.unsubscribe_url, READER.preferences_url, "全部栏目"))
    assert "WANG@EXAMPLE.COM" in first.html and "LI@EXAMPLE.COM" in second.html
    assert "wang@example.com" in first.text and "li@example.com" in second.text


def test_an_email_over_the_size_limit_keeps_each_sections_top_entries(tmp_path):
    config = make_site(tmp_path, pages=many_pages(60), digest={"max_html_bytes": 30_000})
    catalog = load(config)
    edition = make(catalog.entries, catalog.sections, set())
    rendered = Renderer(config).email(edition, edition.groups, READER)
    assert rendered.trimmed and len(rendered.html.encode()) <= 30_000
    assert "第0条新闻" in rendered.html and "第59条新闻" not in rendered.html
    assert "请到网站阅读" in rendered.html and "开发区新增企业" in rendered.html
    full = Renderer(make_site(tmp_path, pages={})).email(edition, edition.groups, READER)
    assert not full.trimmed and "第59条新闻" in full.html


def test_the_web_copy_has_every_section_and_no_readers_links(tmp_path):
    config = make_site(tmp_path)
    html = Renderer(config).web_copy(edition_of(config))
    assert ">教育<" in html and ">经济<" in html
    assert "unsubscribe" not in html and "preheader" not in html
    assert 'href="https://news.example.cn/subscribe"' in html


def test_a_template_syntax_error_names_the_file_and_line(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "digest.html.j2").write_text("<p>\n{% for x in %}\n</p>\n", encoding="utf-8")
    config = make_site(tmp_path)
    with pytest.raises(TemplateProblem) as caught:
        Renderer(config)
    assert str(caught.value).startswith(f"{folder / 'digest.html.j2'}:2: template syntax error")


def test_a_misspelt_name_in_a_template_names_the_file_and_line(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "digest.txt.j2").write_text("{{ site.title }}\n{{ edition.dat }}\n",
                                          encoding="utf-8")
    config = make_site(tmp_path)
    with pytest.raises(TemplateProblem, match=r"digest\.txt\.j2:2: .*'dat'"):
        Renderer(config).email(edition_of(config), edition_of(config).groups, READER)


def test_a_syntax_error_stops_feeds_digest_with_one_clear_line(tmp_path):
    from click.testing import CliRunner

    from feeds.cli import cli, digest  # noqa: F401  (registers the commands)

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "digest.html.j2").write_text("{% if %}", encoding="utf-8")
    config = make_site(tmp_path)
    with closing(connect(database_path(config))):
        pass
    (tmp_path / "feeds.toml").write_text(
        '[site]\ntitle = "城区新闻"\nstate_dir = "state"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "feeds.toml"), "digest"])
    assert result.exit_code == 1
    assert "digest.html.j2:1: template syntax error" in result.output
    assert "Traceback" not in result.output


def test_the_renderer_is_used_with_the_run_clock_in_the_date_header(tmp_path):
    config = make_site(tmp_path)
    with closing(connect(database_path(config))) as db:
        run = digest_run(config, db)
        edition = edition_of(config)
        from feeds.subscribers import Subscriber

        letter, _ = run.letter(edition, Subscriber(1, "a@example.com", "", None, "active", ""),
                               edition.groups, "<x@news.example.cn>")
    assert letter.date == NOW and letter.date.utcoffset().total_seconds() == 8 * 3600
