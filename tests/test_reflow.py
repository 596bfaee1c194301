from feeds.content.reflow import INDENTED, PLAIN, UNIFORM, convention, reflow


def lines(text: str) -> list[tuple[int, str]]:
    return list(enumerate(text.split("\n"), start=1))


def texts(text: str) -> list[str]:
    return reflow(lines(text))


def test_word_broken_across_blank_lines_is_rejoined_without_space():
    assert texts("要坚定发展信心，始终把教\n\n\n\n育事业摆在优先位置。") == [
        "要坚定发展信心，始终把教育事业摆在优先位置。"]


def test_whitespace_only_lines_count_as_blank():
    assert texts("学员们深入\n   \n\t\n\u3000\n一线研学。") == ["学员们深入一线研学。"]


def test_single_newline_break_mid_sentence_is_rejoined():
    assert texts("进一步认清当前正处于转型发展关\n键时期这一形势。") == [
        "进一步认清当前正处于转型发展关键时期这一形势。"]


def test_break_after_closing_punctuation_is_a_real_paragraph():
    assert texts("第一段结束了。\n\n第二段开始。") == ["第一段结束了。", "第二段开始。"]


def test_one_paragraph_per_line_without_blank_lines():
    assert texts("第一段。\n第二段！\n第三段？\n第四段：") == ["第一段。", "第二段！", "第三段？", "第四段："]


def test_closing_quote_after_full_stop_still_closes():
    assert texts("他说：“要干实事。”\n下一段。") == ["他说：“要干实事。”", "下一段。"]


def test_quote_without_full_stop_does_not_close():
    assert texts("开创“美好教育”\n新局面。") == ["开创“美好教育”新局面。"]


def test_ascii_punctuation_closes_too():
    assert texts("迎接胜利召开!\n下一段开始。") == ["迎接胜利召开!", "下一段开始。"]


def test_latin_words_broken_at_line_end_keep_a_space():
    assert texts("the annual\nreport 发布。") == ["the annual report 发布。"]


def test_indented_line_starts_a_paragraph_even_without_punctuation():
    assert texts("一、总体要求\n\u3000\u3000各单位要认真落实。") == ["一、总体要求", "各单位要认真落实。"]


def test_numbered_point_starts_a_paragraph():
    assert texts("主要任务如下\n一是加强领导。\n二是压实责任。") == [
        "主要任务如下", "一是加强领导。", "二是压实责任。"]


def test_digits_and_latin_broken_across_lines_rejoin_without_a_space():
    assert texts("城区建成5\nG网络基站。") == ["城区建成5G网络基站。"]
    assert texts("全年实现营收12.\n5亿元。") == ["全年实现营收12.5亿元。"]
    assert texts("使用Wi\n-Fi和4\nK电视。") == ["使用Wi-Fi和4K电视。"]


INDENTED_PAGE = (
    "\u3000\u3000本报讯 3月5日，城区召开动员会。会议部署了全年工作。\n"
    "会议要求各街道落实责任，确保完成全年任务。\n"
    "\u3000\u3000会议指出，植树造林功在当代。\n"
    "\u3000\u3000会上，各街道负责人作了表态发言。\n"
)


def test_an_indenting_page_continues_unindented_lines_even_after_a_full_stop():
    numbered = lines(INDENTED_PAGE)
    assert convention([numbered]) == INDENTED
    assert reflow(numbered, convention([numbered])) == [
        "本报讯 3月5日，城区召开动员会。会议部署了全年工作。会议要求各街道落实责任，确保完成全年任务。",
        "会议指出，植树造林功在当代。", "会上，各街道负责人作了表态发言。"]


def test_a_page_that_does_not_indent_keeps_breaking_at_sentence_ends():
    numbered = lines(INDENTED_PAGE.replace("\u3000", ""))
    assert convention([numbered]) == PLAIN
    assert len(reflow(numbered, convention([numbered]))) == 4


def test_a_page_with_every_line_indented_breaks_at_sentence_ends_only():
    numbered = lines("\u3000\u3000第一段被打\n\u3000\u3000断了。\n\u3000\u3000第二段。\n")
    assert convention([numbered]) == UNIFORM
    assert reflow(numbered, convention([numbered])) == ["第一段被打断了。", "第二段。"]


def test_the_loader_learns_the_convention_of_each_page(load_pages):
    catalog = load_pages({"2024-03-06.txt": "## 城区召开动员会\n\n" + INDENTED_PAGE,
                          "2024-03-07.txt": "## 城区召开动员会\n\n" + INDENTED_PAGE.replace("\u3000", "")})
    indented, plain = catalog.entries
    assert len(indented.paragraphs) == 3 and len(plain.paragraphs) == 4
