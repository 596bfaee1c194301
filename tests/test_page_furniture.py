"""What PDF conversion leaves at page and column breaks: running heads, page numbers,
staff lines and jump markers, on pages written for each case."""

from feeds.model import Author


def notes(catalog):
    return [(p.line, p.message) for r in catalog.files for p in r.problems if p.severity == "note"]


# A two-page file as a city paper's converter writes it: each page starts with the
# paper's name, the date and weekday, the page number and name; the page's editors
# are listed at its foot; the first page's lead story breaks mid-sentence at the
# foot of a column, where the page number lands.
TWO_PAGES = """\
城东日报
2024年3月6日 星期三 第01版 要闻

## 城区召开春季植树动员会

本报讯 3月5日，城区召开春季植树动员会，部署全年城乡绿
3
化美化工作。会议要求各街道落实责任，确保完成全年任务。

记者 赵一鸣

## 城区开展义务植树活动

本报讯 3月4日，城区开展义务植树活动，干部群众

责任编辑：钱晓东 校对：孙雨晴 美编：李平
城东日报
2024年3月6日 星期三 第02版 经济

一千余人参加，栽下树苗三千株。

## 城区企业一季度订单增长

本报讯 3月5日，城区统计部门发布数据，一季度企业订单同比增长。

记者 周海
"""


def test_running_heads_and_page_numbers_leave_the_text_and_the_sentence_rejoins(load_pages):
    catalog = load_pages({"2024-03-06.txt": TWO_PAGES})
    first, second, third = catalog.entries
    assert first.paragraphs == ("3月5日，城区召开春季植树动员会，部署全年城乡绿化美化工作。"
                                "会议要求各街道落实责任，确保完成全年任务。",)
    assert second.paragraphs == ("3月4日，城区开展义务植树活动，干部群众一千余人参加，栽下树苗三千株。",)
    assert first.authors == (Author("赵一鸣", "记者"),)
    assert third.paragraphs == ("3月5日，城区统计部门发布数据，一季度企业订单同比增长。",)


def test_each_page_header_sets_the_section_of_the_articles_after_it(load_pages):
    catalog = load_pages({"2024-03-06.txt": TWO_PAGES})
    assert [e.section for e in catalog.entries] == ["要闻", "要闻", "经济"]


def test_check_names_every_removed_line(load_pages):
    removed = {line: message for line, message in notes(load_pages({"2024-03-06.txt": TWO_PAGES}))
               if message.startswith("removed")}
    assert sorted(removed) == [7, 16, 17, 18]
    assert "page number" in removed[7]
    assert "staff line" in removed[16]
    assert "running header" in removed[17] and "城东日报" in removed[17]
    assert "page header" in removed[18]


def test_a_short_line_printed_once_stays(load_pages):
    catalog = load_pages({"2024-03-06.txt": """\
        ## 城区公布十件民生实事

        本报讯 3月5日，城区公布今年十件民生实事。

        主要内容：

        新建幼儿园三所，新增学位九百个。
        """})
    (entry,) = catalog.entries
    assert "主要内容：" in entry.paragraphs
    assert not notes(catalog)


def test_bylines_printed_on_every_article_are_not_running_heads(load_pages):
    article = "## 城区动员会{n}\n\n本报讯 3月5日，城区召开动员会。\n\n记者 赵一鸣 通讯员 钱晓东\n\n"
    catalog = load_pages({"2024-03-06.txt": "".join(article.format(n=n) for n in range(3))})
    assert all(e.authors == (Author("赵一鸣", "记者"), Author("钱晓东", "通讯员"))
               for e in catalog.entries)
    assert not notes(catalog)


def test_openings_cut_alike_by_column_breaks_are_text_not_running_heads(load_pages):
    article = "## 城区动员会{n}\n\n本报\n\n讯 3月5日，城区召开第{n}次动员会。\n\n"
    catalog = load_pages({"2024-03-06.txt": "".join(article.format(n=n) for n in "一二三")})
    assert [e.paragraphs[0] for e in catalog.entries] == [
        f"3月5日，城区召开第{n}次动员会。" for n in "一二三"]


def test_jump_to_the_next_page_that_follows_at_once_is_one_article(load_pages):
    catalog = load_pages({"2024-03-06.txt": """\
        第01版 要闻

        ## 城区召开春季植树动员会

        本报讯 3月5日，城区召开春季植树动员会，部署全年城乡绿（下转第2版）

        第02版 要闻

        （上接第1版）化美化工作。

        记者 赵一鸣
        """})
    (entry,) = catalog.entries
    assert entry.paragraphs == ("3月5日，城区召开春季植树动员会，部署全年城乡绿化美化工作。",)
    assert entry.authors == (Author("赵一鸣", "记者"),)


def test_continuation_later_in_the_file_under_a_shortened_headline_is_joined(load_pages):
    catalog = load_pages({"2024-03-06.txt": """\
        第01版 要闻

        ## 城区召开春季植树动员会 部署全年城乡绿化美化工作

        本报讯 3月5日，城区召开春季植树动员会，要求各街道

        （下转第2版）

        ## 城区开展义务植树活动

        本报讯 3月4日，城区开展义务植树活动。

        第02版 要闻

        ## 城区召开春季植树动员会（上接第1版）

        落实责任，确保完成全年任务。

        记者 赵一鸣
        """})
    first, second = catalog.entries
    assert first.title == "城区召开春季植树动员会 部署全年城乡绿化美化工作"
    assert first.paragraphs == ("3月5日，城区召开春季植树动员会，要求各街道落实责任，确保完成全年任务。",)
    assert first.authors == (Author("赵一鸣", "记者"),)
    assert second.paragraphs == ("3月4日，城区开展义务植树活动。",)
    assert any(line == 15 and "joined" in message and "line 3" in message
               for line, message in notes(catalog))


def test_continuation_under_the_headline_repeated_without_a_marker(load_pages):
    catalog = load_pages({"2024-03-06.txt": """\
        ## 城区开展义务植树活动

        本报讯 3月4日，城区开展义务植树活动，干部群众（下转第二版）

        ## 城区企业订单增长

        本报讯 3月5日，一季度企业订单同比增长。

        ## 城区开展义务植树活动

        一千余人参加。
        """})
    assert [e.paragraphs for e in catalog.entries] == [
        ("3月4日，城区开展义务植树活动，干部群众一千余人参加。",), ("3月5日，一季度企业订单同比增长。",)]


def test_the_same_headline_twice_without_a_jump_is_two_articles(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 同一个标题\n\n甲文。\n\n## 同一个标题\n\n乙文。\n"})
    assert [e.paragraphs for e in catalog.entries] == [("甲文。",), ("乙文。",)]


def test_a_jump_whose_rest_is_on_another_page_loses_its_marker_with_a_note(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 城区召开动员会\n\n本报讯 3月5日，城区召开动员会。（下转第3版）\n"})
    (entry,) = catalog.entries
    assert entry.paragraphs == ("3月5日，城区召开动员会。",)
    assert [(line, "下转" in message) for line, message in notes(catalog)] == [(3, True)]


def test_feeds_check_lists_every_guess_with_file_and_line(tmp_path):
    import subprocess
    import sys

    content = tmp_path / "content"
    content.mkdir()
    (content / "a05.txt").write_text("""\
## 城区召开春季植树动员会

本报讯 3月5日，城区召开2024年春季植树动员会，要求各街道（下转第2版）

## 城区举办读书分享会

本报讯 3月4日，城区图书馆举办读书分享会。（林晓）

第02版 要闻

## 城区召开春季植树动员会（上接第1版）

落实责任，确保完成全年任务。
""", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "feeds", "check"], cwd=tmp_path,
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert any(line.startswith("a05.txt:3: warning: issue date 2024-03-05 inferred") for line in lines)
    assert "a05.txt:7: note: read “（林晓）” closing the article as its author's name" in lines
    assert "a05.txt:9: note: removed “第02版 要闻” as a page header" in lines
    assert any(line.startswith("a05.txt:11: note: joined this continuation") for line in lines)
