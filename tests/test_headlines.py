from feeds.content.headlines import normalise


def test_heading_wrap_space_is_dropped_when_one_side_is_short():
    head = normalise("东湖区举办 “全民阅读日”活动")
    assert head.title == "东湖区举办“全民阅读日”活动"
    assert head.subtitle is None


def test_heading_wrap_space_is_kept_when_both_sides_are_long():
    head = normalise("区长调研城区基础教育集团化办学 奋力开创城区“优质教育”新局面")
    assert head.title == "区长调研城区基础教育集团化办学 奋力开创城区“优质教育”新局面"
    assert (head.main, head.subtitle) == ("区长调研城区基础教育集团化办学", "奋力开创城区“优质教育”新局面")


def test_space_inside_a_quoted_slogan_is_kept_and_never_splits():
    head = normalise("“奋进新时代 建功新征程”主题培训举办 全面提升青年干部履职能力")
    assert head.title == "“奋进新时代 建功新征程”主题培训举办 全面提升青年干部履职能力"
    assert head.main == "“奋进新时代 建功新征程”主题培训举办"
    assert head.subtitle == "全面提升青年干部履职能力"


def test_several_long_pieces_are_kept_but_not_split():
    head = normalise("“千名干部进万企” 服务企业面对面 当好贴心服务员")
    assert head.title == "“千名干部进万企” 服务企业面对面 当好贴心服务员"
    assert head.subtitle is None


def test_runs_of_spaces_collapse_and_ends_are_trimmed():
    assert normalise("  城区召开工作推进会议    部署下一阶段重点工作  ").title == (
        "城区召开工作推进会议 部署下一阶段重点工作")


def test_spaces_next_to_latin_words_and_numbers_are_kept():
    assert normalise("5G 网络覆盖全区").title == "5G 网络覆盖全区"
    assert normalise("5G 网络覆盖全区").subtitle is None


def test_ideographic_space_is_typography_and_stays():
    assert normalise("城区\u3000教育").title == "城区\u3000教育"
